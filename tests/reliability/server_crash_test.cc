// Server kill trials: the real `fouledger serve` on 127.0.0.1, several client threads appending
// signed events over HTTP and recording every append the server acknowledged (201 or 200 with a
// seq), and a SIGKILL at a random moment. Then the ledger, reopened with the library, must verify
// and hold every acknowledged event exactly once at the seq the server answered; and a restarted
// server must answer a retry of an acknowledged event with the same seq (nothing appended), write
// the append that was in flight at the kill at most once, and accept new appends.
// docs/reliability.md ("Crash trials") describes the modes and the figures.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "client.h"
#include "ledger/ledger.h"
#include "ledger/verify.h"
#include "projections/engine.h"
#include "raw_db.h"  // LongMode
#include "server/server.h"
#include "test_util.h"

extern char** environ;

namespace fouledger::reliability {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kClientThreads = 6;
// Time a client waits for one answer; a killed server's connections fail at once, so this only
// bounds a hang.
constexpr std::chrono::milliseconds kClientTimeout{5000};

std::string ClientIdHex(const SignedEvent& e) {
  auto decoded = DecodedEvent::Decode(e.event.data(), e.event.size());
  if (!decoded.ok()) return "";
  auto cid = decoded->reader().getClientEventId();
  return ToHex(cid.begin(), cid.size());
}

SignedEvent UnitAdd(const SigningKey& admin, const std::string& id) {
  EventBuilder b(testing::D("2021-01-01"));
  auto u = b.body().initUnitAdd();
  u.setUnitId(id);
  u.setName("Krasch " + id);
  return b.Sign(admin).value();
}

// A port nobody listens on right now (the kernel's pick for a socket bound to port 0).
uint16_t FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) close(fd);
    return 0;
  }
  close(fd);
  return ntohs(addr.sin_port);
}

