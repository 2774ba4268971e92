// Fuzz target: a write-ahead log's bytes as a damaged disk or a crash may leave them, judged by
// the check every open runs first (ledger/src/write_ahead_log.h). Any bytes must give one verdict
// (whole, a write cut short, or damage naming a byte inside the log), never a crash.
#include "write_ahead_log.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

// The byte a verdict names ("byte 670: ...", "312 bytes from byte 3933"), which must lie in the
// log.
size_t NamedByte(const std::string& verdict) {
  const size_t at = verdict.rfind("byte ");  // not the "1 byte" of "1 byte from byte 0"
  if (at == std::string::npos) std::abort();
  return std::stoull(verdict.substr(at + 5));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view log(reinterpret_cast<const char*>(data), size);
  const fouledger::storage::LogTail tail = fouledger::storage::CheckLogBytes(log);
  if (!tail.damage.empty() && !tail.cut_short.empty()) std::abort();
  if (!tail.damage.empty() && NamedByte(tail.damage) >= size) std::abort();
  if (!tail.cut_short.empty() && NamedByte(tail.cut_short) >= size) std::abort();
  return 0;
}
