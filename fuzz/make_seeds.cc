// Writes the signed seeds of the server's fuzz corpora: an append body signed by the fuzz ledger's
// admin (fuzz/data/admin.pem), as the JSON body (fuzz/corpus/api_json/) and as whole HTTP requests
// (fuzz/corpus/http_request/), once with Content-Length and once chunked. The other seeds are plain
// text files written by hand. Run again only to replace these seeds:
//   build-fuzz/bin/fuzz_make_seeds fuzz/corpus
#include <cstdio>
#include <fstream>
#include <string>

#include "client.h"  // cli::AppendBody: the very body `fouledger --server` sends
#include "ledger/event.h"

namespace {

bool Write(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace fouledger;
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_make_seeds CORPUS_DIR (fuzz/corpus)\n");
    return 2;
  }
  const std::string corpus = argv[1];
  auto admin = SigningKey::LoadPem(FOULEDGER_FUZZ_DATA "/admin.pem");
  if (!admin.ok()) {
    std::fprintf(stderr, "%s\n", admin.status().ToString().c_str());
    return 3;
  }
  EventBuilder b(Date::Parse("2021-01-01").value());
  auto u = b.body().initUnitAdd();
  u.setUnitId("skarpnack");
  u.setName("Skarpnäck");
  auto event = b.Sign(*admin);
  if (!event.ok()) {
    std::fprintf(stderr, "%s\n", event.status().ToString().c_str());
    return 3;
  }
  const std::string body = cli::AppendBody(*event);
  const std::string head =
      "POST /v1/entries HTTP/1.1\r\nHost: 127.0.0.1:8443\r\n"
      "Content-Type: application/json\r\n";
  char chunk_size[32];
  std::snprintf(chunk_size, sizeof chunk_size, "%zx", body.size());
  const bool ok =
      Write(corpus + "/api_json/append-unit-add.json", body) &&
      Write(corpus + "/http_request/post-append.http",
            head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body) &&
      Write(corpus + "/http_request/post-append-chunked.http",
            head + "Transfer-Encoding: chunked\r\n\r\n" + chunk_size + "\r\n" + body +
                "\r\n0\r\n\r\n");
  if (!ok) {
    std::fprintf(stderr, "cannot write under %s\n", corpus.c_str());
    return 3;
  }
  return 0;
}
