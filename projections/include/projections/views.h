// Views: questions people ask of a State (eligibility, repayments, units, overrides).
//
// Each is a pure function of a State made by Engine::At(); none reads the ledger. Every reason a
// view gives is one human-readable line with money written the Swedish way ("500 000 kr").
// docs/projections.md describes each view and its rules.
#pragma once

#include <string>
#include <vector>

#include "projections/state.h"

namespace fouledger::projections {

// --- Eligibility ---------------------------------------------------------------------------

struct ProgrammeRoom {
  Programme programme = Programme::kUnspecified;
  int grants = 0;        // the unit's grants of this programme in the funding year
  int max_per_unit = 0;  // from the year's rules; 0: no limit
  bool room = true;      // one more can be granted without an override
};

struct UnitEligibility {
  std::string unit_id;
  std::string name;  // as it was on the State's as-of date
  // True when the approved-report rule holds and at least one open programme has room. A unit may
  // be eligible and still have a project that cannot continue (see reasons).
  bool eligible = true;
  std::vector<std::string>
      reasons;  // every finding, one line each (empty: nothing stands in the way)
  std::vector<std::string> missing_reports;    // application ids lacking an approved report
  std::vector<std::string> projects_at_limit;  // project ids at the year's limit of years in a row
  std::vector<ProgrammeRoom> programmes;       // each programme open for the year
};

// Every unit that exists on the State's as-of date, in Swedish order of name, for funding year
// `year`. The approved-report deadline is the year's reportsBy, or the as-of date if none.
std::vector<UnitEligibility> Eligibility(const State& state, int year);

// --- Repayments ----------------------------------------------------------------------------

struct RepaymentLine {
  std::string application_id;
  Programme programme = Programme::kUnspecified;
  std::vector<std::string> units;
  std::string title;
  Money granted;
  Money paid;
  ReportStatus report = ReportStatus::kNone;
  Money spent;    // per the newest report (0 if none)
  Money unspent;  // paid - spent for a reported grant; 0 if no report
  Money noticed;
  Date first_notice_on;
  Date notice_by;            // the year's deadline (invalid: none)
  bool notice_late = false;  // some of the notice came after notice_by
  Money repaid;
  Money outstanding;  // Grant::RepaymentOutstanding()
  // On the as-of date, after the deadline: money still to come back (noticed or shown unspent by a
  // report and not received), or a reported unspent sum with no notice at all.
  bool overdue = false;
  std::string why_overdue;  // one line; empty if not overdue
};

struct RepaymentReport {
  int year = 0;
  Date as_of;
  std::vector<RepaymentLine> lines;  // every grant of the year with money paid, by application id
  Money paid, spent, unspent, noticed, repaid, outstanding;
  int overdue = 0;
};

RepaymentReport Repayments(const State& state, int year);

// --- Units ---------------------------------------------------------------------------------

// The units that exist on `date` (registered, valid from on or before it, not yet succeeded), in
// Swedish order of name.
std::vector<UnitInfo> UnitsAt(const State& state, Date date);
// The unit's own name if it existed on `date`; otherwise the name of the unit that had taken its
// place by then (following `succeeded_by`); the id itself if the unit is unknown.
std::string UnitNameAt(const State& state, const std::string& unit_id, Date date);

// --- Overrides -----------------------------------------------------------------------------

struct OverrideLine {
  std::string application_id;
  int year = 0;
  Programme programme = Programme::kUnspecified;
  Money asked;
  Money granted;
  Date decided_on;
  std::string override_text;
};

// Every decision that carries an override text, by application id.
std::vector<OverrideLine> Overrides(const State& state);

}  // namespace fouledger::projections
