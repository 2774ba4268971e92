#include "populated.h"

#include <sys/mman.h>

#include <new>

namespace fouledger::projections::internal {
namespace {

constexpr size_t kPageBytes = 4096;

}  // namespace

void* AllocatePages(size_t bytes, bool populate) {
  void* p = ::operator new (bytes, std::align_val_t{kPageBytes});
  // Whole pages inside the block only; advice, so a refusal changes nothing but the speed.
  const size_t whole_pages = bytes / kPageBytes * kPageBytes;
  if (populate && whole_pages > 0) (void)madvise(p, whole_pages, MADV_POPULATE_WRITE);
  return p;
}

void FreePages(void* p) { ::operator delete (p, std::align_val_t{kPageBytes}); }

}  // namespace fouledger::projections::internal
