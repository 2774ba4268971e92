// Reports: each query's answer rendered in one of the Table formats (text, JSON, Excel CSV,
// RFC 4180 CSV). The CLI writes them for a local ledger and `fouledger serve` sends the very same
// bytes, so `--server` prints exactly what a local query prints: one renderer, two transports.
//
// Each function is a pure function of a State made by projections::Engine::At() (and, for the
// grant trail, of entries read from the Ledger, which is safe from any thread). None reads the
// Engine, so a caller may compute the State under a lock and render outside it.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/date.h"
#include "ledger/ledger.h"
#include "ledger/status.h"
#include "projections/engine.h"
#include "projections/state.h"
#include "table.h"

namespace fouledger::cli {

// The point on both time axes a query asks about. Empty texts mean "now": today's date and
// everything recorded up to `now`. as_of is YYYY-MM-DD; known_at is RFC 3339 or a date.
// The names say which option or parameter a refusal is about.
Result<projections::QueryTime> ParseQueryTime(Instant now, const std::string& as_of,
                                              const std::string& known_at,
                                              const std::string& as_of_name = "as_of",
                                              const std::string& known_at_name = "known_at");

// "text", "json", "csv" (Swedish Excel), "rfc4180"; InvalidArgument otherwise.
Result<OutputFormat> ParseOutputFormat(std::string_view name);
const char* OutputFormatName(OutputFormat f);
// The HTTP media type of a rendered report ("application/json", "text/csv; charset=utf-8", ...).
const char* MediaTypeOf(OutputFormat f);

// The budget query: both programmes' budgets of `year` at `at`, from Engine::BudgetAt (a fold over
// that year's records only, not a whole State); a programme nothing names yet shows zeros.
std::vector<projections::Budget> YearBudgets(const projections::Engine& engine, int year,
                                             const projections::QueryTime& at);
void WriteBudget(const std::vector<projections::Budget>& budgets, const projections::QueryTime& at,
                 int year, OutputFormat f, std::ostream& out);
void WriteEligibility(const projections::State& state, int year, OutputFormat f, std::ostream& out);
void WriteRepayments(const projections::State& state, int year, bool overdue_only, OutputFormat f,
                     std::ostream& out);
// NotFound (nothing written) when the application is unknown at the State's point in time.
Status WriteGrant(const projections::State& state, const Ledger& ledger,
                  const std::string& application_id, OutputFormat f, std::ostream& out);

}  // namespace fouledger::cli
