#include "ledger/verify.h"

#include <rocksdb/db.h>
#include <rocksdb/file_checksum.h>

#include <atomic>
#include <bit>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "keys.h"
#include "ledger/authority.h"
#include "ledger/checkpoint.h"
#include "ledger/event.h"
#include "ledger/merkle.h"
#include "ledger/snapshot.h"
#include "write_ahead_log.h"

namespace fouledger {
namespace {

using namespace storage;
namespace fs = std::filesystem;

struct Db {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> families;
  ~Db() {
    for (auto* h : families) {
      if (db) db->DestroyColumnFamilyHandle(h);
    }
  }
};

// Checks author signatures, on the calling thread (threads == 1) or in batches spread over
// helper threads. Remembers every failure by seq, so the caller can report the first one in
// ledger order whatever order the threads finished in.
class SignatureChecker {
 public:
  struct Job {
    uint64_t seq;
    PublicKeyBytes author;
    DecodedEntry entry;  // owns the event bytes and the signature
  };
  static constexpr size_t kJobsPerBatch = 128;

  explicit SignatureChecker(unsigned threads) {
    for (unsigned i = 1; i < threads; ++i) helpers_.emplace_back([this] { HelperLoop(); });
  }
  ~SignatureChecker() { Finish(); }

  void Add(uint64_t seq, const PublicKeyBytes& author, DecodedEntry entry) {
    pending_.push_back(Job{seq, author, std::move(entry)});
    if (helpers_.empty()) {
      Check(pending_);
      pending_.clear();
      return;
    }
    if (pending_.size() < kJobsPerBatch) return;
    std::vector<Job> own;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(pending_));
      // The helpers have fallen behind: check one batch here rather than queue without bound.
      if (queue_.size() > 2 * helpers_.size()) {
        own = std::move(queue_.front());
        queue_.pop_front();
      }
    }
    pending_.clear();
    ready_.notify_one();
    if (!own.empty()) Check(own);
  }

  // Checks whatever is still pending and waits for the helpers.
  void Finish() {
    if (!pending_.empty()) {
      Check(pending_);
      pending_.clear();
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    ready_.notify_all();
    for (auto& t : helpers_) t.join();
    helpers_.clear();
  }

  // The lowest seq whose signature failed so far (UINT64_MAX if none): lets the reader stop early.
  uint64_t first_failure() const { return first_failure_.load(std::memory_order_relaxed); }
  // Call after Finish(): the failure message for `seq`.
  std::string FailureAt(uint64_t seq) const { return failures_.at(seq); }

 private:
  void HelperLoop() {
    for (;;) {
      std::vector<Job> batch;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_.wait(lock, [this] { return done_ || !queue_.empty(); });
        if (queue_.empty()) return;  // done_ and nothing left
        batch = std::move(queue_.front());
        queue_.pop_front();
      }
      Check(batch);
    }
  }

  void Check(const std::vector<Job>& jobs) {
    for (const Job& job : jobs) {
      if (job.seq > first_failure()) return;  // a failure before these decides the report
      const ByteView event = job.entry.event().bytes();
      if (VerifySignature(job.author, event.data(), event.size(), job.entry.signature().data(),
                          job.entry.signature().size())) {
        continue;
      }
      std::lock_guard<std::mutex> lock(failures_mutex_);
      failures_[job.seq] =
          "author signature does not verify with key " + ToHex(KeyIdOf(job.author).data(), 8);
      uint64_t seen = first_failure_.load();
      while (job.seq < seen && !first_failure_.compare_exchange_weak(seen, job.seq)) {
      }
    }
  }

  std::vector<Job> pending_;  // touched by the calling thread only
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::vector<Job>> queue_;
  bool done_ = false;
  std::vector<std::thread> helpers_;
  std::mutex failures_mutex_;
  std::map<uint64_t, std::string> failures_;
  std::atomic<uint64_t> first_failure_{UINT64_MAX};
};

