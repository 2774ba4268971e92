#include "populated.h"

#include <sys/mman.h>

#include <new>

namespace fouledger::projections::internal {

void* MapPages(size_t bytes, bool populate) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | (populate ? MAP_POPULATE : 0), -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  return p;
}

void UnmapPages(void* p, size_t bytes) { munmap(p, bytes); }

}  // namespace fouledger::projections::internal
