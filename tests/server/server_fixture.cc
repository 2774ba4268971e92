#include "server_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace fouledger::testing {

void ServedLedger::Start(server::ServerOptions options) {
  f.SetUp(&engine);
  options.listen = "127.0.0.1:0";
  options.log = [this](const std::string& line) {
    std::lock_guard lock(log_mutex);
    log.push_back(line);
  };
  auto s = server::Server::Start(f.ledger.get(), &engine, std::move(options));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  server = std::move(s).value();
}

std::string ServedLedger::Url() const {
  return std::string(server->tls() ? "https" : "http") +
         "://127.0.0.1:" + std::to_string(server->port());
}

std::unique_ptr<cli::HttpClient> ServedLedger::Client(const std::string& ca) const {
  auto c = cli::HttpClient::Create(Url(), ca, std::chrono::seconds(20));
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(c).value() : nullptr;
}

cli::HttpReply ServedLedger::SignedGet(const SigningKey& key, const std::string& target) {
  auto client = Client();
  auto reply = client->Request("GET", target, "",
                               server::SignRequest(key, SystemClock()(), "GET", target, ""));
  EXPECT_TRUE(reply.ok()) << reply.status().ToString();
  return reply.ok() ? *reply : cli::HttpReply{};
}

cli::HttpReply Post(cli::HttpClient& client, const SignedEvent& event) {
  auto reply = client.Request("POST", "/v1/entries", cli::AppendBody(event), {});
  EXPECT_TRUE(reply.ok()) << reply.status().ToString();
  return reply.ok() ? *reply : cli::HttpReply{};
}

nlohmann::json Json(const cli::HttpReply& reply) {
  return nlohmann::json::parse(reply.body, nullptr, false);
}

std::string RawExchange(uint16_t port, const std::string& bytes, std::chrono::milliseconds wait) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may refuse and close before reading it all
    sent += static_cast<size_t>(n);
  }
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + wait;
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

int StatusOf(const std::string& raw) {
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || raw.size() < 12) return 0;
  return std::stoi(raw.substr(9, 3));
}

SignedEvent UnitAdd(const SigningKey& by, const std::string& id) {
  EventBuilder b(D("2021-01-01"));
  auto u = b.body().initUnitAdd();
  u.setUnitId(id);
  u.setName("Enhet " + id);
  return b.Sign(by).value();
}

}  // namespace fouledger::testing
