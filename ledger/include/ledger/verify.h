// Verification of a whole ledger from its stored bytes, trusting nothing that was computed at
// append time: every entry is decoded and its hash recomputed, the sequence must be contiguous,
// each previous-hash must link, every author signature must verify with the key the Authority
// (replayed from the same entries) knew at that point, and the author's role must have allowed
// the event. The Merkle tree is rebuilt and compared with every stored tree node and every stored
// checkpoint, whose signatures are checked with the checkpoint key named in the genesis entry.
// A full verify also checks the snapshot Open would load (VerifyOptions::validator).
#pragma once

#include <cstdint>
#include <string>

#include "ledger/status.h"

namespace fouledger {

class AppendValidator;

struct VerifyReport {
  uint64_t entries = 0;
  uint64_t checkpoints = 0;
  uint64_t tree_nodes = 0;
  std::string root_hex;
  uint64_t since = 0;  // entries taken on trust of the auditor's checkpoint (VerifyOptions)
  // With `since`: how many of those earlier entries were read (each proven to be under the
  // auditor's root) to know the keys, units and applications the new entries depend on; or, when
  // `prefix_rehashed`, all of them were replayed and hashed.
  uint64_t prefix_entries_read = 0;
  bool prefix_rehashed = false;
  // Empty when all holds; otherwise the first bad entry ("entry 17: signature does not verify").
  std::string first_problem;
  // Non-empty when a write-ahead log ends in a write a crash cut short ("000024.log: 312 bytes
  // from byte 3933"): one never acknowledged. The entries are verified without it, as
  // Ledger::Open recovers them (it drops the write at its next open). Any other damage to a log
  // is a first_problem.
  std::string write_cut_short;
  bool ok() const { return first_problem.empty(); }
};

// Limits on the options (they come from the command line).
inline constexpr unsigned kVerifyThreadsMax = 64;

struct VerifyOptions {
  // How many threads check author signatures, the dominant cost (default 1: all on the calling
  // thread). With N > 1 the calling thread reads, decodes and checks everything else and hands
  // signatures in batches to N - 1 helper threads, checking some itself when they fall behind.
  // The report is the same whatever N: the first bad entry in ledger order.
  unsigned threads = 1;
  // An auditor's second visit: a checkpoint note (signed by this ledger) saved on an earlier
  // visit. Its first SIZE entries are not checked again; everything after is checked in full.
  // The stored Merkle tree's root at SIZE must be the note's, so the ledger still extends what the
  // auditor saw; the earlier entries the new ones depend on (the genesis, key and unit entries,
  // the applications and the corrected entries they name) are read through the authority index
  // and each proven to be under the note's root by an inclusion proof. The cost grows with the
  // entries added since, not with the ledger. What this does not see, and a full verify does: an
  // earlier entry whose bytes were changed in place while the stored tree was left as it was.
  // Empty (default): verify everything.
  std::string since_checkpoint_note;
  // With since_checkpoint_note: replay and hash every earlier entry too (the root recomputed from
  // the entries must be the note's), costing a pass over the whole ledger. Also what happens,
  // whatever this says, on a ledger without the authority index.
  bool rehash_prefix = false;
  // A full verify (no since_checkpoint_note) also checks DIR/snapshot, when there is one: Open
  // trusts it once it matches the stored tree, so verify requires it to be what this replay
  // reaches at its size N (docs/storage.md, "Snapshot"): entry N-1's leaf hash, the root, the
  // Authority's state and, when `validator` is given, the validator's (domain rules') state.
  // `validator` must be fresh; the entries up to N are applied to it. Not owned. A snapshot that
  // does not hold, or does not decode, is an integrity failure naming DIR/snapshot, reported when
  // everything else holds.
  AppendValidator* validator = nullptr;
};

// Reads the ledger directory read-only. Corruption (inside the report) is an integrity failure;
// a returned non-ok Status means the ledger could not be read at all. RocksDB's own checksum
// failures (a damaged SST file, MANIFEST or write-ahead-log record) are integrity failures too.
Result<VerifyReport> VerifyLedger(const std::string& path, const VerifyOptions& options = {});

}  // namespace fouledger
