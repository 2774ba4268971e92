// Private to projections/: the policy rules (per-unit count, approved reports, years in a row),
// written once over GrantFacts so that append checks (over a FoldState) and the eligibility view
// (over a State) give the same answers in the same words.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fold.h"
#include "projections/state.h"

namespace fouledger::projections::internal {

// What the policy rules read about one application in force.
struct GrantFacts {
  std::string_view application_id;
  int year = 0;
  Programme programme = Programme::kUnspecified;
  const std::vector<std::string>* units = nullptr;
  std::string_view project_id;
  int64_t granted = 0;
  int64_t paid = 0;
  bool approved = false;
  uint32_t approved_on = 0;  // packed
};

std::vector<GrantFacts> FactsOf(const FoldState& s);
std::vector<GrantFacts> FactsOf(const State& s);

// The funding year whose grants need approved reports before `rules.year` funds.
int ReportYear(const YearRules& rules);

// The unit's grants (more than 0 kr) of `year` and `p`.
std::vector<const GrantFacts*> UnitGrants(const std::vector<GrantFacts>& facts, int year,
                                          Programme p, const std::string& unit);
// The unit's grants of `report_year` that were paid but have no report approved on or before
// `deadline`.
std::vector<const GrantFacts*> MissingReports(const std::vector<GrantFacts>& facts,
                                              const std::string& unit, int report_year,
                                              Date deadline);
struct Run {
  int years = 0;       // consecutive funded years ending at the year asked about
  int first_year = 0;  // the first of them
};
Run YearsInRow(const std::vector<GrantFacts>& facts, std::string_view project_id, int up_to_year);

// The refusal and eligibility lines, one per rule.
std::string PerUnitLine(const YearRules& rules, const std::string& unit_name,
                        const std::vector<const GrantFacts*>& held);
std::string ReportsLine(int report_year, Date deadline, const std::string& unit_name,
                        const std::vector<const GrantFacts*>& missing);
std::string YearsInRowLine(const YearRules& rules, std::string_view project_id, const Run& run);

}  // namespace fouledger::projections::internal
