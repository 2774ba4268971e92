// Ledger: the append-only log of signed entries in RocksDB, with its Merkle tree and checkpoints.
//
// An append (or a batch) is checked under one writer lock (signature, Authority, then the domain
// AppendValidator if one is set), then written as one RocksDB WriteBatch with sync: the entries,
// the client-event-id index, the new perfect Merkle subtrees and a signed checkpoint of the new
// size. A crash leaves all of the batch or none of it. Nothing is ever modified or deleted.
// Appends are serialized; reads are safe from any thread. On-disk layout: docs/storage.md.
//
//   auto ledger = Ledger::Open({.path = dir, .clock = SystemClock()});
//   auto outcome = (*ledger)->Append(signed_event);
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/authority.h"
#include "ledger/checkpoint.h"
#include "ledger/crypto.h"
#include "ledger/date.h"
#include "ledger/event.h"
#include "ledger/status.h"

namespace rocksdb {
class Env;
}

namespace fouledger {

// The hook for domain rules: projections/ implements it. Check() sees every candidate after the
// ledger's own checks and before the write, in the same critical section, together with the
// entries earlier in the same batch; Apply() folds an entry into the validator's state (every
// stored entry at Open, then each accepted candidate).
class AppendValidator {
 public:
  virtual ~AppendValidator() = default;
  virtual Status Check(const DecodedEntry& candidate) = 0;
  virtual void Apply(const DecodedEntry& entry) = 0;
  // Forgets every entry, so the ledger can replay the stored ones after an all-or-nothing batch
  // was refused (see Ledger::AppendAll). Returns false if the validator cannot; the ledger then
  // refuses further appends until it is reopened.
  virtual bool Reset() { return false; }
  // The state in bytes for the ledger's snapshot (docs/storage.md, "Snapshot"). SaveState returns
  // false if the validator cannot (the default: the ledger then never opens from a snapshot).
  // LoadState replaces the state with the one SaveState wrote after `entries` entries (seqs
  // 0..entries-1); the bytes are untrusted: on any inconsistency it returns non-ok and leaves the
  // state as it was. The same entries must always give the same bytes (verify compares them).
  // A validator that implements LoadState must implement Reset too.
  virtual bool SaveState(std::string* /*out*/) const { return false; }
  virtual Status LoadState(std::string_view /*bytes*/, uint64_t /*entries*/) {
    return Status::InvalidArgument("this validator cannot load a saved state");
  }
};

// A ledger that replayed or appended at least this many entries since the snapshot it opened
// from (all of them, if none) saves a new one when it is closed.
inline constexpr uint64_t kSnapshotAfterEntries = 10000;

struct LedgerOptions {
  std::string path;                      // the ledger directory (RocksDB lives in path/db)
  Clock clock;                           // source of recorded-at times; required
  AppendValidator* validator = nullptr;  // domain rules; not owned; may be null
  // Threads that check author signatures in AppendBatch and AppendAll, the dominant cost of an
  // append, ahead of the writer thread, which meanwhile does everything else for the events
  // already checked: with 1 (the default) a batch costs about one signature check an event, not a
  // check plus the rest. 0: the writer checks each signature itself. Batches of up to 32 events
  // are always checked on the writer alone, unless their events come checked (CheckSignature). Only
  // authors enrolled before the batch are checked ahead; the outcome of every append is the same
  // with any number. At most kAppendVerifyThreadsMax.
  unsigned verify_threads = 1;
  // Open from DIR/snapshot when it checks (docs/storage.md, "Snapshot"): load the saved state of
  // the Authority and the validator and replay only the entries after it. A snapshot that does
  // not check is ignored (full replay), never a reason to refuse to open. False: always replay
  // everything, and never save a snapshot on close.
  bool use_snapshot = true;
  // Save a snapshot on close after this many entries replayed or appended (see above).
  uint64_t snapshot_after_entries = kSnapshotAfterEntries;
  // The environment RocksDB reads and writes its files through; null: the machine's own. Tests
  // pass one whose file system fails on demand (a disk that fills while RocksDB writes its
  // tables). Not owned; must outlive the Ledger.
  rocksdb::Env* env = nullptr;
  // RocksDB's memtables of all column families together may hold this many bytes; past it RocksDB
  // flushes the largest into a table (its db_write_buffer_size). 0 (the default): no limit but
  // each family's own (64 MiB). Smaller spends less memory on writes and flushes more often; the
  // reliability tests use a small one to make flushes happen while appends go on.
  size_t memtable_bytes_max = 0;
};
inline constexpr unsigned kAppendVerifyThreadsMax = 64;

// The refusal log: DIR/refusals.log, one line per refused append (docs/audit.md). Refused events
// never reach the log of entries, so this text file beside it is the only trace of attempts such
// as a revoked key still being used. It is written best-effort (a failure to write it never
// affects an append or the ledger) and it is NOT tamper-evident: it is neither signed nor chained,
// because a refusal has no place in the Merkle tree and whoever can write the directory can edit
// it. Treat it as a lead for the auditor, not as evidence. Each line has seven tab-separated
// fields (tabs and line breaks inside a field become spaces):
//   recorded-at (RFC 3339)  author key id (hex, or "-")  author role ("unknown" if not enrolled)
//   revoked-at entry (or "-")  event kind (or "-")  application id (or "-")  the refusal line
inline constexpr const char* kRefusalLogFile = "refusals.log";
inline constexpr size_t kRefusalLineBytesMax = 2048;             // longer lines are cut
inline constexpr size_t kRefusalLogBytesMax = 64 * 1024 * 1024;  // beyond it, no more lines

struct RefusalLogLine {
  Instant at;
  std::string author_key_id;           // hex; empty when the event could not be decoded
  std::string role;                    // "unit", "board", ..., "unknown"
  std::optional<uint64_t> revoked_at;  // the key had been revoked by this entry
  std::string kind;                    // "apply", ...; empty when unknown
  std::string application_id;          // empty for events about no application
  std::string message;                 // "refused: ..."
};

struct RefusalLog {
  std::vector<RefusalLogLine> lines;  // in file order
  size_t malformed = 0;               // lines that do not parse (skipped)
};

// Reads DIR/refusals.log (an empty log if there is none). IOError if it exists but cannot be
// read; reads at most kRefusalLogBytesMax bytes.
Result<RefusalLog> ReadRefusalLog(const std::string& ledger_path);

struct AppendOutcome {
  uint64_t seq = 0;
  Instant recorded_at;
  Hash256 leaf_hash{};
  bool duplicate = false;  // a retry: the same event was already in the ledger at `seq`
};

// An event whose author signature was checked ahead of its append by Ledger::CheckSignature, on
// the thread that received it and without the writer's lock, so that the threads taking events in
// (the server's) share the dominant cost of an append instead of leaving all of it to the one
// writer. Only CheckSignature makes one, and nothing changes it afterwards, so a check cannot be
// claimed for other bytes. AppendBatch runs every other check on it as on a SignedEvent, and checks
// the signature again itself unless it was found good with the key the author has when admitted.
class CheckedEvent {
 public:
  const SignedEvent& event() const { return event_; }
  // Whether the signature was found good with the key then enrolled under the event's author key
  // id. When not (a bad signature, an author not enrolled yet), AppendBatch checks it itself and
  // admits or refuses the event as it would a SignedEvent.
  bool signature_good() const { return verified_with_.has_value(); }

