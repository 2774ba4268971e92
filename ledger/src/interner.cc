#include "ledger/interner.h"

#include <bit>
#include <cassert>
#include <functional>
#include <utility>

namespace fouledger {
namespace {

uint64_t HashOf(std::string_view id) { return std::hash<std::string_view>()(id); }

}  // namespace

size_t Interner::Probe(std::string_view id, uint64_t hash) const {
  assert(!slots_.empty() && std::has_single_bit(slots_.size()));
  const size_t mask = slots_.size() - 1;
  const uint64_t tag = hash & 0xffffffff00000000u;
  // Linear probing: the table is at most half full, so a probe ends after about two slots.
  for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
    const uint64_t v = slots_[slot];
    if (v == 0) return slot;
    if ((v & 0xffffffff00000000u) == tag && ids_[(v & 0xffffffffu) - 1] == id) return slot;
  }
}

bool Interner::Rebuild(size_t n) {
  slots_.assign(std::bit_ceil(std::max<size_t>(16, 2 * n)), 0);
  for (size_t i = 0; i < ids_.size(); ++i) {
    const uint64_t hash = HashOf(ids_[i]);
    const size_t slot = Probe(ids_[i], hash);
    if (slots_[slot] != 0) return false;  // the same id earlier in ids_
    slots_[slot] = SlotValue(static_cast<uint32_t>(i), hash);
  }
  return true;
}

uint32_t Interner::Find(std::string_view id) const {
  if (slots_.empty()) return kNotFound;
  const uint64_t v = slots_[Probe(id, HashOf(id))];
  return v == 0 ? kNotFound : static_cast<uint32_t>((v & 0xffffffffu) - 1);
}

uint32_t Interner::Intern(std::string_view id) {
  if (2 * (ids_.size() + 1) > slots_.size()) {
    [[maybe_unused]] const bool unique = Rebuild(ids_.size() + 1);
    assert(unique && "Intern adds only new ids");
  }
  const uint64_t hash = HashOf(id);
  const size_t slot = Probe(id, hash);
  if (slots_[slot] != 0) return static_cast<uint32_t>((slots_[slot] & 0xffffffffu) - 1);
  assert(ids_.size() < kIdsMax && "more ids than a uint32_t index can name");
  const auto index = static_cast<uint32_t>(ids_.size());
  ids_.emplace_back(id);
  slots_[slot] = SlotValue(index, hash);
  return index;
}

bool Interner::Assign(std::vector<std::string> ids) {
  assert(ids.size() <= kIdsMax && "more ids than a uint32_t index can name");
  ids_ = std::move(ids);
  if (Rebuild(ids_.size())) return true;
  ids_.clear();
  slots_.clear();
  return false;
}

}  // namespace fouledger