// `fouledger serve --ledger DIR --listen 127.0.0.1:PORT`, its stderr (the request log) in a file.
class ServeProcess {
 public:
  ServeProcess(const std::string& ledger, uint16_t port, const std::string& log) : log_(log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<std::string> args = {FOULEDGER_BIN, "serve",
                                     "--ledger",    ledger,
                                     "--listen",    "127.0.0.1:" + std::to_string(port)};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, FOULEDGER_BIN, &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~ServeProcess() {
    if (pid_ > 0) Signal(SIGKILL);
  }
  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // The port from the "serving ... on http://127.0.0.1:PORT" line, once it is listening; 0 if it
  // does not start within 20 s (or exits first).
  uint16_t WaitListening() const {
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    while (Clock::now() < deadline && pid_ > 0) {
      std::ifstream in(log_);
      std::stringstream text;
      text << in.rdbuf();
      const std::string s = text.str();
      const std::string marker = " on http://127.0.0.1:";
      const size_t at = s.find(marker);
      if (at != std::string::npos && s.find('\n', at) != std::string::npos) {
        return static_cast<uint16_t>(std::stoi(s.substr(at + marker.size())));
      }
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) return 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return 0;
  }

  // Sends `signal` and waits for the process; returns its wait status.
  int Signal(int signal) {
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

  std::string Log() const {
    std::ifstream in(log_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  std::string log_;
  pid_t pid_ = -1;
};

struct Ack {
  SignedEvent event;
  std::string cid_hex;
  uint64_t seq = 0;
};

// One client: signs an event, posts it, and on no answer posts the very same bytes again (as
// `fouledger --server` does) until it is answered or the trial ends. Every 2xx answer with a seq is
// an acknowledgement; any other answer is an error (these events break no rule).
struct ClientThread {
  std::vector<Ack> acked;
  std::optional<SignedEvent> in_flight;  // sent at least once and never answered
  std::vector<std::string> errors;

  void Run(const SigningKey& admin, const std::string& url, const std::string& tag,
           const std::atomic<bool>& stop, std::atomic<int>* acks_so_far) {
    auto client = cli::HttpClient::Create(url, "", kClientTimeout);
    if (!client.ok()) {
      errors.push_back(client.status().ToString());
      return;
    }
    uint64_t next = 0;
    SignedEvent event = UnitAdd(admin, tag + "-" + std::to_string(next++));
    bool sent = false;
    while (!stop.load()) {
      auto reply = (*client)->Request("POST", "/v1/entries", cli::AppendBody(event), {});
      sent = true;
      if (!reply.ok()) {
        // Not listening yet, or killed: the same bytes again, after a moment.
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
      if (reply->status == 200 || reply->status == 201) {
        auto answer = cli::ParseAppendReply(reply->body);
        if (!answer.ok()) {
          errors.push_back(answer.status().ToString());
        } else {
          acked.push_back({event, ClientIdHex(event), answer->seq});
          acks_so_far->fetch_add(1);
        }
      } else {
        errors.push_back("HTTP " + std::to_string(reply->status) + ": " + reply->body);
      }
      event = UnitAdd(admin, tag + "-" + std::to_string(next++));
      sent = false;
    }
    if (sent) in_flight = event;
  }
};

// A restarted server's answer to the same bytes: {status, seq, duplicate}.
struct Retry {
  int status = 0;
  uint64_t seq = 0;
  bool duplicate = false;
};

Retry Post(cli::HttpClient& client, const SignedEvent& event) {
  Retry r;
  auto reply = client.Request("POST", "/v1/entries", cli::AppendBody(event), {});
  if (!reply.ok()) return r;
  r.status = reply->status;
  auto answer = cli::ParseAppendReply(reply->body);
  if (answer.ok()) {
    r.seq = answer->seq;
    r.duplicate = answer->duplicate;
  }
  return r;
}

VerifyOptions TwoThreads() {
  VerifyOptions options;
  options.threads = 2;  // signature checks dominate, and the ledger grows with every trial
  return options;
}

// Client event id (hex) -> how many entries carry it, over a full scan.
std::map<std::string, int> CountClientIds(Ledger& ledger) {
  std::map<std::string, int> stored;
  Status s = ledger.ForEachEntry(0, ledger.size(), [&](const DecodedEntry& e) {
    auto cid = e.reader().getClientEventId();
    ++stored[ToHex(cid.begin(), cid.size())];
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return stored;
}

// Every event in `acked` is stored in exactly one entry (`stored`: CountClientIds), at the seq the
// server answered. Call through ASSERT_NO_FATAL_FAILURE: it stops at the first that is not.
void ExpectStoredOnceAtTheirSeqs(const Ledger& ledger, std::map<std::string, int>& stored,
                                 const std::vector<Ack>& acked) {
  for (const Ack& a : acked) {
    ASSERT_EQ(stored[a.cid_hex], 1) << "acknowledged event " << a.cid_hex << " at " << a.seq;
    ASSERT_EQ(ledger.FindClientEventId(FromHex(a.cid_hex).value()).value_or(UINT64_MAX), a.seq)
        << "acknowledged event " << a.cid_hex << ": at one seq, stored at another";
  }
}

TEST(ServerCrashTest, KilledServerKeepsEveryAcknowledgedAppendExactlyOnce) {
  // Verification checks every signature, so its cost grows with the ledger: the long mode starts a
  // fresh ledger every kTrialsPerLedger trials rather than verify one ever larger ledger.
  constexpr int kTrialsPerLedger = 20;
  std::unique_ptr<testing::LedgerFixture> fixture;
  std::string ledger_path;
  std::vector<Ack> all_acked;  // on this ledger: a later crash must not lose an earlier append
  size_t entries = 0;
  // Every append acknowledged in any trial on the ledger is still there exactly once, at its seq.
  auto check_all = [&] {
    auto report = VerifyLedger(ledger_path, TwoThreads());
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_TRUE(report->ok()) << report->first_problem;
    auto reopened = Ledger::Open(fixture->Options());
    ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
    auto stored = CountClientIds(**reopened);
    ASSERT_NO_FATAL_FAILURE(ExpectStoredOnceAtTheirSeqs(**reopened, stored, all_acked));
    entries += (*reopened)->size();
  };

  const int trials = LongMode() ? 120 : 20;
  // Every fourth kill lands anywhere from the server's start (often before it listens); the others
  // at a random moment after the first acknowledged append, while the clients keep appending.
  const int kill_window_us = LongMode() ? 500'000 : 150'000;
  std::mt19937 random(std::random_device{}());
  int trials_with_acks = 0;
  int kills_inside_a_write = 0;  // the log ended in a write cut short (write_ahead_log.h)
  size_t acknowledged_before_kills = 0;
  size_t in_flight_written = 0, in_flight_total = 0;
  const auto started = Clock::now();

  for (int trial = 0; trial < trials; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    if (trial % kTrialsPerLedger == 0) {
      if (fixture) {
        check_all();
        ASSERT_FALSE(::testing::Test::HasFatalFailure());
      }
      fixture = std::make_unique<testing::LedgerFixture>();
      fixture->SetUp();
      ASSERT_FALSE(::testing::Test::HasFailure());
      fixture->ledger.reset();
      ledger_path = fixture->LedgerPath();
      all_acked.clear();
    }
    testing::LedgerFixture& f = *fixture;
    const std::string tag = "T" + std::to_string(trial);
    const uint16_t port = FreePort();
    ASSERT_NE(port, 0);
    const std::string url = "http://127.0.0.1:" + std::to_string(port);

    // 1. Serve, append from every client, kill.
    std::atomic<bool> stop{false};
    std::atomic<int> acks_so_far{0};
    std::vector<ClientThread> clients(kClientThreads);
    int wait_status = 0;
    std::string server_log;
    {
      ServeProcess server(ledger_path, port, f.dir.Sub("serve.log"));
      ASSERT_TRUE(server.started());
      std::vector<std::thread> threads;
      for (int t = 0; t < kClientThreads; ++t) {
        threads.emplace_back([&, t] {
          clients[t].Run(f.admin, url, tag + "-" + std::to_string(t), stop, &acks_so_far);
        });
      }
      const auto kill_after = std::chrono::microseconds(random() % kill_window_us);
      if (trial % 4 != 0) {
        // At most 20 s for the server to open the ledger, listen and acknowledge once.
        const auto give_up = Clock::now() + std::chrono::seconds(20);
        while (acks_so_far.load() == 0 && Clock::now() < give_up) {
          std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
      }
      std::this_thread::sleep_for(kill_after);
      wait_status = server.Signal(SIGKILL);
      stop.store(true);
      for (auto& t : threads) t.join();
      server_log = server.Log();
    }
    ASSERT_TRUE(WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL)
        << "the server must have been killed, not have stopped by itself (status " << wait_status
        << "); its log:\n"
        << server_log.substr(0, 2000);
    size_t trial_acks = 0;
    for (const auto& c : clients) {
      ASSERT_TRUE(c.errors.empty()) << c.errors.front();
      trial_acks += c.acked.size();
    }
    trials_with_acks += trial_acks > 0;
    acknowledged_before_kills += trial_acks;

    // 2. The ledger, reopened with the library: it verifies, and every acknowledged event is
    //    stored exactly once at the seq the server answered.
    auto report = VerifyLedger(ledger_path, TwoThreads());
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_TRUE(report->ok()) << report->first_problem;
    kills_inside_a_write += !report->write_cut_short.empty();
    {
      auto reopened = Ledger::Open(f.Options());
      ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
      auto stored = CountClientIds(**reopened);
      for (const auto& c : clients) {
        ASSERT_NO_FATAL_FAILURE(ExpectStoredOnceAtTheirSeqs(**reopened, stored, c.acked));
        if (c.in_flight) {
          ASSERT_LE(stored[ClientIdHex(*c.in_flight)], 1) << "an append in flight, written twice";
        }
      }
    }

    // 3. A restarted server on the same ledger: retries of acknowledged events get the same seq
    //    and append nothing; the appends in flight at the kill are written at most once; a new
    //    append is accepted.
    {
      ServeProcess server(ledger_path, 0, f.dir.Sub("serve-again.log"));
      ASSERT_TRUE(server.started());
      const uint16_t again = server.WaitListening();
      ASSERT_NE(again, 0) << server.Log();
      auto client =
          cli::HttpClient::Create("http://127.0.0.1:" + std::to_string(again), "", kClientTimeout);
      ASSERT_TRUE(client.ok()) << client.status().ToString();
      std::vector<const Ack*> sample;
      for (const auto& c : clients) {
        for (const Ack& a : c.acked) sample.push_back(&a);
      }
      std::shuffle(sample.begin(), sample.end(), random);
      sample.resize(std::min<size_t>(sample.size(), 4));
      for (const Ack* a : sample) {
        const Retry r = Post(**client, a->event);
        ASSERT_EQ(r.status, 200) << "a retry of an acknowledged event";
        EXPECT_TRUE(r.duplicate);
        ASSERT_EQ(r.seq, a->seq) << "a retry must be answered with the original entry";
      }
      for (const auto& c : clients) {
        if (!c.in_flight) continue;
        ++in_flight_total;
        const Retry first = Post(**client, *c.in_flight);
        ASSERT_TRUE(first.status == 200 || first.status == 201) << first.status;
        in_flight_written += first.duplicate;  // the killed server had written it
        const Retry second = Post(**client, *c.in_flight);
        ASSERT_EQ(second.status, 200);
        ASSERT_TRUE(second.duplicate);
        ASSERT_EQ(second.seq, first.seq);
        all_acked.push_back({*c.in_flight, ClientIdHex(*c.in_flight), first.seq});
      }
      const SignedEvent fresh = UnitAdd(f.admin, tag + "-after-restart");
      const Retry r = Post(**client, fresh);
      ASSERT_EQ(r.status, 201) << "the restarted server must accept new appends";
      all_acked.push_back({fresh, ClientIdHex(fresh), r.seq});
      const int status = server.Signal(SIGTERM);
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << server.Log();
    }
    for (const auto& c : clients) all_acked.insert(all_acked.end(), c.acked.begin(), c.acked.end());
  }

  check_all();
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::printf(
      "[ server crash ] %d trials, %d with acknowledged appends, %zu acknowledged appends all "
      "present exactly once (%zu in flight at a kill, %zu of them written by the killed server; "
      "%zu entries, %d kills cut a write short, %.1f s)\n",
      trials, trials_with_acks, acknowledged_before_kills, in_flight_total, in_flight_written,
      entries, kills_inside_a_write, seconds);
  EXPECT_GE(trials_with_acks, trials * 3 / 4) << "most kills must land during appends";
}

// A full disk, as the server meets it: no file may grow past a limit (RLIMIT_FSIZE, set on the
// running server; SIGXFSZ ignored, so a write past it fails with EFBIG as one on a full disk fails
// with ENOSPC). The write-ahead log reaches the limit within a few hundred appends. The append
// whose write fails, and every one after it, must be refused (not 2xx), and nothing acknowledged
// may be lost or half-written: after the space comes back, the ledger verifies, holds every
// acknowledged event once at its seq and none of the refused ones, and a restarted server appends.
// Then the server is stopped (SIGTERM: it closes the ledger) or killed (SIGKILL: the bytes of the
// failed write that reached the log stay there).
class FullDiskTest : public ::testing::TestWithParam<int> {};

TEST_P(FullDiskTest, AppendsRefusedForLackOfSpaceLoseNothingAcknowledged) {
  const int stop_signal = GetParam();
  testing::LedgerFixture f;
  f.SetUp();
  ASSERT_FALSE(::testing::Test::HasFailure());
  f.ledger.reset();
  const std::string ledger_path = f.LedgerPath();
  constexpr rlim_t kFileBytesMax = 250'000;  // not a 32 KiB block boundary
  constexpr int kAppendsMax = 5000;  // the log holds a few hundred before it reaches the limit
  // Ignored signals stay ignored across exec: the server then gets EFBIG instead of being killed.
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction previous {};
  ASSERT_EQ(sigaction(SIGXFSZ, &ignore, &previous), 0);

  std::vector<Ack> acked;
  std::vector<SignedEvent> refused;
  std::string first_refusal;
  {
    ServeProcess server(ledger_path, 0, f.dir.Sub("serve.log"));
    ASSERT_TRUE(server.started());
    const uint16_t port = server.WaitListening();
    ASSERT_NE(port, 0) << server.Log();
    const rlimit limit{kFileBytesMax, kFileBytesMax};
    ASSERT_EQ(prlimit(server.pid(), RLIMIT_FSIZE, &limit, nullptr), 0) << std::strerror(errno);
    auto client =
        cli::HttpClient::Create("http://127.0.0.1:" + std::to_string(port), "", kClientTimeout);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    for (int i = 0; i < kAppendsMax && refused.size() < 4; ++i) {
      const SignedEvent event = UnitAdd(f.admin, "full-" + std::to_string(i));
      auto reply = (*client)->Request("POST", "/v1/entries", cli::AppendBody(event), {});
      ASSERT_TRUE(reply.ok()) << "the server must answer, not fail: " << reply.status().ToString();
      if (reply->status == 201) {
        ASSERT_TRUE(refused.empty()) << "an append accepted after one was refused for lack of "
                                        "space: "
                                     << reply->body;
        auto answer = cli::ParseAppendReply(reply->body);
        ASSERT_TRUE(answer.ok()) << answer.status().ToString();
        acked.push_back({event, ClientIdHex(event), answer->seq});
        continue;
      }
      if (first_refusal.empty()) first_refusal = std::to_string(reply->status) + " " + reply->body;
      refused.push_back(event);
    }
    ASSERT_EQ(refused.size(), 4u) << "no append was refused in " << kAppendsMax
                                  << ": the limit was not reached";
    ASSERT_GT(acked.size(), 10u) << "the limit came too soon to say anything";
    std::printf("[ full disk ] %zu appends acknowledged, then refused: %s\n", acked.size(),
                first_refusal.substr(0, 300).c_str());
    const int status = server.Signal(stop_signal);
    if (stop_signal == SIGTERM) {
      EXPECT_TRUE(WIFEXITED(status))
          << "the server must stop, not crash, on SIGTERM: " << status << "\n"
          << server.Log().substr(0, 2000);
    }
  }
  ASSERT_EQ(sigaction(SIGXFSZ, &previous, nullptr), 0);

  // Space again. Every acknowledged event once at its seq, none of the refused ones.
  auto report = VerifyLedger(ledger_path);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_TRUE(report->ok()) << report->first_problem;
  std::printf(
      "[ full disk ] %s; the log ends in %s\n", stop_signal == SIGTERM ? "stopped" : "killed",
      report->write_cut_short.empty() ? "a whole write"
                                      : ("a write cut short: " + report->write_cut_short).c_str());
  {
    auto reopened = Ledger::Open(f.Options());
    ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
    auto stored = CountClientIds(**reopened);
    ASSERT_NO_FATAL_FAILURE(ExpectStoredOnceAtTheirSeqs(**reopened, stored, acked));
    for (const SignedEvent& e : refused) {
      EXPECT_EQ(stored[ClientIdHex(e)], 0) << "a refused append was stored";
    }
    EXPECT_EQ((*reopened)->size(), acked.back().seq + 1) << "entries after the last acknowledged";
  }
  ServeProcess again(ledger_path, 0, f.dir.Sub("serve-again.log"));
  const uint16_t port = again.WaitListening();
  ASSERT_NE(port, 0) << again.Log();
  auto client =
      cli::HttpClient::Create("http://127.0.0.1:" + std::to_string(port), "", kClientTimeout);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(Post(**client, refused.front()).status, 201) << "a refused append, sent again";
  EXPECT_EQ(Post(**client, acked.back().event).status, 200) << "an acknowledged one, sent again";
  const int status = again.Signal(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << again.Log();
}

INSTANTIATE_TEST_SUITE_P(StoppedOrKilled, FullDiskTest, ::testing::Values(SIGTERM, SIGKILL),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return info.param == SIGTERM ? std::string("Stopped")
                                                        : std::string("Killed");
                         });

// Sends `bytes` on a fresh connection to 127.0.0.1:port and returns the status code of the answer
// (0 if the connection closed without one).
int RawStatus(uint16_t port, const std::string& bytes) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0) close(fd);
    return 0;
  }
  (void)send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  std::string out;
  char buffer[4096];
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (out.find("\r\n") == std::string::npos && Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  if (out.rfind("HTTP/1.1 ", 0) != 0 || out.size() < 12) return 0;
  return std::stoi(out.substr(9, 3));
}

// Found by fuzz_http_request and fuzz_api_json (fuzz/corpus/http_request/crash-*): an error message
// quoting bytes of the request that are not UTF-8 (a percent-decoded path, a JSON field name cut
// at 64 bytes inside a character) made the JSON encoder throw, which ended the whole server.
TEST(ServerFuzzFindingTest, RequestBytesThatAreNotUtf8AreRefusedNotFatal) {
  testing::LedgerFixture f;
  projections::Engine engine;
  f.SetUp(&engine);
  server::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.log = [](const std::string&) {};
  auto s = server::Server::Start(f.ledger.get(), &engine, options);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const uint16_t port = (*s)->port();
  EXPECT_EQ(RawStatus(port, "POST /%FF HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"), 405);
  EXPECT_EQ(RawStatus(port, "GET /ui/assets/%C3 HTTP/1.1\r\nHost: x\r\n\r\n"), 404);
  const std::string body = "{\"" + std::string(63, 'a') + "\u00e9\": 1}";
  EXPECT_EQ(RawStatus(port, "POST /v1/entries HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                                std::to_string(body.size()) + "\r\n\r\n" + body),
            400);
  EXPECT_EQ(RawStatus(port, "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"), 200)
      << "the server must still be serving";
}

}  // namespace
}  // namespace fouledger::reliability
