// Verification of a whole ledger from its stored bytes, trusting nothing that was computed at
// append time: every entry is decoded and its hash recomputed, the sequence must be contiguous,
// each previous-hash must link, every author signature must verify with the key the Authority
// (replayed from the same entries) knew at that point, and the author's role must have allowed
// the event. The Merkle tree is rebuilt and compared with every stored tree node and every stored
// checkpoint, whose signatures are checked with the checkpoint key named in the genesis entry.
#pragma once

#include <cstdint>
#include <string>

#include "ledger/status.h"

namespace fouledger {

struct VerifyReport {
  uint64_t entries = 0;
  uint64_t checkpoints = 0;
  uint64_t tree_nodes = 0;
  std::string root_hex;
  // Empty when all holds; otherwise the first bad entry ("entry 17: signature does not verify").
  std::string first_problem;
  bool ok() const { return first_problem.empty(); }
};

// Reads the ledger directory read-only. Corruption (inside the report) is an integrity failure;
// a returned non-ok Status means the ledger could not be read at all.
Result<VerifyReport> VerifyLedger(const std::string& path);

}  // namespace fouledger
