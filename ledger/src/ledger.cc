#include "ledger/ledger.h"

#include <fcntl.h>
#include <rocksdb/db.h>
#include <rocksdb/file_checksum.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include "keys.h"
#include "ledger/interner.h"
#include "ledger/merkle.h"
#include "ledger/snapshot.h"
#include "whole_file.h"
#include "write_ahead_log.h"

namespace fouledger {
namespace {

namespace fs = std::filesystem;
using namespace storage;

enum FamilyIndex { kMeta = 0, kEntries, kIndex, kTree, kCheckpoints, kFamilyCount };

// A refusal log field: tabs and line breaks would break the line format (ledger.h).
std::string LogField(std::string s) {
  for (char& c : s) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return s.empty() ? "-" : s;
}

// The client event ids of the entries a batch has admitted so far, with their seqs: Admit refuses
// a second use within the batch from these, as the index holds only the pieces already written.
class BatchIds {
 public:
  std::optional<uint64_t> Find(std::string_view client_id) const {
    const uint32_t i = ids_.Find(client_id);
    if (i == Interner::kNotFound) return std::nullopt;
    return seqs_[i];
  }
  void Add(std::string_view client_id, uint64_t seq) {
    [[maybe_unused]] const uint32_t i = ids_.Intern(client_id);
    assert(i == seqs_.size() && "an id is admitted once a batch");
    seqs_.push_back(seq);
  }
  size_t size() const { return seqs_.size(); }

 private:
  Interner ids_;
  std::vector<uint64_t> seqs_;  // by the ids' indices
};

// The author keys the ledger knows, by key id, for signature checks made without the writer's
// lock (Ledger::CheckSignature, and SignatureChecks ahead of the writer). A key id is the hash of
// its key, so a key found here is the author's key for good: a check against it means the same as
// Admit's own. Whether the key may still sign (revoked, role) is Admit's to decide.
struct AuthorKey {
  PublicKeyBytes public_key{};
  SignatureVerifier verifier;
};
using AuthorKeys = std::map<Hash256, AuthorKey>;

// The key `event`'s signature is good with: its author's, if `keys` has it. None when the event
// does not decode, its author is not in `keys` or the signature is bad: Admit then checks the
// event itself and gives the refusal it would give anyway.
std::optional<PublicKeyBytes> CheckAuthorSignature(const AuthorKeys& keys,
                                                   const SignedEvent& event) {
  auto decoded = DecodedEvent::Decode(event.event.data(), event.event.size());
  if (!decoded.ok()) return std::nullopt;
  auto id = decoded->reader().getAuthorKeyId();
  Hash256 key_id{};
  if (id.size() != key_id.size()) return std::nullopt;
  std::copy(id.begin(), id.end(), key_id.begin());
  auto it = keys.find(key_id);
  if (it == keys.end()) return std::nullopt;
  if (!it->second.verifier.Verify(event.event.data(), event.event.size(), event.signature.data(),
                                  event.signature.size())) {
    return std::nullopt;
  }
  return it->second.public_key;
}

}  // namespace

struct Ledger::Impl {
  LedgerOptions options;
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> families;
  std::optional<SigningKey> checkpoint_key;

  std::mutex write_mutex;  // one writer at a time; guards everything below
  Authority authority;
  CompactTree tree;
  Hash256 last_leaf_hash{};
  Instant last_recorded_at;
  Status poisoned;  // set when a write failed: state in memory may be ahead of the disk
  std::atomic<uint64_t> size{0};
  uint64_t opened_from = 0;     // entries the last Load took from the snapshot
  uint64_t since_snapshot = 0;  // entries replayed or appended since (all, without one)
  std::string write_cut_short;  // what OpenDb dropped from the write-ahead log, if anything

  // The Authority's keys after the last append or load, for the checks that run without
  // write_mutex. Replaced, never changed: a check holds its own reference to the set it uses.
  mutable std::mutex author_keys_mutex;  // guards the pointer, not the set
  std::shared_ptr<const AuthorKeys> author_keys = std::make_shared<const AuthorKeys>();

  std::shared_ptr<const AuthorKeys> AuthorKeysNow() const {
    std::lock_guard<std::mutex> lock(author_keys_mutex);
    return author_keys;
  }
  // Called with write_mutex held after every change of the Authority (Load, AppendLocked). Keys
  // are only ever added, apart from a Reload back to the disk's state, which is the state the set
  // was last made from: a new size is a new key.
  void PublishAuthorKeys() {
    if (AuthorKeysNow()->size() == authority.keys().size()) return;
    auto keys = std::make_shared<AuthorKeys>();
    for (const auto& [id, key] : authority.keys()) {
      keys->emplace(id, AuthorKey{key.public_key, key.verifier});
    }
    std::lock_guard<std::mutex> lock(author_keys_mutex);
    author_keys = std::move(keys);
  }

  ~Impl() {
    if (db && poisoned.ok()) {
      // Leaves the write-ahead log empty, so the next read-only open (verify, an auditor's
      // verify --since) reads SST files instead of replaying the log: its cost would otherwise
      // grow with what was last written. Best effort: every entry is durable already.
      rocksdb::FlushOptions flush;
      flush.wait = true;
      db->Flush(flush, families).PermitUncheckedError();
    }
    for (auto* h : families) {
      if (db && h) db->DestroyColumnFamilyHandle(h);
    }
  }

  rocksdb::ColumnFamilyHandle* family(FamilyIndex i) const { return families[i]; }

  SubtreeReader TreeReader(const rocksdb::Snapshot* snapshot, uint64_t limit) const {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot;
    return StoredTreeReader(db.get(), family(kTree), ro, limit);
  }

