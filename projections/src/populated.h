// Private to projections/: memory for the Engine's large arrays with its pages put in place at
// allocation (madvise MADV_POPULATE_WRITE) instead of one fault at a time as they are first
// written.
//
// Why: loading a million records from a snapshot writes about 400 MB the process has never
// touched, and taking each 4 KiB page by a fault cost as much as the load's own work (perf: 153 000
// faults, 0.45 s of system time in a 1.2 s load). The kernel puts a whole range in place in one
// call. The pages still have to be zeroed, so the fix for the rest is to need fewer of them.
//
// The memory comes from operator new, not from a mapping of our own: the leak checker of the
// sanitizer build scans heap blocks for pointers, and strings owned by Records in a private
// mapping looked leaked to it. Where the kernel refuses the advice (before Linux 5.14, or pages
// larger than 4 KiB), the pages come by fault as usual.
//
//   std::vector<Compact, PopulatedAllocator<Compact>> compact;
//   compact.reserve(n);   // n * sizeof(Compact) bytes, in place before the first write
#pragma once

#include <cstddef>
#include <memory>

namespace fouledger::projections::internal {

// Blocks from this size up are populated; smaller ones are left to fault, so that a small
// ledger's Engine holds only the pages it writes.
inline constexpr size_t kPopulatedBytesMin = size_t{1} << 20;

// `bytes` of writable memory aligned to 4 KiB, its pages in place when `populate`; throws
// std::bad_alloc. Free with FreePages.
void* AllocatePages(size_t bytes, bool populate);
void FreePages(void* p);

// A std::allocator whose large blocks (kPopulatedBytesMin and up) come populated.
template <typename T>
struct PopulatedAllocator {
  using value_type = T;
  PopulatedAllocator() = default;
  template <typename U>
  PopulatedAllocator(const PopulatedAllocator<U>&) {}  // NOLINT: rebinding, as std::allocator

  T* allocate(size_t n) {
    if (n * sizeof(T) >= kPopulatedBytesMin) {
      return static_cast<T*>(AllocatePages(n * sizeof(T), /*populate=*/true));
    }
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, size_t n) {
    if (n * sizeof(T) >= kPopulatedBytesMin) return FreePages(p);
    std::allocator<T>().deallocate(p, n);
  }
  template <typename U>
  bool operator==(const PopulatedAllocator<U>&) const {
    return true;
  }
};

}  // namespace fouledger::projections::internal
