// The one place projections/ reads Cap'n Proto (see record.h).
#include "projections/record.h"

#include <kj/exception.h>

#include "ledger/event.h"

namespace fouledger::projections {
namespace {

using schema::Event;

Result<Date> OptionalDate(uint32_t packed, const char* field) {
  if (packed == 0) return Date();  // "not given"
  auto d = Date::FromPacked(packed);
  if (!d.ok()) {
    return Status::InvalidArgument(std::string(field) + " " + std::to_string(packed) +
                                   " is not a calendar date");
  }
  return *d;
}

Result<Programme> ToProgramme(schema::Programme p) {
  switch (p) {
    case schema::Programme::LUM:
      return Programme::kLum;
    case schema::Programme::MUL:
      return Programme::kMul;
    default:
      return Status::InvalidArgument("programme is not LUM or MUL");
  }
}

std::vector<std::string> Strings(capnp::List<capnp::Text>::Reader list) {
  std::vector<std::string> out;
  out.reserve(list.size());
  for (auto t : list) out.emplace_back(t.cStr(), t.size());
  return out;
}

std::string Str(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }

Result<Record> Convert(const DecodedEntry& entry) {
  const Event::Reader event = entry.reader();
  Record r;
  r.seq = entry.seq();
  r.recorded_at = entry.recorded_at();
  r.effective = entry.effective_date();
  const auto key = event.getAuthorKeyId();
  if (key.size() == r.author_key_id.size()) {
    std::copy(key.begin(), key.end(), r.author_key_id.begin());
  }
  if (event.getCorrection().isReplaces()) {
    r.corrects = event.getCorrection().getReplaces().getSeq();
    r.correction_reason = Str(event.getCorrection().getReplaces().getReason());
  }
  const auto body = event.getBody();
  switch (body.which()) {
    case Event::Body::GENESIS:
    case Event::Body::KEY_ENROLL:
    case Event::Body::KEY_REVOKE:
      r.body = OtherEvent{EventKindName(body.which())};
      break;
    case Event::Body::UNIT_ADD: {
      auto u = body.getUnitAdd();
      auto from = OptionalDate(u.getValidFrom(), "validFrom");
      if (!from.ok()) return from.status();
      r.body = UnitAdded{Str(u.getUnitId()), Str(u.getName()), *from, Strings(u.getSucceeds())};
      break;
    }
    case Event::Body::YEAR_OPEN: {
      auto y = body.getYearOpen();
      auto programme = ToProgramme(y.getProgramme());
      auto from = OptionalDate(y.getWindowFrom(), "windowFrom");
      auto to = OptionalDate(y.getWindowTo(), "windowTo");
      auto notice = OptionalDate(y.getNoticeBy(), "noticeBy");
      auto reports_by = OptionalDate(y.getReportsBy(), "reportsBy");
      for (const Status* s : {&programme.status(), &from.status(), &to.status(), &notice.status(),
                              &reports_by.status()}) {
        if (!s->ok()) return *s;
      }
      YearRules rules;
      rules.year = y.getYear();
      rules.programme = *programme;
      rules.cap = Money::FromOre(y.getCapOre());
      rules.max_per_unit = y.getMaxPerUnit();
      rules.window_from = *from;
      rules.window_to = *to;
      rules.notice_by = *notice;
      rules.max_years_in_row = y.getMaxYearsInRow();
      rules.criteria = Str(y.getCriteria());
      rules.reports_for_year = y.getReportsForYear();
      rules.reports_by = *reports_by;
      r.body = std::move(rules);
      break;
    }
    case Event::Body::APPROPRIATE: {
      auto a = body.getAppropriate();
      auto programme = ToProgramme(a.getProgramme());
      if (!programme.ok()) return programme.status();
      r.body = Appropriation{a.getYear(), *programme, Money::FromOre(a.getAmountOre()),
                             Str(a.getCaseNumber())};
      break;
    }
    case Event::Body::APPLY: {
      auto a = body.getApply();
      auto programme = ToProgramme(a.getProgramme());
      if (!programme.ok()) return programme.status();
      r.body = Application{Str(a.getApplicationId()),
                           a.getYear(),
                           *programme,
                           Strings(a.getUnits()),
                           Str(a.getProjectId()),
                           Str(a.getTitle()),
                           Money::FromOre(a.getAmountOre()),
                           Str(a.getPurpose())};
      break;
    }
    case Event::Body::DECIDE: {
      auto d = body.getDecide();
      r.body = Decision{Str(d.getApplicationId()), Money::FromOre(d.getGrantedOre()),
                        Str(d.getReason()), Str(d.getCaseNumber()), Str(d.getOverride())};
      break;
    }
    case Event::Body::PAY: {
      auto p = body.getPay();
      r.body =
          Payout{Str(p.getApplicationId()), Money::FromOre(p.getAmountOre()), Str(p.getVoucher())};
      break;
    }
    case Event::Body::REPORT_SUBMIT: {
      auto s = body.getReportSubmit();
      const auto doc = s.getDocumentSha256();
      r.body = ReportSubmission{Str(s.getApplicationId()), Money::FromOre(s.getSpentOre()),
                                ToHex(doc.begin(), doc.size()), Str(s.getDocumentName())};
      break;
    }
    case Event::Body::REPORT_REVIEW: {
      auto v = body.getReportReview();
      r.body = ReportReview{Str(v.getApplicationId()), v.getApproved(), Str(v.getReason())};
      break;
    }
    case Event::Body::REPAY_NOTICE: {
      auto n = body.getRepayNotice();
      r.body = RepaymentNotice{Str(n.getApplicationId()), Money::FromOre(n.getAmountOre())};
      break;
    }
    case Event::Body::REPAY_RECEIVE: {
      auto n = body.getRepayReceive();
      r.body = RepaymentReceipt{Str(n.getApplicationId()), Money::FromOre(n.getAmountOre()),
                                Str(n.getVoucher())};
      break;
    }
    case Event::Body::VOID_ENTRY: {
      auto v = body.getVoidEntry();
      r.body = Void{v.getSeq(), Str(v.getReason())};
      break;
    }
    default:
      r.body = OtherEvent{"unknown"};  // a union member newer than this code: nothing to fold
      break;
  }
  return r;
}

}  // namespace

const char* ProgrammeName(Programme p) {
  switch (p) {
    case Programme::kLum:
      return "LUM";
    case Programme::kMul:
      return "MUL";
    default:
      return "?";
  }
}

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kOther:
      return "other";
    case Kind::kYearRules:
      return "year-open";
    case Kind::kAppropriation:
      return "appropriate";
    case Kind::kApplication:
      return "apply";
    case Kind::kDecision:
      return "decide";
    case Kind::kPayout:
      return "pay";
    case Kind::kReportSubmission:
      return "report-submit";
    case Kind::kReportReview:
      return "report-review";
    case Kind::kRepaymentNotice:
      return "repay-notice";
    case Kind::kRepaymentReceipt:
      return "repay-receive";
    case Kind::kUnitAdded:
      return "unit-add";
    case Kind::kVoid:
      return "void";
  }
  return "?";
}