  Status OpenDb(bool create) {
    rocksdb::DBOptions db_options;
    db_options.create_if_missing = create;  // default false
    db_options.error_if_exists = create;    // Create never adopts an existing ledger
    db_options.create_missing_column_families = create;
    db_options.paranoid_checks = true;  // default true: refuse to open a damaged DB
    db_options.max_open_files = 256;    // default -1 (unlimited)
    // Default none: a whole-file CRC32C of every SST in the MANIFEST, so VerifyLedger can check
    // bytes no block checksum covers (an SST footer).
    db_options.file_checksum_gen_factory = rocksdb::GetFileChecksumGenCrc32cFactory();
    SetWriterOptions(&db_options);
    if (options.env != nullptr) db_options.env = options.env;
    db_options.db_write_buffer_size = options.memtable_bytes_max;
    rocksdb::DB* raw = nullptr;
    // Drops a write a crash cut short and nothing else (write_ahead_log.h).
    auto s = OpenLedgerDb(db_options, (fs::path(options.path) / kDbDirectory).string(),
                          /*read_only=*/false, &families, &raw, &write_cut_short);
    if (!s.ok()) return FromRocks(s, "cannot open the ledger in " + options.path);
    db.reset(raw);
    return Status::Ok();
  }

  // Forgets the in-memory state and replays it from disk (after a refused all-or-nothing batch).
  Status Reload() {
    authority = Authority();
    tree = CompactTree();
    last_leaf_hash = Hash256{};
    last_recorded_at = Instant{};
    if (options.validator && !options.validator->Reset()) {
      poisoned = Status::IOError("the domain rules cannot be rolled back; reopen the ledger");
      return poisoned;
    }
    return Load();
  }

