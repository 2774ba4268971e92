// Private to projections/: the compact fold that both queries (Engine::At) and append checks
// (Engine::Check) run. One FoldState is the state at one point on both time axes.
//
// The fold applies entries in effective-date order. Precheck() holds the rules that keep money
// conserved and the life of an application in order (the "hard" rules, which no override lifts);
// an entry that fails them is not applied and becomes an anomaly. Fold() applies an entry that
// passed. Neither allocates per entry except to grow a vector the first time an id is seen.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "populated.h"
#include "projections/record.h"
#include "projections/state.h"
#include "record_store.h"

namespace fouledger::projections::internal {

inline constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
inline constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

// What the hot loop reads about one record: no strings, no pointers.
struct Compact {
  int64_t recorded_at = 0;
  int64_t superseded_at = kNever;  // recorded_at of the entry that replaced or voided it
  uint64_t seq = 0;
  uint64_t order_seq = 0;  // seq of the first entry of its correction chain: its place on its date
  int64_t amount = 0;      // öre
  uint32_t effective = 0;  // packed YYYYMMDD
  uint32_t subject = kNone;  // interned application id (unit id for unit-add)
  uint16_t year = 0;
  Kind kind = Kind::kOther;
  Programme programme = Programme::kUnspecified;
  bool approved = false;  // report-review

  // Recorded by `known_at` and not yet replaced or voided then: what a query at `known_at` sees.
  bool KnownAndCurrentAt(int64_t known_at) const {
    return recorded_at <= known_at && (superseded_at == kNever || superseded_at > known_at);
  }
  // Fold order: effective date, then the chain's first seq (a correction stands in the place of
  // the entry it replaces), then seq.
  bool OrderedBefore(const Compact& o) const {
    if (effective != o.effective) return effective < o.effective;
    if (order_seq != o.order_seq) return order_seq < o.order_seq;
    return seq < o.seq;
  }
};

Compact MakeCompact(const Record& r, uint32_t subject);

// One Compact per record, by record index: a million of them are 56 MB, populated at allocation.
using CompactArray = std::vector<Compact, PopulatedAllocator<Compact>>;

struct GrantFold {
  const Record* apply = nullptr;  // the application in force
  const Record* decision = nullptr;
  const Record* report = nullptr;  // newest submission
  const Record* review = nullptr;  // newest review
  int64_t asked = 0, granted = 0, paid = 0, spent = 0, noticed = 0, repaid = 0;
  ReportStatus report_status = ReportStatus::kNone;
  uint32_t approved_on = 0;  // packed date of the approving review
  // The year and programme of `apply`, so that the fold's hot loop never reads a Record.
  int year = 0;
  Programme programme = Programme::kUnspecified;
};

struct YearSlot {
  int year = 0;
  Programme programme = Programme::kUnspecified;
  const Record* rules = nullptr;
  int64_t appropriated = 0;
  int64_t granted = 0;  // sum of decisions
};

struct FoldState {
  std::vector<GrantFold> grants;     // by interned application id
  std::vector<const Record*> units;  // by interned unit id: the unit-add in force
  std::vector<YearSlot> years;       // few: a linear search is the fastest lookup
  std::vector<uint32_t> folded;      // record indices applied, in fold order
  std::vector<std::pair<uint32_t, std::string>> anomalies;  // record index, why
  uint32_t last_effective = 0;

  const YearSlot* FindYear(int year, Programme p) const;
  YearSlot& Year(int year, Programme p);
  // Empty, with `applications` blank grants, keeping the vectors' memory for the next fold.
  void Clear(size_t applications) {
    grants.assign(applications, GrantFold{});
    units.clear();
    years.clear();
    folded.clear();
    anomalies.clear();
    last_effective = 0;
  }
  const GrantFold* FindGrant(uint32_t app) const {
    return app < grants.size() && grants[app].apply != nullptr ? &grants[app] : nullptr;
  }
};

// Why an entry cannot be applied: the hard rules, without the words, so that folds that only need
// to know whether (Engine::BudgetAt) build no strings.
enum class Refusal : uint8_t {
  kNone,
  kApplicationExists,
  kNoApplication,
  kAlreadyDecided,
  kGrantsMoreThanAsked,
  kBeyondAppropriation,
  kPayUndecided,
  kPayRejected,
  kPayBeyondGranted,
  kReportUnpaid,
  kReportAlreadyApproved,
  kNoReportToReview,
  kNoticeUnpaid,
  kNoticesBeyondPaid,
  kRepaymentBeyondPaid,
};
Refusal PrecheckCode(const FoldState& s, const Compact& c);
// The refusal line for `why` (not kNone), naming the figures in `s`.
std::string RefusalText(Refusal why, const FoldState& s, const Record& r, const Compact& c);
// Why `r` cannot be applied to `s`, or nullopt if it can: PrecheckCode, then RefusalText.
std::optional<std::string> Precheck(const FoldState& s, const Record& r, const Compact& c);
// Applies `r` (which passed Precheck) as record index `index`.
void Fold(FoldState& s, const Record& r, const Compact& c, uint32_t index);
// Precheck, then Fold or note an anomaly.
void Step(FoldState& s, const Record& r, const Compact& c, uint32_t index);

// Adds one application's figures (`f.apply` set) to the budget of its year and programme.
void AddToBudget(Budget& b, const GrantFold& f);
// Names for messages.
std::string Kr(int64_t ore);                  // "500 000 kr"
std::string YearName(int year, Programme p);  // "2021 LUM"
std::string Describe(const Record& r);        // "entry 15 (pay 2021-LUM-02, 2021-03-01)"

// Turns a FoldState into the public State; `records` and `compact` hold each record index.
State Materialize(const FoldState& s, const QueryTime& at, const RecordStore& records,
                  const CompactArray& compact);

}  // namespace fouledger::projections::internal
