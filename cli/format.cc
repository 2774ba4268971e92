#include "format.h"

#include "ledger/merkle.h"
#include "ledger/money.h"
#include "ledger/proof_json.h"

namespace fouledger::cli {
namespace {

using schema::Event;

std::string Kr(int64_t ore) { return Money::FromOre(ore).ToSwedish(); }

std::string Join(capnp::List<capnp::Text>::Reader list, const char* sep = ",") {
  std::string out;
  for (auto t : list) out += (out.empty() ? "" : sep) + std::string(t.cStr());
  return out;
}

std::string DateText(uint32_t packed) {
  auto d = Date::FromPacked(packed);
  return d.ok() ? d->ToString() : "-";
}

}  // namespace

std::string ShortKeyId(capnp::Data::Reader key_id) {
  return ToHex(key_id.begin(), std::min<size_t>(8, key_id.size()));
}
std::string ShortKeyId(const Hash256& key_id) { return ToHex(key_id.data(), 8); }

std::string DescribeAuthor(const Authority& authority, capnp::Data::Reader key_id) {
  Hash256 id{};
  if (key_id.size() == id.size()) std::copy(key_id.begin(), key_id.end(), id.begin());
  const KeyRecord* key = authority.FindKey(id);
  if (key == nullptr) {
    return KeyIdOf(authority.checkpoint_public_key()) == id ? "checkpoint key" : "unknown key";
  }
  std::string role = RoleName(key->role);
  if (!key->units.empty()) {
    role += ":";
    for (size_t i = 0; i < key->units.size(); ++i) role += (i ? "," : "") + key->units[i];
  }
  return role;
}

std::string SummarizeEvent(Event::Reader event) {
  auto body = event.getBody();
  std::string s = EventKindName(body.which());
  s += " ";
  switch (body.which()) {
    case Event::Body::GENESIS:
      s += "ledger '" + std::string(body.getGenesis().getLedgerName().cStr()) + "'";
      break;
    case Event::Body::KEY_ENROLL: {
      auto k = body.getKeyEnroll();
      PublicKeyBytes pk{};
      std::copy(k.getPublicKey().begin(), k.getPublicKey().end(), pk.begin());
      s += ShortKeyId(KeyIdOf(pk)) + " as " + RoleName(k.getRole());
      if (k.getUnits().size()) s += " for " + Join(k.getUnits());
      break;
    }
    case Event::Body::KEY_REVOKE:
      s += ShortKeyId(body.getKeyRevoke().getKeyId()) + ": " +
           body.getKeyRevoke().getReason().cStr();
      break;
    case Event::Body::UNIT_ADD: {
      auto u = body.getUnitAdd();
      s += std::string(u.getUnitId().cStr()) + " \"" + u.getName().cStr() + "\"";
      if (u.getValidFrom()) s += " from " + DateText(u.getValidFrom());
      if (u.getSucceeds().size()) s += " succeeding " + Join(u.getSucceeds());
      break;
    }
    case Event::Body::YEAR_OPEN: {
      auto y = body.getYearOpen();
      s += std::to_string(y.getYear()) + " " + ProgrammeName(y.getProgramme()) + ": cap " +
           Kr(y.getCapOre()) + ", max " + std::to_string(y.getMaxPerUnit()) + " per unit, window " +
           DateText(y.getWindowFrom()) + ".." + DateText(y.getWindowTo());
      if (y.getNoticeBy()) s += ", repayment notice by " + DateText(y.getNoticeBy());
      if (y.getMaxYearsInRow())
        s += ", at most " + std::to_string(y.getMaxYearsInRow()) + " years in a row";
      break;
    }
    case Event::Body::APPROPRIATE: {
      auto a = body.getAppropriate();
      s += std::to_string(a.getYear()) + " " + ProgrammeName(a.getProgramme()) + ": " +
           Kr(a.getAmountOre());
      if (a.getCaseNumber().size()) s += " (Dnr " + std::string(a.getCaseNumber().cStr()) + ")";
      break;
    }
    case Event::Body::APPLY: {
      auto a = body.getApply();
      s += std::string(a.getApplicationId().cStr()) + " " + ProgrammeName(a.getProgramme()) + " " +
           std::to_string(a.getYear()) + " " + Join(a.getUnits(), "+") + ": " +
           a.getTitle().cStr() + ", asks " + Kr(a.getAmountOre());
      break;
    }
    case Event::Body::DECIDE: {
      auto d = body.getDecide();
      s += std::string(d.getApplicationId().cStr()) + ": " +
           (d.getGrantedOre() == 0 ? std::string("rejected") : "granted " + Kr(d.getGrantedOre()));
      if (d.getOverride().size()) s += " [OVERRIDE: " + std::string(d.getOverride().cStr()) + "]";
      break;
    }
    case Event::Body::PAY:
      s += std::string(body.getPay().getApplicationId().cStr()) + ": " +
           Kr(body.getPay().getAmountOre());
      if (body.getPay().getVoucher().size()) {
        s += " (voucher " + std::string(body.getPay().getVoucher().cStr()) + ")";
      }
      break;
    case Event::Body::REPORT_SUBMIT: {
      auto r = body.getReportSubmit();
      s += std::string(r.getApplicationId().cStr()) + ": spent " + Kr(r.getSpentOre());
      if (r.getDocumentSha256().size()) {
        s += ", document sha256 " + ToHex(r.getDocumentSha256().begin(), 8) + "…";
      }
      break;
    }
    case Event::Body::REPORT_REVIEW: {
      auto r = body.getReportReview();
      s += std::string(r.getApplicationId().cStr()) + ": " +
           (r.getApproved() ? "approved" : "returned");
      if (r.getReason().size()) s += " (" + std::string(r.getReason().cStr()) + ")";
      break;
    }
    case Event::Body::REPAY_NOTICE:
      s += std::string(body.getRepayNotice().getApplicationId().cStr()) + ": " +
           Kr(body.getRepayNotice().getAmountOre());
      break;
    case Event::Body::REPAY_RECEIVE:
      s += std::string(body.getRepayReceive().getApplicationId().cStr()) + ": " +
           Kr(body.getRepayReceive().getAmountOre());
      break;
    case Event::Body::VOID_ENTRY:
      s += "entry " + std::to_string(body.getVoidEntry().getSeq()) + ": " +
           body.getVoidEntry().getReason().cStr();
      break;
  }
  if (event.getCorrection().isReplaces()) {
    auto c = event.getCorrection().getReplaces();
    s += " [corrects entry " + std::to_string(c.getSeq()) + ": " + c.getReason().cStr() + "]";
  }
  return s;
}

nlohmann::json EntryJson(const DecodedEntry& e, const Authority* authority) {
  nlohmann::json j;
  j["seq"] = e.seq();
  j["recordedAt"] = e.recorded_at().ToString();
  j["effectiveDate"] = e.effective_date().ToString();
  j["kind"] = EventKindName(e.kind());
  j["author"] = ToHex(e.reader().getAuthorKeyId().begin(), e.reader().getAuthorKeyId().size());
  if (authority != nullptr) {
    j["authorRole"] = DescribeAuthor(*authority, e.reader().getAuthorKeyId());
  }
  j["leafHash"] = ToHex(e.leaf_hash());
  j["previousHash"] = ToHex(e.previous_hash());
  j["signature"] = ToHex(e.signature());
  j["summary"] = SummarizeEvent(e.reader());
  j["event"] = nlohmann::json::parse(EventToJson(e.reader()));
  if (authority != nullptr) {
    if (auto by = authority->SupersededBy(e.seq())) j["supersededBy"] = *by;
  }
  return j;
}

Result<nlohmann::json> InclusionProofJson(const Ledger& ledger, uint64_t seq, uint64_t size,
                                          const Checkpoint& latest) {
  auto proof = ledger.InclusionProof(seq, size);
  if (!proof.ok()) return proof.status();
  auto entry = ledger.ReadEntryBytes(seq);
  if (!entry.ok()) return entry.status();
  auto root = ledger.RootAt(size);
  if (!root.ok()) return root.status();
  const InclusionProofDoc doc{seq, size, *root, LeafHash(*entry), *proof};
  auto j = nlohmann::json::parse(
      InclusionProofToJson(doc, size == latest.size ? latest.note : std::string()));
  j["entry"] = Base64Encode(*entry);
  return j;
}

}  // namespace fouledger::cli
