// Record: one ledger entry as plain C++ data, the only form projections/ works with.
//
// RecordFromEntry() is the one place projections read Cap'n Proto: everything downstream (the
// fold, the rules, the views) sees Records, so a test can build a vector of them by hand, with no
// RocksDB and no signing. A Record is a value; it owns its strings. Dates that an event leaves at
// 0 ("not given") become the invalid Date(); money is integer öre (Money).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/date.h"
#include "ledger/money.h"
#include "ledger/status.h"

namespace fouledger {
class DecodedEntry;
}

namespace fouledger::projections {

// The two funds. Mirrors schema::Programme, so nothing downstream needs the generated header.
enum class Programme : uint8_t { kUnspecified = 0, kLum = 1, kMul = 2 };
const char* ProgrammeName(Programme p);  // "LUM", "MUL", "?"

// yearOpen: the rules of one funding year and programme (they change from year to year).
struct YearRules {
  int year = 0;
  Programme programme = Programme::kUnspecified;
  Money cap;             // LUM: per project-year; MUL: per trip. 0: no cap
  int max_per_unit = 0;  // grants of this programme one unit may have this year. 0: no limit
  Date window_from;      // application window, both days included; invalid: open-ended
  Date window_to;
  Date notice_by;            // repayment notice deadline; invalid: none
  int max_years_in_row = 0;  // 0: no limit
  std::string criteria;
  int reports_for_year = 0;  // grants of this year need an approved report (0: year - 1)
  Date reports_by;           // ... by this date (invalid: the decision date)
};

struct Appropriation {
  int year = 0;
  Programme programme = Programme::kUnspecified;
  Money amount;
  std::string case_number;
};

struct Application {
  std::string application_id;
  int year = 0;
  Programme programme = Programme::kUnspecified;
  std::vector<std::string> units;  // owner units; a joint project has several
  std::string project_id;          // stable across years and title changes
  std::string title;
  Money asked;
  std::string purpose;
};

struct Decision {
  std::string application_id;
  Money granted;  // 0 rejects; less than asked is a partial grant
  std::string reason;
  std::string case_number;
  std::string override_text;  // non-empty: the board overrides a policy rule, and says why
};

struct Payout {
  std::string application_id;
  Money amount;
  std::string voucher;
};

struct ReportSubmission {
  std::string application_id;
  Money spent;
  std::string document_sha256;  // lowercase hex; empty: no document attached
  std::string document_name;
};

struct ReportReview {
  std::string application_id;
  bool approved = false;  // false: returned for completion
  std::string reason;
};

struct RepaymentNotice {
  std::string application_id;
  Money amount;
};

struct RepaymentReceipt {
  std::string application_id;
  Money amount;
  std::string voucher;
};

struct UnitAdded {
  std::string unit_id;
  std::string name;
  Date valid_from;                    // invalid: always existed
  std::vector<std::string> succeeds;  // unit ids it renames or merges
};

struct Void {
  uint64_t target = 0;  // the entry cancelled
  std::string reason;
};

// Genesis, key enrolment and revocation: the ledger's business, ignored by projections.
struct OtherEvent {
  std::string kind;  // "genesis", "key-enroll", ...
};

using Body = std::variant<OtherEvent, YearRules, Appropriation, Application, Decision, Payout,
                          ReportSubmission, ReportReview, RepaymentNotice, RepaymentReceipt,
                          UnitAdded, Void>;

// The kind of a body, in the variant's order (Body::index()).
enum class Kind : uint8_t {
  kOther = 0,
  kYearRules,
  kAppropriation,
  kApplication,
  kDecision,
  kPayout,
  kReportSubmission,
  kReportReview,
  kRepaymentNotice,
  kRepaymentReceipt,
  kUnitAdded,
  kVoid,
};
const char* KindName(Kind k);  // "apply", "decide", ... (the ledger's event kind names)

struct Record {
  uint64_t seq = 0;
  Instant recorded_at;  // ledger clock; never decreases with seq
  Date effective;       // business (valid) date
  Hash256 author_key_id{};
  std::optional<uint64_t> corrects;  // this entry replaces entry `*corrects` (same kind)
  std::string correction_reason;
  Body body;

  Kind kind() const { return static_cast<Kind>(body.index()); }
  // The entry this one replaces or voids, if any.
  std::optional<uint64_t> target() const;
  // The application the entry is about; empty for entries about none.
  const std::string& application_id() const;
  // The amount an entry carries (asked, granted, paid, spent, ...); 0 for kinds without one.
  Money amount() const;
};

// Converts a decoded (shape-checked) ledger entry. InvalidArgument if a date field does not hold a
// calendar date or the programme is unknown; never throws.
Result<Record> RecordFromEntry(const DecodedEntry& entry);

}  // namespace fouledger::projections
