// The ledger's snapshot: DIR/snapshot, the in-memory state (Authority and validator) after the
// first N entries, so that Ledger::Open replays only the entries after N. It is a cache, not
// evidence: Open checks it against the stored entries and Merkle tree and ignores it when anything
// does not hold; a full `fouledger verify` checks that it equals the state a full replay produces
// (VerifyLedger, CheckSnapshotAgainstReplay). Deleting it is always safe. Format and checks:
// docs/storage.md, "Snapshot".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/authority.h"
#include "ledger/crypto.h"
#include "ledger/ledger.h"
#include "ledger/status.h"

namespace fouledger {

inline constexpr const char* kSnapshotFile = "snapshot";
inline constexpr const char* kSnapshotTmpFile = "snapshot.tmp";  // ignored by Open
inline constexpr char kSnapshotMagic[8] = {'F', 'O', 'U', 'S', 'N', 'A', 'P', '\n'};
inline constexpr uint32_t kSnapshotVersion = 1;

struct Snapshot {
  uint64_t entries = 0;         // N: the state is after entries 0..N-1 (N >= 1)
  Hash256 last_leaf_hash{};     // leaf hash of entry N-1
  Hash256 root{};               // Merkle root of the first N entries
  std::string authority_state;  // Authority::SaveState
  bool has_validator_state = false;
  std::string validator_state;  // AppendValidator::SaveState
};

// Larger files are not snapshots this ledger wrote (a million entries take ~120 MB).
inline constexpr uintmax_t kSnapshotBytesMax = uintmax_t{8} << 30;

// The file's bytes: magic, version (u32), N (u64), leaf hash, root, the Authority's state, a flag
// and the validator's state (u64-length-prefixed), then SHA-256 of everything before it.
std::string EncodeSnapshot(const Snapshot& snapshot);
// What a decode copies out of the bytes. The validator's state is most of a snapshot (~100 MB at
// a million entries): a reader that does not compare it need not hold a copy (its bytes are still
// checked by the checksum, and has_validator_state still says whether there is one).
enum class SnapshotParts { kAll, kWithoutValidatorState };
// Checks the magic, version, lengths and checksum; Corruption naming what does not hold.
Result<Snapshot> DecodeSnapshot(std::string_view bytes, SnapshotParts parts = SnapshotParts::kAll);

// A snapshot's fields as views into its bytes, for Ledger::Open, which maps the file and loads
// the states straight from the mapping (no copy of the ~100 MB of state).
struct SnapshotView {
  uint64_t entries = 0;
  Hash256 last_leaf_hash{};
  Hash256 root{};
  std::string_view authority_state;
  bool has_validator_state = false;
  std::string_view validator_state;
};
// DecodeSnapshot's checks but the checksum, which SnapshotChecksumMatches checks apart: Open
// checks it on one thread while it loads the states on another (the loads check every byte they
// read, and Open drops what they loaded if the checksum does not match).
Result<SnapshotView> ParseSnapshot(std::string_view bytes);
bool SnapshotChecksumMatches(std::string_view bytes);
// Reads DIR/snapshot: nullopt if there is none; Corruption if it does not decode.
Result<std::optional<Snapshot>> ReadSnapshot(const std::string& ledger_path,
                                             SnapshotParts parts = SnapshotParts::kAll);
// Writes DIR/snapshot.tmp, fsyncs it, renames it over DIR/snapshot and fsyncs DIR.
Status WriteSnapshot(const std::string& ledger_path, const Snapshot& snapshot);

// For a full verify (VerifyLedger, which replays the entries once and calls this at the
// snapshot's size N): Ok when `snapshot`, read from `where`, is what that replay reached: `leaf`
// (entry N-1's leaf hash), `root` (the Merkle root of the first N entries), the Authority's state
// and, when the snapshot holds one and `validator` is given, the validator's state. Corruption
// naming `where` and what differs otherwise.
Status CheckSnapshotAgainstReplay(const Snapshot& snapshot, const std::string& where,
                                  const Hash256& leaf, const Hash256& root,
                                  const Authority& authority, const AppendValidator* validator);

}  // namespace fouledger
