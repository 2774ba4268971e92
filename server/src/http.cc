// HTTP/1.1 mechanics on Boost.Asio and Beast: accepting, TLS, reading requests within the limits,
// timeouts, writing responses, the request log and the graceful stop. What a request means is
// Service's business (service.h). This is the only file of the server that includes Beast.
// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>, so it must
// come before any Boost header; the block keeps include sorting from moving it.
// clang-format off
#include <utility>
// clang-format on

#include <openssl/ssl.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cassert>
#include <cctype>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "server/server.h"
#include "service.h"

namespace fouledger::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using internal::HttpRequest;
using internal::HttpResponse;
using RequestParser = http::request_parser<http::string_body>;

// The parser every request is read with: the server's limits on the header and the body.
void ConfigureParser(RequestParser* parser) {
  parser->header_limit(static_cast<std::uint32_t>(kHeaderBytesMax));
  parser->body_limit(kRequestBodyBytesMax);
}

// A whole request as Service sees it: header names in lower case.
HttpRequest ToHttpRequest(http::request<http::string_body> message) {
  HttpRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  request.body = std::move(message.body());
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers[name] = std::string(field.value());
  }
  return request;
}

// The answer to a request that could not be read (the connection closes after it), or nullopt
// when the connection just closes: the peer went away, or something not worth an answer.
std::optional<HttpResponse> ReadErrorResponse(beast::error_code ec) {
  auto refuse = [](http::status status, const std::string& why) {
    return internal::ErrorResponse(static_cast<int>(status), Status::InvalidArgument(why));
  };
  if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
      ec == asio::error::eof || ec == asio::error::connection_reset) {
    return std::nullopt;
  }
  if (ec == http::error::header_limit) {
    return refuse(
        http::status::request_header_fields_too_large,
        "the request line and headers exceed " + std::to_string(kHeaderBytesMax) + " bytes");
  }
  if (ec == http::error::body_limit) {
    return refuse(http::status::payload_too_large,
                  "the request body exceeds " + std::to_string(kRequestBodyBytesMax) + " bytes");
  }
  if (ec.category() == http::make_error_code(http::error::bad_target).category() ||
      ec == beast::error::timeout) {
    return refuse(http::status::bad_request, "malformed HTTP request: " + ec.message());
  }
  return std::nullopt;
}

// What every session needs from the server, without the Server's pimpl.
struct Shared {
  internal::Service* service = nullptr;
  std::function<void(const std::string&)> log;
  std::chrono::milliseconds request_timeout{};
  std::atomic<bool> stopping{false};
  std::atomic<size_t> connections{0};

