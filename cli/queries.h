// The query commands' bodies, callable from the demo too.
#pragma once

#include <string>

#include "context.h"
#include "table.h"

namespace fouledger::cli {

struct QueryOptions {
  std::string as_of;     // YYYY-MM-DD; "" = today
  std::string known_at;  // RFC 3339 or a date; "" = now
  std::string csv;
  bool json = false;
};

int PrintBudget(const Context& ctx, const QueryOptions& q, OutputFormat f, int year);
int PrintEligibility(const Context& ctx, const QueryOptions& q, OutputFormat f, int year);
int PrintRepayments(const Context& ctx, const QueryOptions& q, OutputFormat f, int year,
                    bool overdue_only);
int PrintGrant(const Context& ctx, const QueryOptions& q, OutputFormat f, const std::string& app);

}  // namespace fouledger::cli
