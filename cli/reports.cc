#include "reports.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include "format.h"
#include "projections/views.h"

namespace fouledger::cli {
namespace {

using projections::Programme;
using projections::State;

std::string Heading(const std::string& what, const projections::QueryTime& t) {
  return what + " as of " + t.as_of.ToString() + ", as the ledger knew it at " +
         t.known_at.ToString().substr(0, 19) + "Z";
}

std::vector<std::string> UnitNames(const State& s, const std::vector<std::string>& units) {
  std::vector<std::string> out;
  for (const auto& u : units) out.push_back(projections::UnitNameAt(s, u, s.at.as_of));
  return out;
}

}  // namespace

Result<projections::QueryTime> ParseQueryTime(Instant now, const std::string& as_of,
                                              const std::string& known_at,
                                              const std::string& as_of_name,
                                              const std::string& known_at_name) {
  projections::QueryTime t;
  t.as_of = now.ToDate();
  t.known_at = now;
  if (!as_of.empty()) {
    auto d = Date::Parse(as_of);
    if (!d.ok()) return d.status().WithContext(as_of_name);
    t.as_of = *d;
  }
  if (!known_at.empty()) {
    auto i = Instant::Parse(known_at);
    if (!i.ok()) return i.status().WithContext(known_at_name);
    t.known_at = *i;
  }
  return t;
}

Result<OutputFormat> ParseOutputFormat(std::string_view name) {
  if (name == "text") return OutputFormat::kText;
  if (name == "json") return OutputFormat::kJson;
  if (name == "csv" || name == "excel") return OutputFormat::kCsvExcel;
  if (name == "rfc4180") return OutputFormat::kCsvRfc4180;
  return Status::InvalidArgument("format is text, json, csv or rfc4180, not '" +
                                 std::string(name.substr(0, 32)) + "'");
}

const char* OutputFormatName(OutputFormat f) {
  switch (f) {
    case OutputFormat::kText:
      return "text";
    case OutputFormat::kJson:
      return "json";
    case OutputFormat::kCsvExcel:
      return "csv";
    case OutputFormat::kCsvRfc4180:
      return "rfc4180";
  }
  return "json";
}

const char* MediaTypeOf(OutputFormat f) {
  switch (f) {
    case OutputFormat::kText:
      return "text/plain; charset=utf-8";
    case OutputFormat::kJson:
      return "application/json";
    case OutputFormat::kCsvExcel:
    case OutputFormat::kCsvRfc4180:
      return "text/csv; charset=utf-8";
  }
  return "application/json";
}

std::vector<projections::Budget> YearBudgets(const projections::Engine& engine, int year,
                                             const projections::QueryTime& at) {
  std::vector<projections::Budget> budgets;
  for (Programme p : {Programme::kLum, Programme::kMul}) {
    projections::Budget b = engine.BudgetAt(year, p, at).value_or(projections::Budget{});
    b.year = year;
    b.programme = p;
    budgets.push_back(b);
  }
  return budgets;
}

void WriteBudget(const std::vector<projections::Budget>& budgets, const projections::QueryTime& at,
                 int year, OutputFormat f, std::ostream& out) {
  Table table({{"year", "Year", true},
               {"programme", "Programme"},
               {"appropriated", "Appropriated", true},
               {"asked", "Asked", true},
               {"granted", "Granted", true},
               {"paid", "Paid", true},
               {"spent", "Spent", true},
               {"noticed", "Noticed", true},
               {"repaid", "Repaid", true},
               {"unallocated", "Unallocated", true},
               {"to_pay", "To pay", true},
               {"unspent", "Unspent", true},
               {"repayment_outstanding", "Repayment outstanding", true},
               {"applications", "Applications", true},
               {"grants", "Grants", true}});
  for (const projections::Budget& b : budgets) {
    table.AddRow({int64_t{b.year}, std::string(projections::ProgrammeName(b.programme)),
                  b.appropriated, b.asked, b.granted, b.paid, b.spent, b.noticed, b.repaid,
                  b.unallocated(), b.to_pay(), b.unspent(), b.repayment_outstanding,
                  int64_t{b.applications}, int64_t{b.grants}});
  }
  if (f == OutputFormat::kText) out << Heading("Budget " + std::to_string(year), at) << "\n";
  table.Write(out, f);
}

void WriteEligibility(const State& state, int year, OutputFormat f, std::ostream& out) {
  Table table(
      {{"unit", "Unit"}, {"name", "Name"}, {"eligible", "Eligible"}, {"reasons", "Reasons"}});
  for (const auto& e : projections::Eligibility(state, year)) {
    table.AddRow({e.unit_id, e.name, e.eligible, e.reasons});
  }
  if (f == OutputFormat::kText) {
    out << Heading("Eligibility for funding year " + std::to_string(year), state.at) << "\n";
  }
  table.Write(out, f);
}

void WriteRepayments(const State& state, int year, bool overdue_only, OutputFormat f,
                     std::ostream& out) {
  const projections::RepaymentReport report = projections::Repayments(state, year);
  Table table({{"application", "Grant"},
               {"programme", "Prog"},
               {"units", "Units"},
               {"granted", "Granted", true},
               {"paid", "Paid", true},
               {"report", "Report"},
               {"spent", "Spent", true},
               {"unspent", "Unspent", true},
               {"noticed", "Noticed", true},
               {"notice_date", "Notice date"},
               {"notice_late", "Late"},
               {"repaid", "Repaid", true},
               {"outstanding", "Outstanding", true},
               {"overdue", "Overdue"},
               {"why_overdue", "Why"}});
  for (const auto& l : report.lines) {
    if (overdue_only && !l.overdue) continue;
    table.AddRow({l.application_id, std::string(projections::ProgrammeName(l.programme)),
                  UnitNames(state, l.units), l.granted, l.paid,
                  std::string(projections::ReportStatusName(l.report)), l.spent, l.unspent,
                  l.noticed, l.first_notice_on.ToString(), l.notice_late, l.repaid, l.outstanding,
                  l.overdue, l.why_overdue});
  }
  if (f == OutputFormat::kText) {
    out << Heading("Repayments for funding year " + std::to_string(year), state.at) << "\n";
  }
  table.Write(out, f);
  if (f == OutputFormat::kText) {
    out << "total: paid " << report.paid.ToSwedish() << ", spent " << report.spent.ToSwedish()
        << ", unspent " << report.unspent.ToSwedish() << ", noticed " << report.noticed.ToSwedish()
        << ", repaid " << report.repaid.ToSwedish() << ", outstanding "
        << report.outstanding.ToSwedish() << "; " << report.overdue << " overdue\n";
  }
}

Status WriteGrant(const State& state, const Ledger& ledger, const std::string& app, OutputFormat f,
                  std::ostream& out) {
  const projections::Grant* g = state.FindGrant(app);
  if (g == nullptr) {
    return Status::NotFound("no application " + app + " as of " + state.at.as_of.ToString() +
                            " as known at " + state.at.known_at.ToString());
  }
  Table table({{"field", "Field"}, {"value", "Value"}});
  auto row = [&](const std::string& k, Cell v) { table.AddRow({k, std::move(v)}); };
  row("application", g->application_id);
  row("year", int64_t{g->year});
  row("programme", std::string(projections::ProgrammeName(g->programme)));
  row("units", UnitNames(state, g->units));
  row("project", g->project_id);
  row("years_in_row", int64_t{g->years_in_row});
  row("title", g->title);
  row("asked", g->asked);
  row("applied_on", g->applied_on.ToString());
  row("outcome", std::string(projections::OutcomeName(g->outcome)));
  row("granted", g->granted);
  row("decided_on", g->decided_on.ToString());
  row("reason", g->decision_reason);
  row("case", g->case_number);
  row("override", g->override_text);
  row("paid", g->paid);
  row("report", std::string(projections::ReportStatusName(g->report)));
  row("spent", g->spent);
  row("report_document_sha256", g->document_sha256);
  row("review_reason", g->review_reason);
  row("noticed", g->noticed);
  row("noticed_late", g->noticed_late);
  row("repaid", g->repaid);
  row("repayment_outstanding", g->RepaymentOutstanding());
  row("state", std::string(projections::GrantStateName(g->state)));
  std::vector<std::string> entries;
  for (uint64_t seq : g->seqs) {
    auto e = ledger.ReadEntry(seq);
    entries.push_back("#" + std::to_string(seq) + " " +
                      (e.ok() ? e->effective_date().ToString() + " " + SummarizeEvent(e->reader())
                              : e.status().ToString()));
  }
  if (f == OutputFormat::kJson) {
    row("entries", entries);
  } else {
    // One line per entry: the trail reads top to bottom.
    for (size_t i = 0; i < entries.size(); ++i) row(i == 0 ? "entries" : "", entries[i]);
  }
  if (f == OutputFormat::kJson) {
    // One object rather than field/value rows: the projection's own field names.
    std::ostringstream rows;
    table.Write(rows, f);
    auto arr = nlohmann::json::parse(rows.str());
    nlohmann::json obj = nlohmann::json::object();
    for (const auto& r : arr) obj[r["field"].get<std::string>()] = r["value"];
    out << obj.dump(2) << "\n";
    return Status::Ok();
  }
  if (f == OutputFormat::kText) out << Heading("Grant " + app, state.at) << "\n";
  table.Write(out, f);
  return Status::Ok();
}

}  // namespace fouledger::cli
