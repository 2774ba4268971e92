// Query commands: budget, eligibility, repayments, grant. Each opens the ledger (which replays
// the entries into the projections engine), asks for the State at (--as-of, --known-at) and
// formats a view of it with reports.h; with --server it asks `fouledger serve`, which renders the
// same report. No rule or sum is computed here.
#include <functional>
#include <iostream>

#include "client.h"
#include "context.h"
#include "format.h"
#include "projections/engine.h"
#include "projections/views.h"
#include "queries.h"
#include "reports.h"
#include "table.h"

namespace fouledger::cli {
namespace {

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
  return ParseQueryTime(ctx.clock(), q.as_of, q.known_at, "--as-of", "--known-at");
}

// The local path of every query: open the ledger (which replays it into the engine), take the
// State at (--as-of, --known-at) and render it with the report the server renders too.
int Local(const Context& ctx, const QueryOptions& q,
          const std::function<Status(const OpenLedger&, const State&)>& render) {
  auto opened = Open(ctx);
  if (!opened.ok()) return Fail(opened.status());
  auto t = TimeOf(ctx, q);
  if (!t.ok()) return Fail(t.status());
  const State state = opened->rules->At(*t);
  if (Status s = render(*opened, state); !s.ok()) return Fail(s);
  return kExitOk;
}

// The same query asked of `fouledger serve`: the server renders the same report.
int Remote(const Context& ctx, const QueryOptions& q, OutputFormat f, const std::string& path,
           std::vector<std::pair<std::string, std::string>> params) {
  if (!q.as_of.empty()) params.emplace_back("as_of", q.as_of);
  if (!q.known_at.empty()) params.emplace_back("known_at", q.known_at);
  params.emplace_back("format", OutputFormatName(f));
  return RemoteQuery(ctx, path, params);
}

}  // namespace

int PrintBudget(const Context& ctx, const QueryOptions& q, OutputFormat f, int year) {
  if (!ctx.server_url.empty()) {
    return Remote(ctx, q, f, "/v1/budget", {{"year", std::to_string(year)}});
  }
  auto opened = Open(ctx);
  if (!opened.ok()) return Fail(opened.status());
  auto t = TimeOf(ctx, q);
  if (!t.ok()) return Fail(t.status());
  WriteBudget(YearBudgets(*opened->rules, year, *t), *t, year, f, std::cout);
  return kExitOk;
}

int PrintEligibility(const Context& ctx, const QueryOptions& q, OutputFormat f, int year) {
  if (!ctx.server_url.empty()) {
    return Remote(ctx, q, f, "/v1/eligibility", {{"year", std::to_string(year)}});
  }
  return Local(ctx, q, [&](const OpenLedger&, const State& state) {
    WriteEligibility(state, year, f, std::cout);
    return Status::Ok();
  });
}

int PrintRepayments(const Context& ctx, const QueryOptions& q, OutputFormat f, int year,
                    bool overdue_only) {
  if (!ctx.server_url.empty()) {
    return Remote(ctx, q, f, "/v1/repayments",
                  {{"year", std::to_string(year)}, {"overdue", overdue_only ? "true" : "false"}});
  }
  return Local(ctx, q, [&](const OpenLedger&, const State& state) {
    WriteRepayments(state, year, overdue_only, f, std::cout);
    return Status::Ok();
  });
}

int PrintGrant(const Context& ctx, const QueryOptions& q, OutputFormat f, const std::string& app) {
  if (!ctx.server_url.empty()) return Remote(ctx, q, f, "/v1/grants/" + app, {});
  return Local(ctx, q, [&](const OpenLedger& opened, const State& state) {
    return WriteGrant(state, *opened.ledger, app, f, std::cout);
  });
}

std::unique_ptr<projections::Engine> MakeDomainRules() {
  return std::make_unique<projections::Engine>();
}

namespace {

// Registers a query command: the shared --as-of/--known-at/--json/--csv options, and a body that
// runs `print` with the chosen format once the command line is parsed.
using Printer = std::function<int(const QueryOptions&, OutputFormat)>;
CLI::App* AddQueryCommand(CLI::App& app, Action* action, const std::string& name,
                          const std::string& help, const Printer& print) {
  auto* cmd = app.add_subcommand(name, help);
  auto q = std::make_shared<QueryOptions>();
  AddQueryOptions(cmd, q.get());
  cmd->callback([=] {
    *action = [=]() -> int {
      auto f = FormatOf(*q, cmd);
      return f.ok() ? print(*q, *f) : Fail(f.status());
    };
  });
  return cmd;
}

}  // namespace

void RegisterQueryCommands(CLI::App& app, Context& ctx, Action* action) {
  auto year = std::make_shared<int>(0);  // one command runs per invocation
  auto overdue = std::make_shared<bool>(false);
  auto id = std::make_shared<std::string>();
  AddQueryCommand(
      app, action, "budget", "Money per programme for a funding year",
      [=, &ctx](const QueryOptions& q, OutputFormat f) { return PrintBudget(ctx, q, f, *year); })
      ->add_option("--year", *year, "Funding year")
      ->required();
  AddQueryCommand(app, action, "eligibility", "Which units may be granted funds, and why not",
                  [=, &ctx](const QueryOptions& q, OutputFormat f) {
                    return PrintEligibility(ctx, q, f, *year);
                  })
      ->add_option("--year", *year, "Funding year")
      ->required();
  auto* repayments =
      AddQueryCommand(app, action, "repayments", "Unspent funds, notices and money returned",
                      [=, &ctx](const QueryOptions& q, OutputFormat f) {
                        return PrintRepayments(ctx, q, f, *year, *overdue);
                      });
  repayments->add_option("--year", *year, "Funding year")->required();
  repayments->add_flag("--overdue", *overdue, "Only grants overdue on the as-of date");
  AddQueryCommand(
      app, action, "grant", "One application's life and the entries that made it",
      [=, &ctx](const QueryOptions& q, OutputFormat f) { return PrintGrant(ctx, q, f, *id); })
      ->add_option("APP", *id, "Application id")
      ->required();
}

}  // namespace fouledger::cli
