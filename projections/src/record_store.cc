#include "record_store.h"

#include <cassert>
#include <memory>
#include <utility>

#include "populated.h"

namespace fouledger::projections::internal {

RecordStore::~RecordStore() {
  for (size_t i = 0; i < size_; ++i) std::destroy_at(&(*this)[i]);
  for (Record* chunk : chunks_) FreePages(chunk);
}

Record& RecordStore::Add(Record&& r) {
  if (size_ == chunks_.size() * kPerChunk) {
    chunks_.reserve(chunks_.size() + 1);  // so that the push below cannot throw and leak it
    // The first chunk's pages come as they are written, so that a small ledger holds only what
    // it uses; a ledger that fills one chunk will likely fill the next.
    chunks_.push_back(
        static_cast<Record*>(AllocatePages(kChunkBytes, /*populate=*/!chunks_.empty())));
  }
  Record* slot = &chunks_[size_ / kPerChunk][size_ % kPerChunk];
  std::construct_at(slot, std::move(r));
  ++size_;
  assert(&(*this)[size_ - 1] == slot);
  return *slot;
}

}  // namespace fouledger::projections::internal