  // The state saved in DIR/snapshot, if it checks against the stored entries and tree
  // (docs/storage.md, "Snapshot"): loads it into the Authority and the validator and returns how
  // many entries it covers. 0, with the state untouched, when there is none or anything fails.
  uint64_t LoadSnapshot() {
    // Mapped, and parsed as views into the mapping: the states load from the file's pages.
    auto file =
        storage::MapWholeFile((fs::path(options.path) / kSnapshotFile).string(), kSnapshotBytesMax);
    if (!file.ok() || file->outcome() != storage::WholeFile::Outcome::kRead) return 0;
    auto parsed = ParseSnapshot(file->bytes());
    if (!parsed.ok()) return 0;
    const SnapshotView& snap = *parsed;
    if (options.validator && !snap.has_validator_state) return 0;
    // The stored entries reach N (the newest key, and no gap checked by the replay after N).
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions(), family(kEntries)));
    it->SeekToLast();
    uint64_t last = 0;
    if (!it->Valid() || !DecodeU64(it->key(), &last) || last < snap.entries - 1) return 0;
    it.reset();
    // Entry N-1 re-hashes to the saved leaf hash, and the stored tree has the saved root at N.
    std::string value;
    if (!db->Get(rocksdb::ReadOptions(), family(kEntries), EncodeU64(snap.entries - 1), &value)
             .ok()) {
      return 0;
    }
    const auto* data = reinterpret_cast<const uint8_t*>(value.data());
    if (LeafHash(data, value.size()) != snap.last_leaf_hash) return 0;
    auto newest = DecodedEntry::Decode(data, value.size());
    if (!newest.ok() || newest->seq() != snap.entries - 1) return 0;
    auto root = fouledger::RootAt(TreeReader(nullptr, snap.entries), snap.entries);
    if (!root.ok() || *root != snap.root) return 0;
    // The genesis entry names the ledger and the checkpoint key the saved state must name.
    if (!db->Get(rocksdb::ReadOptions(), family(kEntries), EncodeU64(0), &value).ok()) return 0;
    auto genesis =
        DecodedEntry::Decode(reinterpret_cast<const uint8_t*>(value.data()), value.size());
    if (!genesis.ok() || genesis->kind() != schema::Event::Body::GENESIS) return 0;
    // The checksum is checked and the Authority's state loaded on a second thread while the
    // validator's loads on this one; a checksum that does not match drops both.
    Authority loaded;
    bool authority_ok = false;
    std::thread authority_loader([&] {
      if (!SnapshotChecksumMatches(file->bytes())) return;
      if (!loaded.LoadState(snap.authority_state, snap.entries).ok()) return;
      const auto g = genesis->reader().getBody().getGenesis();
      const auto cp = g.getCheckpointPublicKey();
      authority_ok = loaded.ledger_name() == g.getLedgerName().cStr() &&
                     cp.size() == loaded.checkpoint_public_key().size() &&
                     std::equal(cp.begin(), cp.end(), loaded.checkpoint_public_key().begin());
    });
    const bool validator_ok =
        !options.validator || options.validator->LoadState(snap.validator_state, snap.entries).ok();
    authority_loader.join();
    if (!authority_ok || !validator_ok) {
      // The validator loaded a state the Authority's does not go with: back to empty (Load runs
      // on a fresh or Reset validator). One that cannot be reset fails the open, naming the file
      // whose deletion lets the next one replay everything.
      if (validator_ok && options.validator && !options.validator->Reset()) {
        poisoned = Status::IOError(
            "the domain rules loaded a snapshot and cannot be rolled back; delete " + options.path +
            "/" + kSnapshotFile);
      }
      return 0;
    }
    authority = std::move(loaded);
    last_recorded_at = newest->recorded_at();
    return snap.entries;
  }

  Status SaveSnapshot() {
    if (!poisoned.ok()) return poisoned;
    Snapshot snap;
    snap.entries = tree.size();
    if (snap.entries == 0) return Status::InvalidArgument("an empty ledger has no state to save");
    snap.last_leaf_hash = last_leaf_hash;
    snap.root = tree.Root();
    if (!authority.SaveState(&snap.authority_state)) {
      return Status::InvalidArgument("the Authority's state cannot be saved");
    }
    if (options.validator) {
      if (!options.validator->SaveState(&snap.validator_state)) {
        return Status::InvalidArgument("the domain rules (validator) cannot save their state");
      }
      snap.has_validator_state = true;
    }
    FOULEDGER_RETURN_IF_ERROR(WriteSnapshot(options.path, snap));
    since_snapshot = 0;
    return Status::Ok();
  }

  // Replays the stored entries into the in-memory state: every one, or those after the snapshot.
  Status Load() {
    const PerfCountsOff perf_counts_off;
    std::string format;
    auto s = db->Get(rocksdb::ReadOptions(), family(kMeta), kFormatKey, &format);
    if (!s.ok() || format != kFormat) {
      return Status::Corruption(options.path + " is not a fouledger ledger (format marker '" +
                                format + "')");
    }
    // A ledger written before the authority index gets it now, from the same replay, in one
    // synced batch with the marker (all or nothing).
    std::string indexed;
    s = db->Get(rocksdb::ReadOptions(), family(kMeta), kAuthorityIndexKey, &indexed);
    if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "reading the authority index marker");
    if (s.ok() && indexed != kAuthorityIndexVersion) {
      return Status::Corruption(options.path + ": the authority index marker is '" + indexed +
                                "', not '" + kAuthorityIndexVersion + "'");
    }
    const bool backfill = s.IsNotFound();
    // The backfill needs every entry: a ledger without the index replays them all.
    opened_from = options.use_snapshot && !backfill ? LoadSnapshot() : 0;
    if (!poisoned.ok()) return poisoned;
    rocksdb::WriteBatch index_rows;
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions(), family(kEntries)));
    uint64_t expected = opened_from;
    if (expected == 0) {
      it->SeekToFirst();
    } else {
      it->Seek(EncodeU64(expected));
    }
    for (; it->Valid(); it->Next()) {
      uint64_t seq = 0;
      if (!DecodeU64(it->key(), &seq) || seq != expected) {
        return Status::Corruption("entry " + std::to_string(expected) +
                                  ": sequence is not contiguous");
      }
      auto entry = DecodedEntry::Decode(reinterpret_cast<const uint8_t*>(it->value().data()),
                                        it->value().size());
      if (!entry.ok()) return entry.status().WithContext("entry " + std::to_string(seq));
      if (entry->seq() != seq) {
        return Status::Corruption("entry " + std::to_string(seq) + ": stored under the wrong key");
      }
      authority.Apply(*entry);
      if (options.validator) options.validator->Apply(*entry);
      if (backfill) {
        for (const IndexRow& row : AuthorityIndexRows(*entry)) {
          index_rows.Put(family(kIndex), row.key, row.value);
        }
      }
      last_recorded_at = entry->recorded_at();
      ++expected;
    }
    if (!it->status().ok()) return FromRocks(it->status(), "reading entries");
    since_snapshot = expected - opened_from;
    if (backfill) {
      index_rows.Put(family(kMeta), kAuthorityIndexKey, kAuthorityIndexVersion);
      rocksdb::WriteOptions wo;
      wo.sync = true;
      s = db->Write(wo, &index_rows);
      if (!s.ok()) return FromRocks(s, "writing the authority index");
    }
    if (expected > 0) {
      // The chain continues from the newest entry: hash that one only.
      it->SeekToLast();
      if (!it->Valid()) return FromRocks(it->status(), "reading the newest entry");
      last_leaf_hash =
          LeafHash(reinterpret_cast<const uint8_t*>(it->value().data()), it->value().size());
    }
    auto loaded = CompactTree::Load(TreeReader(nullptr, expected), expected);
    if (!loaded.ok()) return loaded.status().WithContext("loading the Merkle tree");
    tree = std::move(loaded).value();
    size.store(expected);

    const fs::path key_path = fs::path(options.path) / kCheckpointKeyFile;
    if (!checkpoint_key && fs::exists(key_path)) {
      auto key = SigningKey::LoadPem(key_path.string());
      if (!key.ok()) return key.status();
      if (expected > 0 && key->public_key() != authority.checkpoint_public_key()) {
        return Status::Corruption(key_path.string() +
                                  " is not the checkpoint key named in the genesis entry");
      }
      checkpoint_key.emplace(std::move(key).value());
    }
    PublishAuthorKeys();
    return Status::Ok();
  }

  Result<AppendOutcome> Duplicate(uint64_t seq, const SignedEvent& event) const {
    std::string value;
    auto s = db->Get(rocksdb::ReadOptions(), family(kEntries), EncodeU64(seq), &value);
    if (!s.ok()) return FromRocks(s, "entry " + std::to_string(seq));
    auto entry = DecodedEntry::Decode(reinterpret_cast<const uint8_t*>(value.data()), value.size());
    if (!entry.ok()) return entry.status().WithContext("entry " + std::to_string(seq));
    if (!std::ranges::equal(entry->event().bytes(), event.event)) {
      return Status::Refused("client event id was already used by entry " + std::to_string(seq) +
                             " for a different event");
    }
    return AppendOutcome{seq, entry->recorded_at(), entry->leaf_hash(), true};
  }

  // Best-effort: one line in DIR/refusals.log for a refused candidate (format in ledger.h). It
  // never affects the append or the ledger: every failure here is ignored.
  void LogRefusal(const SignedEvent& event, const Status& status) const {
    if (!status.IsRefused() && !status.IsInvalidArgument()) return;  // not the caller's doing
    std::string key, role = "unknown", revoked, kind, application;
    auto decoded = DecodedEvent::Decode(event.event.data(), event.event.size());
    if (decoded.ok()) {
      const auto reader = decoded->reader();
      kind = EventKindName(reader.getBody().which());
      application = ApplicationIdOf(reader);
      const auto id_bytes = reader.getAuthorKeyId();
      if (id_bytes.size() == sizeof(Hash256)) {
        Hash256 id{};
        std::copy(id_bytes.begin(), id_bytes.end(), id.begin());
        key = ToHex(id);
        if (const KeyRecord* k = authority.FindKey(id)) {
          role = RoleName(k->role);
          if (k->revoked_seq) revoked = std::to_string(*k->revoked_seq);
        } else if (id == KeyIdOf(authority.checkpoint_public_key())) {
          role = "checkpoint";
        }
      }
    }
    std::string line = options.clock().ToString() + "\t" + LogField(key) + "\t" + LogField(role) +
                       "\t" + LogField(revoked) + "\t" + LogField(kind) + "\t" +
                       LogField(application) + "\t" + LogField(status.ToString());
    if (line.size() > kRefusalLineBytesMax - 1) {
      size_t cut = kRefusalLineBytesMax - 1;
      while (cut > 0 && (static_cast<uint8_t>(line[cut]) & 0xC0) == 0x80) --cut;  // whole UTF-8
      line.resize(cut);
    }
    line += '\n';
    const std::string path = (fs::path(options.path) / kRefusalLogFile).string();
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return;
    struct stat st {};
    if (::fstat(fd, &st) == 0 &&
        static_cast<uint64_t>(st.st_size) + line.size() <= kRefusalLogBytesMax) {
      // One write() of a short line with O_APPEND: lines from several processes do not interleave.
      [[maybe_unused]] const ssize_t written = ::write(fd, line.data(), line.size());
    }
    ::close(fd);
  }

  // Admit, and a line in the refusal log when the candidate is refused.
  Result<AppendOutcome> AdmitOrLog(const SignedEvent& event, rocksdb::WriteBatch* batch,
                                   BatchIds* batch_ids,
                                   const std::optional<PublicKeyBytes>& verified_with = {}) {
    auto outcome = Admit(event, batch, batch_ids, verified_with);
    if (!outcome.ok()) LogRefusal(event, outcome.status());
    return outcome;
  }

  unsigned VerifyThreads() const {
    return std::min(options.verify_threads, kAppendVerifyThreadsMax);
  }

  // Every check for one candidate; on success the candidate is folded into the state.
  // `verified_with`: the key SignatureChecks found the signature good with, if it did.
  Result<AppendOutcome> Admit(const SignedEvent& event, rocksdb::WriteBatch* batch,
                              BatchIds* batch_ids,
                              const std::optional<PublicKeyBytes>& verified_with = {}) {
    // The candidate entry is encoded first and decoded once: decoding it checks the event inside
    // (canonical form, shape) exactly as decoding the event alone would, with the same messages.
    if (event.event.size() > kEventBytesMax) {
      return Status::InvalidArgument("event is " + std::to_string(event.event.size()) +
                                     " bytes, above the limit of " +
                                     std::to_string(kEventBytesMax));
    }
    const uint64_t seq = tree.size();
    const Instant now = options.clock();
    const Instant recorded_at = std::max(now, last_recorded_at);  // never decreasing
    const Bytes entry_bytes = EncodeEntry(seq, recorded_at, last_leaf_hash, event);
    auto entry = DecodedEntry::Decode(entry_bytes);
    if (!entry.ok()) return Status::InvalidArgument(entry.status().message());

    auto client_id = entry->reader().getClientEventId();
    const std::string_view client_key(reinterpret_cast<const char*>(client_id.begin()),
                                      client_id.size());
    if (auto earlier = batch_ids->Find(client_key)) {
      return Status::Refused("client event id is used twice in one batch (entry " +
                             std::to_string(*earlier) + ")");
    }
    std::string existing;
    auto s = db->Get(rocksdb::ReadOptions(), family(kIndex),
                     ClientIdKey(client_id.begin(), client_id.size()), &existing);
    if (s.ok()) {
      uint64_t stored_seq = 0;
      if (!DecodeU64(existing, &stored_seq)) {
        return Status::Corruption("client event id index is damaged");
      }
      return Duplicate(stored_seq, event);
    }
    if (!s.IsNotFound()) return FromRocks(s, "client event id index");

    FOULEDGER_RETURN_IF_ERROR(authority.Check(*entry));
    const PublicKeyBytes author_key = authority.AuthorKeyOf(*entry);
    const bool already_verified = verified_with.has_value() && *verified_with == author_key;
    if (!already_verified && !authority.VerifyAuthorSignature(*entry)) {
      return Status::Refused("signature does not verify with author key " +
                             ToHex(KeyIdOf(author_key).data(), 8));
    }
    if (options.validator) FOULEDGER_RETURN_IF_ERROR(options.validator->Check(*entry));

    // Admitted: fold into the state and stage the writes.
    authority.Apply(*entry);
    if (options.validator) options.validator->Apply(*entry);
    const Hash256 leaf = entry->leaf_hash();
    batch->Put(
        family(kEntries), EncodeU64(seq),
        rocksdb::Slice(reinterpret_cast<const char*>(entry_bytes.data()), entry_bytes.size()));
    batch->Put(family(kIndex), ClientIdKey(client_id.begin(), client_id.size()), EncodeU64(seq));
    for (const IndexRow& row : AuthorityIndexRows(*entry)) {
      batch->Put(family(kIndex), row.key, row.value);
    }
    tree.Append(leaf, [&](const CompactTree::NewNode& node) {
      batch->Put(family(kTree), TreeKey(node.id.level, node.id.index),
                 rocksdb::Slice(reinterpret_cast<const char*>(node.hash.data()), 32));
    });
    batch_ids->Add(client_key, seq);
    last_leaf_hash = leaf;
    last_recorded_at = recorded_at;
    return AppendOutcome{seq, recorded_at, leaf, false};
  }
  // The signature checks of one batch, run ahead of the one-by-one admission on the writer thread
  // (Admit) by options.verify_threads helper threads, so that the writer's own work (the other
  // checks, hashing, staging the writes) overlaps them instead of adding to them: with one helper
  // an append costs about one signature check, not a check plus the rest. The events are cut into
  // chunks that the helpers check in order; the writer waits for the chunk of the event it is about
  // to admit. With no helpers (verify_threads 0), or a batch of one chunk or less, Admit checks
  // each signature itself. Only authors the Authority knows when the batch starts are checked,
  // against the set of keys published then (AuthorKeys): the helpers never read the Authority
  // while Admit writes it, and a revocation in between is still refused by Authority::Check.
  // Admit skips its own check when it finds the same key.
  class SignatureChecks {
   public:
    static constexpr size_t kChunkEvents = 32;    // the most events a helper takes at once
    static constexpr size_t kChunkEventsMin = 4;  // the fewest, at the end of a batch

    SignatureChecks(const std::vector<SignedEvent>& events, std::shared_ptr<const AuthorKeys> keys,
                    unsigned threads)
        : events_(events),
          keys_(std::move(keys)),
          verified_(events.size()),
          chunk_ends_(ChunkEnds(events.size(), std::max(threads, 1u))),
          done_(chunk_ends_.size()) {
      if (threads == 0 || events.size() <= kChunkEvents) {
        NothingAhead();
        return;
      }
      threads = static_cast<unsigned>(std::min<size_t>(threads, chunk_ends_.size()));
      for (unsigned t = 0; t < threads; ++t) {
        try {
          helpers_.emplace_back([this] {
            while (CheckNextChunk()) {
            }
          });
        } catch (const std::system_error&) {
          break;  // no thread to be had (a process or memory limit): fewer helpers, or none
        }
      }
      if (helpers_.empty()) NothingAhead();
    }
    ~SignatureChecks() {
      claimed_.store(chunk_ends_.size());  // helpers stop after their current chunk
      for (auto& h : helpers_) h.join();
    }

    // True when VerifiedWith(i) would wait: helpers are checking event i's chunk or have not
    // reached it.
    bool WouldWait(size_t i) const { return !done_[ChunkOf(i)].load(std::memory_order_acquire); }
    // True once every chunk is taken: what is left is the helpers finishing their last ones.
    bool AllClaimed() const { return claimed_.load() >= chunk_ends_.size(); }

    // The key event i's signature verified with, if it did; waits for its chunk.
    const std::optional<PublicKeyBytes>& VerifiedWith(size_t i) {
      std::atomic<bool>& done = done_[ChunkOf(i)];
      done.wait(false, std::memory_order_acquire);
      return verified_[i];
    }

   private:
    // Where each chunk ends: kChunkEvents events while many are left, then ever fewer, down to
    // kChunkEventsMin, so that the helpers run out of work at about the same time and the writer
    // has few events left to admit once the last is checked. With chunks of 32 to the end, one
    // helper checked alone for about 2 ms of a 100 ms batch while the other had nothing left.
    static std::vector<size_t> ChunkEnds(size_t events, unsigned threads) {
      std::vector<size_t> ends;
      for (size_t end = 0; end < events;) {
        const size_t left = events - end;
        end += std::min(left, std::clamp(left / (4 * threads), kChunkEventsMin, kChunkEvents));
        ends.push_back(end);
      }
      return ends;
    }

    // The chunk event i is in: the first that ends after it.
    size_t ChunkOf(size_t i) const {
      return static_cast<size_t>(std::upper_bound(chunk_ends_.begin(), chunk_ends_.end(), i) -
                                 chunk_ends_.begin());
    }

    void NothingAhead() {
      for (auto& d : done_) d.store(true);  // Admit checks each
      claimed_.store(chunk_ends_.size());
    }

    bool CheckNextChunk() {
      const size_t chunk = claimed_.fetch_add(1);
      if (chunk >= chunk_ends_.size()) return false;
      const size_t begin = chunk == 0 ? 0 : chunk_ends_[chunk - 1];
      for (size_t i = begin; i < chunk_ends_[chunk]; ++i) {
        verified_[i] = CheckAuthorSignature(*keys_, events_[i]);
      }
      done_[chunk].store(true, std::memory_order_release);
      done_[chunk].notify_one();
      return true;
    }

    const std::vector<SignedEvent>& events_;
    const std::shared_ptr<const AuthorKeys> keys_;  // as the batch starts: Admit adds to them
    std::vector<std::optional<PublicKeyBytes>> verified_;
    const std::vector<size_t> chunk_ends_;
    std::vector<std::atomic<bool>> done_;  // by chunk
    std::atomic<size_t> claimed_{0};
    std::vector<std::thread> helpers_;
  };

  // Checks and writes `events`; the caller holds write_mutex. `verified`: per event, the key its
  // signature was already found good with (AppendAll's dry run, Ledger::CheckSignature), or null
  // to check them here.
  std::vector<Result<AppendOutcome>> AppendLocked(
      const std::vector<SignedEvent>& events,
      const std::vector<std::optional<PublicKeyBytes>>* verified = nullptr) {
    Impl& m = *this;
    std::vector<Result<AppendOutcome>> outcomes;
    outcomes.reserve(events.size());
    if (!m.poisoned.ok()) {
      for (size_t i = 0; i < events.size(); ++i) outcomes.emplace_back(m.poisoned);
      return outcomes;
    }
    if (!m.checkpoint_key) {
      for (size_t i = 0; i < events.size(); ++i) {
        outcomes.emplace_back(Status::IOError("the checkpoint key (" + m.options.path + "/" +
                                              kCheckpointKeyFile + ") is missing; cannot append"));
      }
      return outcomes;
    }
    const uint64_t size_before = m.tree.size();
    uint64_t durable = size_before;  // entries written by earlier pieces of this batch
    rocksdb::WriteBatch batch;
    BatchIds batch_ids;
    {
      std::optional<SignatureChecks> checks;
      if (verified == nullptr) checks.emplace(events, m.AuthorKeysNow(), m.VerifyThreads());
      for (size_t i = 0; i < events.size(); ++i) {
        if (checks && checks->WouldWait(i) && m.PieceDue(durable, checks->AllClaimed())) {
          if (!m.WritePiece(&batch, &durable).ok()) break;
        }
        outcomes.push_back(m.AdmitOrLog(events[i], &batch, &batch_ids,
                                        checks ? checks->VerifiedWith(i) : (*verified)[i]));
      }
    }
    // Invariant: the batch extends the log by exactly the admitted entries, contiguously.
    assert(!m.poisoned.ok() || m.tree.size() - size_before == batch_ids.size());
    if (m.poisoned.ok() && m.tree.size() > durable) (void)m.WritePiece(&batch, &durable);
    m.PublishAuthorKeys();
    if (!m.poisoned.ok()) {
      // Entries of pieces written before the failure are durable and keep their outcomes.
      for (auto& o : outcomes) {
        if (o.ok() && !o->duplicate && o->seq >= durable) o = m.poisoned;
      }
      while (outcomes.size() < events.size()) outcomes.emplace_back(m.poisoned);
    }
    return outcomes;
  }

  // Entries a batch stages before it writes them while its last signatures are being checked.
  static constexpr uint64_t kPieceEntriesMin = 256;

  // Whether the writer, about to wait for the helpers' checks, should first write what it has
  // staged: at least kPieceEntriesMin entries, or any once the helpers are on the last chunks.
  // The waiting writer's synced write then overlaps the checks instead of following them, and the
  // write at the end holds only the last chunks (docs/storage.md, "Writing while the last
  // signatures are checked").
  bool PieceDue(uint64_t durable, bool all_claimed) const {
    const uint64_t staged = tree.size() - durable;
    return staged > 0 && (staged >= kPieceEntriesMin || all_claimed);
  }

  // Writes the staged entries durable..size-1 with a signed checkpoint at the new size, in one
  // synced RocksDB batch, and makes them visible; `*durable` becomes the new size. On failure the
  // Ledger is poisoned (the in-memory state is ahead of the disk) and that status returned.
  Status WritePiece(rocksdb::WriteBatch* batch, uint64_t* durable) {
    const uint64_t size_after = tree.size();
    assert(size_after > *durable && "a piece writes at least one entry");
    const Checkpoint cp =
        SignCheckpoint(authority.ledger_name(), size_after, tree.Root(), *checkpoint_key);
    batch->Put(family(kCheckpoints), EncodeU64(size_after), cp.note);
    rocksdb::WriteOptions wo;
    wo.sync = true;  // an acknowledged event must survive power loss
    auto s = db->Write(wo, batch);
    if (!s.ok()) {
      poisoned = FromRocks(s, "writing entries " + std::to_string(*durable) + ".." +
                                  std::to_string(size_after - 1) + " (reopen the ledger)");
      return poisoned;
    }
    batch->Clear();
    size.store(size_after);
    since_snapshot += size_after - *durable;
    *durable = size_after;
    return Status::Ok();
  }
};