// An auditor's second visit, without replaying the entries their checkpoint vouches for: what
// the verifier needs of the first `since` entries, read through the authority index
// (docs/storage.md) with every entry read proven to be under `root`.
class TrustedPrefix {
 public:
  TrustedPrefix(rocksdb::DB* db, const rocksdb::ReadOptions& ro,
                rocksdb::ColumnFamilyHandle* entries, rocksdb::ColumnFamilyHandle* index,
                rocksdb::ColumnFamilyHandle* tree, uint64_t since, const Hash256& root)
      : db_(db),
        ro_(ro),
        entries_(entries),
        index_(index),
        tree_reader_(StoredTreeReader(db, tree, ro, since)),
        since_(since),
        root_(root) {}

  // Fills `authority` (fresh), `tree`, and the newest earlier entry's leaf hash and time, from
  // the stored tree and the earlier entries the entries from `since` on depend on. Returns the
  // problem found, or an empty string.
  std::string Load(Authority* authority, CompactTree* tree, Hash256* last_leaf,
                   Instant* last_recorded) {
    {
      std::unique_ptr<rocksdb::Iterator> newest(db_->NewIterator(ro_, entries_));
      newest->SeekToLast();
      uint64_t seq = 0;
      if (!newest->Valid() || !DecodeU64(newest->key(), &seq) || seq + 1 < since_) {
        return "the ledger has " + std::to_string(newest->Valid() ? seq + 1 : 0) +
               " entries, fewer than the " + std::to_string(since_) +
               " the checkpoint you hold signs (entries were removed)";
      }
    }
    auto loaded = CompactTree::Load(tree_reader_, since_);
    if (!loaded.ok()) {
      return "the stored Merkle tree of the first " + std::to_string(since_) +
             " entries cannot be read: " + loaded.status().message();
    }
    if (loaded->Root() != root_) {
      return "the first " + std::to_string(since_) +
             " entries no longer match the checkpoint you hold: its root is " +
             Base64Encode(root_) + ", the stored tree's is now " + Base64Encode(loaded->Root());
    }
    *tree = std::move(loaded).value();

    // What the new entries name: applications, and earlier entries they correct or void.
    std::set<std::string> applications;
    std::set<uint64_t> targets;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro_, entries_));
    for (it->Seek(EncodeU64(since_)); it->Valid(); it->Next()) {
      auto e = DecodedEntry::Decode(reinterpret_cast<const uint8_t*>(it->value().data()),
                                    it->value().size());
      if (!e.ok()) break;  // the verifier's own pass names it
      Note(*e, &applications, &targets);
    }
    if (!it->status().ok())
      return "reading the new entries: RocksDB reports " + it->status().ToString();

    // The earlier entries to load, in seq order: the genesis, key and unit entries, each target
    // and what superseded it, and every application entry of the applications named (targets
    // add theirs: a void names no application, but its target's owners decide who may void it).
    std::set<uint64_t> wanted = {0};
    if (std::string p = ScanIndex(std::string(1, kGovernanceTag), &wanted); !p.empty()) return p;
    for (uint64_t target : targets) {
      wanted.insert(target);
      std::string by;
      uint64_t by_seq = 0;
      if (db_->Get(ro_, index_, SupersededKey(target), &by).ok() && DecodeU64(by, &by_seq) &&
          by_seq < since_) {
        wanted.insert(by_seq);
      }
      const DecodedEntry* t = nullptr;
      if (std::string p = Read(target, &t); !p.empty()) return p;
      if (std::string app = ApplicationIdOf(t->reader()); !app.empty()) applications.insert(app);
    }
    for (const std::string& app : applications) {
      if (std::string p = ScanIndex(ApplicationKeyPrefix(app), &wanted); !p.empty()) return p;
    }
    authority->StartAfter(since_);
    for (uint64_t seq : wanted) {
      const DecodedEntry* e = nullptr;
      if (std::string p = Read(seq, &e); !p.empty()) return p;
      authority->LoadEarlier(*e);
    }
    const DecodedEntry* last = nullptr;
    if (std::string p = Read(since_ - 1, &last); !p.empty()) return p;
    *last_leaf = last->leaf_hash();
    *last_recorded = last->recorded_at();
    return "";
  }

  uint64_t entries_read() const { return read_.size(); }

 private:
  static void Note(const DecodedEntry& e, std::set<std::string>* applications,
                   std::set<uint64_t>* targets) {
    if (std::string app = ApplicationIdOf(e.reader()); !app.empty()) applications->insert(app);
    const auto event = e.reader();
    if (event.getCorrection().isReplaces())
      targets->insert(event.getCorrection().getReplaces().getSeq());
    if (e.kind() == schema::Event::Body::VOID_ENTRY) {
      targets->insert(event.getBody().getVoidEntry().getSeq());
    }
  }

  // Adds the seq (the key's last 8 bytes) of every row under `prefix` that is before since_.
  std::string ScanIndex(const std::string& prefix, std::set<uint64_t>* wanted) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro_, index_));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      uint64_t seq = 0;
      const rocksdb::Slice key = it->key();
      if (key.size() != prefix.size() + 8 ||
          !DecodeU64(rocksdb::Slice(key.data() + prefix.size(), 8), &seq)) {
        return "the authority index holds a malformed row under '" + prefix.substr(0, 1) + "'";
      }
      if (seq >= since_) break;
      wanted->insert(seq);
    }
    if (!it->status().ok())
      return "reading the authority index: RocksDB reports " + it->status().ToString();
    return "";
  }

  // Entry `seq` (< since_), once, after checking that it is the leaf the auditor's root has there.
  std::string Read(uint64_t seq, const DecodedEntry** out) {
    if (auto it = read_.find(seq); it != read_.end()) {
      *out = &it->second;
      return "";
    }
    const std::string where = "entry " + std::to_string(seq) + ": ";
    if (seq >= since_) return where + "the authority index points past the checkpoint you hold";
    std::string bytes;
    auto s = db_->Get(ro_, entries_, EncodeU64(seq), &bytes);
    if (!s.ok()) return where + (s.IsNotFound() ? "missing" : "RocksDB reports " + s.ToString());
    auto e = DecodedEntry::Decode(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    if (!e.ok()) return where + e.status().message();
    if (e->seq() != seq) return where + "its bytes say it is entry " + std::to_string(e->seq());
    auto proof = InclusionProof(tree_reader_, seq, since_);
    Status included =
        proof.ok() ? VerifyInclusion(e->leaf_hash(), seq, since_, *proof, root_) : proof.status();
    if (!included.ok()) {
      return where + "not the entry the checkpoint you hold has there (" + included.message() + ")";
    }
    *out = &read_.emplace(seq, std::move(e).value()).first->second;
    return "";
  }

  rocksdb::DB* db_;
  rocksdb::ReadOptions ro_;
  rocksdb::ColumnFamilyHandle* entries_;
  rocksdb::ColumnFamilyHandle* index_;
  SubtreeReader tree_reader_;
  uint64_t since_;
  Hash256 root_;
  std::map<uint64_t, DecodedEntry> read_;
};

}  // namespace