std::optional<uint64_t> Record::target() const {
  if (const auto* v = std::get_if<Void>(&body)) return v->target;
  return corrects;
}

const std::string& Record::application_id() const {
  static const std::string kNone;
  return std::visit(
      [](const auto& b) -> const std::string& {
        if constexpr (requires { b.application_id; }) {
          return b.application_id;
        } else {
          return kNone;
        }
      },
      body);
}

Money Record::amount() const {
  return std::visit(
      [](const auto& b) -> Money {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, Application>) return b.asked;
        if constexpr (std::is_same_v<T, Decision>) return b.granted;
        if constexpr (std::is_same_v<T, ReportSubmission>) return b.spent;
        if constexpr (std::is_same_v<T, YearRules>) return b.cap;
        if constexpr (requires { b.amount; }) return b.amount;
        return Money();
      },
      body);
}

Result<Record> RecordFromEntry(const DecodedEntry& entry) {
  // The entry was decoded with the ledger's reader limits and shape-checked, so reading it should
  // not throw; a kj::Exception here would be a bug in those checks, reported rather than crashing.
  try {
    auto r = Convert(entry);
    if (!r.ok()) return r.status().WithContext("entry " + std::to_string(entry.seq()));
    return r;
  } catch (const kj::Exception& e) {
    return Status::InvalidArgument("entry " + std::to_string(entry.seq()) +
                                   ": cannot read event: " + e.getDescription().cStr());
  }
}

}  // namespace fouledger::projections