Ledger::Ledger(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Ledger::~Ledger() {
  if (!impl_ || !impl_->db || !impl_->options.use_snapshot) return;
  std::lock_guard<std::mutex> lock(impl_->write_mutex);
  if (impl_->since_snapshot >= impl_->options.snapshot_after_entries) {
    (void)impl_->SaveSnapshot();  // best-effort: without it the next Open replays more
  }
}

Status Ledger::SaveSnapshot() {
  std::lock_guard<std::mutex> lock(impl_->write_mutex);
  return impl_->SaveSnapshot();
}

uint64_t Ledger::opened_from() const { return impl_->opened_from; }

const std::string& Ledger::write_cut_short_at_open() const { return impl_->write_cut_short; }

Result<std::unique_ptr<Ledger>> Ledger::Create(const LedgerOptions& options,
                                               const std::string& ledger_name,
                                               const PublicKeyBytes& admin_key) {
  if (!options.clock) return Status::InvalidArgument("a ledger needs a clock");
  const fs::path dir(options.path);
  std::error_code ec;
  if (fs::exists(dir / kDbDirectory, ec) || fs::exists(dir / kCheckpointKeyFile, ec)) {
    return Status::Refused("a ledger already exists in " + options.path);
  }

  // The genesis entry is made and checked first, so that a refused one (a malformed name) leaves
  // nothing on disk: no half-made ledger for the next `init` to trip over.
  auto key = SigningKey::Generate();
  if (!key.ok()) return key.status();
  EventBuilder genesis_event(options.clock().ToDate());
  auto genesis = genesis_event.body().initGenesis();
  genesis.setLedgerName(ledger_name);
  genesis.setAdminPublicKey(kj::arrayPtr(admin_key.data(), admin_key.size()));
  const auto& cp_key = key->public_key();
  genesis.setCheckpointPublicKey(kj::arrayPtr(cp_key.data(), cp_key.size()));
  auto signed_event = genesis_event.Sign(*key);
  if (!signed_event.ok()) return signed_event.status();
  auto decoded = DecodedEvent::Decode(signed_event->event.data(), signed_event->event.size());
  if (!decoded.ok()) {
    return Status::InvalidArgument(decoded.status().message())
        .WithContext("writing the genesis entry");
  }

  fs::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create " + options.path + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);  // the checkpoint key lives here
  FOULEDGER_RETURN_IF_ERROR(key->SavePem((dir / kCheckpointKeyFile).string()));

  auto impl = std::make_unique<Impl>();
  impl->options = options;
  FOULEDGER_RETURN_IF_ERROR(impl->OpenDb(/*create=*/true));
  rocksdb::WriteOptions wo;
  wo.sync = true;  // the format marker must be durable before any entry
  rocksdb::WriteBatch markers;
  markers.Put(impl->family(kMeta), kFormatKey, kFormat);
  // Every entry's authority index rows are written with it, from the first.
  markers.Put(impl->family(kMeta), kAuthorityIndexKey, kAuthorityIndexVersion);
  auto s = impl->db->Write(wo, &markers);
  if (!s.ok()) return FromRocks(s, "writing the format marker");
  impl->checkpoint_key.emplace(std::move(key).value());

  std::unique_ptr<Ledger> ledger(new Ledger(std::move(impl)));
  auto outcome = ledger->Append(*signed_event);
  if (!outcome.ok()) return outcome.status().WithContext("writing the genesis entry");
  return ledger;
}

Result<std::unique_ptr<Ledger>> Ledger::Open(const LedgerOptions& options) {
  if (!options.clock) return Status::InvalidArgument("a ledger needs a clock");
  if (!fs::exists(fs::path(options.path) / kDbDirectory)) {
    return Status::NotFound("no ledger in " + options.path + " (create one with fouledger init)");
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  FOULEDGER_RETURN_IF_ERROR(impl->OpenDb(/*create=*/false));
  FOULEDGER_RETURN_IF_ERROR(impl->Load());
  return std::unique_ptr<Ledger>(new Ledger(std::move(impl)));
}

Result<AppendOutcome> Ledger::Append(const SignedEvent& event) {
  auto outcomes = AppendBatch({event});
  return std::move(outcomes.front());
}

std::vector<Result<AppendOutcome>> Ledger::AppendBatch(const std::vector<SignedEvent>& events) {
  std::lock_guard<std::mutex> lock(impl_->write_mutex);
  const PerfCountsOff perf_counts_off;
  return impl_->AppendLocked(events);
}

std::vector<Result<AppendOutcome>> Ledger::AppendBatch(std::vector<CheckedEvent> checked) {
  std::vector<SignedEvent> events;
  std::vector<std::optional<PublicKeyBytes>> verified;
  events.reserve(checked.size());
  verified.reserve(checked.size());
  for (CheckedEvent& c : checked) {
    events.push_back(std::move(c.event_));
    verified.push_back(c.verified_with_);
  }
  std::lock_guard<std::mutex> lock(impl_->write_mutex);
  const PerfCountsOff perf_counts_off;
  return impl_->AppendLocked(events, &verified);
}

CheckedEvent Ledger::CheckSignature(SignedEvent event) const {
  const std::shared_ptr<const AuthorKeys> keys = impl_->AuthorKeysNow();
  std::optional<PublicKeyBytes> verified_with = CheckAuthorSignature(*keys, event);
  return CheckedEvent(std::move(event), verified_with);
}

Result<std::vector<AppendOutcome>> Ledger::AppendAll(const std::vector<SignedEvent>& events) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.write_mutex);  // held from the dry run to the write
  const PerfCountsOff perf_counts_off;
  if (!m.poisoned.ok()) return m.poisoned;
  const auto where = [&](size_t i) {
    return "event " + std::to_string(i + 1) + " of " + std::to_string(events.size());
  };
  // Dry run: every check, nothing written. The signatures are checked once, for both passes.
  std::vector<std::optional<PublicKeyBytes>> verified(events.size());
  rocksdb::WriteBatch scratch;
  BatchIds batch_ids;
  Status refused;
  {
    Impl::SignatureChecks checks(events, m.AuthorKeysNow(), m.VerifyThreads());
    for (size_t i = 0; i < events.size() && refused.ok(); ++i) {
      verified[i] = checks.VerifiedWith(i);
      auto o = m.AdmitOrLog(events[i], &scratch, &batch_ids, verified[i]);
      if (!o.ok()) refused = o.status().WithContext(where(i));
    }
  }
  // The dry run folded the admitted events into memory; bring the state back to the disk's.
  FOULEDGER_RETURN_IF_ERROR(m.Reload());
  if (!refused.ok()) return refused;
  // Under the same lock and on the same state, the checks give the same answers: write them all.
  std::vector<AppendOutcome> out;
  auto outcomes = m.AppendLocked(events, &verified);
  for (size_t i = 0; i < outcomes.size(); ++i) {
    if (!outcomes[i].ok()) return outcomes[i].status().WithContext(where(i));
    out.push_back(*outcomes[i]);
  }
  return out;
}

