// Fuzz target: the JSON bodies of the API, on both ends. The same bytes are
//  - POSTed, as the body, to each endpoint that parses JSON: /v1/entries (the append body
//    {"event": base64, "signature": base64}), /v1/session ({"keyId", "challenge", "signature"}) and
//    /v1/session/open ({"token"}), through Service::Handle on a ledger with the domain rules
//    (served.h), and
//  - read as a server's answer by the CLI: cli::StatusOfReply (error bodies), ParseAppendReply,
//    ParseChallengeReply and ParseLoginReply (`fouledger login`).
// Refusals are expected; a crash, an exception or an accepted sign-in is a finding (nobody can
// sign a challenge the fuzzer never got, nor hold a link it was never given).
#include <cstddef>
#include <cstdint>
#include <string>

#include "client.h"
#include "served.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  using fouledger::server::internal::HttpRequest;

  for (const char* path : {"/v1/entries", "/v1/session", "/v1/session/open"}) {
    HttpRequest request;
    request.method = "POST";
    request.target = path;
    request.body = body;
    request.headers = {{"host", "127.0.0.1:8443"},
                       {"origin", "http://127.0.0.1:8443"},
                       {"content-type", "application/json"},
                       {"content-length", std::to_string(size)}};
    const auto response = fouledger::fuzz::Dispatch(request);
    if (response.status < 400 && request.target != "/v1/entries") {
      fouledger::fuzz::Fail("a session without a signed challenge or a link", request, response);
    }
    if (response.status < 400 && !fouledger::cli::ParseAppendReply(response.body).ok()) {
      fouledger::fuzz::Fail("an accepted append whose answer the CLI cannot read", request,
                            response);
    }
  }

  for (int status : {400, 503}) {
    (void)fouledger::cli::StatusOfReply({status, "application/json", body});
  }
  (void)fouledger::cli::ParseAppendReply(body);
  (void)fouledger::cli::ParseChallengeReply(body);
  (void)fouledger::cli::ParseLoginReply(body);
  return 0;
}
