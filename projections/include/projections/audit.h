// Audit views: what an auditor follows (one grant's trail with running balances), what a year's
// audit bundle holds, and what an auditor should look at (anomalies).
//
// Each is a pure function of the Records (every entry, in seq order: Engine::FindRecord(0..n-1)),
// a State made by Engine::At() and, for anomalies, the ledger's refusal log. None reads the ledger
// or proves anything: the CLI adds the inclusion proofs. docs/audit.md describes each view, and
// the text heuristics for decision reasons, in full.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/ledger.h"
#include "projections/record.h"
#include "projections/state.h"

namespace fouledger::projections {

// Every record of the ledger, in increasing seq order (gaps allowed). Not owned.
using Records = std::vector<const Record*>;

// --- Trace ---------------------------------------------------------------------------------

// Money on a grant after a step. A decision sets `granted` and a report sets `spent` (the newest
// counts); payouts, notices and receipts add up. Replaced and voided entries change nothing.
struct Balances {
  Money granted, paid, spent, noticed, repaid;
  bool operator==(const Balances&) const = default;
};

struct TraceStep {
  Record record;
  // The entry that replaced (a correction) or voided this one, if any.
  std::optional<uint64_t> superseded_by;
  bool voided = false;  // superseded_by is a void
  Balances after;       // the running balances once this step is taken into account
};

struct Trace {
  std::string application_id;
  int year = 0;
  Programme programme = Programme::kUnspecified;
  std::string project_id;
  std::string title;
  std::vector<TraceStep> steps;  // by business (effective) date, then seq
  Balances balances;             // after the last step: equal to the Grant's in the latest State
};

// The trail of one application: every entry about it (the application, the decision, payouts,
// reports and reviews, repayment notices and receipts, with the entries they replaced) and every
// void of one of them. NotFound if no application has this id.
Result<Trace> TraceApplication(const Records& records, const std::string& application_id);

// The application ids of a project (every version of an application counts), by funding year,
// then id. Empty if the project id is unknown.
std::vector<std::string> ApplicationsOfProject(const Records& records,
                                               const std::string& project_id);

// --- A year's scope (export --year) --------------------------------------------------------

// The seqs of the entries about funding year `year`: its year rules and appropriations, every
// entry about an application of that year, and corrections and voids of any of those; in
// increasing seq order. Genesis and key entries are the ledger's business: the caller adds them.
std::vector<uint64_t> EntriesAboutYear(const Records& records, int year);

// --- Anomalies -----------------------------------------------------------------------------

// What a decision's reason says about the amount, read with the Swedish phrases listed in
// docs/audit.md ("till viss del", "delvis", "del av", ... for partly; "i sin helhet", "hela
// beloppet", "fullt ut", ... for in full). A phrase counts only as whole words; when both kinds
// appear ("inte hela beloppet"), partly wins. `phrase`, if given, receives the phrase found.
enum class ReasonSays : uint8_t { kNothing, kPartly, kInFull };
ReasonSays ClassifyReason(std::string_view reason, std::string* phrase = nullptr);

// One thing an auditor should look at.
struct Finding {
  // A stable slug: "override", "reason-vs-amount", "no-report", "report-returned", "notice-late",
  // "noticed-not-received", "correction", "void", "revoked-key-used", "refused", "fold".
  std::string kind;
  std::string application_id;  // empty when about no application
  int year = 0;                // the funding year; 0 when about no year (keys, refusals)
  std::vector<uint64_t> seqs;  // the entries involved
  std::string message;         // one line, money the Swedish way
};

// Every finding, grouped by kind in the order listed above, then by application id and seq.
// `state` is the ledger now (its as_of is "today": a funding year has ended when as_of is after
// its 31 December). `year` 0 means every year; otherwise only findings about that funding year,
// plus those about no year (refusals), which cannot be placed in one.
std::vector<Finding> FindAnomalies(const State& state, const Records& records,
                                   const RefusalLog& refusals, int year);

// "pay 2021-LUM-02 50 000 kr, 2021-02-15": a record in a few words, for traces and findings.
std::string SummarizeRecord(const Record& r);

}  // namespace fouledger::projections
