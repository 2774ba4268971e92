#include "projections/views.h"

#include <algorithm>

#include "policy.h"
#include "projections/swedish.h"

namespace fouledger::projections {
namespace {

constexpr int kSuccessionDepthMax = 16;  // renames and mergers followed; real chains are 1 or 2

constexpr Programme kProgrammes[] = {Programme::kLum, Programme::kMul};

void AddOnce(std::vector<std::string>& list, const std::string& item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

}  // namespace

std::vector<UnitEligibility> Eligibility(const State& state, int year) {
  const Date as_of = state.at.as_of;
  const auto facts = internal::FactsOf(state);
  std::vector<UnitEligibility> out;
  for (const auto& unit : UnitsAt(state, as_of)) {
    UnitEligibility e;
    e.unit_id = unit.unit_id;
    e.name = unit.name;
    bool reports_ok = true;
    bool any_room = false;
    for (Programme p : kProgrammes) {
      const YearRules* rules = state.FindRules(year, p);
      if (!rules) continue;
      // The approved-report rule.
      const int report_year = internal::ReportYear(*rules);
      const Date deadline = rules->reports_by.valid() ? rules->reports_by : as_of;
      const auto missing = internal::MissingReports(facts, unit.unit_id, report_year, deadline);
      if (!missing.empty()) {
        reports_ok = false;
        AddOnce(e.reasons, internal::ReportsLine(report_year, deadline, unit.name, missing));
        for (const auto* m : missing) AddOnce(e.missing_reports, std::string(m->application_id));
      }
      // Grants already held against the per-unit limit.
      const auto held = internal::UnitGrants(facts, year, p, unit.unit_id);
      ProgrammeRoom room{p, static_cast<int>(held.size()), rules->max_per_unit, true};
      if (rules->max_per_unit > 0 && room.grants >= rules->max_per_unit) {
        room.room = false;
        e.reasons.push_back(internal::PerUnitLine(*rules, unit.name, held));
      } else {
        any_room = true;
      }
      e.programmes.push_back(room);
      // Projects that have reached the limit of years in a row.
      if (rules->max_years_in_row > 0) {
        std::vector<std::string_view> seen;
        for (const auto& f : facts) {
          if (f.programme != p || f.year >= year || f.granted == 0 || f.project_id.empty())
            continue;
          if (std::find(f.units->begin(), f.units->end(), unit.unit_id) == f.units->end()) continue;
          if (std::find(seen.begin(), seen.end(), f.project_id) != seen.end()) continue;
          seen.push_back(f.project_id);
          const auto run = internal::YearsInRow(facts, f.project_id, year - 1);
          if (run.years >= rules->max_years_in_row) {
            e.projects_at_limit.emplace_back(f.project_id);
            e.reasons.push_back(internal::YearsInRowLine(*rules, f.project_id, run));
          }
        }
      }
    }
    if (e.programmes.empty()) {
      e.reasons.push_back(std::to_string(year) + " is not open: no year rules for LUM or MUL");
    }
    e.eligible = reports_ok && any_room;
    out.push_back(std::move(e));
  }
  return out;
}

RepaymentReport Repayments(const State& state, int year) {
  RepaymentReport report;
  report.year = year;
  report.as_of = state.at.as_of;
  for (const auto& g : state.grants) {
    if (g.year != year || g.paid.ore() == 0) continue;
    RepaymentLine line{};
    line.application_id = g.application_id;
    line.programme = g.programme;
    line.units = g.units;
    line.title = g.title;
    line.granted = g.granted;
    line.paid = g.paid;
    line.report = g.report;
    line.spent = g.spent;
    if (g.report != ReportStatus::kNone && g.paid > g.spent) line.unspent = g.paid - g.spent;
    line.noticed = g.noticed;
    line.first_notice_on = g.first_notice_on;
    if (const YearRules* rules = state.FindRules(year, g.programme)) {
      line.notice_by = rules->notice_by;
    }
    line.notice_late = g.noticed_late.ore() > 0;
    line.repaid = g.repaid;
    line.outstanding = g.RepaymentOutstanding();
    if (line.notice_by.valid() && report.as_of > line.notice_by && line.outstanding.ore() > 0) {
      line.overdue = true;
      std::string why;
      if (line.unspent > line.noticed) {
        why = "the report shows " + line.unspent.ToSwedish() + " unspent but " +
              (line.noticed.ore() == 0 ? std::string("no repayment was noticed")
                                       : "only " + line.noticed.ToSwedish() + " was noticed") +
              " (deadline " + line.notice_by.ToString() + ")";
      }
      if (line.noticed > line.repaid) {
        if (!why.empty()) why += "; ";
        why += line.noticed.ToSwedish() + " noticed, " + line.repaid.ToSwedish() + " received";
      }
      line.why_overdue = why;
      ++report.overdue;
    }
    report.paid += line.paid;
    report.spent += line.spent;
    report.unspent += line.unspent;
    report.noticed += line.noticed;
    report.repaid += line.repaid;
    report.outstanding += line.outstanding;
    report.lines.push_back(std::move(line));
  }
  return report;
}

std::vector<UnitInfo> UnitsAt(const State& state, Date date) {
  std::vector<UnitInfo> out;
  for (const auto& u : state.units) {
    if (u.ExistsOn(date)) out.push_back(u);
  }
  std::sort(out.begin(), out.end(), [](const UnitInfo& a, const UnitInfo& b) {
    if (a.name != b.name) return SwedishLess(a.name, b.name);
    return a.unit_id < b.unit_id;
  });
  return out;
}

std::string UnitNameAt(const State& state, const std::string& unit_id, Date date) {
  const UnitInfo* u = state.FindUnit(unit_id);
  if (!u) return unit_id;
  const UnitInfo* at = u;
  for (int depth = 0; depth < kSuccessionDepthMax && !at->ExistsOn(date); ++depth) {
    const UnitInfo* next = nullptr;
    for (const auto& id : at->succeeded_by) {
      const UnitInfo* s = state.FindUnit(id);
      if (s && (!s->valid_from.valid() || s->valid_from <= date)) {
        next = s;
        break;
      }
    }
    if (!next) break;  // before the unit existed, or nothing took its place: keep its own name
    at = next;
  }
  return at->name;
}

std::vector<OverrideLine> Overrides(const State& state) {
  std::vector<OverrideLine> out;
  for (const auto& g : state.grants) {
    if (g.override_text.empty()) continue;
    out.push_back(OverrideLine{g.application_id, g.year, g.programme, g.asked, g.granted,
                               g.decided_on, g.override_text});
  }
  return out;
}

}  // namespace fouledger::projections
