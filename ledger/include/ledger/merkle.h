// The Merkle tree over the ledger's entries, exactly as RFC 9162 section 2.1:
//   leaf hash  = SHA-256(0x00 || entry bytes)
//   node hash  = SHA-256(0x01 || left || right)
//   empty tree = SHA-256("")
// The tree of n leaves splits at k, the largest power of two smaller than n.
//
// The store keeps the hash of every perfect subtree (2^level leaves starting at index*2^level);
// roots and proofs of any size are computed from those in O(log n) reads. CompactTree is the
// in-memory form used while appending and verifying: the roots of the perfect subtrees that make
// up the current size.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/status.h"

namespace fouledger {

Hash256 LeafHash(const uint8_t* data, size_t size);
inline Hash256 LeafHash(ByteView b) { return LeafHash(b.data(), b.size()); }
Hash256 NodeHash(const Hash256& left, const Hash256& right);
Hash256 EmptyTreeHash();

// A perfect subtree: 2^level leaves starting at leaf index << level.
struct SubtreeId {
  uint8_t level = 0;
  uint64_t index = 0;
  uint64_t first_leaf() const { return index << level; }
  uint64_t leaf_count() const { return uint64_t{1} << level; }
};

// Reads the hash of a perfect subtree that lies wholly inside the current tree.
using SubtreeReader = std::function<Result<Hash256>(SubtreeId)>;

// The root of the first `size` leaves.
Result<Hash256> RootAt(const SubtreeReader& read, uint64_t size);
// RFC 9162 2.1.3.1: the audit path of leaf `index` in the tree of `size` leaves.
Result<std::vector<Hash256>> InclusionProof(const SubtreeReader& read, uint64_t index,
                                            uint64_t size);
// RFC 9162 2.1.4.1: proof that the tree of size2 extends the tree of size1 (0 < size1 <= size2).
Result<std::vector<Hash256>> ConsistencyProof(const SubtreeReader& read, uint64_t size1,
                                              uint64_t size2);

// RFC 9162 2.1.3.2. Ok when `proof` proves leaf `leaf_hash` at `index` in the tree of `size`
// with root `root`; Corruption naming what does not hold otherwise.
Status VerifyInclusion(const Hash256& leaf_hash, uint64_t index, uint64_t size,
                       const std::vector<Hash256>& proof, const Hash256& root);
// RFC 9162 2.1.4.2.
Status VerifyConsistency(uint64_t size1, uint64_t size2, const std::vector<Hash256>& proof,
                         const Hash256& root1, const Hash256& root2);

// The frontier of an append-only tree: one root per set bit of size, largest first.
class CompactTree {
 public:
  struct NewNode {
    SubtreeId id;
    Hash256 hash;
  };
  // Adds a leaf. Calls `on_node` for the leaf itself and for every perfect subtree the leaf
  // completes, so a store can persist them.
  void Append(const Hash256& leaf_hash, const std::function<void(const NewNode&)>& on_node = {});
  uint64_t size() const { return size_; }
  Hash256 Root() const;
  // Rebuilds the frontier of a tree of `size` leaves from stored perfect subtrees.
  static Result<CompactTree> Load(const SubtreeReader& read, uint64_t size);

 private:
  uint64_t size_ = 0;
  std::vector<NewNode> frontier_;  // largest subtree first
};

}  // namespace fouledger
