// Private helpers shared by ledger.cc and verify.cc: the RocksDB layout (docs/storage.md).
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/slice.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/event.h"
#include "ledger/merkle.h"
#include "ledger/status.h"

namespace fouledger::storage {

// Column families, in the order they are opened.
inline constexpr const char* kMetaFamily = "default";     // "format" -> kFormat
inline constexpr const char* kEntriesFamily = "entries";  // seq (u64 BE) -> Entry bytes
inline constexpr const char* kIndexFamily = "index";      // 'c' + client event id -> seq (u64 BE),
                                                          // and the authority index rows below
inline constexpr const char* kTreeFamily = "tree";        // level (u8) + index (u64 BE) -> hash
inline constexpr const char* kCheckpointsFamily = "checkpoints";  // size (u64 BE) -> signed note

// The column families with the options every opener uses (the ledger, verify, the benchmarks and
// the reliability tests), in the order above.
inline std::vector<rocksdb::ColumnFamilyDescriptor> FamilyDescriptors() {
  rocksdb::ColumnFamilyOptions sequential;
  // Entries, tree nodes and checkpoints are written in key order (seq, index within a level): a
  // per-prefix insert hint makes each memtable insert O(1) instead of a skip-list search, the
  // largest part of the storage path's CPU time (docs/performance.md). Prefix = the first byte
  // (the level for tree keys; 0 for every seq below 2^56). Default: no hint.
  sequential.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(1));
  rocksdb::ColumnFamilyOptions index;
  // Client-event-id lookups miss on almost every append: a Bloom filter (10 bits per key, ~1 %
  // false positives) answers most misses without reading a block. Default: no filter.
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  index.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // The same for the memtable, which a miss otherwise searches: a Bloom filter of whole keys,
  // 2 % of the write buffer (about 10 bits per key at ~60 bytes a row). Default: none.
  index.memtable_prefix_bloom_size_ratio = 0.02;
  index.memtable_whole_key_filtering = true;
  return {{kMetaFamily, rocksdb::ColumnFamilyOptions()},
          {kEntriesFamily, sequential},
          {kIndexFamily, index},
          {kTreeFamily, sequential},
          {kCheckpointsFamily, sequential}};
}

// The write-ahead log a read-only open (verify) must replay into memory before it reads anything:
// RocksDB keeps a log file until every family with data in it has flushed, and the small families
// (checkpoints, the index) flush rarely, so by default the logs grow to 4x the families' write
// buffers (1.25 GiB; 225 MB measured on a 1 000 000-entry ledger, 3 s of every verify --since).
// Past this size RocksDB flushes the families that hold the oldest log.
inline constexpr uint64_t kWriteAheadLogBytesMax = 64ull << 20;

// Insert hints are ignored while concurrent memtable writes are allowed (the default); the ledger
// writes from one thread at a time anyway.
inline void SetWriterOptions(rocksdb::DBOptions* options) {
  options->allow_concurrent_memtable_write = false;
  options->max_total_wal_size = kWriteAheadLogBytesMax;  // default 0: 4x the write buffers
}

// RocksDB counts every key comparison, lookup and write in a thread-local perf context unless told
// not to (its default level counts). Nothing here reads those counts, and from the shared library
// each count is a thread-local lookup (__tls_get_addr) inside every skip-list comparison: with them
// off, the storage path alone ran +1 %, +10 %, +14 %, +32 % in four alternated runs (`ledger_bench
// storage 100000`, 2026-11-30). Scoped to the calling thread; its own level comes back after.
class PerfCountsOff {
 public:
  PerfCountsOff() : before_(rocksdb::GetPerfLevel()) {
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
  }
  ~PerfCountsOff() { rocksdb::SetPerfLevel(before_); }
  PerfCountsOff(const PerfCountsOff&) = delete;
  PerfCountsOff& operator=(const PerfCountsOff&) = delete;

 private:
  rocksdb::PerfLevel before_;
};

inline constexpr const char* kFormatKey = "format";
inline constexpr const char* kFormat = "fouledger-ledger-1";
inline constexpr const char* kDbDirectory = "db";
inline constexpr const char* kCheckpointKeyFile = "checkpoint.key";

