// Private helpers shared by ledger.cc and verify.cc: the RocksDB layout (docs/storage.md).
#pragma once

#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include <cstdint>
#include <string>
#include <vector>

namespace fouledger::storage {

// Column families, in the order they are opened.
inline constexpr const char* kMetaFamily = "default";     // "format" -> kFormat
inline constexpr const char* kEntriesFamily = "entries";  // seq (u64 BE) -> Entry bytes
inline constexpr const char* kIndexFamily = "index";      // 'c' + client event id -> seq (u64 BE)
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
  return {{kMetaFamily, rocksdb::ColumnFamilyOptions()},
          {kEntriesFamily, sequential},
          {kIndexFamily, index},
          {kTreeFamily, sequential},
          {kCheckpointsFamily, sequential}};
}

// Insert hints are ignored while concurrent memtable writes are allowed (the default); the ledger
// writes from one thread at a time anyway.
inline void SetWriterOptions(rocksdb::DBOptions* options) {
  options->allow_concurrent_memtable_write = false;
}

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

inline std::string ClientIdKey(const uint8_t* id, size_t size) {
  return "c" + std::string(reinterpret_cast<const char*>(id), size);
}

}  // namespace fouledger::storage
