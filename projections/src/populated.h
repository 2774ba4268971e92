// Private to projections/: memory for the Engine's large arrays, mapped with its pages already in
// place (mmap with MAP_POPULATE).
//
// Why: loading a million records from a snapshot writes about 400 MB the process has never
// touched, and taking each 4 KiB page by a fault cost as much as the load's own work (perf: 153 000
// faults, 0.45 s of system time in a 1.2 s load). The kernel fills a populated mapping in one call.
// The pages still have to be zeroed, so the fix for the rest is to need fewer of them.
//
//   std::vector<Compact, PopulatedAllocator<Compact>> compact;
//   compact.reserve(n);   // n * sizeof(Compact) bytes, in place before the first write
#pragma once

#include <cstddef>
#include <memory>

namespace fouledger::projections::internal {

// Allocations from this size up are mapped and populated; smaller ones come from malloc, so that
// a small ledger's Engine does not hold whole mappings.
inline constexpr size_t kPopulatedBytesMin = size_t{1} << 20;

// `bytes` of zeroed, writable memory, its pages in place when `populate` (else each faulted in at
// its first write, as malloc's); throws std::bad_alloc.
void* MapPages(size_t bytes, bool populate);
void UnmapPages(void* p, size_t bytes);

// A std::allocator that maps and populates large blocks (kPopulatedBytesMin and up).
template <typename T>
struct PopulatedAllocator {
  using value_type = T;
  PopulatedAllocator() = default;
  template <typename U>
  PopulatedAllocator(const PopulatedAllocator<U>&) {}  // NOLINT: rebinding, as std::allocator

  T* allocate(size_t n) {
    if (n * sizeof(T) >= kPopulatedBytesMin) return static_cast<T*>(MapPages(n * sizeof(T), true));
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, size_t n) {
    if (n * sizeof(T) >= kPopulatedBytesMin) return UnmapPages(p, n * sizeof(T));
    std::allocator<T>().deallocate(p, n);
  }
  template <typename U>
  bool operator==(const PopulatedAllocator<U>&) const {
    return true;
  }
};

}  // namespace fouledger::projections::internal