  // Live sessions, so a stop can close the idle ones. Values are callbacks posted to each
  // session's strand.
  std::mutex sessions_mutex;
  std::map<const void*, std::function<void()>> close_if_idle;
};

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Session(tcp::socket socket, Shared* shared, asio::ssl::context* ssl)
      : stream_(MakeStream(std::move(socket), ssl)),
        timer_(stream_.get_executor()),
        shared_(shared) {
    shared_->connections.fetch_add(1);
  }
  ~Session() {
    std::lock_guard lock(shared_->sessions_mutex);
    shared_->close_if_idle.erase(this);
    shared_->connections.fetch_sub(1);
  }

  void Start() {
    {
      std::weak_ptr<Session> weak = this->shared_from_this();
      auto executor = stream_.get_executor();
      std::lock_guard lock(shared_->sessions_mutex);
      shared_->close_if_idle[this] = [weak, executor] {
        asio::post(executor, [weak] {
          if (auto self = weak.lock()) self->CloseIfIdle();
        });
      };
    }
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->Arm();
        self->reading_ = true;
        self->stream_.async_handshake(asio::ssl::stream_base::server, [self](beast::error_code ec) {
          self->reading_ = false;
          self->timer_.cancel();
          if (ec) return self->Close();
          self->ReadHeader();
        });
      } else {
        self->ReadHeader();
      }
    });
  }

 private:
  static Stream MakeStream(tcp::socket socket, asio::ssl::context* ssl) {
    if constexpr (kTls) {
      return Stream(beast::tcp_stream(std::move(socket)), *ssl);
    } else {
      (void)ssl;
      return Stream(std::move(socket));
    }
  }

  tcp::socket& Socket() { return beast::get_lowest_layer(stream_).socket(); }

  // The request timer: when it fires during a read, the read is cancelled and, if some of a
  // request had arrived, the client gets 408 (a slowloris client never finishes its request).
  void Arm() {
    timer_.expires_after(shared_->request_timeout);
    timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec || !self->reading_) return;
      self->timed_out_ = true;
      beast::error_code ignored;
      self->Socket().cancel(ignored);
    });
  }

  void CloseIfIdle() {
    // Called on the strand when the server stops: a connection waiting for its next request is
    // closed; one whose request is being answered finishes first (keep-alive is then refused).
    if (reading_ && (!parser_ || !parser_->got_some())) Close();
  }

  void ReadHeader() {
    if (shared_->stopping.load()) return Close();
    parser_.emplace();
    ConfigureParser(&*parser_);
    timed_out_ = false;
    reading_ = true;
    Arm();
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    started_ = Clock::now();
    const auto& header = parser_->get();
    if (beast::iequals(header[http::field::expect], "100-continue")) {
      // curl sends this for bodies over 1 KiB and waits for the go-ahead before the body.
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                     header.version());
      http::async_write(stream_, *cont,
                        [self = this->shared_from_this(), cont](beast::error_code wec, size_t) {
                          if (wec) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRequest(ec); });
  }

  void OnReadError(beast::error_code ec) {
    reading_ = false;
    timer_.cancel();
    if (timed_out_) {
      if (parser_ && parser_->got_some()) {
        return Refuse(internal::ErrorResponse(
            static_cast<int>(http::status::request_timeout),
            Status::InvalidArgument("the request did not arrive within " +
                                    std::to_string(shared_->request_timeout.count()) + " ms")));
      }
      return Close();  // an idle kept-alive connection: nothing to answer
    }
    if (auto refusal = ReadErrorResponse(ec)) return Refuse(std::move(*refusal));
    Close();
  }

  // Answers a request that could not be read, then closes the connection.
  void Refuse(HttpResponse r) {
    method_ =
        parser_ && parser_->is_header_done() ? std::string(parser_->get().method_string()) : "-";
    target_ = parser_ && parser_->is_header_done() ? std::string(parser_->get().target()) : "-";
    if (target_.size() > 256) target_ = target_.substr(0, 256) + "..";
    if (started_ == Clock::time_point()) started_ = Clock::now();
    keep_alive_ = false;
    Write(std::move(r));
  }

  void OnRequest(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    reading_ = false;
    timer_.cancel();
    auto message = parser_->release();
    keep_alive_ = message.keep_alive();
    version_ = message.version();
    const HttpRequest request = ToHttpRequest(std::move(message));
    method_ = request.method;
    target_ = request.target.size() > 256 ? request.target.substr(0, 256) + ".." : request.target;
    auto self = this->shared_from_this();
    // One answer per request, whatever happens: a bug that throws while handling a request must
    // cost that request a 500, not end the server for every client (std::terminate on an I/O
    // thread). `answered` keeps a late answer (from the writer thread) from following the 500.
    auto answered = std::make_shared<std::atomic<bool>>(false);
    internal::Respond respond = [self, answered](HttpResponse r) {
      if (answered->exchange(true)) return;
      // Possibly on the writer thread: hop back onto this connection's strand.
      asio::post(self->stream_.get_executor(),
                 [self, r = std::move(r)]() mutable { self->Write(std::move(r)); });
    };
    try {
      shared_->service->Handle(request, respond);
    } catch (const std::exception& e) {
      if (shared_->log) shared_->log(std::string("internal error handling a request: ") + e.what());
      respond(internal::ErrorResponse(500, Status::IOError("internal error; see the server log")));
    }
  }

  void Write(HttpResponse r) {
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started_).count();
    if (shared_->log) {
      char duration[32];
      std::snprintf(duration, sizeof duration, "%.1fms", ms);
      shared_->log(method_ + " " + target_ + " " + std::to_string(r.status) + " " + duration +
                   " key=" + (r.key_id.empty() ? "-" : r.key_id));
    }
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(r.status), version_ == 0 ? 11 : version_);
    res->set(http::field::server, "fouledger");
    res->set(http::field::content_type, r.content_type);
    res->set(http::field::cache_control, "no-store");
    for (const auto& [name, value] : r.headers) res->set(name, value);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive_ && !shared_->stopping.load());
    res->prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(kResponseTimeout);  // a reader that never reads
    http::async_write(stream_, *res,
                      [self = this->shared_from_this(), res](beast::error_code ec, size_t) {
                        beast::get_lowest_layer(self->stream_).expires_never();
                        if (ec || !res->keep_alive()) return self->Close();
                        self->started_ = Clock::time_point();
                        self->ReadHeader();
                      });
  }

  void Close() {
    reading_ = false;
    timer_.cancel();
    if (closed_) return;
    closed_ = true;
    beast::error_code ignored;
    if constexpr (kTls) {
      // A TLS close_notify is a courtesy; don't wait long for a peer that is gone.
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        beast::error_code ignored2;
        self->Socket().shutdown(tcp::socket::shutdown_both, ignored2);
        self->Socket().close(ignored2);
      });
    } else {
      Socket().shutdown(tcp::socket::shutdown_both, ignored);
      Socket().close(ignored);
    }
  }

  Stream stream_;
  asio::steady_timer timer_;
  Shared* shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool reading_ = false;
  bool timed_out_ = false;
  bool keep_alive_ = false;
  bool closed_ = false;
  unsigned version_ = 11;
  std::string method_ = "-";
  std::string target_ = "-";
  Clock::time_point started_{};
};

