// Merkle proofs as JSON documents a third party can check, with the field names and base64
// encoding of the published transparency-dev/merkle test vectors:
//   inclusion:   {"leafIdx", "treeSize", "root", "leafHash", "proof": [..]}
//   consistency: {"size1", "size2", "root1", "root2", "proof": [..]}
// Extra fields (a checkpoint note, the entry bytes) may ride along and are ignored by the check.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/status.h"

namespace fouledger {

struct InclusionProofDoc {
  uint64_t leaf_index = 0;
  uint64_t tree_size = 0;
  Hash256 root{};
  Hash256 leaf_hash{};
  std::vector<Hash256> proof;
};

struct ConsistencyProofDoc {
  uint64_t size1 = 0;
  uint64_t size2 = 0;
  Hash256 root1{};
  Hash256 root2{};
  std::vector<Hash256> proof;
};

std::string InclusionProofToJson(const InclusionProofDoc& doc, const std::string& checkpoint_note);
std::string ConsistencyProofToJson(const ConsistencyProofDoc& doc);

// Parses either kind of document and checks the proof (RFC 9162). Ok when it holds; Corruption
// saying why not (including a malformed document).
Status VerifyProofJson(const std::string& json_text, std::string* kind_out = nullptr);

}  // namespace fouledger
