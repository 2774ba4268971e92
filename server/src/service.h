// Service: the API's meaning, apart from HTTP's mechanics (http.cc). It turns a parsed request
// into a response: appends go through the group-commit writer, reads are answered on the calling
// thread. No Beast here, so this compiles quickly and reads plainly.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "ledger/ledger.h"
#include "projections/engine.h"

namespace fouledger::server::internal {

struct HttpRequest {
  std::string method;
  std::string target;  // path and query, as sent
  std::string body;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string Header(std::string_view lower_case_name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones (Retry-After, ...)
  std::string key_id;  // short id of the key behind the request, for the log line; "" if none
};

// Called exactly once per request: on the calling thread for reads and refusals, on the writer
// thread for appends.
using Respond = std::function<void(HttpResponse)>;

// The JSON error body {"error": "<code>", "message": "<one line>"}.
HttpResponse ErrorResponse(int http_status, const Status& status);

// One request read from `bytes` the way a connection reads it (defined in http.cc: the same Beast
// parser, limits and refusals), without a socket. The fuzz target fuzz/http_request.cc feeds it
// arbitrary bytes and hands what it parsed to Service::Handle, as a connection does.
struct ParsedRequest {
  size_t bytes_used = 0;                // of `bytes`; a pipelined next request starts here
  std::optional<HttpRequest> request;   // a whole request, or
  std::optional<HttpResponse> refusal;  // what the connection answers before it closes;
  // neither: the bytes end before a whole request, or the connection closes without an answer.
  bool keep_alive = false;  // the request allows another on the same connection
};
ParsedRequest ParseRequest(std::string_view bytes);

class Service {
 public:
  // `tls`: whether the connection is TLS (the session cookie is then Secure).
  Service(Ledger* ledger, projections::Engine* engine, Clock clock, bool tls = false);
  ~Service();  // Drain()
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  void Handle(const HttpRequest& request, Respond respond);
  // Refuses new appends from now on, writes and answers every queued one, joins the writer.
  void Drain();
  uint64_t appends_written() const { return appends_written_.load(); }
  uint64_t batches() const { return batches_.load(); }
  uint64_t largest_batch() const { return largest_batch_.load(); }
  uint64_t checked_ahead() const { return checked_ahead_.load(); }

 private:
  struct Pending {
    CheckedEvent event;  // its signature checked on the I/O thread that received it
    std::string key_id;
    Respond respond;
  };

  void HandleAppend(const HttpRequest& request, Respond respond);
  void HandleRead(const HttpRequest& request, const std::string& key_id, const Respond& respond);
  // Ok and the key's short id, or the refusal to send.
  bool Authenticate(const HttpRequest& request, HttpResponse* refusal, std::string* key_id);
  enum class NonceOutcome { kNew, kReplayed, kFull };
  NonceOutcome RememberNonce(const std::string& key_and_nonce, Instant now);
  void WriterLoop();
  void Commit(std::vector<Pending>* batch);
  int RefusalHttpStatus(const SignedEvent& event) const;  // engine_mutex_ held

  Ledger* const ledger_;
  projections::Engine* const engine_;
  const Clock clock_;

  // Guards the Engine and the Ledger's Authority: Ledger::AppendBatch changes them, Engine::At()
  // and Authority lookups read them. Entry, proof and checkpoint reads do not take it.
  mutable std::mutex engine_mutex_;

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Pending> queue_;
  bool draining_ = false;
  std::thread writer_;

  std::atomic<uint64_t> appends_written_{0};
  std::atomic<uint64_t> batches_{0};
  std::atomic<uint64_t> largest_batch_{0};
  std::atomic<uint64_t> checked_ahead_{0};

  std::unique_ptr<class Web> web_;  // pages and browser sessions (web.h)

  std::mutex nonce_mutex_;
  std::map<std::string, Instant> nonce_expiry_;  // key id + nonce -> when it may be forgotten
  std::multimap<Instant, std::string> nonce_by_expiry_;
};

}  // namespace fouledger::server::internal
