// Engine: the domain rules checked at append, and the query engine for states at any point on
// both time axes. It is the Ledger's AppendValidator.
//
//   projections::Engine engine;
//   auto ledger = Ledger::Open({.path = dir, .clock = SystemClock(), .validator = &engine});
//   State now = engine.At(QueryTime::Latest());
//   State then = engine.At({.as_of = D("2021-06-07"), .known_at = Instant::Parse("2021-07-01")});
//   auto lines = Repayments(then, 2021);                        // views.h
//
// It keeps every record in memory (compact numeric fields for the fold, the full Record for the
// texts). Apply() only stores and, when the entry comes in date order, folds it into the current
// state: a million entries load from the ledger's snapshot in about half a second, or replay from
// the entries in about four (docs/performance.md). At() is one linear pass over the compact
// records in effective-date order. Check() evaluates a candidate against everything known, at the
// candidate's effective date (docs/projections.md lists every rule and its refusal line).
//
// Not thread-safe: the Ledger serializes Check and Apply; queries must not run during an append.
#pragma once

#include <memory>
#include <optional>

#include "ledger/ledger.h"
#include "ledger/status.h"
#include "projections/record.h"
#include "projections/state.h"

namespace fouledger::projections {

class Engine final : public AppendValidator {
 public:
  Engine();
  ~Engine() override;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // AppendValidator: decode through RecordFromEntry, then CheckRecord / ApplyRecord.
  Status Check(const DecodedEntry& candidate) override;
  void Apply(const DecodedEntry& entry) override;
  // Forgets every record (the ledger replays the stored ones after a refused batch). Always true.
  bool Reset() override;
  // The ledger's snapshot (docs/storage.md, "Snapshot"): every Record, compactly (authors
  // interned); LoadState re-applies them (ApplyRecord), so everything derived is rebuilt exactly
  // as by a replay. LoadState checks the untrusted bytes (kinds, enums, dates, seq order, counts,
  // amounts and ints in the ranges the event checks allow) and leaves the Engine as it was on any
  // failure.
  bool SaveState(std::string* out) const override;
  Status LoadState(std::string_view bytes, uint64_t entries) override;

  // The same on plain Records. Records must come in increasing seq order with recorded_at never
  // decreasing (as the ledger writes them). CheckRecord refuses (Status::Refused, one line);
  // ApplyRecord folds without judging (replay of what is stored).
  Status CheckRecord(const Record& candidate);
  void ApplyRecord(Record record);
  // CheckRecord, then ApplyRecord if it passed: for tests and dry runs without a ledger.
  Status Append(Record record);

  // The state at `t`: records with recorded_at <= t.known_at, corrections and voids among exactly
  // those resolved, then the effective entries dated <= t.as_of folded in date order.
  State At(const QueryTime& t) const;
  // One funding year's budget at `t`: the same figures as At(t).FindBudget(year, p) (nullopt where
  // that is null), from a fold over only the records that can touch that year: its rules and
  // appropriations and every entry of an application ever filed under it. The Engine keeps that
  // list per year as records arrive, so a budget query costs the year's records, not the ledger's
  // (docs/projections.md, "Budget queries").
  std::optional<Budget> BudgetAt(int year, Programme p, const QueryTime& t) const;

  size_t size() const;                           // records applied
  const Record* FindRecord(uint64_t seq) const;  // nullptr if none

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fouledger::projections