uint64_t Ledger::size() const { return impl_->size.load(); }

Result<Bytes> Ledger::ReadEntryBytes(uint64_t seq) const {
  if (seq >= size()) {
    return Status::NotFound("entry " + std::to_string(seq) + " (the ledger has " +
                            std::to_string(size()) + " entries)");
  }
  std::string value;
  auto s = impl_->db->Get(rocksdb::ReadOptions(), impl_->family(kEntries), EncodeU64(seq), &value);
  if (!s.ok()) return FromRocks(s, "entry " + std::to_string(seq));
  return Bytes(value.begin(), value.end());
}

Result<DecodedEntry> Ledger::ReadEntry(uint64_t seq) const {
  auto bytes = ReadEntryBytes(seq);
  if (!bytes.ok()) return bytes.status();
  auto entry = DecodedEntry::Decode(*bytes);
  if (!entry.ok()) return entry.status().WithContext("entry " + std::to_string(seq));
  return entry;
}

Status Ledger::ForEachEntry(uint64_t from, uint64_t to,
                            const std::function<Status(const DecodedEntry&)>& fn) const {
  to = std::min(to, size());
  if (from >= to) return Status::Ok();
  const rocksdb::Snapshot* snapshot = impl_->db->GetSnapshot();
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->family(kEntries)));
  Status result;
  uint64_t expected = from;
  for (it->Seek(EncodeU64(from)); it->Valid() && expected < to; it->Next(), ++expected) {
    uint64_t seq = 0;
    if (!DecodeU64(it->key(), &seq) || seq != expected) {
      result = Status::Corruption("entry " + std::to_string(expected) + " is missing");
      break;
    }
    auto entry = DecodedEntry::Decode(reinterpret_cast<const uint8_t*>(it->value().data()),
                                      it->value().size());
    if (!entry.ok()) {
      result = entry.status().WithContext("entry " + std::to_string(seq));
      break;
    }
    result = fn(*entry);
    if (!result.ok()) break;
  }
  if (result.ok() && !it->status().ok()) result = FromRocks(it->status(), "reading entries");
  if (result.ok() && expected < to) {
    result = Status::Corruption("entry " + std::to_string(expected) + " is missing");
  }
  it.reset();
  impl_->db->ReleaseSnapshot(snapshot);
  return result;
}

