#include "ledger/verify.h"

#include <rocksdb/db.h>

#include <bit>
#include <filesystem>

#include "keys.h"
#include "ledger/authority.h"
#include "ledger/checkpoint.h"
#include "ledger/event.h"
#include "ledger/merkle.h"

namespace fouledger {
namespace {

using namespace storage;
namespace fs = std::filesystem;

struct Db {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> families;
  ~Db() {
    for (auto* h : families) db->DestroyColumnFamilyHandle(h);
  }
};

}  // namespace

Result<VerifyReport> VerifyLedger(const std::string& path) {
  const fs::path db_path = fs::path(path) / kDbDirectory;
  if (!fs::exists(db_path)) return Status::NotFound("no ledger in " + path);
  Db d;
  rocksdb::DBOptions options;
  options.paranoid_checks = true;
  rocksdb::ColumnFamilyOptions cf;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = {{kMetaFamily, cf},
                                                              {kEntriesFamily, cf},
                                                              {kIndexFamily, cf},
                                                              {kTreeFamily, cf},
                                                              {kCheckpointsFamily, cf}};
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::OpenForReadOnly(options, db_path.string(), descriptors, &d.families, &raw);
  VerifyReport report;
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
  ro.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(d.db->NewIterator(ro, entries_cf));
  std::unique_ptr<rocksdb::Iterator> cps(d.db->NewIterator(ro, checkpoints_cf));
  cps->SeekToFirst();

  Authority authority;
  CompactTree tree;
  Hash256 previous{};
  Instant previous_recorded;
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
      cps->Next();
    }
    return true;
  };

  uint64_t expected = 0;
  for (it->SeekToFirst(); it->Valid() && report.ok(); it->Next(), ++expected) {
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
    Status allowed = authority.Check(*entry);
    if (!allowed.ok()) {
      fail(seq, "not allowed when written: " + allowed.message());
      break;
    }
    const PublicKeyBytes author = authority.AuthorKeyOf(*entry);
    const Bytes& event_bytes = entry->event().bytes();
    if (!VerifySignature(author, event_bytes.data(), event_bytes.size(), entry->signature().data(),
                         entry->signature().size())) {
      fail(seq, "author signature does not verify with key " + ToHex(KeyIdOf(author).data(), 8));
      break;
    }
    // The idempotency index must point back at this entry.
    auto cid = entry->reader().getClientEventId();
    std::string indexed;
    uint64_t indexed_seq = 0;
    if (!d.db->Get(ro, index_cf, ClientIdKey(cid.begin(), cid.size()), &indexed).ok() ||
        !DecodeU64(indexed, &indexed_seq) || indexed_seq != seq) {
      fail(seq, "the client-event-id index does not point at it");
      break;
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
    previous = leaf;
    previous_recorded = entry->recorded_at();
    if (!check_checkpoints()) break;
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
  if (report.ok()) {
    // Nothing may be stored beyond what the entries account for.
    const uint64_t n = tree.size();
    const uint64_t want_nodes = 2 * n - static_cast<uint64_t>(std::popcount(n));
    uint64_t nodes = 0;
    std::unique_ptr<rocksdb::Iterator> t(d.db->NewIterator(ro, tree_cf));
    for (t->SeekToFirst(); t->Valid(); t->Next()) ++nodes;
    uint64_t indexed = 0;
    std::unique_ptr<rocksdb::Iterator> x(d.db->NewIterator(ro, index_cf));
    for (x->SeekToFirst(); x->Valid(); x->Next()) ++indexed;
    if (nodes != want_nodes) {
      report.first_problem = "the tree holds " + std::to_string(nodes) + " nodes; " +
                             std::to_string(n) + " entries make " + std::to_string(want_nodes);
    } else if (indexed != n) {
      report.first_problem = "the client-event-id index holds " + std::to_string(indexed) +
                             " ids for " + std::to_string(n) + " entries";
    }
  }
  report.entries = tree.size();
  report.root_hex = ToHex(tree.Root());
  it.reset();
  cps.reset();
  d.db->ReleaseSnapshot(snapshot);
  return report;
}

}  // namespace fouledger
