// Fuzz target: `fouledger import` and the demo's readers: CSV rows to signed events, with the
// money, date and list parsing of every column. Keys are made once; the input goes through a
// file because the readers take a path.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "import.h"

namespace {

struct Keys {
  fouledger::SigningKey board = fouledger::SigningKey::Generate().value();
  fouledger::SigningKey unit = fouledger::SigningKey::Generate().value();
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Keys keys;
  static const std::string path = "/tmp/fouledger-fuzz-import-" + std::to_string(getpid()) + ".csv";
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  using namespace fouledger::cli;
  (void)ReadApplications(path, keys.board, [](const std::string&) -> const fouledger::SigningKey* {
    return &keys.unit;
  });
  (void)ReadUnits(path, keys.board);
  (void)ReadRules(path, keys.board);
  (void)ReadAppropriations(path, keys.board);
  return 0;
}
