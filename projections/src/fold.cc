#include "fold.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <set>

namespace fouledger::projections::internal {
namespace {

const Application& AppOf(const GrantFold& g) { return std::get<Application>(g.apply->body); }

// The appropriation of the year and programme `g` is filed under, and what decisions have granted
// from it so far: the one rule that looks across grants, and the words of its refusal.
struct YearMoney {
  int64_t appropriated = 0;
  int64_t granted = 0;
};
YearMoney YearMoneyOf(const FoldState& s, const GrantFold& g) {
  const YearSlot* slot = s.FindYear(g.year, g.programme);
  return slot ? YearMoney{slot->appropriated, slot->granted} : YearMoney{};
}

std::string EntryOf(const Record* r) { return r ? "entry " + std::to_string(r->seq) : "an entry"; }

GrantState StateOf(const Grant& g) {
  if (g.outcome == Outcome::kUndecided) return GrantState::kSubmitted;
  if (g.outcome == Outcome::kRejected) return GrantState::kRejected;
  if (g.paid.ore() == 0) {
    return g.outcome == Outcome::kGranted ? GrantState::kGranted : GrantState::kPartlyGranted;
  }
  if (g.noticed > g.repaid) return GrantState::kRepaymentNoticed;
  switch (g.report) {
    case ReportStatus::kApproved:
      return g.RepaymentOutstanding().ore() == 0 ? GrantState::kClosed : GrantState::kApproved;
    case ReportStatus::kReturned:
      return GrantState::kReturned;
    case ReportStatus::kSubmitted:
      return GrantState::kReported;
    case ReportStatus::kNone:
      break;
  }
  return g.repaid.ore() > 0 ? GrantState::kRepaid : GrantState::kPaid;
}

}  // namespace

std::string Kr(int64_t ore) { return Money::FromOre(ore).ToSwedish(); }

std::string YearName(int year, Programme p) {
  return std::to_string(year) + " " + ProgrammeName(p);
}

std::string Describe(const Record& r) {
  std::string s = "entry " + std::to_string(r.seq) + " (" + KindName(r.kind());
  if (!r.application_id().empty()) s += " " + r.application_id();
  return s + ", " + r.effective.ToString() + ")";
}

Compact MakeCompact(const Record& r, uint32_t subject) {
  Compact c;
  c.recorded_at = r.recorded_at.micros;
  c.seq = r.seq;
  c.order_seq = r.seq;
  c.amount = r.amount().ore();
  c.effective = r.effective.packed();
  c.subject = subject;
  c.kind = r.kind();
  if (const auto* y = std::get_if<YearRules>(&r.body)) {
    c.year = static_cast<uint16_t>(y->year);
    c.programme = y->programme;
  } else if (const auto* a = std::get_if<Appropriation>(&r.body)) {
    c.year = static_cast<uint16_t>(a->year);
    c.programme = a->programme;
  } else if (const auto* p = std::get_if<Application>(&r.body)) {
    c.year = static_cast<uint16_t>(p->year);
    c.programme = p->programme;
  } else if (const auto* v = std::get_if<ReportReview>(&r.body)) {
    c.approved = v->approved;
  }
  return c;
}

const YearSlot* FoldState::FindYear(int year, Programme p) const {
  for (const auto& slot : years) {
    if (slot.year == year && slot.programme == p) return &slot;
  }
  return nullptr;
}

YearSlot& FoldState::Year(int year, Programme p) {
  for (auto& slot : years) {
    if (slot.year == year && slot.programme == p) return slot;
  }
  years.push_back(YearSlot{year, p, nullptr, 0, 0});
  return years.back();
}

Refusal PrecheckCode(const FoldState& s, const Compact& c) {
  const GrantFold* g = nullptr;
  switch (c.kind) {
    case Kind::kOther:
    case Kind::kYearRules:
    case Kind::kAppropriation:
    case Kind::kUnitAdded:
    case Kind::kVoid:
      return Refusal::kNone;
    case Kind::kApplication:
      return s.FindGrant(c.subject) ? Refusal::kApplicationExists : Refusal::kNone;
    default:
      g = s.FindGrant(c.subject);
      if (!g) return Refusal::kNoApplication;
      break;
  }
  switch (c.kind) {
    case Kind::kDecision: {
      if (g->decision) return Refusal::kAlreadyDecided;
      if (c.amount > g->asked) return Refusal::kGrantsMoreThanAsked;
      if (c.amount > 0) {
        const YearMoney year = YearMoneyOf(s, *g);
        if (year.granted + c.amount > year.appropriated) return Refusal::kBeyondAppropriation;
      }
      return Refusal::kNone;
    }
    case Kind::kPayout:
      if (!g->decision) return Refusal::kPayUndecided;
      if (g->granted == 0) return Refusal::kPayRejected;
      if (c.amount > g->granted - g->paid) return Refusal::kPayBeyondGranted;
      return Refusal::kNone;
    case Kind::kReportSubmission:
      if (g->paid == 0) return Refusal::kReportUnpaid;
      if (g->report_status == ReportStatus::kApproved) return Refusal::kReportAlreadyApproved;
      return Refusal::kNone;
    case Kind::kReportReview:
      if (g->report_status != ReportStatus::kSubmitted) return Refusal::kNoReportToReview;
      return Refusal::kNone;
    case Kind::kRepaymentNotice:
      if (g->paid == 0) return Refusal::kNoticeUnpaid;
      if (g->noticed + c.amount > g->paid) return Refusal::kNoticesBeyondPaid;
      return Refusal::kNone;
    case Kind::kRepaymentReceipt:
      if (c.amount > g->paid - g->repaid) return Refusal::kRepaymentBeyondPaid;
      return Refusal::kNone;
    default:
      return Refusal::kNone;
  }
}

std::string RefusalText(Refusal why, const FoldState& s, const Record& r, const Compact& c) {
  const std::string& app_id = r.application_id();
  const GrantFold* g = s.FindGrant(c.subject);
  switch (why) {
    case Refusal::kNone:
      break;
    case Refusal::kApplicationExists:
      return "application " + app_id + " already exists (" + EntryOf(g->apply) + ")";
    case Refusal::kNoApplication:
      return "no application " + app_id + " on " + r.effective.ToString();
    case Refusal::kAlreadyDecided:
      return app_id + " was already decided by " + EntryOf(g->decision) +
             "; correct that entry instead";
    case Refusal::kGrantsMoreThanAsked:
      return app_id + " asks " + Kr(g->asked) + "; a decision cannot grant more (" + Kr(c.amount) +
             ")";
    case Refusal::kBeyondAppropriation: {
      const YearMoney year = YearMoneyOf(s, *g);
      return YearName(g->year, g->programme) + " appropriation is " + Kr(year.appropriated) + "; " +
             Kr(year.granted) + " already granted, decision grants " + Kr(c.amount);
    }
    case Refusal::kPayUndecided:
      return app_id + " is not decided; nothing can be paid";
    case Refusal::kPayRejected:
      return app_id + " was rejected; nothing can be paid";
    case Refusal::kPayBeyondGranted:
      return app_id + " payout " + Kr(c.amount) + " exceeds what remains to pay: granted " +
             Kr(g->granted) + ", already paid " + Kr(g->paid);
    case Refusal::kReportUnpaid:
      return app_id + " has not been paid; a report needs a paid grant";
    case Refusal::kReportAlreadyApproved:
      return app_id + "'s report was already approved by " + EntryOf(g->review) +
             "; correct that report instead";
    case Refusal::kNoReportToReview:
      return app_id +
             " has no report awaiting review (report: " + ReportStatusName(g->report_status) + ")";
    case Refusal::kNoticeUnpaid:
      return app_id + " has not been paid; there is nothing to repay";
    case Refusal::kNoticesBeyondPaid:
      return app_id + " repayment notices would total " + Kr(g->noticed + c.amount) +
             ", more than paid " + Kr(g->paid);
    case Refusal::kRepaymentBeyondPaid:
      return app_id + " repayment " + Kr(c.amount) + " exceeds paid " + Kr(g->paid) +
             " less repaid " + Kr(g->repaid);
  }
  assert(false && "RefusalText of kNone");
  return {};
}

std::optional<std::string> Precheck(const FoldState& s, const Record& r, const Compact& c) {
  const Refusal why = PrecheckCode(s, c);
  if (why == Refusal::kNone) return std::nullopt;
  return RefusalText(why, s, r, c);
}

void Fold(FoldState& s, const Record& r, const Compact& c, uint32_t index) {
  switch (c.kind) {
    case Kind::kOther:
    case Kind::kVoid:
      return;  // never folded: voids act through Compact::superseded_at
    case Kind::kYearRules:
      s.Year(c.year, c.programme).rules = &r;
      break;
    case Kind::kAppropriation:
      s.Year(c.year, c.programme).appropriated += c.amount;
      break;
    case Kind::kUnitAdded:
      if (c.subject >= s.units.size()) s.units.resize(c.subject + 1, nullptr);
      s.units[c.subject] = &r;
      break;
    case Kind::kApplication: {
      if (c.subject >= s.grants.size()) s.grants.resize(c.subject + 1);
      GrantFold& g = s.grants[c.subject];
      g = GrantFold{};
      g.apply = &r;
      g.asked = c.amount;
      g.year = c.year;
      g.programme = c.programme;
      s.Year(c.year, c.programme);  // the year shows in the budgets once applied to
      break;
    }
    default: {
      assert(c.subject < s.grants.size() && s.grants[c.subject].apply && "Precheck passed");
      GrantFold& g = s.grants[c.subject];
      switch (c.kind) {
        case Kind::kDecision: {
          g.decision = &r;
          g.granted = c.amount;
          s.Year(g.year, g.programme).granted += c.amount;
          assert(g.granted <= g.asked);
          break;
        }
        case Kind::kPayout:
          g.paid += c.amount;
          assert(g.paid <= g.granted && "money conserved: paid <= granted");
          break;
        case Kind::kReportSubmission:
          g.report = &r;
          g.spent = c.amount;
          g.report_status = ReportStatus::kSubmitted;
          g.approved_on = 0;
          break;
        case Kind::kReportReview:
          g.review = &r;
          g.report_status = c.approved ? ReportStatus::kApproved : ReportStatus::kReturned;
          g.approved_on = c.approved ? c.effective : 0;
          break;
        case Kind::kRepaymentNotice:
          g.noticed += c.amount;
          assert(g.noticed <= g.paid);
          break;
        case Kind::kRepaymentReceipt:
          g.repaid += c.amount;
          assert(g.repaid <= g.paid && "money conserved: repaid <= paid");
          break;
        default:
          break;
      }
      break;
    }
  }
  s.folded.push_back(index);
  s.last_effective = std::max(s.last_effective, c.effective);
}

void Step(FoldState& s, const Record& r, const Compact& c, uint32_t index) {
  if (auto why = Precheck(s, r, c)) {
    s.anomalies.emplace_back(index, std::move(*why));
    s.last_effective = std::max(s.last_effective, c.effective);
    return;
  }
  Fold(s, r, c, index);
}

void AddToBudget(Budget& b, const GrantFold& f) {
  b.asked += Money::FromOre(f.asked);
  b.granted += Money::FromOre(f.granted);
  b.paid += Money::FromOre(f.paid);
  b.spent += Money::FromOre(f.spent);
  b.noticed += Money::FromOre(f.noticed);
  b.repaid += Money::FromOre(f.repaid);
  b.repayment_outstanding +=
      RepaymentOutstandingOf(f.report_status, Money::FromOre(f.paid), Money::FromOre(f.spent),
                             Money::FromOre(f.noticed), Money::FromOre(f.repaid));
  ++b.applications;
  if (f.decision) ++b.decided;
  if (f.granted > 0) ++b.grants;
  if (f.decision && f.granted == 0) ++b.rejected;
}

State Materialize(const FoldState& s, const QueryTime& at, const RecordStore& records,
                  const CompactArray& compact) {
  State st;
  st.at = at;

  for (const auto& slot : s.years) {
    if (slot.rules) st.rules.push_back({std::get<YearRules>(slot.rules->body), slot.rules->seq});
  }
  std::sort(st.rules.begin(), st.rules.end(), [](const RulesInfo& a, const RulesInfo& b) {
    return std::pair(a.rules.year, a.rules.programme) < std::pair(b.rules.year, b.rules.programme);
  });

  // Grants, by interned application id first (the trace finds them so), sorted by id after.
  std::vector<int64_t> position(s.grants.size(), -1);
  for (size_t i = 0; i < s.grants.size(); ++i) {
    const GrantFold& f = s.grants[i];
    if (!f.apply) continue;
    const Application& a = AppOf(f);
    Grant g;
    g.application_id = a.application_id;
    g.year = a.year;
    g.programme = a.programme;
    g.units = a.units;
    g.project_id = a.project_id;
    g.title = a.title;
    g.asked = Money::FromOre(f.asked);
    g.applied_on = f.apply->effective;
    if (f.decision) {
      const auto& d = std::get<Decision>(f.decision->body);
      g.granted = d.granted;
      g.outcome = f.granted == 0        ? Outcome::kRejected
                  : f.granted < f.asked ? Outcome::kPartlyGranted
                                        : Outcome::kGranted;
      g.decided_on = f.decision->effective;
      g.decision_reason = d.reason;
      g.case_number = d.case_number;
      g.override_text = d.override_text;
    }
    g.paid = Money::FromOre(f.paid);
    g.report = f.report_status;
    g.spent = Money::FromOre(f.spent);
    if (f.report) {
      const auto& rep = std::get<ReportSubmission>(f.report->body);
      g.report_submitted_on = f.report->effective;
      g.document_sha256 = rep.document_sha256;
      g.document_name = rep.document_name;
    }
    if (f.review && f.report_status != ReportStatus::kSubmitted) {
      g.report_reviewed_on = f.review->effective;
      g.review_reason = std::get<ReportReview>(f.review->body).reason;
    }
    g.noticed = Money::FromOre(f.noticed);
    g.repaid = Money::FromOre(f.repaid);
    position[i] = static_cast<int64_t>(st.grants.size());
    st.grants.push_back(std::move(g));
  }

  // The trace, and notices against the year's deadline (the rules as they stand at this point).
  for (uint32_t index : s.folded) {
    const Compact& c = compact[index];
    if (c.kind < Kind::kApplication || c.kind > Kind::kRepaymentReceipt) continue;
    if (c.subject >= position.size() || position[c.subject] < 0) continue;
    Grant& g = st.grants[static_cast<size_t>(position[c.subject])];
    g.seqs.push_back(c.seq);
    if (c.kind == Kind::kRepaymentNotice) {
      const Date effective = records[index].effective;
      if (!g.first_notice_on.valid()) g.first_notice_on = effective;
      const YearRules* rules = nullptr;
      for (const auto& ri : st.rules) {
        if (ri.rules.year == g.year && ri.rules.programme == g.programme) rules = &ri.rules;
      }
      if (rules && rules->notice_by.valid() && effective > rules->notice_by) {
        g.noticed_late += Money::FromOre(c.amount);
      }
    }
  }

  // Years in a row: consecutive funding years of the same project with money granted.
  std::map<std::string_view, std::set<int>> funded;
  for (const auto& g : st.grants) {
    if (g.granted.ore() > 0) funded[g.project_id].insert(g.year);
  }
  for (auto& g : st.grants) {
    g.state = StateOf(g);
    if (g.granted.ore() == 0) continue;
    const auto& years = funded[g.project_id];
    int n = 0;
    while (years.count(g.year - n)) ++n;
    g.years_in_row = n;
  }
  std::sort(st.grants.begin(), st.grants.end(),
            [](const Grant& a, const Grant& b) { return a.application_id < b.application_id; });

  // Budgets: every year the fold opened, then each application's figures in its year.
  std::map<std::pair<int, Programme>, Budget> budgets;
  for (const auto& slot : s.years) {
    Budget& b = budgets[{slot.year, slot.programme}];
    b.year = slot.year;
    b.programme = slot.programme;
    b.appropriated = Money::FromOre(slot.appropriated);
  }
  for (const GrantFold& f : s.grants) {
    if (!f.apply) continue;
    const Application& a = AppOf(f);
    Budget& b = budgets[{a.year, a.programme}];
    b.year = a.year;
    b.programme = a.programme;
    AddToBudget(b, f);
  }
  for (auto& [key, b] : budgets) st.budgets.push_back(b);

  // Units, with their successors and the day each stopped existing under its own name.
  for (const Record* r : s.units) {
    if (!r) continue;
    const auto& u = std::get<UnitAdded>(r->body);
    st.units.push_back(UnitInfo{u.unit_id, u.name, u.valid_from, Date(), u.succeeds, {}, r->seq});
  }
  std::sort(st.units.begin(), st.units.end(),
            [](const UnitInfo& a, const UnitInfo& b) { return a.unit_id < b.unit_id; });
  for (const auto& successor : std::vector<UnitInfo>(st.units)) {
    for (const auto& old_id : successor.succeeds) {
      auto it =
          std::lower_bound(st.units.begin(), st.units.end(), old_id,
                           [](const UnitInfo& u, const std::string& id) { return u.unit_id < id; });
      if (it == st.units.end() || it->unit_id != old_id) continue;
      it->succeeded_by.push_back(successor.unit_id);
      if (successor.valid_from.valid() &&
          (!it->valid_to.valid() || successor.valid_from < it->valid_to)) {
        it->valid_to = successor.valid_from;
      }
    }
  }

  for (const auto& [index, why] : s.anomalies) st.anomalies.push_back({records[index].seq, why});
  return st;
}

}  // namespace fouledger::projections::internal
