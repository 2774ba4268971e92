// Crash trials: a writer process appends from several threads (single appends, small batches, and
// large batches that it writes in pieces while two helpers check signatures ahead), and prints the
// client event id and seq of every append after Append/AppendBatch returned it, i.e. after the
// synced write. The test SIGKILLs it at a random moment, then checks the ledger: it verifies, it
// reopens, every acknowledged event is present exactly once at the seq the writer was told, and
// nothing half-written exists (VerifyLedger counts tree nodes and index ids too).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/verify.h"
#include "raw_db.h"
#include "test_util.h"

namespace fouledger::reliability {

namespace {

constexpr int kWriterThreads = 3;
constexpr size_t kBatchEventsMax = 8;
// Past one chunk of checks ahead (32 events) and past the entries a piece holds (256).
constexpr size_t kLargeBatchEventsMin = 33;
constexpr size_t kLargeBatchEventsMax = 600;

Result<SignedEvent> ApplyEvent(const SigningKey& key, const std::string& app) {
  EventBuilder b(testing::D("2020-09-01"));
  auto a = b.body().initApply();
  a.setApplicationId(app);
  a.setYear(2021);
  a.setProgramme(schema::Programme::LUM);
  a.initUnits(1).set(0, "farsta");
  a.setProjectId("p-" + app);
  a.setTitle("Krasch " + app);
  a.setAmountOre(100);
  return b.Sign(key);
}

std::string ClientIdHex(const SignedEvent& e) {
  auto decoded = DecodedEvent::Decode(e.event.data(), e.event.size());
  if (!decoded.ok()) return "";
  auto cid = decoded->reader().getClientEventId();
  return ToHex(cid.begin(), cid.size());
}

}  // namespace

// reliability_test --crash-writer LEDGER_DIR KEY_PEM TAG
// Appends until killed; prints "CLIENT_ID_HEX SEQ" for every acknowledged append.
int CrashWriterMain(int argc, char** argv) {
  if (argc != 5) return 2;
  const std::string path = argv[2];
  auto key = SigningKey::LoadPem(argv[3]);
  if (!key.ok()) return 3;
  const std::string tag = argv[4];
  auto opened = Ledger::Open(
      {.path = path, .clock = SystemClock(), .validator = nullptr, .verify_threads = 2});
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
    return 3;
  }
  Ledger& ledger = **opened;
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriterThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 random(static_cast<unsigned>(t) * 7919u + static_cast<unsigned>(getpid()));
      for (uint64_t i = 0;; ++i) {
        // Half single appends, half batches of 2..kBatchEventsMax; the first thread appends
        // large batches, which the helpers check ahead and the writer writes in pieces.
        const size_t n = t == 0 ? kLargeBatchEventsMin +
                                      random() % (kLargeBatchEventsMax - kLargeBatchEventsMin + 1)
                         : random() % 2 == 0 ? 1
                                             : 2 + random() % (kBatchEventsMax - 1);
        std::vector<SignedEvent> events;
        for (size_t k = 0; k < n; ++k) {
          auto e = ApplyEvent(*key, tag + "-" + std::to_string(t) + "-" + std::to_string(i) + "-" +
                                        std::to_string(k));
          if (!e.ok()) _exit(4);
          events.push_back(std::move(e).value());
        }
        std::string acks;
        if (n == 1) {
          auto r = ledger.Append(events[0]);
          if (!r.ok()) _exit(5);
          acks = ClientIdHex(events[0]) + " " + std::to_string(r->seq) + "\n";
        } else {
          auto outcomes = ledger.AppendBatch(events);
          for (size_t k = 0; k < n; ++k) {
            if (!outcomes[k].ok()) _exit(5);
            acks += ClientIdHex(events[k]) + " " + std::to_string(outcomes[k]->seq) + "\n";
          }
        }
        // Whole lines in write(2)s of at most PIPE_BUF bytes: lines from threads never interleave.
        for (size_t from = 0; from < acks.size();) {
          size_t to = std::min(acks.size(), from + PIPE_BUF);
          if (to < acks.size()) to = acks.rfind('\n', to - 1) + 1;
          const auto piece = static_cast<ssize_t>(to - from);
          if (write(STDOUT_FILENO, acks.data() + from, to - from) != piece) _exit(6);
          from = to;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  return 0;
}

namespace {

struct TrialResult {
  std::vector<std::pair<std::string, uint64_t>> acknowledged;
  int wait_status = 0;
};

// Starts the writer, kills it `kill_after` after its start (or, with `after_first_ack`, after its
// first acknowledgement: appends are then surely under way, however slow the build), and collects
// every acknowledgement it printed.
TrialResult RunWriter(const std::string& ledger_path, const std::string& key_path,
                      const std::string& tag, std::chrono::microseconds kill_after,
                      bool after_first_ack) {
  TrialResult result;
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  if (child == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execl("/proc/self/exe", "reliability_test", "--crash-writer", ledger_path.c_str(),
          key_path.c_str(), tag.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  std::string text;
  char buffer[4096];
  auto deadline = std::chrono::steady_clock::now() + kill_after;
  auto drain = [&] {
    for (;;) {
      const ssize_t n = read(fds[0], buffer, sizeof buffer);
      if (n <= 0) return n;
      text.append(buffer, static_cast<size_t>(n));
    }
  };
  if (after_first_ack) {
    // At most 20 s for the writer to open the ledger and acknowledge once.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (text.find('\n') == std::string::npos && std::chrono::steady_clock::now() < give_up) {
      pollfd p{fds[0], POLLIN, 0};
      poll(&p, 1, 10);
      drain();
    }
    deadline = std::chrono::steady_clock::now() + kill_after;
  }
  while (std::chrono::steady_clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fds[0], POLLIN, 0};
    poll(&p, 1, static_cast<int>(std::max<int64_t>(1, left.count())));
    drain();
  }
  kill(child, SIGKILL);
  waitpid(child, &result.wait_status, 0);
  // Everything written before the kill is still in the pipe.
  fcntl(fds[0], F_SETFL, 0);
  while (drain() > 0) {
  }
  close(fds[0]);
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    if (end == std::string::npos) break;  // cannot happen: lines are written whole
    const std::string line = text.substr(start, end - start);
    const size_t space = line.find(' ');
    result.acknowledged.emplace_back(line.substr(0, space), std::stoull(line.substr(space + 1)));
    start = end + 1;
  }
  return result;
}

TEST(CrashTest, KilledWriterKeepsEveryAcknowledgedAppendExactlyOnce) {
  testing::LedgerFixture f;
  f.SetUp();
  ASSERT_FALSE(::testing::Test::HasFailure());
  f.ledger.reset();
  const std::string ledger_path = f.LedgerPath();
  const std::string key_path = f.dir.Sub("farsta.pem");
  ASSERT_TRUE(f.farsta.SavePem(key_path).ok());

  const int trials = LongMode() ? 120 : 20;
  // Every fourth kill lands anywhere from the writer's start (maybe before the ledger is open);
  // the others at a random moment after its first acknowledged append.
  const int kill_window_us = LongMode() ? 400000 : 100000;
  std::mt19937 random(std::random_device{}());
  size_t acknowledged_total = 0;
  int trials_with_acks = 0;
  for (int trial = 0; trial < trials; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const auto kill_after = std::chrono::microseconds(random() % kill_window_us);
    TrialResult r = RunWriter(ledger_path, key_path, "T" + std::to_string(trial), kill_after,
                              /*after_first_ack=*/trial % 4 != 0);
    ASSERT_TRUE(WIFSIGNALED(r.wait_status) && WTERMSIG(r.wait_status) == SIGKILL)
        << "the writer must have been killed, not have stopped by itself (status " << r.wait_status
        << ")";
    acknowledged_total += r.acknowledged.size();
    trials_with_acks += !r.acknowledged.empty();

    auto report = VerifyLedger(ledger_path);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_TRUE(report->ok()) << report->first_problem;

    auto reopened = Ledger::Open(f.Options());
    ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
    std::map<std::string, int> stored;  // client event id -> how many entries carry it
    ASSERT_TRUE((*reopened)
                    ->ForEachEntry(0, (*reopened)->size(),
                                   [&](const DecodedEntry& e) {
                                     auto cid = e.reader().getClientEventId();
                                     ++stored[ToHex(cid.begin(), cid.size())];
                                     return Status::Ok();
                                   })
                    .ok());
    for (const auto& [cid_hex, seq] : r.acknowledged) {
      ASSERT_EQ(stored[cid_hex], 1) << "acknowledged event " << cid_hex << " at " << seq;
      auto found = (*reopened)->FindClientEventId(FromHex(cid_hex).value());
      ASSERT_TRUE(found.has_value()) << cid_hex;
      ASSERT_EQ(*found, seq) << "acknowledged at one seq, stored at another";
    }
  }
  std::printf(
      "[ crash    ] %d trials, %d with acknowledged appends, %zu acknowledged appends "
      "all present exactly once\n",
      trials, trials_with_acks, acknowledged_total);
  EXPECT_GE(trials_with_acks, trials * 3 / 4) << "most kills must land during appends";
}

}  // namespace
}  // namespace fouledger::reliability
