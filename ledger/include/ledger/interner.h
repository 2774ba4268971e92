// Interner: gives strings dense indices 0, 1, 2, ... in the order they are first seen, and finds
// them again by string.
//
// For the ids a ledger holds by the hundred thousand (application ids), which the Authority and
// the projections refer to by index. The strings are kept once, in index order, with a flat
// table of indices beside them, instead of a hash node per id: building two
// std::unordered_map<std::string, uint32_t> of 333 000 ids each took a tenth of a million-entry
// snapshot load (a node allocation and two cache misses an id). Not thread-safe.
//
//   Interner apps;
//   apps.Intern("2021-LUM-01");          // 0, new
//   apps.Intern("2021-LUM-01");          // 0 again
//   apps.Find("2021-LUM-02");            // Interner::kNotFound
//   apps[0];                             // "2021-LUM-01"
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fouledger {

class Interner {
 public:
  static constexpr uint32_t kNotFound = UINT32_MAX;
  // Indices are uint32_t, and kNotFound is not one of them.
  static constexpr size_t kIdsMax = size_t{UINT32_MAX} - 1;

  // The index of `id`, given the next one if it is new.
  uint32_t Intern(std::string_view id);
  // The index of `id`, or kNotFound.
  uint32_t Find(std::string_view id) const;
  // Replaces the contents by `ids`, each given its position as index. False, and empty, if an id
  // appears twice (a saved table that no run of Intern could have made).
  bool Assign(std::vector<std::string> ids);

  size_t size() const { return ids_.size(); }
  const std::string& operator[](uint32_t index) const { return ids_[index]; }
  // Every id, by index.
  const std::vector<std::string>& ids() const { return ids_; }

 private:
  // A slot holds the id's index in its low half and the high half of its hash in the other, so
  // that a probe compares strings only when the hashes agree; 0 is an empty slot (index + 1 is
  // stored).
  static uint64_t SlotValue(uint32_t index, uint64_t hash) {
    return (hash & 0xffffffff00000000u) | (uint64_t{index} + 1);
  }
  // The slot where `id` is, or the empty one where it would go.
  size_t Probe(std::string_view id, uint64_t hash) const;
  // Sizes the table for `n` ids, at most half full, and puts every id of ids_ in it. False if an
  // id appears twice.
  bool Rebuild(size_t n);

  std::vector<std::string> ids_;
  std::vector<uint64_t> slots_;  // a power of two long, or empty
};

}  // namespace fouledger
