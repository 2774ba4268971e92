// Keeps docs/reliability.md's "Catalogue of refused inputs" honest: every test it names must be a
// test that exists in the build, so renaming or deleting a covering test breaks CI until the
// catalogue says what covers that refusal now.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "run.h"

namespace fouledger::testing {
namespace {

namespace fs = std::filesystem;

// The catalogue section: from its heading to the next second-level heading.
std::string CatalogueSection() {
  std::ifstream in(fs::path(FOULEDGER_SOURCE_DIR) / "docs" / "reliability.md");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  const size_t start = text.find("\n## Catalogue of refused inputs\n");
  if (start == std::string::npos) return "";
  const size_t end = text.find("\n## ", start + 1);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// Every `Suite.Name` in backquotes (both parts start with a capital letter, as our tests do).
std::set<std::string> NamedTests(const std::string& text) {
  std::set<std::string> out;
  const std::regex name("`([A-Z][A-Za-z0-9_]*\\.[A-Z][A-Za-z0-9_]*)`");
  for (std::sregex_iterator it(text.begin(), text.end(), name), end; it != end; ++it) {
    out.insert((*it)[1]);
  }
  return out;
}

// Every test of every *_test binary beside the fouledger binary, as `Suite.Name`.
std::set<std::string> BuiltTests(std::vector<std::string>* binaries) {
  std::set<std::string> out;
  for (const auto& f : fs::directory_iterator(fs::path(FOULEDGER_BIN).parent_path())) {
    const std::string file = f.path().filename().string();
    if (!f.is_regular_file() || file.size() < 5 || file.substr(file.size() - 5) != "_test" ||
        access(f.path().c_str(), X_OK) != 0) {
      continue;
    }
    binaries->push_back(file);
    const RunResult r = RunProgram({f.path().string(), "--gtest_list_tests"});
    EXPECT_EQ(r.exit_code, 0) << file << ": " << r.err;
    std::istringstream lines(r.out);
    std::string line, suite;
    while (std::getline(lines, line)) {
      if (line.empty()) continue;
      const std::string word = line.substr(line.find_first_not_of(' '));
      const std::string token = word.substr(0, word.find_first_of(" #"));
      if (line[0] != ' ') {
        suite = token;  // "Suite." or "Prefix/Suite."
        if (suite.find('/') != std::string::npos) suite = suite.substr(suite.find('/') + 1);
      } else {
        out.insert(suite + token.substr(0, token.find('/')));
      }
    }
  }
  return out;
}

TEST(BadInputCatalogue, EveryListedTestExists) {
  const std::string section = CatalogueSection();
  ASSERT_FALSE(section.empty()) << "docs/reliability.md has no '## Catalogue of refused inputs'";
  const std::set<std::string> named = NamedTests(section);
  ASSERT_GE(named.size(), 20u) << "the catalogue names hardly any tests: is the pattern right?";
  std::vector<std::string> binaries;
  const std::set<std::string> built = BuiltTests(&binaries);
  std::string missing;
  for (const auto& t : named) {
    if (!built.count(t)) missing += " " + t;
  }
  std::string searched;
  for (const auto& b : binaries) searched += " " + b;
  EXPECT_TRUE(missing.empty()) << "the catalogue names tests that are not in the build:" << missing
                               << "\n(searched" << searched << ")";
}

// The lines BadInputTest checks (tests/cli/bad_input_test.cc): the last string of every table row
// whose exit code is not 0.
std::vector<std::string> CheckedLines() {
  std::ifstream in(fs::path(FOULEDGER_SOURCE_DIR) / "tests" / "cli" / "bad_input_test.cc");
  std::vector<std::string> out;
  const std::regex row(", [1-9], \"((?:[^\"\\\\]|\\\\.)*)\"\\},$");
  std::smatch m;
  for (std::string line; std::getline(in, line);) {
    if (!std::regex_search(line, m, row)) continue;
    std::string text = m[1];
    for (size_t at = 0; (at = text.find('\\', at)) != std::string::npos; ++at) text.erase(at, 1);
    out.push_back(text);
  }
  return out;
}

// The catalogue's lines are those the test checks: a changed message must be changed in both.
TEST(BadInputCatalogue, EveryCheckedLineIsListed) {
  const std::string section = CatalogueSection();
  const std::vector<std::string> lines = CheckedLines();
  ASSERT_GE(lines.size(), 150u)
      << "found hardly any rows in bad_input_test.cc: is the pattern right?";
  for (const auto& line : lines) {
    std::string cell = line;  // as a Markdown table cell writes it
    for (size_t at = 0; (at = cell.find('|', at)) != std::string::npos; at += 2) {
      cell.insert(at, "\\");
    }
    EXPECT_NE(section.find(cell), std::string::npos)
        << "docs/reliability.md's catalogue does not list: " << line;
  }
}

}  // namespace
}  // namespace fouledger::testing