 private:
  friend class Ledger;
  CheckedEvent(SignedEvent event, std::optional<PublicKeyBytes> verified_with)
      : event_(std::move(event)), verified_with_(verified_with) {}
  SignedEvent event_;
  std::optional<PublicKeyBytes> verified_with_;
};

class Ledger {
 public:
  // Creates a new ledger in options.path: generates the checkpoint key (path/checkpoint.key,
  // mode 0600) and writes the genesis entry naming the first admin key. Refuses an existing one.
  static Result<std::unique_ptr<Ledger>> Create(const LedgerOptions& options,
                                                const std::string& ledger_name,
                                                const PublicKeyBytes& admin_key);
  // Opens an existing ledger, replaying every entry into the Authority and the validator, or only
  // those after DIR/snapshot when it checks (LedgerOptions::use_snapshot, docs/storage.md).
  static Result<std::unique_ptr<Ledger>> Open(const LedgerOptions& options);

  // Appends one event. Refused (nothing written) when a check fails; a retry of an event already
  // in the ledger returns the original entry with duplicate = true.
  Result<AppendOutcome> Append(const SignedEvent& event);
  // Checks each event in order (each sees the ones before it) and writes all that pass in synced
  // batches, each with a signed checkpoint; each event gets its own outcome. Usually one write;
  // a batch whose signatures helpers check ahead (verify_threads, more than 32 events) may be
  // written in several pieces in seq order, each a whole number of entries (docs/storage.md,
  // "Writing while the last signatures are checked"). If a write fails, the events it held and
  // every later one get that IOError (those of pieces already written keep their outcomes) and
  // the Ledger refuses further appends until reopened.
  std::vector<Result<AppendOutcome>> AppendBatch(const std::vector<SignedEvent>& events);
  // The same for events whose signatures CheckSignature checked: no helper threads, as the
  // writer finds the checks done; the outcomes are those the same SignedEvents would get.
  std::vector<Result<AppendOutcome>> AppendBatch(std::vector<CheckedEvent> events);
  // Checks `event`'s signature with the key enrolled under its author key id when called. Safe
  // from any thread and at any time, also while an append is being written: it takes no lock but
  // a brief one on the set of keys, which is replaced, never changed, when an append enrols one.
  CheckedEvent CheckSignature(SignedEvent event) const;

