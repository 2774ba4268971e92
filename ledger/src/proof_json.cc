#include "ledger/proof_json.h"

#include <nlohmann/json.hpp>

#include "ledger/merkle.h"

namespace fouledger {
namespace {

using nlohmann::json;

constexpr size_t kProofHashesMax = 128;  // two 64-level paths: far more than any real proof

std::vector<std::string> Encode(const std::vector<Hash256>& hashes) {
  std::vector<std::string> out;
  for (const auto& h : hashes) out.push_back(Base64Encode(h));
  return out;
}

Status ReadHash(const json& doc, const char* field, Hash256* out) {
  if (!doc.contains(field) || !doc[field].is_string()) {
    return Status::Corruption(std::string("field '") + field + "' is missing or not a string");
  }
  auto bytes = Base64Decode(doc[field].get<std::string>());
  if (!bytes.ok() || bytes->size() != 32) {
    return Status::Corruption(std::string("field '") + field + "' is not 32 bytes of base64");
  }
  std::copy(bytes->begin(), bytes->end(), out->begin());
  return Status::Ok();
}

Status ReadSize(const json& doc, const char* field, uint64_t* out) {
  if (!doc.contains(field) || !doc[field].is_number_unsigned()) {
    return Status::Corruption(std::string("field '") + field +
                              "' is missing or not a non-negative integer");
  }
  *out = doc[field].get<uint64_t>();
  return Status::Ok();
}

Status ReadProof(const json& doc, std::vector<Hash256>* out) {
  if (!doc.contains("proof") || doc["proof"].is_null()) return Status::Ok();  // empty proof
  if (!doc["proof"].is_array() || doc["proof"].size() > kProofHashesMax) {
    return Status::Corruption("field 'proof' is not an array of at most 128 hashes");
  }
  for (const auto& item : doc["proof"]) {
    if (!item.is_string()) return Status::Corruption("a proof element is not a string");
    auto bytes = Base64Decode(item.get<std::string>());
    if (!bytes.ok() || bytes->size() != 32) {
      return Status::Corruption("a proof element is not 32 bytes of base64");
    }
    Hash256 h{};
    std::copy(bytes->begin(), bytes->end(), h.begin());
    out->push_back(h);
  }
  return Status::Ok();
}

}  // namespace

std::string InclusionProofToJson(const InclusionProofDoc& doc, const std::string& checkpoint_note) {
  json j = {{"leafIdx", doc.leaf_index},
            {"treeSize", doc.tree_size},
            {"root", Base64Encode(doc.root)},
            {"leafHash", Base64Encode(doc.leaf_hash)},
            {"proof", Encode(doc.proof)}};
  if (!checkpoint_note.empty()) j["checkpoint"] = checkpoint_note;
  return j.dump(2);
}

std::string ConsistencyProofToJson(const ConsistencyProofDoc& doc) {
  json j = {{"size1", doc.size1},
            {"size2", doc.size2},
            {"root1", Base64Encode(doc.root1)},
            {"root2", Base64Encode(doc.root2)},
            {"proof", Encode(doc.proof)}};
  return j.dump(2);
}

Status VerifyProofJson(const std::string& json_text, std::string* kind_out) {
  json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::Corruption("not a JSON object");
  }
  const bool inclusion = doc.contains("leafIdx");
  const bool consistency = doc.contains("size1");
  if (inclusion == consistency) {
    return Status::Corruption(
        "neither an inclusion proof (leafIdx) nor a consistency proof (size1)");
  }
  if (kind_out) *kind_out = inclusion ? "inclusion" : "consistency";
  if (inclusion) {
    InclusionProofDoc p;
    FOULEDGER_RETURN_IF_ERROR(ReadSize(doc, "leafIdx", &p.leaf_index));
    FOULEDGER_RETURN_IF_ERROR(ReadSize(doc, "treeSize", &p.tree_size));
    FOULEDGER_RETURN_IF_ERROR(ReadHash(doc, "root", &p.root));
    FOULEDGER_RETURN_IF_ERROR(ReadHash(doc, "leafHash", &p.leaf_hash));
    FOULEDGER_RETURN_IF_ERROR(ReadProof(doc, &p.proof));
    return VerifyInclusion(p.leaf_hash, p.leaf_index, p.tree_size, p.proof, p.root);
  }
  ConsistencyProofDoc p;
  FOULEDGER_RETURN_IF_ERROR(ReadSize(doc, "size1", &p.size1));
  FOULEDGER_RETURN_IF_ERROR(ReadSize(doc, "size2", &p.size2));
  FOULEDGER_RETURN_IF_ERROR(ReadHash(doc, "root1", &p.root1));
  FOULEDGER_RETURN_IF_ERROR(ReadHash(doc, "root2", &p.root2));
  FOULEDGER_RETURN_IF_ERROR(ReadProof(doc, &p.proof));
  return VerifyConsistency(p.size1, p.size2, p.proof, p.root1, p.root2);
}

}  // namespace fouledger
