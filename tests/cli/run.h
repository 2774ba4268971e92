// Runs the fouledger binary (or any program) as a user would, capturing its output and exit code.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "test_util.h"

namespace fouledger::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `args` (args[0] is the program) in `cwd` with `env` added to the environment.
RunResult RunProgram(const std::vector<std::string>& args, const std::string& cwd = ".",
                     const std::map<std::string, std::string>& env = {});

// Runs the fouledger binary in `dir` as a user of the ledger dir/<ledger> would: with
// FOULEDGER_LEDGER set, and FOULEDGER_KEY = dir/<signer>.key when a signer is named.
RunResult RunFouledger(const TempDir& dir, std::vector<std::string> args,
                       const std::string& signer = "", const std::string& ledger = "ledger");
// The same for a command that must succeed: expects exit 0 and returns what it printed.
std::string MustRunFouledger(const TempDir& dir, const std::vector<std::string>& args,
                             const std::string& signer = "", const std::string& ledger = "ledger");

// Counts lines of text.
size_t CountLines(const std::string& text);

}  // namespace fouledger::testing
