#include "raw_db.h"

#include <gtest/gtest.h>
#include <rocksdb/file_checksum.h>

#include <cstdlib>
#include <cstring>

namespace fouledger::reliability {

bool LongMode() {
  const char* v = std::getenv("FOULEDGER_LONG");
  return v != nullptr && std::strcmp(v, "1") == 0;
}

std::string BigEndian(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) s[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
  return s;
}

RawDb::RawDb(const std::string& ledger_path) {
  rocksdb::ColumnFamilyOptions cf;
  std::vector<rocksdb::ColumnFamilyDescriptor> d = {
      {"default", cf}, {"entries", cf}, {"index", cf}, {"tree", cf}, {"checkpoints", cf}};
  rocksdb::DBOptions options;
  // As the ledger opens it (ledger.cc): SST files written by a flush here carry whole-file
  // checksums, as they would had the ledger itself flushed.
  options.file_checksum_gen_factory = rocksdb::GetFileChecksumGenCrc32cFactory();
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(options, ledger_path + "/db", d, &handles_, &raw);
  EXPECT_TRUE(s.ok()) << s.ToString();
  db_.reset(raw);
}

RawDb::~RawDb() {
  if (!db_) return;
  for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
}

std::string RawDb::Get(Family f, const std::string& key) {
  std::string v;
  EXPECT_TRUE(db_->Get(rocksdb::ReadOptions(), family(f), key, &v).ok());
  return v;
}

void RawDb::Put(Family f, const std::string& key, const std::string& value) {
  EXPECT_TRUE(db_->Put(rocksdb::WriteOptions(), family(f), key, value).ok());
}

void RawDb::Delete(Family f, const std::string& key) {
  EXPECT_TRUE(db_->Delete(rocksdb::WriteOptions(), family(f), key).ok());
}

std::vector<std::string> RawDb::Keys(Family f) {
  std::vector<std::string> keys;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), family(f)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) keys.push_back(it->key().ToString());
  EXPECT_TRUE(it->status().ok());
  return keys;
}

void RawDb::FlushAndCompact() {
  rocksdb::FlushOptions fo;
  fo.wait = true;
  EXPECT_TRUE(db_->Flush(fo, handles_).ok());
  for (auto* h : handles_) {
    EXPECT_TRUE(db_->CompactRange(rocksdb::CompactRangeOptions(), h, nullptr, nullptr).ok());
  }
}

}  // namespace fouledger::reliability
