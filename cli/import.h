// Reading the seeds' tables into signed events: applications and decisions (`fouledger import`),
// and, for the demo, units, year rules and appropriations. The column layout of every file is
// documented in data/seeds/README.md and docs/cli.md.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ledger/event.h"
#include "ledger/ledger.h"

namespace fouledger::cli {

// Finds the private key that signs for a unit (for applications), or nullptr.
using UnitKeyFinder = std::function<const SigningKey*(const std::string& unit_id)>;

struct ImportedEvent {
  SignedEvent event;
  size_t line = 0;   // the CSV line it came from
  std::string what;  // "apply 2021-LUM-01", "decide 2021-LUM-01"
};

// Applications file (id;year;programme;units;project;title;asked;granted;reason;applied;decided;
// case;purpose): an apply event per row, signed with the first owner unit's key found, and a
// decide event per row with `granted` filled in, signed with `board`. Applications come first,
// then decisions, each in file order. InvalidArgument names the line and the column.
Result<std::vector<ImportedEvent>> ReadApplications(const std::string& path,
                                                    const SigningKey& board,
                                                    const UnitKeyFinder& unit_key);

// Appends the events all or nothing; a refusal names the CSV line and what it was.
Status AppendAllOrNothing(Ledger& ledger, const std::vector<ImportedEvent>& events);

// units.csv (id;name;from;succeeds), signed by an admin key.
Result<std::vector<ImportedEvent>> ReadUnits(const std::string& path, const SigningKey& admin);
// rules.csv (year;programme;cap;max_per_unit;window_from;window_to;notice_by;max_years;decided;
// criteria;reports_for_year), signed by a board key; effective on `decided` (or window_from).
Result<std::vector<ImportedEvent>> ReadRules(const std::string& path, const SigningKey& board);
// appropriations.csv (year;programme;amount;date;case), signed by a board key.
Result<std::vector<ImportedEvent>> ReadAppropriations(const std::string& path,
                                                      const SigningKey& board);

}  // namespace fouledger::cli
