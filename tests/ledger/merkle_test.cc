#include "ledger/merkle.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "ledger/proof_json.h"
#include "test_util.h"

namespace fouledger {
namespace {

namespace fs = std::filesystem;

using testing::ReadFile;

// Every published vector (transparency-dev/merkle testdata, RFC 6962/9162 hashing) must be judged
// as its wantErr says.
TEST(MerkleVectors, EveryVectorIsJudgedAsItsWantErrSays) {
  int checked = 0, must_fail = 0;
  for (const char* kind : {"inclusion", "consistency"}) {
    for (const auto& f :
         fs::recursive_directory_iterator(fs::path(FOULEDGER_TEST_DATA) / "merkle" / kind)) {
      if (f.path().extension() != ".json") continue;
      const std::string text = ReadFile(f.path());
      const bool want_err = text.find("\"wantErr\": true") != std::string::npos;
      std::string got_kind;
      const Status s = VerifyProofJson(text, &got_kind);
      EXPECT_EQ(s.ok(), !want_err) << f.path() << ": " << s.ToString();
      EXPECT_EQ(got_kind, kind) << f.path();
      ++checked;
      must_fail += want_err;
    }
  }
  EXPECT_GT(checked, 120);
  EXPECT_GT(must_fail, 100);
}

// The RFC 6962 test leaves used by the vectors: our tree must give the vectors' root.
TEST(MerkleTree, ReproducesTheVectorsRoot) {
  const std::vector<std::string> leaves = {
      "",
      std::string("\x00", 1),
      "\x10",
      "\x20\x21",
      "\x30\x31",
      "\x40\x41\x42\x43",
      "\x50\x51\x52\x53\x54\x55\x56\x57",
      "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
  CompactTree tree;
  for (const auto& l : leaves) {
    tree.Append(LeafHash(reinterpret_cast<const uint8_t*>(l.data()), l.size()));
  }
  EXPECT_EQ(Base64Encode(tree.Root()), "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=");
  EXPECT_EQ(Base64Encode(LeafHash(nullptr, 0)), "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=");
  EXPECT_EQ(Base64Encode(CompactTree().Root()), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

// MTH computed straight from RFC 9162's definition, as an independent reference.
Hash256 ReferenceRoot(const std::vector<Hash256>& leaves, size_t begin, size_t end) {
  const size_t n = end - begin;
  if (n == 1) return leaves[begin];
  size_t k = 1;
  while (k * 2 < n) k *= 2;
  return NodeHash(ReferenceRoot(leaves, begin, begin + k), ReferenceRoot(leaves, begin + k, end));
}

class GeneratedTree : public ::testing::Test {
 protected:
  void Build(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
      const std::string data = "entry " + std::to_string(i);
      leaves.push_back(LeafHash(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
      tree.Append(leaves.back(), [&](const CompactTree::NewNode& node) {
        nodes[{node.id.level, node.id.index}] = node.hash;
      });
    }
  }
  SubtreeReader Reader(uint64_t limit) {
    return [this, limit](SubtreeId id) -> Result<Hash256> {
      if (id.first_leaf() + id.leaf_count() > limit) return Status::NotFound("beyond size");
      auto it = nodes.find({id.level, id.index});
      if (it == nodes.end()) return Status::NotFound("no node");
      return it->second;
    };
  }
  std::vector<Hash256> leaves;
  CompactTree tree;
  std::map<std::pair<uint8_t, uint64_t>, Hash256> nodes;
};

TEST_F(GeneratedTree, RootsAndEveryProofUpTo70Leaves) {
  constexpr uint64_t kMax = 70;
  Build(kMax);
  for (uint64_t n = 1; n <= kMax; ++n) {
    const Hash256 root = RootAt(Reader(n), n).value();
    ASSERT_EQ(root, ReferenceRoot(leaves, 0, n)) << n;
    for (uint64_t i = 0; i < n; ++i) {
      auto proof = InclusionProof(Reader(n), i, n);
      ASSERT_TRUE(proof.ok()) << proof.status().ToString();
      EXPECT_TRUE(VerifyInclusion(leaves[i], i, n, *proof, root).ok()) << i << "/" << n;
      EXPECT_FALSE(VerifyInclusion(leaves[(i + 1) % n], i, n, *proof, root).ok() && n > 1);
    }
    for (uint64_t m = 1; m <= n; ++m) {
      const Hash256 old_root = RootAt(Reader(m), m).value();
      auto proof = ConsistencyProof(Reader(n), m, n);
      ASSERT_TRUE(proof.ok());
      EXPECT_TRUE(VerifyConsistency(m, n, *proof, old_root, root).ok()) << m << "->" << n;
      if (m < n) {
        Hash256 wrong = old_root;
        wrong[0] ^= 1;
        EXPECT_FALSE(VerifyConsistency(m, n, *proof, wrong, root).ok());
      }
    }
  }
  // The frontier reloaded from stored nodes gives the same root.
  auto loaded = CompactTree::Load(Reader(kMax), kMax);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->Root(), tree.Root());
}

TEST_F(GeneratedTree, ProofDocumentsRoundTripThroughJson) {
  Build(13);
  InclusionProofDoc inc{5, 13, tree.Root(), leaves[5], InclusionProof(Reader(13), 5, 13).value()};
  EXPECT_TRUE(VerifyProofJson(InclusionProofToJson(inc, "")).ok());
  inc.leaf_index = 6;
  EXPECT_TRUE(VerifyProofJson(InclusionProofToJson(inc, "")).IsCorruption());
  ConsistencyProofDoc con{7, 13, RootAt(Reader(7), 7).value(), tree.Root(),
                          ConsistencyProof(Reader(13), 7, 13).value()};
  EXPECT_TRUE(VerifyProofJson(ConsistencyProofToJson(con)).ok());
  con.proof.pop_back();
  EXPECT_FALSE(VerifyProofJson(ConsistencyProofToJson(con)).ok());
  EXPECT_FALSE(VerifyProofJson("not json").ok());
  EXPECT_FALSE(VerifyProofJson("{\"leafIdx\": -1}").ok());
}

}  // namespace
}  // namespace fouledger
