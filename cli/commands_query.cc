// Query commands: budget, eligibility, repayments, grant. Each opens the ledger (which replays
// the entries into the projections engine), asks for the State at (--as-of, --known-at) and
// formats a view of it. No rule or sum is computed here.
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "context.h"
#include "format.h"
#include "projections/engine.h"
#include "projections/views.h"
#include "queries.h"
#include "table.h"

namespace fouledger::cli {
namespace {

using projections::Programme;
using projections::State;

void AddQueryOptions(CLI::App* cmd, QueryOptions* q) {
  cmd->add_option("--as-of", q->as_of,
                  "Business date: events effective on or before it (default today)");
  cmd->add_option("--known-at", q->known_at,
                  "Ledger time: entries recorded by then, RFC 3339 or a date (default now)");
  cmd->add_flag("--json", q->json, "JSON, amounts as decimal strings in kronor");
  cmd->add_option("--csv", q->csv, "CSV for Swedish Excel; --csv=rfc4180 for comma/dot CSV")
      ->expected(0, 1)
      ->default_str("excel");
}

Result<OutputFormat> FormatOf(const QueryOptions& q, const CLI::App* cmd) {
  const bool csv = cmd->count("--csv") > 0;
  if (q.json && csv) return Status::InvalidArgument("choose --json or --csv, not both");
  if (q.json) return OutputFormat::kJson;
  if (!csv) return OutputFormat::kText;
  if (q.csv.empty() || q.csv == "excel") return OutputFormat::kCsvExcel;
  if (q.csv == "rfc4180") return OutputFormat::kCsvRfc4180;
  return Status::InvalidArgument("--csv takes no value (Swedish Excel) or rfc4180, not '" + q.csv +
                                 "'");
}

Result<projections::QueryTime> TimeOf(const Context& ctx, const QueryOptions& q) {
  projections::QueryTime t;
  const Instant now = ctx.clock();
  t.as_of = now.ToDate();
  t.known_at = now;
  if (!q.as_of.empty()) {
    auto d = ParseDate("--as-of", q.as_of);
    if (!d.ok()) return d.status();
    t.as_of = *d;
  }
  if (!q.known_at.empty()) {
    auto i = Instant::Parse(q.known_at);
    if (!i.ok()) return i.status().WithContext("--known-at");
    t.known_at = *i;
  }
  return t;
}

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

int PrintBudget(const Context& ctx, const QueryOptions& q, OutputFormat f, int year) {
  auto opened = Open(ctx);
  if (!opened.ok()) return Fail(opened.status());
  auto t = TimeOf(ctx, q);
  if (!t.ok()) return Fail(t.status());
  const State state = opened->rules->At(*t);
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
  for (Programme p : {Programme::kLum, Programme::kMul}) {
    const projections::Budget* b = state.FindBudget(year, p);
    projections::Budget empty;
    if (b == nullptr) {
      empty.year = year;
      empty.programme = p;
      b = &empty;
    }
    table.AddRow({int64_t{year}, std::string(projections::ProgrammeName(p)), b->appropriated,
                  b->asked, b->granted, b->paid, b->spent, b->noticed, b->repaid, b->unallocated(),
                  b->to_pay(), b->unspent(), b->repayment_outstanding, int64_t{b->applications},
                  int64_t{b->grants}});
  }
  if (f == OutputFormat::kText) std::cout << Heading("Budget " + std::to_string(year), *t) << "\n";
  table.Write(std::cout, f);
  return kExitOk;
}

int PrintEligibility(const Context& ctx, const QueryOptions& q, OutputFormat f, int year) {
  auto opened = Open(ctx);
  if (!opened.ok()) return Fail(opened.status());
  auto t = TimeOf(ctx, q);
  if (!t.ok()) return Fail(t.status());
  const State state = opened->rules->At(*t);
  Table table(
      {{"unit", "Unit"}, {"name", "Name"}, {"eligible", "Eligible"}, {"reasons", "Reasons"}});
  for (const auto& e : projections::Eligibility(state, year)) {
    table.AddRow({e.unit_id, e.name, e.eligible, e.reasons});
  }
  if (f == OutputFormat::kText) {
    std::cout << Heading("Eligibility for funding year " + std::to_string(year), *t) << "\n";
  }
  table.Write(std::cout, f);
  return kExitOk;
}

int PrintRepayments(const Context& ctx, const QueryOptions& q, OutputFormat f, int year,
                    bool overdue_only) {
  auto opened = Open(ctx);
  if (!opened.ok()) return Fail(opened.status());
  auto t = TimeOf(ctx, q);
  if (!t.ok()) return Fail(t.status());
  const State state = opened->rules->At(*t);
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
    std::cout << Heading("Repayments for funding year " + std::to_string(year), *t) << "\n";
  }
  table.Write(std::cout, f);
  if (f == OutputFormat::kText) {
    std::cout << "total: paid " << report.paid.ToSwedish() << ", spent " << report.spent.ToSwedish()
              << ", unspent " << report.unspent.ToSwedish() << ", noticed "
              << report.noticed.ToSwedish() << ", repaid " << report.repaid.ToSwedish()
              << ", outstanding " << report.outstanding.ToSwedish() << "; " << report.overdue
              << " overdue\n";
  }
  return kExitOk;
}

int PrintGrant(const Context& ctx, const QueryOptions& q, OutputFormat f, const std::string& app) {
  auto opened = Open(ctx);
  if (!opened.ok()) return Fail(opened.status());
  auto t = TimeOf(ctx, q);
  if (!t.ok()) return Fail(t.status());
  const State state = opened->rules->At(*t);
  const projections::Grant* g = state.FindGrant(app);
  if (g == nullptr) {
    return Fail(Status::NotFound("no application " + app + " as of " + t->as_of.ToString() +
                                 " as known at " + t->known_at.ToString()));
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
    auto e = opened->ledger->ReadEntry(seq);
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
    std::cout << obj.dump(2) << "\n";
    return kExitOk;
  }
  if (f == OutputFormat::kText) std::cout << Heading("Grant " + app, *t) << "\n";
  table.Write(std::cout, f);
  return kExitOk;
}

std::unique_ptr<projections::Engine> MakeDomainRules() {
  return std::make_unique<projections::Engine>();
}

void RegisterQueryCommands(CLI::App& app, Context& ctx, Action* action) {
  {
    auto* cmd = app.add_subcommand("budget", "Money per programme for a funding year");
    auto q = std::make_shared<QueryOptions>();
    auto year = std::make_shared<int>(0);
    cmd->add_option("--year", *year, "Funding year")->required();
    AddQueryOptions(cmd, q.get());
    cmd->callback([=, &ctx] {
      *action = [=, &ctx]() -> int {
        auto f = FormatOf(*q, cmd);
        return f.ok() ? PrintBudget(ctx, *q, *f, *year) : Fail(f.status());
      };
    });
  }
  {
    auto* cmd = app.add_subcommand("eligibility", "Which units may be granted funds, and why not");
    auto q = std::make_shared<QueryOptions>();
    auto year = std::make_shared<int>(0);
    cmd->add_option("--year", *year, "Funding year")->required();
    AddQueryOptions(cmd, q.get());
    cmd->callback([=, &ctx] {
      *action = [=, &ctx]() -> int {
        auto f = FormatOf(*q, cmd);
        return f.ok() ? PrintEligibility(ctx, *q, *f, *year) : Fail(f.status());
      };
    });
  }
  {
    auto* cmd = app.add_subcommand("repayments", "Unspent funds, notices and money returned");
    auto q = std::make_shared<QueryOptions>();
    auto year = std::make_shared<int>(0);
    auto overdue = std::make_shared<bool>(false);
    cmd->add_option("--year", *year, "Funding year")->required();
    cmd->add_flag("--overdue", *overdue, "Only grants overdue on the as-of date");
    AddQueryOptions(cmd, q.get());
    cmd->callback([=, &ctx] {
      *action = [=, &ctx]() -> int {
        auto f = FormatOf(*q, cmd);
        return f.ok() ? PrintRepayments(ctx, *q, *f, *year, *overdue) : Fail(f.status());
      };
    });
  }
  {
    auto* cmd = app.add_subcommand("grant", "One application's life and the entries that made it");
    auto q = std::make_shared<QueryOptions>();
    auto id = std::make_shared<std::string>();
    cmd->add_option("APP", *id, "Application id")->required();
    AddQueryOptions(cmd, q.get());
    cmd->callback([=, &ctx] {
      *action = [=, &ctx]() -> int {
        auto f = FormatOf(*q, cmd);
        return f.ok() ? PrintGrant(ctx, *q, *f, *id) : Fail(f.status());
      };
    });
  }
}

}  // namespace fouledger::cli
