// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>, so it must
// come before any Boost header; the block keeps include sorting from moving it.
// clang-format off
#include <utility>
// clang-format on

#include "client.h"

#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "format.h"
#include "server/request_auth.h"

namespace fouledger::cli {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// A reply larger than this is not one of ours (the largest is a page of entries, under 8 MiB).
constexpr size_t kReplyBytesMax = 16 * 1024 * 1024;
constexpr std::chrono::milliseconds kTimeout{30'000};
// Attempts at one append: the first and three retries, 0.5 s, 1 s and 2 s apart.
constexpr int kAppendAttemptsMax = 4;

struct Url {
  bool tls = false;
  std::string host;
  std::string port;
};

Result<Url> ParseUrl(const std::string& text) {
  Url u;
  std::string rest;
  if (text.rfind("https://", 0) == 0) {
    u.tls = true;
    rest = text.substr(8);
  } else if (text.rfind("http://", 0) == 0) {
    rest = text.substr(7);
  } else {
    return Status::InvalidArgument("--server must start with https:// or http://, not '" + text +
                                   "'");
  }
  rest = rest.substr(0, rest.find('/'));
  size_t colon = rest.rfind(':');
  if (!rest.empty() && rest.front() == '[') {  // [::1]:8443
    const size_t close = rest.find(']');
    if (close == std::string::npos) return Status::InvalidArgument("--server: unclosed '['");
    u.host = rest.substr(1, close - 1);
    colon = rest.find(':', close);
  } else {
    u.host = rest.substr(0, colon);
  }
  u.port = colon == std::string::npos ? (u.tls ? "443" : "80") : rest.substr(colon + 1);
  if (u.host.empty() || u.port.empty()) {
    return Status::InvalidArgument("--server needs a host and port (https://host:8443)");
  }
  return u;
}

std::string UrlEncode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

struct HttpClient::Impl {
  Url url;
  std::string ca_path;
  std::chrono::milliseconds timeout{};
  asio::io_context ioc;
  std::optional<asio::ssl::context> ssl;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  beast::tcp_stream& Lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  // Runs the io_context until the operation started by `start` completes; the stream's own
  // deadline (expires_after) bounds it.
  template <class Start>
  beast::error_code Run(Start start) {
    beast::error_code result = asio::error::would_block;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  void Disconnect() {
    beast::error_code ignored;
    if (plain) plain->socket().close(ignored);
    if (secure) beast::get_lowest_layer(*secure).socket().close(ignored);
    plain.reset();
    secure.reset();
    buffer.clear();
  }

  Status Connect() {
    Disconnect();
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    auto endpoints = resolver.resolve(url.host, url.port, ec);
    if (ec) return Status::IOError("cannot resolve " + url.host + ": " + ec.message());
    if (url.tls) {
      secure.emplace(ioc, *ssl);
    } else {
      plain.emplace(ioc);
    }
    Lowest().expires_after(timeout);
    ec = Run([&](auto handler) { Lowest().async_connect(endpoints, handler); });
    if (ec) {
      return Status::IOError("cannot connect to " + url.host + ":" + url.port + ": " +
                             ec.message());
    }
    if (url.tls) {
      // SNI, and the certificate must name the host we asked for.
      SSL_set_tlsext_host_name(secure->native_handle(), url.host.c_str());
      secure->set_verify_mode(asio::ssl::verify_peer);
      secure->set_verify_callback(asio::ssl::host_name_verification(url.host));
      ec = Run(
          [&](auto handler) { secure->async_handshake(asio::ssl::stream_base::client, handler); });
      if (ec) {
        return Status::IOError("TLS handshake with " + url.host + " failed: " + ec.message() +
                               (ca_path.empty() ? " (is its CA trusted? see --ca)" : ""));
      }
    }
    return Status::Ok();
  }

  Result<HttpReply> Once(const std::string& method, const std::string& target,
                         const std::string& body, const HeaderList& headers) {
    if (!plain && !secure) FOULEDGER_RETURN_IF_ERROR(Connect());
    http::request<http::string_body> req(http::string_to_verb(method), target, 11);
    req.set(http::field::host, url.host);
    req.set(http::field::user_agent, "fouledger-cli");
    for (const auto& [name, value] : headers) req.set(name, value);
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.keep_alive(true);
    req.prepare_payload();
    Lowest().expires_after(timeout);
    beast::error_code ec = Run([&](auto handler) {
      if (secure) {
        http::async_write(*secure, req, handler);
      } else {
        http::async_write(*plain, req, handler);
      }
    });
    if (ec) return Status::IOError("sending to " + url.host + ": " + ec.message());
    http::response_parser<http::string_body> parser;
    parser.body_limit(kReplyBytesMax);
    ec = Run([&](auto handler) {
      if (secure) {
        http::async_read(*secure, buffer, parser, handler);
      } else {
        http::async_read(*plain, buffer, parser, handler);
      }
    });
    if (ec) return Status::IOError("no answer from " + url.host + ": " + ec.message());
    auto res = parser.release();
    HttpReply reply;
    reply.status = static_cast<int>(res.result_int());
    reply.content_type = std::string(res[http::field::content_type]);
    reply.body = std::move(res.body());
    if (!res.keep_alive()) Disconnect();
    return reply;
  }
};

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() {
  if (impl_) impl_->Disconnect();
}

Result<std::unique_ptr<HttpClient>> HttpClient::Create(const std::string& url,
                                                       const std::string& ca_path,
                                                       std::chrono::milliseconds timeout) {
  auto parsed = ParseUrl(url);
  if (!parsed.ok()) return parsed.status();
  auto impl = std::make_unique<Impl>();
  impl->url = *parsed;
  impl->ca_path = ca_path;
  impl->timeout = timeout;
  if (parsed->tls) {
    impl->ssl.emplace(asio::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(impl->ssl->native_handle(), TLS1_2_VERSION);
    beast::error_code ec;
    if (ca_path.empty()) {
      impl->ssl->set_default_verify_paths(ec);
    } else {
      impl->ssl->load_verify_file(ca_path, ec);
    }
    if (ec) return Status::InvalidArgument("--ca " + ca_path + ": " + ec.message());
  } else if (!ca_path.empty()) {
    return Status::InvalidArgument("--ca is for an https --server, but " + url + " is plain http");
  }
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

Result<HttpReply> HttpClient::Request(const std::string& method, const std::string& target,
                                      const std::string& body, const HeaderList& headers) {
  const bool reused = impl_->plain.has_value() || impl_->secure.has_value();
  auto reply = impl_->Once(method, target, body, headers);
  if (!reply.ok() && reused) {
    // The server may have closed a kept-alive connection meanwhile: once more on a fresh one.
    impl_->Disconnect();
    reply = impl_->Once(method, target, body, headers);
  }
  if (!reply.ok()) impl_->Disconnect();
  return reply;
}

std::string AppendBody(const SignedEvent& event) {
  return nlohmann::json{{"event", Base64Encode(event.event)},
                        {"signature", Base64Encode(event.signature)}}
      .dump();
}

Status StatusOfReply(const HttpReply& reply) {
  const auto j = nlohmann::json::parse(reply.body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_string() && j.contains("message") &&
      j["message"].is_string()) {
    const std::string code = j["error"];
    std::string message = j["message"];
    if (code == "not_found") return Status::NotFound(message);
    if (code == "corruption") return Status::Corruption(message);
    if (code == "invalid_argument") return Status::InvalidArgument(message);
    if (code == "refused") return Status::Refused(message);
    return Status::IOError(message);
  }
  return Status::IOError("the server answered HTTP " + std::to_string(reply.status) + ": " +
                         reply.body.substr(0, 200));
}

Result<AppendReply> ParseAppendReply(const std::string& body) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("seq") || !j["seq"].is_number_unsigned()) {
    return Status::IOError("the server's answer has no entry number");
  }
  AppendReply reply;
  reply.seq = j["seq"].get<uint64_t>();
  if (j.contains("duplicate")) {
    if (!j["duplicate"].is_boolean()) {
      return Status::IOError("the server's answer has a \"duplicate\" that is not true or false");
    }
    reply.duplicate = j["duplicate"].get<bool>();
  }
  return reply;
}

Result<std::string> ParseChallengeReply(const std::string& body) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("challenge") || !j["challenge"].is_string()) {
    return Status::IOError("the server's challenge is not {\"challenge\": hex}");
  }
  return j["challenge"].get<std::string>();
}

Result<LoginReply> ParseLoginReply(const std::string& body) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("link") || !j["link"].is_string()) {
    return Status::IOError("the server's answer has no \"link\"");
  }
  LoginReply reply;
  reply.link = j["link"].get<std::string>();
  // The rest only words the message: a field of another type is left unsaid, not a failure.
  if (j.contains("expiresIn") && j["expiresIn"].is_number_integer()) {
    reply.expires_in_s = j["expiresIn"].get<int64_t>();
  }
  if (j.contains("holder") && j["holder"].is_string()) reply.holder = j["holder"];
  if (j.contains("role") && j["role"].is_string()) reply.role = j["role"];
  return reply;
}

