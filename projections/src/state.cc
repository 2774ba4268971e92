#include "projections/state.h"

#include <algorithm>
#include <limits>

namespace fouledger::projections {

QueryTime QueryTime::Latest() {
  return QueryTime{Date::FromYmd(2999, 12, 31).value(),
                   Instant{std::numeric_limits<int64_t>::max()}};
}

QueryTime QueryTime::AsOf(Date as_of) {
  return QueryTime{as_of, Instant{std::numeric_limits<int64_t>::max()}};
}

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kUndecided:
      return "undecided";
    case Outcome::kGranted:
      return "granted";
    case Outcome::kPartlyGranted:
      return "partly granted";
    case Outcome::kRejected:
      return "rejected";
  }
  return "?";
}

const char* ReportStatusName(ReportStatus s) {
  switch (s) {
    case ReportStatus::kNone:
      return "none";
    case ReportStatus::kSubmitted:
      return "submitted";
    case ReportStatus::kApproved:
      return "approved";
    case ReportStatus::kReturned:
      return "returned";
  }
  return "?";
}

const char* GrantStateName(GrantState s) {
  switch (s) {
    case GrantState::kSubmitted:
      return "submitted";
    case GrantState::kGranted:
      return "granted";
    case GrantState::kPartlyGranted:
      return "partly granted";
    case GrantState::kRejected:
      return "rejected";
    case GrantState::kPaid:
      return "paid";
    case GrantState::kReported:
      return "reported";
    case GrantState::kApproved:
      return "approved";
    case GrantState::kReturned:
      return "returned";
    case GrantState::kRepaymentNoticed:
      return "repayment noticed";
    case GrantState::kRepaid:
      return "repaid";
    case GrantState::kClosed:
      return "closed";
  }
  return "?";
}

Money Grant::RepaymentDue() const {
  // What is outstanding before anything came back.
  return RepaymentOutstandingOf(report, paid, spent, noticed, Money());
}

Money Grant::RepaymentOutstanding() const {
  return RepaymentOutstandingOf(report, paid, spent, noticed, repaid);
}

Money RepaymentOutstandingOf(ReportStatus report, Money paid, Money spent, Money noticed,
                             Money repaid) {
  Money unspent;
  if (report != ReportStatus::kNone && paid > spent) unspent = paid - spent;
  const Money due = std::max(noticed, unspent);
  return due > repaid ? due - repaid : Money();
}

const Grant* State::FindGrant(const std::string& application_id) const {
  auto it =
      std::lower_bound(grants.begin(), grants.end(), application_id,
                       [](const Grant& g, const std::string& id) { return g.application_id < id; });
  return it != grants.end() && it->application_id == application_id ? &*it : nullptr;
}

const Budget* State::FindBudget(int year, Programme p) const {
  for (const auto& b : budgets) {
    if (b.year == year && b.programme == p) return &b;
  }
  return nullptr;
}

const YearRules* State::FindRules(int year, Programme p) const {
  for (const auto& r : rules) {
    if (r.rules.year == year && r.rules.programme == p) return &r.rules;
  }
  return nullptr;
}

const UnitInfo* State::FindUnit(const std::string& unit_id) const {
  auto it =
      std::lower_bound(units.begin(), units.end(), unit_id,
                       [](const UnitInfo& u, const std::string& id) { return u.unit_id < id; });
  return it != units.end() && it->unit_id == unit_id ? &*it : nullptr;
}

}  // namespace fouledger::projections
