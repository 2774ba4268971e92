// The CLI as a client of `fouledger serve` (--server URL). Events are built and signed here, with
// the user's key, exactly as for a local ledger; only the transport differs. Reads are signed
// requests (server/request_auth.h). Beast stays inside client.cc (it compiles slowly).
//
// HttpClient is synchronous, keeps one connection open across requests and reconnects when the
// server closed it. For https it verifies the server's certificate against --ca (or the system's
// trusted CAs) and the host name. Not thread-safe: one per thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "context.h"
#include "ledger/event.h"
#include "ledger/status.h"

namespace fouledger::cli {

struct HttpReply {
  int status = 0;
  std::string content_type;
  std::string body;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  // `url` is http://host:port or https://host:port (a path after it is ignored). `ca_path` is a
  // PEM file of CA certificates to trust for https ("" = the system's).
  static Result<std::unique_ptr<HttpClient>> Create(const std::string& url,
                                                    const std::string& ca_path,
                                                    std::chrono::milliseconds timeout);
  // IOError when the server cannot be reached or does not answer within the timeout.
  Result<HttpReply> Request(const std::string& method, const std::string& target,
                            const std::string& body, const HeaderList& headers);
  ~HttpClient();

 private:
  struct Impl;
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The append body {"event": base64, "signature": base64}.
std::string AppendBody(const SignedEvent& event);
// The Status an error reply carries ({"error", "message"}), for exit codes and the message line.
Status StatusOfReply(const HttpReply& reply);

// Readers of the server's answers (untrusted bytes from the network: fuzz/api_json.cc feeds them
// anything). Each refuses, with IOError and one line, a body that is not what the server sends.
struct AppendReply {
  uint64_t seq = 0;
  bool duplicate = false;  // the event was already in the ledger at seq
};
// {"seq": n, "duplicate": bool, ...}: the answer to POST /v1/entries.
Result<AppendReply> ParseAppendReply(const std::string& body);
// {"challenge": hex, ...}: the answer to POST /v1/session/challenge.
Result<std::string> ParseChallengeReply(const std::string& body);
struct LoginReply {
  std::string link;          // a path on the server: /ui/login#<token>
  int64_t expires_in_s = 0;  // 0 when not said
  std::string holder = "?";
  std::string role = "?";
};
// {"link": path, "expiresIn": s, "holder": text, "role": text}: the answer to POST /v1/session.
Result<LoginReply> ParseLoginReply(const std::string& body);

// Sends the signed event to ctx.server_url and prints the line a local append prints. Retries a
// few times after a timeout, a dropped connection or 503, always with the same signed bytes: the
// ledger answers a retry of a written event with the original entry, never a second one.
int RemoteAppend(const Context& ctx, const SignedEvent& event);
// A signed GET of `path` with `params`; prints the body (the report the CLI prints locally).
int RemoteQuery(const Context& ctx, const std::string& path,
                const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace fouledger::cli
