// `fouledger serve` and the CLI as its client, run as a user would: writing and query commands
// with --server print what they print locally, refusals keep their exit code and line, SIGTERM
// stops the server cleanly, and `verify` passes afterwards.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "run.h"
#include "test_util.h"

extern char** environ;

namespace fouledger::testing {
namespace {

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* k : {"admin", "board", "farsta", "auditor"}) {
      ASSERT_EQ(Fouledger({"key", "new", "--out", std::string(k) + ".key"}).exit_code, 0);
    }
    ASSERT_EQ(
        Fouledger({"init", "--admin", "admin.key.pub", "--name", "test.example/fou"}).exit_code, 0);
    Must({"unit", "add", "--id", "farsta", "--name", "Farsta"}, "admin");
    Must({"key", "enroll", "--key", "board.key.pub", "--role", "board"}, "admin");
    Must({"key", "enroll", "--key", "auditor.key.pub", "--role", "auditor"}, "admin");
    Must({"key", "enroll", "--key", "farsta.key.pub", "--role", "unit", "--unit", "farsta"},
         "admin");
  }
  void TearDown() override {
    if (server_pid_ > 0) {
      kill(server_pid_, SIGKILL);
      waitpid(server_pid_, nullptr, 0);
    }
  }

  RunResult Fouledger(std::vector<std::string> args, const std::string& signer = "") {
    return RunFouledger(dir, std::move(args), signer);
  }
  std::string Must(const std::vector<std::string>& args, const std::string& signer = "") {
    return MustRunFouledger(dir, args, signer);
  }
  // The same command sent to the server.
  RunResult Remote(std::vector<std::string> args, const std::string& signer) {
    args.insert(args.begin(), {"--server", url_});
    return Fouledger(args, signer);
  }

  // Starts `fouledger serve` on a free loopback port and waits until it listens.
  void StartServer() {
    const std::string log = dir.Sub("serve.log");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<std::string> args = {FOULEDGER_BIN,     "serve",    "--ledger",
                                     dir.Sub("ledger"), "--listen", "127.0.0.1:0"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ASSERT_EQ(posix_spawn(&server_pid_, FOULEDGER_BIN, &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(log);
      std::stringstream ss;
      ss << in.rdbuf();
      const std::string text = ss.str();
      const size_t at = text.find(" on http://");
      if (at != std::string::npos && text.find('\n', at) != std::string::npos) {
        url_ = text.substr(at + 4, text.find('\n', at) - at - 4);
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL() << "the server did not start";
  }
  // SIGTERM, and the exit code.
  int StopServer() {
    kill(server_pid_, SIGTERM);
    int status = 0;
    waitpid(server_pid_, &status, 0);
    server_pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  TempDir dir;
  pid_t server_pid_ = -1;
  std::string url_;
};

TEST_F(ServeTest, CliWritesAndQueriesThroughTheServer) {
  StartServer();
  ASSERT_FALSE(url_.empty());
  RunResult r = Remote({"year", "open", "--year", "2021", "--programme", "LUM", "--cap", "500 000",
                        "--max-per-unit", "2", "--window", "2020-05-04..2020-09-21"},
                       "board");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("entry 5: year-open", 0), 0u) << r.out;
  r = Remote({"appropriate", "--year", "2021", "--programme", "LUM", "--amount", "3 000 000",
              "--date", "2020-12-16", "--case", "3.2.2-123/2020"},
             "board");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Remote(
      {"apply", "--id", "2021-LUM-01", "--year", "2021", "--programme", "LUM", "--unit", "farsta",
       "--project", "p1", "--title", "Våga vittna", "--amount", "400 000", "--date", "2020-09-01"},
      "farsta");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2021-LUM-01"), std::string::npos) << r.out;

  // A refusal keeps its exit code and its one line.
  r = Remote(
      {"apply", "--id", "2021-LUM-99", "--year", "2021", "--programme", "LUM", "--unit", "farsta",
       "--project", "x", "--title", "För sent", "--amount", "100 000", "--date", "2021-01-10"},
      "farsta");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_EQ(CountLines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("window"), std::string::npos) << r.err;

  // Queries are signed by the auditor's key; unsigned ones are refused.
  const std::vector<std::string> budget = {"budget",     "--year",     "2021",       "--as-of",
                                           "2021-06-07", "--known-at", "2030-01-01", "--json"};
  RunResult remote_budget = Remote(budget, "auditor");
  ASSERT_EQ(remote_budget.exit_code, 0) << remote_budget.err;
  const std::vector<std::string> grant = {"grant",      "2021-LUM-01", "--known-at",
                                          "2030-01-01", "--as-of",     "2021-06-07"};
  RunResult remote_grant = Remote(grant, "auditor");
  ASSERT_EQ(remote_grant.exit_code, 0) << remote_grant.err;
  RunResult unsigned_query = Remote(budget, "");
  EXPECT_EQ(unsigned_query.exit_code, 2);
  // Commands with no server mode say so rather than reading some local ledger.
  EXPECT_EQ(Remote({"log"}, "").exit_code, 2);

  EXPECT_EQ(StopServer(), 0);
  // Local and remote print the very same report.
  EXPECT_EQ(Must(budget), remote_budget.out);
  EXPECT_EQ(Must(grant), remote_grant.out);
  EXPECT_NE(remote_budget.out.find("\"granted\""), std::string::npos);
  RunResult verify = Fouledger({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  // The server logged one line per request, never a key.
  std::ifstream in(dir.Sub("serve.log"));
  std::stringstream log;
  log << in.rdbuf();
  EXPECT_NE(log.str().find("POST /v1/entries 201"), std::string::npos) << log.str();
  EXPECT_NE(log.str().find("GET /v1/budget?year=2021"), std::string::npos) << log.str();
  EXPECT_EQ(log.str().find("PRIVATE KEY"), std::string::npos);
}

}  // namespace
}  // namespace fouledger::testing
