// State: what the ledger says at a chosen point on both time axes (docs/time-travel.md).
//
// A State is a plain value made by Engine::At(QueryTime): budgets per funding year and programme,
// every application's life as a Grant, the year rules, the units, and anomalies (entries the fold
// could not apply; an empty list for any ledger written through the Engine's checks). It owns all
// its data and may outlive the Engine. Views over a State are in views.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/date.h"
#include "ledger/money.h"
#include "projections/record.h"

namespace fouledger::projections {

// A point on both time axes. as_of: the business date (effective dates up to and including it).
// known_at: the ledger's knowledge (entries recorded up to and including that instant).
struct QueryTime {
  Date as_of;
  Instant known_at;

  // Every date and everything recorded: the ledger's current view.
  static QueryTime Latest();
  // As of `as_of`, as the ledger knows it now.
  static QueryTime AsOf(Date as_of);
};

enum class Outcome : uint8_t { kUndecided, kGranted, kPartlyGranted, kRejected };
enum class ReportStatus : uint8_t { kNone, kSubmitted, kApproved, kReturned };

// One application's place in its life; the first rule that matches wins:
//   kSubmitted          applied, not decided
//   kRejected           decided, 0 kr granted
//   kGranted            granted in full (= asked), nothing paid yet
//   kPartlyGranted      0 < granted < asked, nothing paid yet
//   kRepaymentNoticed   a repayment was noticed and not yet received in full
//   kClosed             report approved and nothing left to repay
//   kApproved           report approved, but unspent money not yet repaid
//   kReturned           report returned for completion (not yet resubmitted)
//   kReported           report submitted, awaiting review
//   kRepaid             no report yet, and money has come back (all that was noticed)
//   kPaid               paid (in part or in full), no report yet
enum class GrantState : uint8_t {
  kSubmitted,
  kGranted,
  kPartlyGranted,
  kRejected,
  kPaid,
  kReported,
  kApproved,
  kReturned,
  kRepaymentNoticed,
  kRepaid,
  kClosed,
};
const char* OutcomeName(Outcome o);  // "undecided", "granted", "partly granted", "rejected"
const char* ReportStatusName(ReportStatus s);  // "none", "submitted", "approved", "returned"
const char* GrantStateName(GrantState s);      // "submitted", ..., "repayment noticed", "closed"

// One application and everything that happened to it.
struct Grant {
  std::string application_id;
  int year = 0;
  Programme programme = Programme::kUnspecified;
  std::vector<std::string> units;  // owner units (several for a joint project)
  std::string project_id;
  std::string title;
  Money asked;
  Date applied_on;

  Outcome outcome = Outcome::kUndecided;
  Money granted;
  Date decided_on;
  std::string decision_reason;
  std::string case_number;
  std::string override_text;  // non-empty: the board overrode a policy rule (see Overrides())

  Money paid;

  ReportStatus report = ReportStatus::kNone;
  Money spent;  // from the newest report submitted
  Date report_submitted_on;
  Date report_reviewed_on;
  std::string review_reason;
  std::string document_sha256;
  std::string document_name;

  Money noticed;       // all repayment notices
  Money noticed_late;  // the part noticed after the year's notice deadline
  Date first_notice_on;
  Money repaid;

  GrantState state = GrantState::kSubmitted;
  int years_in_row = 0;        // consecutive funding years of project_id up to and including `year`
  std::vector<uint64_t> seqs;  // every entry that made this state, in fold order

  // What is still to repay: the larger of what was noticed and what a report shows unspent,
  // less what came back (never negative). Unreported grants count only what was noticed.
  Money RepaymentDue() const;
  Money RepaymentOutstanding() const;
};

// Grant::RepaymentOutstanding() from the figures alone (the budget folds have no Grant).
Money RepaymentOutstandingOf(ReportStatus report, Money paid, Money spent, Money noticed,
                             Money repaid);

// Money and counts for one funding year and programme.
struct Budget {
  int year = 0;
  Programme programme = Programme::kUnspecified;
  Money appropriated;  // set aside by the board (all appropriations added)
  Money asked;         // all applications
  Money granted;
  Money paid;
  Money spent;                  // from the newest report of each grant
  Money noticed;                // repayments noticed
  Money repaid;                 // repayments received
  Money repayment_outstanding;  // sum of Grant::RepaymentOutstanding()
  int applications = 0;
  int decided = 0;
  int grants = 0;  // decided with more than 0 kr
  int rejected = 0;

  Money unallocated() const { return appropriated - granted; }
  Money to_pay() const { return granted - paid; }
  Money unspent() const { return paid - spent; }  // includes money not yet reported on
};

// A unit as registered (a rename or merger is a new unit that `succeeds` older ones).
struct UnitInfo {
  std::string unit_id;
  std::string name;
  Date valid_from;  // invalid: always
  Date valid_to;    // exclusive: the first successor's valid_from; invalid: open
  std::vector<std::string> succeeds;
  std::vector<std::string> succeeded_by;
  uint64_t seq = 0;

  bool ExistsOn(Date d) const {
    return (!valid_from.valid() || valid_from <= d) && (!valid_to.valid() || d < valid_to);
  }
};

struct RulesInfo {
  YearRules rules;
  uint64_t seq = 0;
};

// An entry the fold could not apply (e.g. a payout for an undecided application). Never produced
// by a ledger whose appends went through Engine::Check.
struct Anomaly {
  uint64_t seq = 0;
  std::string message;
};

struct State {
  QueryTime at;
  std::vector<RulesInfo> rules;    // by (year, programme)
  std::vector<Budget> budgets;     // by (year, programme); a year appears once anything names it
  std::vector<Grant> grants;       // by application id
  std::vector<UnitInfo> units;     // by unit id
  std::vector<Anomaly> anomalies;  // by fold order

  const Grant* FindGrant(const std::string& application_id) const;
  const Budget* FindBudget(int year, Programme p) const;
  const YearRules* FindRules(int year, Programme p) const;
  const UnitInfo* FindUnit(const std::string& unit_id) const;
};

}  // namespace fouledger::projections
