#include "policy.h"

#include <algorithm>
#include <set>

namespace fouledger::projections::internal {
namespace {

bool Owns(const GrantFacts& g, const std::string& unit) {
  return g.units && std::find(g.units->begin(), g.units->end(), unit) != g.units->end();
}

std::string Ids(const std::vector<const GrantFacts*>& grants) {
  std::string out;
  for (const auto* g : grants) {
    if (!out.empty()) out += ", ";
    out += g->application_id;
  }
  return out;
}

}  // namespace

std::vector<GrantFacts> FactsOf(const FoldState& s) {
  std::vector<GrantFacts> out;
  out.reserve(s.grants.size());
  for (const auto& g : s.grants) {
    if (!g.apply) continue;
    const auto& a = std::get<Application>(g.apply->body);
    out.push_back(GrantFacts{a.application_id, a.year, a.programme, &a.units, a.project_id,
                             g.granted, g.paid, g.report_status == ReportStatus::kApproved,
                             g.approved_on});
  }
  return out;
}

std::vector<GrantFacts> FactsOf(const State& s) {
  std::vector<GrantFacts> out;
  out.reserve(s.grants.size());
  for (const auto& g : s.grants) {
    const bool approved = g.report == ReportStatus::kApproved;
    out.push_back(GrantFacts{g.application_id, g.year, g.programme, &g.units, g.project_id,
                             g.granted.ore(), g.paid.ore(), approved,
                             approved ? g.report_reviewed_on.packed() : 0});
  }
  return out;
}

int ReportYear(const YearRules& rules) {
  return rules.reports_for_year != 0 ? rules.reports_for_year : rules.year - 1;
}

std::vector<const GrantFacts*> UnitGrants(const std::vector<GrantFacts>& facts, int year,
                                          Programme p, const std::string& unit) {
  std::vector<const GrantFacts*> out;
  for (const auto& g : facts) {
    if (g.year == year && g.programme == p && g.granted > 0 && Owns(g, unit)) out.push_back(&g);
  }
  return out;
}

std::vector<const GrantFacts*> MissingReports(const std::vector<GrantFacts>& facts,
                                              const std::string& unit, int report_year,
                                              Date deadline) {
  std::vector<const GrantFacts*> out;
  for (const auto& g : facts) {
    if (g.year != report_year || g.paid == 0 || !Owns(g, unit)) continue;
    // Nothing paid, nothing to report: a grant never paid (a trip cancelled) does not block.
    if (g.approved && (!deadline.valid() || g.approved_on <= deadline.packed())) continue;
    out.push_back(&g);
  }
  return out;
}

Run YearsInRow(const std::vector<GrantFacts>& facts, std::string_view project_id, int up_to_year) {
  std::set<int> years;
  for (const auto& g : facts) {
    if (g.granted > 0 && g.project_id == project_id) years.insert(g.year);
  }
  Run run;
  while (years.count(up_to_year - run.years)) ++run.years;
  run.first_year = up_to_year - run.years + 1;
  return run;
}

std::string PerUnitLine(const YearRules& rules, const std::string& unit_name,
                        const std::vector<const GrantFacts*>& held) {
  return YearName(rules.year, rules.programme) + " allows " + std::to_string(rules.max_per_unit) +
         " grants per unit; " + unit_name + " already has " + std::to_string(held.size()) + " (" +
         Ids(held) + ")";
}

std::string ReportsLine(int report_year, Date deadline, const std::string& unit_name,
                        const std::vector<const GrantFacts*>& missing) {
  return std::to_string(report_year) + " grants need an approved report by " + deadline.ToString() +
         "; " + unit_name + " has none for " + Ids(missing);
}

std::string YearsInRowLine(const YearRules& rules, std::string_view project_id, const Run& run) {
  const std::string span = run.years == 1 ? std::to_string(run.first_year)
                                          : std::to_string(run.first_year) + "–" +
                                                std::to_string(run.first_year + run.years - 1);
  return YearName(rules.year, rules.programme) + " funds a project at most " +
         std::to_string(rules.max_years_in_row) +
         (rules.max_years_in_row == 1 ? " year" : " years") + " in a row; " +
         std::string(project_id) + " was funded " + span;
}

}  // namespace fouledger::projections::internal