int RemoteAppend(const Context& ctx, const SignedEvent& event) {
  auto client = HttpClient::Create(ctx.server_url, ctx.ca_path, kTimeout);
  if (!client.ok()) return Fail(client.status());
  const std::string body = AppendBody(event);
  Status last;
  auto backoff = std::chrono::milliseconds(500);
  for (int attempt = 0; attempt < kAppendAttemptsMax; ++attempt) {
    if (attempt > 0) {
      std::cerr << "retrying (" << last.ToString() << ")\n";
      std::this_thread::sleep_for(backoff);
      backoff *= 2;
    }
    auto reply = (*client)->Request("POST", "/v1/entries", body, {});
    if (!reply.ok()) {
      last = reply.status();
      continue;
    }
    if (reply->status == 503) {
      last = StatusOfReply(*reply);
      continue;
    }
    if (reply->status != 200 && reply->status != 201) return Fail(StatusOfReply(*reply));
    auto answer = ParseAppendReply(reply->body);
    if (!answer.ok()) return Fail(answer.status());
    auto decoded = DecodedEvent::Decode(event.event.data(), event.event.size());
    if (!decoded.ok()) return Fail(decoded.status());
    std::cout << (answer->duplicate ? "already in the ledger as " : "") << "entry " << answer->seq
              << ": " << SummarizeEvent(decoded->reader()) << "\n";
    return kExitOk;
  }
  return Fail(last);
}

