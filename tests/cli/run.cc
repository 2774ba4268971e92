#include "run.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace fouledger::testing {
RunResult RunProgram(const std::vector<std::string>& args, const std::string& cwd,
                     const std::map<std::string, std::string>& env) {
  char out_template[] = "/tmp/fouledger-out-XXXXXX";
  char err_template[] = "/tmp/fouledger-err-XXXXXX";
  const int out_fd = mkstemp(out_template);
  const int err_fd = mkstemp(err_template);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    const int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, 0);
    if (chdir(cwd.c_str()) != 0) _exit(127);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  close(out_fd);
  close(err_fd);
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadFile(out_template);
  r.err = ReadFile(err_template);
  unlink(out_template);
  unlink(err_template);
  return r;
}

RunResult RunFouledger(const TempDir& dir, std::vector<std::string> args, const std::string& signer,
                       const std::string& ledger) {
  args.insert(args.begin(), FOULEDGER_BIN);
  std::map<std::string, std::string> env = {{"FOULEDGER_LEDGER", dir.Sub(ledger)}};
  if (!signer.empty()) env["FOULEDGER_KEY"] = dir.Sub(signer + ".key");
  return RunProgram(args, dir.path(), env);
}

std::string MustRunFouledger(const TempDir& dir, const std::vector<std::string>& args,
                             const std::string& signer, const std::string& ledger) {
  RunResult r = RunFouledger(dir, args, signer, ledger);
  EXPECT_EQ(r.exit_code, 0) << (args.empty() ? "" : args[0]) << ": " << r.err;
  return r.out;
}

size_t CountLines(const std::string& text) {
  size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

}  // namespace fouledger::testing