  // All or nothing: checks every event in order (each sees the ones before it); if any is refused
  // nothing is written, the in-memory state is restored from disk, and the status names the first
  // refused event by its index ("event 3 of 20: ..."). Otherwise one synced batch writes them all.
  Result<std::vector<AppendOutcome>> AppendAll(const std::vector<SignedEvent>& events);

  uint64_t size() const;
  Result<Bytes> ReadEntryBytes(uint64_t seq) const;
  Result<DecodedEntry> ReadEntry(uint64_t seq) const;
  // Calls `fn` for entries [from, to) in order, reading from one consistent snapshot; stops at the
  // first non-ok Status fn returns (and returns it).
  Status ForEachEntry(uint64_t from, uint64_t to,
                      const std::function<Status(const DecodedEntry&)>& fn) const;

  Result<Hash256> RootAt(uint64_t size) const;
  Result<std::vector<Hash256>> InclusionProof(uint64_t index, uint64_t size) const;
  Result<std::vector<Hash256>> ConsistencyProof(uint64_t size1, uint64_t size2) const;
  // The newest stored signed checkpoint.
  Result<Checkpoint> LatestCheckpoint() const;

  // The seq of an event already in the ledger with this client event id, if any.
  std::optional<uint64_t> FindClientEventId(const Bytes& client_event_id) const;

  // Writes DIR/snapshot (atomically: snapshot.tmp, fsync, rename) with the state after every
  // entry so far. Refused if the validator cannot save its state. The ledger also does this on
  // close (LedgerOptions::snapshot_after_entries).
  Status SaveSnapshot();
  // How many entries Open (or the last reload) took from the snapshot instead of replaying them;
  // 0 for a full replay.
  uint64_t opened_from() const;
  // Non-empty when Open found a write a crash had cut short at the end of the write-ahead log
  // ("000024.log: 312 bytes from byte 3933") and dropped it. Such a write was never acknowledged
  // (docs/reliability.md, "A write cut short"); any other damage to the log refuses to open.
  const std::string& write_cut_short_at_open() const;

  const Authority& authority() const;  // call only while no append runs
  const std::string& path() const;
  ~Ledger();

 private:
  struct Impl;
  explicit Ledger(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fouledger
