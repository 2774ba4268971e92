// Runs the fouledger binary (or any program) as a user would, capturing its output and exit code.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace fouledger::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `args` (args[0] is the program) in `cwd` with `env` added to the environment.
RunResult RunProgram(const std::vector<std::string>& args, const std::string& cwd = ".",
                     const std::map<std::string, std::string>& env = {});

// Counts lines of text.
size_t CountLines(const std::string& text);

}  // namespace fouledger::testing
