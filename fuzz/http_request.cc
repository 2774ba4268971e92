// Fuzz target: bytes as they arrive on a connection to `fouledger serve`. They are read with the
// server's own Beast parser and limits (server::internal::ParseRequest, which the connections use
// too), up to kRequestsPerInputMax pipelined requests as one kept-alive connection would send
// them, and each whole request goes to Service::Handle on a ledger with the domain rules
// (served.h): routing, the query parameters (as_of, known_at, format, year, ...), the append
// bodies, the pages and the session endpoints. Each GET is handed over twice: as it came (the
// fuzzer cannot sign, so it must be refused unless the path is public) and signed by an enrolled
// key (so the reads and their reports are reached; it must then not be refused for its signature).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "served.h"
#include "server/request_auth.h"

namespace {

using fouledger::server::internal::HttpRequest;
using fouledger::server::internal::HttpResponse;

constexpr int kRequestsPerInputMax = 8;

// What anyone may ask without a signature or a session.
bool IsPublic(const HttpRequest& request) {
  bool ok = false;
  const std::string path = fouledger::fuzz::DecodedPath(request.target, &ok);
  if (!ok) return false;
  if (request.method == "GET") {
    return path == "/v1/health" || path == "/" || path == "/ui" || path.rfind("/ui/", 0) == 0;
  }
  if (request.method == "POST") {
    // Appends carry their own signature, checked against the enrolled keys; a challenge is free;
    // signing out of no session does nothing.
    return path == "/v1/entries" || path == "/v1/session/challenge" || path == "/v1/session/close";
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (int i = 0; i < kRequestsPerInputMax && !bytes.empty(); ++i) {
    auto parsed = fouledger::server::internal::ParseRequest(bytes);
    if (parsed.bytes_used > bytes.size()) __builtin_trap();
    if (parsed.refusal) {
      if (parsed.refusal->status < 400 || parsed.refusal->status > 499) __builtin_trap();
      break;
    }
    if (!parsed.request) break;
    const HttpRequest& request = *parsed.request;

    const HttpResponse response = fouledger::fuzz::Dispatch(request);
    if (response.status < 400 && !IsPublic(request)) {
      fouledger::fuzz::Fail("answered without a signature or a session", request, response);
    }

    if (request.method == "GET") {
      HttpRequest signed_request = request;
      for (auto it = signed_request.headers.begin(); it != signed_request.headers.end();) {
        const bool ours = it->first.rfind("x-fouledger-", 0) == 0 || it->first == "cookie";
        it = ours ? signed_request.headers.erase(it) : std::next(it);
      }
      // Before signing: the clock may move on here, and a read signed before a move would be
      // more than the allowed skew from the server's clock (found after 50 000 signed reads).
      fouledger::fuzz::NoteSignedRead();
      for (auto& [name, value] :
           fouledger::server::SignRequest(fouledger::fuzz::Reader(), fouledger::fuzz::Now(), "GET",
                                          request.target, request.body)) {
        std::string lower = name;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        signed_request.headers[lower] = value;
      }
      const HttpResponse answer = fouledger::fuzz::Dispatch(signed_request);
      if (answer.status == 401 || answer.status == 403) {
        fouledger::fuzz::Fail("a read signed by an enrolled key was refused", signed_request,
                              answer);
      }
    }
    if (!parsed.keep_alive || parsed.bytes_used == 0) break;
    bytes.remove_prefix(parsed.bytes_used);
  }
  return 0;
}
