#include "ledger/merkle.h"

#include <bit>
#include <string>

namespace fouledger {
namespace {

// The largest power of two strictly smaller than n (n >= 2): RFC 9162's split point k.
uint64_t SplitPoint(uint64_t n) {
  assert(n >= 2);
  return std::bit_floor(n - 1);
}

bool IsPowerOfTwo(uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }

// MTH(D[start : start + n]) for n >= 1, from perfect subtrees.
Result<Hash256> SubtreeHash(const SubtreeReader& read, uint64_t start, uint64_t n) {
  assert(n >= 1);
  if (IsPowerOfTwo(n)) {
    const auto level = static_cast<uint8_t>(std::countr_zero(n));
    assert(start % n == 0 && "perfect subtrees in an RFC 9162 tree are aligned");
    return read(SubtreeId{level, start >> level});
  }
  const uint64_t k = SplitPoint(n);
  auto left = SubtreeHash(read, start, k);
  if (!left.ok()) return left;
  auto right = SubtreeHash(read, start + k, n - k);
  if (!right.ok()) return right;
  return NodeHash(*left, *right);
}

// PATH(m, D[start : start + n]), RFC 9162 2.1.3.1, appended to `out` leaf-side first.
Status Path(const SubtreeReader& read, uint64_t m, uint64_t start, uint64_t n,
            std::vector<Hash256>* out) {
  if (n == 1) return Status::Ok();
  const uint64_t k = SplitPoint(n);
  if (m < k) {
    FOULEDGER_RETURN_IF_ERROR(Path(read, m, start, k, out));
    auto h = SubtreeHash(read, start + k, n - k);
    if (!h.ok()) return h.status();
    out->push_back(*h);
  } else {
    FOULEDGER_RETURN_IF_ERROR(Path(read, m - k, start + k, n - k, out));
    auto h = SubtreeHash(read, start, k);
    if (!h.ok()) return h.status();
    out->push_back(*h);
  }
  return Status::Ok();
}

// SUBPROOF(m, D[start : start + n], b), RFC 9162 2.1.4.1.
Status Subproof(const SubtreeReader& read, uint64_t m, uint64_t start, uint64_t n,
                bool whole_old_tree, std::vector<Hash256>* out) {
  if (m == n) {
    if (!whole_old_tree) {
      auto h = SubtreeHash(read, start, n);
      if (!h.ok()) return h.status();
      out->push_back(*h);
    }
    return Status::Ok();
  }
  const uint64_t k = SplitPoint(n);
  if (m <= k) {
    FOULEDGER_RETURN_IF_ERROR(Subproof(read, m, start, k, whole_old_tree, out));
    auto h = SubtreeHash(read, start + k, n - k);
    if (!h.ok()) return h.status();
    out->push_back(*h);
  } else {
    FOULEDGER_RETURN_IF_ERROR(Subproof(read, m - k, start + k, n - k, false, out));
    auto h = SubtreeHash(read, start, k);
    if (!h.ok()) return h.status();
    out->push_back(*h);
  }
  return Status::Ok();
}

std::string HashMismatch(const char* what, const Hash256& got, const Hash256& want) {
  return std::string(what) + " " + Base64Encode(got) + " does not match " + Base64Encode(want);
}

}  // namespace

Hash256 LeafHash(const uint8_t* data, size_t size) {
  static constexpr uint8_t kLeafPrefix = 0x00;
  return Sha256({ByteView(&kLeafPrefix, 1), ByteView(data, size)});
}

Hash256 NodeHash(const Hash256& left, const Hash256& right) {
  uint8_t buf[1 + 32 + 32];
  buf[0] = 0x01;
  std::copy(left.begin(), left.end(), buf + 1);
  std::copy(right.begin(), right.end(), buf + 33);
  return Sha256(buf, sizeof buf);
}

Hash256 EmptyTreeHash() { return Sha256("", 0); }

Result<Hash256> RootAt(const SubtreeReader& read, uint64_t size) {
  if (size == 0) return EmptyTreeHash();
  return SubtreeHash(read, 0, size);
}

Result<std::vector<Hash256>> InclusionProof(const SubtreeReader& read, uint64_t index,
                                            uint64_t size) {
  if (index >= size) {
    return Status::InvalidArgument("leaf " + std::to_string(index) + " is not in a tree of " +
                                   std::to_string(size) + " entries");
  }
  std::vector<Hash256> proof;
  FOULEDGER_RETURN_IF_ERROR(Path(read, index, 0, size, &proof));
  return proof;
}

Result<std::vector<Hash256>> ConsistencyProof(const SubtreeReader& read, uint64_t size1,
                                              uint64_t size2) {
  if (size1 == 0 || size1 > size2) {
    return Status::InvalidArgument("no consistency proof from size " + std::to_string(size1) +
                                   " to size " + std::to_string(size2) +
                                   " (need 0 < size1 <= size2)");
  }
  std::vector<Hash256> proof;
  FOULEDGER_RETURN_IF_ERROR(Subproof(read, size1, 0, size2, true, &proof));
  return proof;
}

Status VerifyInclusion(const Hash256& leaf_hash, uint64_t index, uint64_t size,
                       const std::vector<Hash256>& proof, const Hash256& root) {
  if (index >= size) {
    return Status::Corruption("leaf index " + std::to_string(index) + " is outside tree size " +
                              std::to_string(size));
  }
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Hash256 r = leaf_hash;
  for (const Hash256& p : proof) {
    if (sn == 0) return Status::Corruption("inclusion proof is longer than the tree is deep");
    if ((fn & 1) == 1 || fn == sn) {
      r = NodeHash(p, r);
      if ((fn & 1) == 0) {
        do {
          fn >>= 1;
          sn >>= 1;
        } while ((fn & 1) == 0 && fn != 0);
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::Corruption("inclusion proof is shorter than the tree is deep");
  if (r != root) return Status::Corruption(HashMismatch("computed root", r, root));
  return Status::Ok();
}

Status VerifyConsistency(uint64_t size1, uint64_t size2, const std::vector<Hash256>& proof,
                         const Hash256& root1, const Hash256& root2) {
  if (size1 > size2) {
    return Status::Corruption("size1 " + std::to_string(size1) + " is larger than size2 " +
                              std::to_string(size2));
  }
  if (size1 == size2) {
    if (!proof.empty()) return Status::Corruption("proof must be empty for equal sizes");
    if (root1 != root2) return Status::Corruption(HashMismatch("root1", root1, root2));
    return Status::Ok();
  }
  if (size1 == 0) {
    // Every tree extends the empty tree; a non-empty proof is malformed.
    if (!proof.empty()) return Status::Corruption("proof must be empty from size 0");
    return Status::Ok();
  }
  if (proof.empty()) return Status::Corruption("consistency proof is empty");
  std::vector<Hash256> path;
  path.reserve(proof.size() + 1);
  if (IsPowerOfTwo(size1)) path.push_back(root1);
  path.insert(path.end(), proof.begin(), proof.end());

  uint64_t fn = size1 - 1;
  uint64_t sn = size2 - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash256 fr = path[0];
  Hash256 sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash256& c = path[i];
    if (sn == 0) return Status::Corruption("consistency proof is longer than needed");
    if ((fn & 1) == 1 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      if ((fn & 1) == 0) {
        do {
          fn >>= 1;
          sn >>= 1;
        } while ((fn & 1) == 0 && fn != 0);
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::Corruption("consistency proof is shorter than needed");
  if (fr != root1) return Status::Corruption(HashMismatch("computed root1", fr, root1));
  if (sr != root2) return Status::Corruption(HashMismatch("computed root2", sr, root2));
  return Status::Ok();
}

void CompactTree::Append(const Hash256& leaf_hash,
                         const std::function<void(const NewNode&)>& on_node) {
  NewNode node{SubtreeId{0, size_}, leaf_hash};
  if (on_node) on_node(node);
  // Merge equal-sized subtrees from the right, like a binary counter carrying.
  while (!frontier_.empty() && frontier_.back().id.level == node.id.level) {
    const NewNode& left = frontier_.back();
    node = NewNode{SubtreeId{static_cast<uint8_t>(node.id.level + 1), left.id.index >> 1},
                   NodeHash(left.hash, node.hash)};
    frontier_.pop_back();
    if (on_node) on_node(node);
  }
  frontier_.push_back(node);
  ++size_;
  assert(frontier_.size() == static_cast<size_t>(std::popcount(size_)));
}

Hash256 CompactTree::Root() const {
  if (frontier_.empty()) return EmptyTreeHash();
  Hash256 r = frontier_.back().hash;
  for (size_t i = frontier_.size() - 1; i-- > 0;) r = NodeHash(frontier_[i].hash, r);
  return r;
}

Result<CompactTree> CompactTree::Load(const SubtreeReader& read, uint64_t size) {
  CompactTree tree;
  uint64_t start = 0;
  for (int level = 63; level >= 0; --level) {
    const uint64_t n = uint64_t{1} << level;
    if ((size & n) == 0) continue;
    auto h = read(SubtreeId{static_cast<uint8_t>(level), start >> level});
    if (!h.ok()) return h.status();
    tree.frontier_.push_back(NewNode{SubtreeId{static_cast<uint8_t>(level), start >> level}, *h});
    start += n;
  }
  tree.size_ = size;
  return tree;
}

}  // namespace fouledger