Result<VerifyReport> VerifyLedger(const std::string& path, const VerifyOptions& verify_options) {
  if (verify_options.threads < 1 || verify_options.threads > kVerifyThreadsMax) {
    return Status::InvalidArgument("verify uses 1 to " + std::to_string(kVerifyThreadsMax) +
                                   " threads, not " + std::to_string(verify_options.threads));
  }
  const fs::path db_path = fs::path(path) / kDbDirectory;
  if (!fs::exists(db_path)) return Status::NotFound("no ledger in " + path);
  Db d;
  VerifyReport report;
  rocksdb::DBOptions options;
  options.paranoid_checks = true;
  // Needed to check the whole-file checksums the ledger records for its SST files.
  options.file_checksum_gen_factory = rocksdb::GetFileChecksumGenCrc32cFactory();
  rocksdb::DB* raw = nullptr;
  // Strict: any damaged write-ahead-log record refuses to open, where RocksDB's default would
  // drop every record after it, acknowledged entries included. Only a write a crash cut short at
  // the end of a log (never acknowledged) is dropped, as Ledger::Open drops it, and reported, so
  // that what is verified is what the writer recovers (write_ahead_log.h).
  auto s = OpenLedgerDb(options, db_path.string(), /*read_only=*/true, &d.families, &raw,
                        &report.write_cut_short);
  if (!s.ok()) {
    if (s.IsCorruption()) {
      report.first_problem = "the database does not open: RocksDB reports " + s.ToString();
      return report;
    }
    return Status::IOError("cannot open " + db_path.string() + ": " + s.ToString());
  }
  d.db.reset(raw);
  auto* entries_cf = d.families[1];
  auto* index_cf = d.families[2];
  auto* tree_cf = d.families[3];
  auto* checkpoints_cf = d.families[4];

  rocksdb::ReadOptions ro;
  ro.verify_checksums = true;  // default true: RocksDB's own block checksums are one more layer
  const rocksdb::Snapshot* snapshot = d.db->GetSnapshot();
  // Released on every return, after the iterators below (declared later, destroyed first).
  auto release = [db = d.db.get()](const rocksdb::Snapshot* s) { db->ReleaseSnapshot(s); };
  std::unique_ptr<const rocksdb::Snapshot, decltype(release)> snapshot_guard(snapshot, release);
  ro.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(d.db->NewIterator(ro, entries_cf));
  std::unique_ptr<rocksdb::Iterator> cps(d.db->NewIterator(ro, checkpoints_cf));
  cps->SeekToFirst();

  // An auditor's second visit: the checkpoint they kept vouches for its first `since` entries.
  uint64_t since = 0;
  Hash256 since_root{};
  if (!verify_options.since_checkpoint_note.empty()) {
    std::string genesis_bytes;
    auto gs = d.db->Get(ro, entries_cf, EncodeU64(0), &genesis_bytes);
    auto genesis =
        gs.ok() ? DecodedEntry::Decode(reinterpret_cast<const uint8_t*>(genesis_bytes.data()),
                                       genesis_bytes.size())
                : Result<DecodedEntry>(Status::NotFound("no genesis entry"));
    if (!genesis.ok()) {
      report.first_problem = "entry 0: " + genesis.status().message();
      return report;
    }
    Authority genesis_authority;
    genesis_authority.Apply(*genesis);
    auto trusted =
        ParseCheckpoint(verify_options.since_checkpoint_note,
                        genesis_authority.checkpoint_public_key(), genesis_authority.ledger_name());
    if (!trusted.ok()) {
      return Status::InvalidArgument(
          "the checkpoint to verify since is not one of this ledger's: " +
          trusted.status().message());
    }
    since = trusted->size;
    since_root = trusted->root;
    report.since = since;
    cps->Seek(EncodeU64(since + 1));  // the checkpoints the auditor's one vouches for are skipped
  }

  // A full verify checks the snapshot Open would load against this same replay, at its size.
  const std::string snapshot_where = (fs::path(path) / kSnapshotFile).string();
  std::optional<Snapshot> saved_state;
  std::string snapshot_problem;  // reported when everything else holds
  if (since == 0) {
    // Without a validator, its state (most of the file) is not compared: not copied either.
    auto read =
        ReadSnapshot(path, verify_options.validator ? SnapshotParts::kAll
                                                    : SnapshotParts::kWithoutValidatorState);
    if (read.ok()) {
      saved_state = std::move(*read);
    } else if (read.status().IsCorruption()) {
      snapshot_problem = read.status().message() + " (deleting it is safe)";
    } else {
      return read.status();
    }
  }

  // Whether every entry's authority index rows are stored (docs/storage.md): then each entry
  // checked must find its rows, and a second visit need not replay what came before.
  // A ledger written before the index has no marker; any other value than this version's is a
  // changed byte.
  std::string index_marker;
  const bool has_index_marker =
      d.db->Get(ro, d.families[0], kAuthorityIndexKey, &index_marker).ok();
  const bool has_authority_index = has_index_marker && index_marker == kAuthorityIndexVersion;
  uint64_t authority_rows = 0;  // the rows the entries checked should have

  SignatureChecker signatures(verify_options.threads);
  uint64_t last_checkpoint_size = 0;
  Authority authority;
  CompactTree tree;
  Hash256 previous{};
  Instant previous_recorded;
  uint64_t expected = 0;  // the next entry to check
  if (since > 0 && has_authority_index && !verify_options.rehash_prefix) {
    TrustedPrefix prefix(d.db.get(), ro, entries_cf, index_cf, tree_cf, since, since_root);
    report.first_problem = prefix.Load(&authority, &tree, &previous, &previous_recorded);
    report.prefix_entries_read = prefix.entries_read();
    if (!report.ok()) return report;
    expected = since;
  } else if (since > 0) {
    report.prefix_rehashed = true;
    report.prefix_entries_read = since;
  }
  auto fail = [&](uint64_t seq, const std::string& what) {
    if (report.first_problem.empty()) {
      report.first_problem = "entry " + std::to_string(seq) + ": " + what;
    }
  };

  // Checks the stored checkpoints whose size the tree has just reached.
  auto check_checkpoints = [&]() -> bool {
    while (cps->Valid()) {
      uint64_t cp_size = 0;
      if (!DecodeU64(cps->key(), &cp_size)) {
        report.first_problem = "a checkpoint is stored under a malformed key";
        return false;
      }
      if (cp_size > tree.size()) return true;
      if (cp_size < tree.size()) {
        report.first_problem = "checkpoint for size " + std::to_string(cp_size) + " was skipped";
        return false;
      }
      auto cp = ParseCheckpoint(cps->value().ToString(), authority.checkpoint_public_key(),
                                authority.ledger_name());
      if (!cp.ok()) {
        report.first_problem =
            "checkpoint at size " + std::to_string(cp_size) + ": " + cp.status().message();
        return false;
      }
      if (cp->size != cp_size) {
        report.first_problem = "checkpoint stored for size " + std::to_string(cp_size) +
                               " says size " + std::to_string(cp->size);
        return false;
      }
      if (cp->root != tree.Root()) {
        report.first_problem = "checkpoint at size " + std::to_string(cp_size) + ": signed root " +
                               Base64Encode(cp->root) +
                               " does not match the root recomputed from entries 0.." +
                               std::to_string(cp_size - 1) + " (" + Base64Encode(tree.Root()) + ")";
        return false;
      }
      ++report.checkpoints;
      last_checkpoint_size = cp_size;
      cps->Next();
    }
    return true;
  };

  for (it->Seek(EncodeU64(expected));
       it->Valid() && report.ok() && signatures.first_failure() == UINT64_MAX;
       it->Next(), ++expected) {
    uint64_t seq = 0;
    if (!DecodeU64(it->key(), &seq)) {
      fail(expected, "stored under a malformed key");
      break;
    }
    if (seq != expected) {
      fail(expected, seq > expected
                         ? "missing (the next stored entry is " + std::to_string(seq) + ")"
                         : "stored twice");
      break;
    }
    auto entry = DecodedEntry::Decode(reinterpret_cast<const uint8_t*>(it->value().data()),
                                      it->value().size());
    if (!entry.ok()) {
      fail(seq, entry.status().message());
      break;
    }
    if (entry->seq() != seq) {
      fail(seq, "its bytes say it is entry " + std::to_string(entry->seq()));
      break;
    }
    if (entry->previous_hash() != previous) {
      fail(seq, "previous-hash " + ToHex(entry->previous_hash()) + " does not link to entry " +
                    std::to_string(seq - 1) + " (" + ToHex(previous) + ")");
      break;
    }
    if (entry->recorded_at() < previous_recorded) {
      fail(seq, "recorded at " + entry->recorded_at().ToString() + ", before entry " +
                    std::to_string(seq - 1) + " (" + previous_recorded.ToString() + ")");
      break;
    }
    if (seq < since) {
      // Vouched for by the auditor's checkpoint: only replayed (the Authority is needed for what
      // follows) and hashed into the tree, whose root at `since` must be the checkpoint's.
      authority.Apply(*entry);
      previous = entry->leaf_hash();
      previous_recorded = entry->recorded_at();
      tree.Append(previous);
      if (tree.size() == since && tree.Root() != since_root) {
        report.first_problem = "the first " + std::to_string(since) +
                               " entries no longer match the checkpoint you hold: its root is " +
                               Base64Encode(since_root) + ", theirs is now " +
                               Base64Encode(tree.Root());
        break;
      }
      continue;
    }
    Status allowed = authority.Check(*entry);
    if (!allowed.ok()) {
      fail(seq, "not allowed when written: " + allowed.message());
      break;
    }
    // The signature is checked now or on a helper thread; a failure there is reported in its
    // place in ledger order after the loop.
    signatures.Add(seq, authority.AuthorKeyOf(*entry), *entry);
    // The idempotency index must point back at this entry.
    auto cid = entry->reader().getClientEventId();
    std::string indexed;
    uint64_t indexed_seq = 0;
    if (!d.db->Get(ro, index_cf, ClientIdKey(cid.begin(), cid.size()), &indexed).ok() ||
        !DecodeU64(indexed, &indexed_seq) || indexed_seq != seq) {
      fail(seq, "the client-event-id index does not point at it");
      break;
    }
    if (has_authority_index) {
      for (const IndexRow& row : AuthorityIndexRows(*entry)) {
        std::string stored;
        ++authority_rows;
        if (!d.db->Get(ro, index_cf, row.key, &stored).ok() || stored != row.value) {
          fail(seq, "the authority index does not list it");
        }
      }
      if (!report.ok()) break;
    }
    authority.Apply(*entry);
    const Hash256 leaf = entry->leaf_hash();
    tree.Append(leaf, [&](const CompactTree::NewNode& node) {
      std::string stored;
      auto gs = d.db->Get(ro, tree_cf, TreeKey(node.id.level, node.id.index), &stored);
      ++report.tree_nodes;
      if (!gs.ok() || stored.size() != 32 ||
          !std::equal(node.hash.begin(), node.hash.end(),
                      reinterpret_cast<const uint8_t*>(stored.data()))) {
        const uint64_t first = node.id.first_leaf();
        const uint64_t last = first + node.id.leaf_count() - 1;
        fail(seq, node.id.level == 0
                      ? std::string("its hash does not match the stored Merkle leaf (the entry "
                                    "bytes were changed)")
                      : "stored Merkle node " + std::to_string(node.id.level) + "/" +
                            std::to_string(node.id.index) + " over entries " +
                            std::to_string(first) + ".." + std::to_string(last) +
                            (gs.ok() ? " does not match the recomputed one" : " is missing"));
      }
    });
    if (!report.ok()) break;
    if (saved_state) {
      if (verify_options.validator) verify_options.validator->Apply(*entry);
      if (tree.size() == saved_state->entries) {
        const Status held = CheckSnapshotAgainstReplay(
            *saved_state, snapshot_where, leaf, tree.Root(), authority, verify_options.validator);
        if (!held.ok()) snapshot_problem = held.message();
        saved_state.reset();  // its states are the size of the replay's own
      }
    }
    previous = leaf;
    previous_recorded = entry->recorded_at();
    if (!check_checkpoints()) break;
  }
  // Every signature up to the first other problem has been handed over; the first failure in
  // ledger order is the one to report. (`expected` is the entry the loop stopped at.)
  signatures.Finish();
  if (signatures.first_failure() != UINT64_MAX &&
      (report.ok() || signatures.first_failure() <= expected)) {
    report.first_problem = "entry " + std::to_string(signatures.first_failure()) + ": " +
                           signatures.FailureAt(signatures.first_failure());
  }
  if (report.ok() && tree.size() < since) {
    report.first_problem = "the ledger has " + std::to_string(tree.size()) +
                           " entries, fewer than the " + std::to_string(since) +
                           " the checkpoint you hold signs (entries were removed)";
  }
  if (report.ok() && !it->status().ok()) {
    report.first_problem = "reading entry " + std::to_string(expected) + ": RocksDB reports " +
                           it->status().ToString();
  }
  if (report.ok() && !cps->status().ok()) {
    report.first_problem = "reading checkpoints: RocksDB reports " + cps->status().ToString();
  }
  if (report.ok() && cps->Valid()) {
    uint64_t cp_size = 0;
    DecodeU64(cps->key(), &cp_size);
    report.first_problem = "a checkpoint signs size " + std::to_string(cp_size) + " but only " +
                           std::to_string(tree.size()) +
                           " entries are stored (entries were removed)";
  }
  if (report.ok() && tree.size() == 0) report.first_problem = "the ledger has no entries";
  if (since > 0 && last_checkpoint_size < since) last_checkpoint_size = since;
  if (report.ok() && last_checkpoint_size != tree.size()) {
    // Every append writes a checkpoint of the new size in the same batch as its entries.
    report.first_problem = "no signed checkpoint covers entries " +
                           std::to_string(last_checkpoint_size) + ".." +
                           std::to_string(tree.size() - 1) + " (the newest signs size " +
                           std::to_string(last_checkpoint_size) + ")";
  }
  if (report.ok()) {
    std::string format;
    auto fs_status = d.db->Get(ro, d.families[0], kFormatKey, &format);
    if (!fs_status.ok() || format != kFormat) {
      report.first_problem = "the format marker is '" + format + "', not '" + kFormat + "'";
    } else if (has_index_marker && !has_authority_index) {
      report.first_problem = "the authority index marker is '" + index_marker + "', not '" +
                             kAuthorityIndexVersion + "'";
    }
  }
  // The whole-ledger scans below are left to a full verify: a second visit reads only what the
  // auditor's checkpoint does not vouch for (and the prefix's entry blocks, whose RocksDB block
  // checksums are checked as they are read).
  if (report.ok() && since == 0) {
    // Nothing may be stored beyond what the entries account for.
    const uint64_t n = tree.size();
    const uint64_t want_nodes = 2 * n - static_cast<uint64_t>(std::popcount(n));
    uint64_t nodes = 0;
    std::unique_ptr<rocksdb::Iterator> t(d.db->NewIterator(ro, tree_cf));
    for (t->SeekToFirst(); t->Valid(); t->Next()) ++nodes;
    uint64_t indexed = 0;
    uint64_t authority_indexed = 0;
    std::string unknown_row;
    std::unique_ptr<rocksdb::Iterator> x(d.db->NewIterator(ro, index_cf));
    for (x->SeekToFirst(); x->Valid(); x->Next()) {
      const char tag = x->key().empty() ? '\0' : x->key()[0];
      if (tag == 'c') {
        ++indexed;
      } else if (tag == kGovernanceTag || tag == kApplicationTag || tag == kSupersededTag) {
        ++authority_indexed;
      } else if (unknown_row.empty()) {
        unknown_row = ToHex(reinterpret_cast<const uint8_t*>(x->key().data()),
                            std::min<size_t>(x->key().size(), 9));
      }
    }
    if (nodes != want_nodes) {
      report.first_problem = "the tree holds " + std::to_string(nodes) + " nodes; " +
                             std::to_string(n) + " entries make " + std::to_string(want_nodes);
    } else if (indexed != n) {
      report.first_problem = "the client-event-id index holds " + std::to_string(indexed) +
                             " ids for " + std::to_string(n) + " entries";
    } else if (authority_indexed != authority_rows) {
      // Each entry found its own rows above; more rows than that is a row no entry accounts for.
      report.first_problem = "the authority index holds " + std::to_string(authority_indexed) +
                             " rows; the entries make " + std::to_string(authority_rows);
    } else if (!unknown_row.empty()) {
      report.first_problem =
          "the index family holds a row no entry accounts for (key " + unknown_row + "...)";
    }
  }
  if (report.ok() && since == 0) {
    // Bytes no block checksum covers (an SST footer) are covered by the whole-file checksum the
    // ledger records in the MANIFEST for each SST file.
    auto checksums = d.db->VerifyFileChecksums(ro);
    if (!checksums.ok()) {
      report.first_problem =
          "an SST file fails its checksum: RocksDB reports " + checksums.ToString();
    }
  }
  if (report.ok() && saved_state) {
    snapshot_problem = snapshot_where + " is of " + std::to_string(saved_state->entries) +
                       " entries; the ledger has " + std::to_string(tree.size()) +
                       " (deleting it is safe)";
  }
  if (report.ok() && !snapshot_problem.empty()) report.first_problem = snapshot_problem;
  report.entries = tree.size();
  report.root_hex = ToHex(tree.Root());
  return report;
}

}  // namespace fouledger
