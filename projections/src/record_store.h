// Private to projections/: the Engine's Records in seq order, at addresses that never change (the
// fold and the year indexes keep pointers to them).
//
// A std::deque<Record> did the same with one allocation per Record (a Record is larger than half
// of the deque's 512-byte node), and a million-record load spent a quarter of its time in malloc
// and in page faults. Here Records are placed in chunks of kChunkBytes; every chunk after the
// first comes with its pages in place (populated.h says why that matters).
//
//   RecordStore records;
//   Record& r = records.Add(std::move(record));   // r stays where it is until the store dies
//   const Record& first = records[0];
#pragma once

#include <cstddef>
#include <vector>

#include "projections/record.h"

namespace fouledger::projections::internal {

class RecordStore {
 public:
  static constexpr size_t kChunkBytes = size_t{2} << 20;
  static constexpr size_t kPerChunk = kChunkBytes / sizeof(Record);
  static_assert(kPerChunk >= 1024, "a Record grew past what a chunk should hold");

  RecordStore() = default;
  RecordStore(const RecordStore&) = delete;
  RecordStore& operator=(const RecordStore&) = delete;
  ~RecordStore();

  // Moves `r` to the end and returns where it now lives.
  Record& Add(Record&& r);

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const Record& operator[](size_t i) const { return chunks_[i / kPerChunk][i % kPerChunk]; }
  Record& operator[](size_t i) { return chunks_[i / kPerChunk][i % kPerChunk]; }
  const Record& back() const { return (*this)[size_ - 1]; }

 private:
  std::vector<Record*> chunks_;  // each kChunkBytes; the last one part-filled
  size_t size_ = 0;
};

}  // namespace fouledger::projections::internal
