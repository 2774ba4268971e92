// Server: the ledger's HTTPS API (HTTP/1.1 on Boost.Asio and Beast, TLS through OpenSSL), so the
// district administrations, the office and the board append from their own machines to one ledger
// while auditors query it. The API is documented in docs/api.md, operations in
// docs/operations.md.
//
// Appends are authenticated by the event's own signature: the server never holds a user's private
// key. One writer thread drains a queue of pending appends into Ledger::AppendBatch, so concurrent
// appends share one synced RocksDB write (group commit) while each request gets its own answer.
// Reads must be signed by an enrolled key (request_auth.h) with a fresh timestamp and an unused
// nonce. Entry reads, proofs and checkpoints read RocksDB snapshots and never wait for the writer;
// projection queries take the engine lock only for Engine::At() and render outside it.
//
//   auto server = Server::Start(ledger.get(), engine.get(), options);   // listening
//   (*server)->Wait();                  // until Stop() or SIGTERM/SIGINT (if handle_signals)
//
// Thread safety: Start, Stop and Wait may be called from any thread; Stop is idempotent. The
// Ledger and Engine must outlive the Server and must not be appended to by anyone else meanwhile.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "ledger/crypto.h"
#include "ledger/date.h"
#include "ledger/event.h"
#include "ledger/ledger.h"
#include "ledger/status.h"
#include "projections/engine.h"

namespace fouledger::server {

// --- Limits on everything that comes from the network ------------------------------------------

// An append body is JSON {"event": base64, "signature": base64}: base64 grows bytes by 4/3.
inline constexpr size_t kRequestBodyBytesMax = 128 * 1024;
inline constexpr size_t kBase64EventBytesMax = (kEventBytesMax + 2) / 3 * 4;
static_assert(kRequestBodyBytesMax >= kBase64EventBytesMax + (kSignatureBytes + 2) / 3 * 4 + 1024,
              "the largest event the ledger accepts must fit in a request body, with room for the "
              "JSON around it");
static_assert(kRequestBodyBytesMax <= 4 * kEventBytesMax,
              "a body far larger than any event only wastes memory");
// Request line and all header fields together. Signed reads carry four short headers.
inline constexpr size_t kHeaderBytesMax = 8 * 1024;
static_assert(kHeaderBytesMax >= 2048, "room for the request line and the signed-read headers");
// Open connections at once; further ones are accepted and closed at once.
inline constexpr size_t kConnectionsMax = 512;
// Appends waiting for the writer; further ones are refused with 503 (the client retries).
inline constexpr size_t kPendingAppendsMax = 8192;
// Appends written in one synced batch at most.
inline constexpr size_t kBatchEventsMax = 1024;
static_assert(kBatchEventsMax <= kPendingAppendsMax, "a batch is taken from the queue");
static_assert(kBatchEventsMax * kEventBytesMax <= 128 * 1024 * 1024,
              "one batch of the largest events must fit comfortably in memory");
// Entries returned by one GET /v1/entries.
inline constexpr size_t kEntriesPerPageMax = 1000;
// Time to receive one whole request (headers and body) once its first byte may arrive; a client
// that trickles bytes (slowloris) gets 408 and is closed when it runs out.
inline constexpr std::chrono::milliseconds kRequestTimeoutDefault{10'000};
// Time to send a response to a slow reader before the connection is dropped.
inline constexpr std::chrono::milliseconds kResponseTimeout{30'000};
// Idle time allowed between requests on a kept-alive connection.
inline constexpr std::chrono::milliseconds kIdleTimeout{30'000};

struct ServerOptions {
  // "host:port". Plain HTTP is allowed only on loopback (127.0.0.0/8, ::1); anything else needs
  // TLS. Port 0 picks a free port (see Server::port()). Default "127.0.0.1:8443".
  std::string listen = "127.0.0.1:8443";
  // PEM certificate chain and private key; both or neither. With them the server speaks TLS only.
  std::string tls_cert_path;
  std::string tls_key_path;
  // Threads running the network I/O (the writer has its own). Default 2: the machine's cores.
  int threads = 2;
  // Source of "now" for read-request timestamps. Default: the system clock.
  Clock clock;
  // Time to receive one request; default kRequestTimeoutDefault (tests shorten it).
  std::chrono::milliseconds request_timeout = kRequestTimeoutDefault;
  // Stop on SIGTERM and SIGINT: stop accepting, finish acknowledged work, close. Default false
  // (a library should not take process-wide signals unless asked; `fouledger serve` asks).
  bool handle_signals = false;
  // Where the one line per request goes ("GET /v1/budget?year=2021 200 1.2ms key=ab12..").
  // Default: stderr. Never receives key material or bodies.
  std::function<void(const std::string&)> log;
};

// What the writer has done since Start: how well group commit is grouping.
struct ServerStats {
  uint64_t appends_written = 0;  // new entries (not retries, not refusals)
  uint64_t batches = 0;          // synced RocksDB writes of at least one new entry
  uint64_t largest_batch = 0;    // requests taken from the queue at once
  // Appends whose signature a network thread found good (Ledger::CheckSignature), so that the
  // writer did not check it; the writer checks the others itself.
  uint64_t checked_ahead = 0;
};

class Server {
 public:
  // Binds and starts serving. Refuses plain HTTP on a non-loopback address, a missing or
  // unreadable certificate or key, an address in use (IOError).
  static Result<std::unique_ptr<Server>> Start(Ledger* ledger, projections::Engine* engine,
                                               ServerOptions options);
  // The bound port (useful with port 0).
  uint16_t port() const;
  bool tls() const;
  ServerStats stats() const;
  // Graceful stop: stop accepting, let requests in progress finish and every queued append be
  // written and answered, then close connections and join the threads.
  void Stop();
  // Blocks until the server has stopped (by Stop() or a signal).
  void Wait();
  ~Server();  // Stop() and Wait()

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fouledger::server
