// Fuzz target: a Merkle proof document (inclusion or consistency) from a third party, parsed and
// checked. Any malformed document must be a Corruption status, never a crash.
#include "ledger/proof_json.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::string kind;
  (void)fouledger::VerifyProofJson(text, &kind);
  return 0;
}
