// Helpers for reliability tests: direct access to a ledger's RocksDB and files, as an attacker
// with disk access would have, and the run mode (short in CI, long with FOULEDGER_LONG=1).
#pragma once

#include <rocksdb/db.h>

#include <memory>
#include <string>
#include <vector>

namespace fouledger::reliability {

// True when FOULEDGER_LONG=1: the long mode documented in docs/reliability.md.
bool LongMode();

std::string BigEndian(uint64_t v);

// A writable handle on the ledger's RocksDB (the ledger must be closed).
class RawDb {
 public:
  explicit RawDb(const std::string& ledger_path);
  ~RawDb();
  enum Family { kMeta = 0, kEntries, kIndex, kTree, kCheckpoints, kFamilyCount };
  rocksdb::ColumnFamilyHandle* family(Family f) { return handles_[f]; }
  std::string Get(Family f, const std::string& key);
  void Put(Family f, const std::string& key, const std::string& value);
  void Delete(Family f, const std::string& key);
  // Every key of a family, in order.
  std::vector<std::string> Keys(Family f);
  // Flushes every memtable to SST files and compacts, so the bytes live in SST files.
  void FlushAndCompact();

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

}  // namespace fouledger::reliability