inline std::string EncodeU64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i) {
    s[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return s;
}

inline bool DecodeU64(const rocksdb::Slice& s, uint64_t* v) {
  if (s.size() != 8) return false;
  uint64_t out = 0;
  for (size_t i = 0; i < 8; ++i) out = out << 8 | static_cast<uint8_t>(s[i]);
  *v = out;
  return true;
}

inline std::string TreeKey(uint8_t level, uint64_t index) {
  return std::string(1, static_cast<char>(level)) + EncodeU64(index);
}

inline Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  if (s.IsNotFound()) return Status::NotFound(what);
  if (s.IsCorruption()) return Status::Corruption(what + ": RocksDB: " + s.ToString());
  return Status::IOError(what + ": RocksDB: " + s.ToString());
}

inline Hash256 ToHash(const rocksdb::Slice& s) {
  Hash256 h{};
  std::copy(s.data(), s.data() + std::min(s.size(), h.size()), h.begin());
  return h;
}

// Reads the stored perfect subtrees of the first `limit` leaves (roots and proofs in O(log n)
// reads, merkle.h). `db` and `tree` must outlive the reader.
inline SubtreeReader StoredTreeReader(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* tree,
                                      const rocksdb::ReadOptions& ro, uint64_t limit) {
  return [db, tree, ro, limit](SubtreeId id) -> Result<Hash256> {
    if (id.first_leaf() + id.leaf_count() > limit) {
      return Status::NotFound("subtree beyond the ledger's size");
    }
    std::string value;
    auto s = db->Get(ro, tree, TreeKey(id.level, id.index), &value);
    if (s.ok() && value.size() == 32) return ToHash(value);
    const std::string where =
        "tree node " + std::to_string(id.level) + "/" + std::to_string(id.index);
    if (!s.ok()) return FromRocks(s, where);
    return Status::Corruption(where + " is not 32 bytes");
  };
}

inline std::string ClientIdKey(const uint8_t* id, size_t size) {
  return "c" + std::string(reinterpret_cast<const char*>(id), size);
}

// The authority index: rows in the index family through which a verifier that starts after an
// auditor's checkpoint (verify --since) finds the earlier entries the Authority needs, instead of
// replaying them all (docs/storage.md). Written with each entry, in the same batch; the meta key
// below says the rows are complete (a ledger from before them gets them at its next Open).
//   'g' seq                        -> ""   the genesis, key and unit entries
//   'a' u32 BE length, id, seq     -> ""   every application entry (and its corrections) of id
//   's' target seq                 -> seq  the correction or void that superseded target
inline constexpr const char* kAuthorityIndexKey = "authority-index";
inline constexpr const char* kAuthorityIndexVersion = "1";
inline constexpr char kGovernanceTag = 'g';
inline constexpr char kApplicationTag = 'a';
inline constexpr char kSupersededTag = 's';

inline std::string GovernanceKey(uint64_t seq) { return kGovernanceTag + EncodeU64(seq); }
inline std::string ApplicationKeyPrefix(const std::string& application_id) {
  // The length first, so no id's rows fall under another id's prefix. Ids are at most
  // kIdBytesMax bytes (event.h), so four bytes of length are plenty.
  static_assert(kIdBytesMax <= UINT32_MAX);
  return kApplicationTag + EncodeU64(application_id.size()).substr(4) + application_id;
}
inline std::string SupersededKey(uint64_t target) { return kSupersededTag + EncodeU64(target); }

struct IndexRow {
  std::string key;
  std::string value;
};

// The authority index rows of `entry`: none for most entries, one for a key, unit or application
// entry, one more when it corrects or voids another.
inline std::vector<IndexRow> AuthorityIndexRows(const DecodedEntry& entry) {
  std::vector<IndexRow> rows;
  const auto event = entry.reader();
  switch (entry.kind()) {
    case schema::Event::Body::GENESIS:
    case schema::Event::Body::KEY_ENROLL:
    case schema::Event::Body::KEY_REVOKE:
    case schema::Event::Body::UNIT_ADD:
      rows.push_back({GovernanceKey(entry.seq()), ""});
      break;
    case schema::Event::Body::APPLY:
      rows.push_back({ApplicationKeyPrefix(event.getBody().getApply().getApplicationId()) +
                          EncodeU64(entry.seq()),
                      ""});
      break;
    case schema::Event::Body::VOID_ENTRY:
      rows.push_back(
          {SupersededKey(event.getBody().getVoidEntry().getSeq()), EncodeU64(entry.seq())});
      break;
    default:
      break;
  }
  if (event.getCorrection().isReplaces()) {
    rows.push_back(
        {SupersededKey(event.getCorrection().getReplaces().getSeq()), EncodeU64(entry.seq())});
  }
  return rows;
}

}  // namespace fouledger::storage