Result<Hash256> Ledger::RootAt(uint64_t tree_size) const {
  if (tree_size > size()) {
    return Status::InvalidArgument("size " + std::to_string(tree_size) +
                                   " is beyond the ledger's " + std::to_string(size()) +
                                   " entries");
  }
  return fouledger::RootAt(impl_->TreeReader(nullptr, tree_size), tree_size);
}

Result<std::vector<Hash256>> Ledger::InclusionProof(uint64_t index, uint64_t tree_size) const {
  if (tree_size > size()) {
    return Status::InvalidArgument("size " + std::to_string(tree_size) +
                                   " is beyond the ledger's " + std::to_string(size()) +
                                   " entries");
  }
  return fouledger::InclusionProof(impl_->TreeReader(nullptr, tree_size), index, tree_size);
}

Result<std::vector<Hash256>> Ledger::ConsistencyProof(uint64_t size1, uint64_t size2) const {
  if (size2 > size()) {
    return Status::InvalidArgument("size " + std::to_string(size2) + " is beyond the ledger's " +
                                   std::to_string(size()) + " entries");
  }
  return fouledger::ConsistencyProof(impl_->TreeReader(nullptr, size2), size1, size2);
}

Result<Checkpoint> Ledger::LatestCheckpoint() const {
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->family(kCheckpoints)));
  it->SeekToLast();
  if (!it->Valid()) return Status::NotFound("the ledger has no checkpoint yet");
  return ParseCheckpoint(it->value().ToString(), impl_->authority.checkpoint_public_key(),
                         impl_->authority.ledger_name());
}