int RemoteQuery(const Context& ctx, const std::string& path,
                const std::vector<std::pair<std::string, std::string>>& params) {
  auto key = LoadSigner(ctx);
  if (!key.ok()) {
    return Fail(key.status().WithContext("reads from a server are signed by an enrolled key"));
  }
  auto client = HttpClient::Create(ctx.server_url, ctx.ca_path, kTimeout);
  if (!client.ok()) return Fail(client.status());
  std::string target;
  size_t start = 0;  // each path segment encoded: an application id may hold any character
  while (start < path.size()) {
    const size_t slash = path.find('/', start);
    target += UrlEncode(path.substr(start, slash - start));
    if (slash == std::string::npos) break;
    target += '/';
    start = slash + 1;
  }
  for (size_t i = 0; i < params.size(); ++i) {
    target += (i == 0 ? "?" : "&") + UrlEncode(params[i].first) + "=" + UrlEncode(params[i].second);
  }
  Result<HttpReply> reply = Status::IOError("not sent");
  for (int attempt = 0; attempt < 2; ++attempt) {
    // A fresh signature (and nonce) each time: the server refuses a replayed one.
    const auto headers = server::SignRequest(*key, ctx.clock(), "GET", target, "");
    reply = (*client)->Request("GET", target, "", headers);
    if (reply.ok() && reply->status != 503) break;
  }
  if (!reply.ok()) return Fail(reply.status());
  if (reply->status != 200) return Fail(StatusOfReply(*reply));
  std::cout << reply->body;
  return kExitOk;
}

}  // namespace fouledger::cli