Result<tcp::endpoint> ParseListen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::InvalidArgument("--listen is host:port (127.0.0.1:8443), not '" + listen + "'");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port_text = listen.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return Status::InvalidArgument("--listen port must be 0..65535, not '" + port_text + "'");
  }
  if (host == "localhost") host = "127.0.0.1";
  beast::error_code aec;
  const auto address = asio::ip::make_address(host, aec);
  if (aec) {
    return Status::InvalidArgument("--listen host must be an IP address, not '" + host + "'");
  }
  return tcp::endpoint(address, static_cast<uint16_t>(port));
}

}  // namespace

namespace internal {

ParsedRequest ParseRequest(std::string_view bytes) {
  ParsedRequest out;
  RequestParser parser;
  ConfigureParser(&parser);
  parser.eager(true);
  beast::error_code ec;
  while (!parser.is_done() && out.bytes_used < bytes.size()) {
    const size_t used = parser.put(
        asio::const_buffer(bytes.data() + out.bytes_used, bytes.size() - out.bytes_used), ec);
    out.bytes_used += used;
    if (ec == http::error::need_more) {
      if (used == 0) break;  // the rest is not yet a whole header or chunk
      ec = {};
      continue;
    }
    if (ec) {
      out.refusal = ReadErrorResponse(ec);
      return out;
    }
  }
  if (!parser.is_done()) return out;  // a connection would wait for more, then time out
  auto message = parser.release();
  out.keep_alive = message.keep_alive();
  out.request = ToHttpRequest(std::move(message));
  return out;
}

}  // namespace internal

struct Server::Impl {
  ServerOptions options;
  std::unique_ptr<internal::Service> service;
  Shared shared;
  asio::io_context ioc;
  // Keeps the I/O threads running while no operation is pending, e.g. when the acceptor is closed
  // and every connection waits for the writer's answer (posted to it from another thread).
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::optional<asio::ssl::context> ssl;
  tcp::acceptor acceptor{ioc};
  asio::signal_set signals{ioc};
  uint16_t port = 0;
  std::vector<std::thread> threads;

  std::mutex control_mutex;
  std::condition_variable control_cv;
  bool stop_requested = false;
  bool stopped = false;
  std::thread control;

