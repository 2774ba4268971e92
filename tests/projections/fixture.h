// Test fixtures for projections/: Records built by hand (no RocksDB, no signing) and a Book that
// numbers them and appends them to an Engine.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "projections/engine.h"
#include "projections/record.h"
#include "projections/state.h"
#include "projections/views.h"

namespace fouledger::projections::testing {

Date D(const std::string& text);     // "2021-06-07"; asserts it parses
Instant T(const std::string& text);  // "2021-07-01" (end of day) or RFC 3339
Money Kr(int64_t kronor);

// Body makers (amounts in kronor).
YearRules Rules(int year, Programme p, int64_t cap_kr, int max_per_unit, const std::string& from,
                const std::string& to, const std::string& notice_by = "", int max_years = 0);
Appropriation Appropriate(int year, Programme p, int64_t kr);
Application Apply(const std::string& id, int year, Programme p, std::vector<std::string> units,
                  const std::string& project, int64_t kr, const std::string& title = "");
Decision Decide(const std::string& id, int64_t kr, const std::string& override_text = "");
Payout Pay(const std::string& id, int64_t kr);
ReportSubmission Report(const std::string& id, int64_t spent_kr);
ReportReview Review(const std::string& id, bool approved);
RepaymentNotice Notice(const std::string& id, int64_t kr);
RepaymentReceipt Receive(const std::string& id, int64_t kr);
UnitAdded Unit(const std::string& id, const std::string& name, const std::string& from = "",
               std::vector<std::string> succeeds = {});

// Numbers records from seq 1 and records each at noon of its effective date (or at `recorded`,
// e.g. "2021-07-01T10:00:00Z"), never earlier than the previous record: the ledger clock.
class Book {
 public:
  Record Make(const std::string& effective, Body body, const std::string& recorded = "");
  // Engine::Append of Make(...). Returns the status; the seq used is last_seq().
  Status Add(const std::string& effective, Body body, const std::string& recorded = "");
  Status Correct(uint64_t target, const std::string& effective, Body body,
                 const std::string& recorded = "");
  Status VoidEntry(uint64_t target, const std::string& effective, const std::string& recorded = "");
  // Add and expect success; returns the seq.
  uint64_t Must(const std::string& effective, Body body, const std::string& recorded = "");
  uint64_t MustCorrect(uint64_t target, const std::string& effective, Body body,
                       const std::string& recorded = "");
  uint64_t MustVoid(uint64_t target, const std::string& effective,
                    const std::string& recorded = "");

  uint64_t last_seq() const { return next_seq_ - 1; }
  Engine& engine() { return engine_; }
  State Latest() const { return engine_.At(QueryTime::Latest()); }
  State At(const std::string& as_of, const std::string& known_at) const {
    return engine_.At(QueryTime{D(as_of), T(known_at)});
  }
  const std::vector<Record>& records() const { return records_; }

  // The usual setting: units, 2021 rules (as in rules.csv) and appropriations for LUM and MUL.
  void Standard2021();

 private:
  Status Push(Record r);
  Engine engine_;
  uint64_t next_seq_ = 1;
  Instant last_recorded_{0};
  std::vector<Record> records_;  // accepted ones
};

}  // namespace fouledger::projections::testing