std::optional<uint64_t> Ledger::FindClientEventId(const Bytes& client_event_id) const {
  std::string value;
  auto s = impl_->db->Get(rocksdb::ReadOptions(), impl_->family(kIndex),
                          ClientIdKey(client_event_id.data(), client_event_id.size()), &value);
  uint64_t seq = 0;
  if (!s.ok() || !DecodeU64(value, &seq)) return std::nullopt;
  return seq;
}

Result<RefusalLog> ReadRefusalLog(const std::string& ledger_path) {
  RefusalLog log;
  const fs::path path = fs::path(ledger_path) / kRefusalLogFile;
  std::error_code ec;
  if (!fs::exists(path, ec)) return log;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read " + path.string());
  size_t read_bytes = 0;
  std::string line;
  while (read_bytes < kRefusalLogBytesMax && std::getline(in, line)) {
    read_bytes += line.size() + 1;
    if (line.empty()) continue;
    std::vector<std::string> fields;
    size_t start = 0;
    for (size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1) {
      fields.push_back(line.substr(start, tab - start));
    }
    fields.push_back(line.substr(start));
    if (fields.size() != 7) {
      ++log.malformed;
      continue;
    }
    auto at = Instant::Parse(fields[0]);
    if (!at.ok()) {
      ++log.malformed;
      continue;
    }
    const auto dash = [](const std::string& f) { return f == "-" ? std::string() : f; };
    RefusalLogLine l;
    l.at = *at;
    l.author_key_id = dash(fields[1]);
    l.role = fields[2];
    if (fields[3] != "-") {
      char* end = nullptr;
      const unsigned long long v = std::strtoull(fields[3].c_str(), &end, 10);
      if (end == fields[3].c_str() || *end != '\0') {
        ++log.malformed;
        continue;
      }
      l.revoked_at = v;
    }
    l.kind = dash(fields[4]);
    l.application_id = dash(fields[5]);
    l.message = fields[6];
    log.lines.push_back(std::move(l));
  }
  return log;
}

const Authority& Ledger::authority() const { return impl_->authority; }
const std::string& Ledger::path() const { return impl_->options.path; }

}  // namespace fouledger