  void Accept() {
    acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket s) {
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
        return Accept();  // e.g. too many open files: keep serving the connections we have
      }
      if (shared.connections.load() >= kConnectionsMax || shared.stopping.load()) {
        beast::error_code ignored;
        s.close(ignored);  // over the limit: the client sees the connection closed at once
      } else if (ssl) {
        std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(std::move(s), &shared,
                                                                        &*ssl)
            ->Start();
      } else {
        std::make_shared<Session<beast::tcp_stream>>(std::move(s), &shared, nullptr)->Start();
      }
      Accept();
    });
  }

  void RequestStop() {
    {
      std::lock_guard lock(control_mutex);
      stop_requested = true;
    }
    control_cv.notify_all();
  }

  // The control thread: waits for a stop request, then stops in order.
  void Control() {
    {
      std::unique_lock lock(control_mutex);
      control_cv.wait(lock, [&] { return stop_requested; });
    }
    // 1. No new connections, no new requests on kept-alive ones.
    shared.stopping.store(true);
    asio::post(ioc, [this] {
      beast::error_code ignored;
      acceptor.close(ignored);
      signals.cancel(ignored);
    });
    // 2. Every append already queued is written and answered; new ones get 503.
    service->Drain();
    // 3. Idle connections close now; busy ones after their response is written.
    {
      std::lock_guard lock(shared.sessions_mutex);
      for (auto& [session, close] : shared.close_if_idle) close();
    }
    // 4. The I/O threads return once every connection is gone; a peer that will not read its
    //    response is cut off after kResponseTimeout.
    const auto deadline = Clock::now() + kResponseTimeout + std::chrono::seconds(1);
    while (shared.connections.load() > 0 && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    work.reset();
    ioc.stop();
    for (auto& t : threads) t.join();
    {
      std::lock_guard lock(control_mutex);
      stopped = true;
    }
    control_cv.notify_all();
  }
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<Server>> Server::Start(Ledger* ledger, projections::Engine* engine,
                                              ServerOptions options) {
  if (ledger == nullptr || engine == nullptr) {
    return Status::InvalidArgument("a server needs a ledger and its domain rules");
  }
  if (options.threads < 1 || options.threads > 64) {
    return Status::InvalidArgument("--threads must be 1..64, not " +
                                   std::to_string(options.threads));
  }
  if (options.tls_cert_path.empty() != options.tls_key_path.empty()) {
    return Status::InvalidArgument("TLS needs both --tls-cert and --tls-key");
  }
  auto endpoint = ParseListen(options.listen);
  if (!endpoint.ok()) return endpoint.status();
  const bool tls = !options.tls_cert_path.empty();
  if (!tls && !endpoint->address().is_loopback()) {
    return Status::InvalidArgument("plain HTTP is allowed only on loopback; " +
                                   endpoint->address().to_string() +
                                   " needs --tls-cert and --tls-key");
  }
  if (!options.clock) options.clock = SystemClock();
  if (!options.log) {
    options.log = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  }

  auto impl = std::make_unique<Impl>();
  Impl& m = *impl;
  m.options = options;
  if (tls) {
    m.ssl.emplace(asio::ssl::context::tls_server);
    beast::error_code ec;
    m.ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::single_dh_use);
    SSL_CTX_set_min_proto_version(m.ssl->native_handle(), TLS1_2_VERSION);
    m.ssl->use_certificate_chain_file(options.tls_cert_path, ec);
    if (ec) {
      return Status::InvalidArgument("--tls-cert " + options.tls_cert_path + ": " + ec.message());
    }
    m.ssl->use_private_key_file(options.tls_key_path, asio::ssl::context::pem, ec);
    if (ec) {
      return Status::InvalidArgument("--tls-key " + options.tls_key_path + ": " + ec.message());
    }
  }
  beast::error_code ec;
  m.acceptor.open(endpoint->protocol(), ec);
  if (!ec) m.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) m.acceptor.bind(*endpoint, ec);
  if (!ec) m.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::IOError("cannot listen on " + options.listen + ": " + ec.message());
  m.port = m.acceptor.local_endpoint().port();

  m.service = std::make_unique<internal::Service>(ledger, engine, options.clock, tls);
  m.shared.service = m.service.get();
  m.shared.log = options.log;
  m.shared.request_timeout = options.request_timeout;
  if (options.handle_signals) {
    m.signals.add(SIGTERM);
    m.signals.add(SIGINT);
    m.signals.async_wait([&m](beast::error_code sec, int) {
      if (!sec) m.RequestStop();
    });
  }
  m.work.emplace(m.ioc.get_executor());
  m.Accept();
  for (int i = 0; i < options.threads; ++i) m.threads.emplace_back([&m] { m.ioc.run(); });
  m.control = std::thread([&m] { m.Control(); });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

uint16_t Server::port() const { return impl_->port; }
bool Server::tls() const { return impl_->ssl.has_value(); }

ServerStats Server::stats() const {
  const internal::Service& s = *impl_->service;
  ServerStats stats;
  stats.appends_written = s.appends_written();
  stats.batches = s.batches();
  stats.largest_batch = s.largest_batch();
  stats.checked_ahead = s.checked_ahead();
  return stats;
}

void Server::Stop() {
  impl_->RequestStop();
  Wait();
}

void Server::Wait() {
  std::unique_lock lock(impl_->control_mutex);
  impl_->control_cv.wait(lock, [&] { return impl_->stopped; });
}

Server::~Server() {
  Stop();
  if (impl_->control.joinable()) impl_->control.join();
}

}  // namespace fouledger::server
