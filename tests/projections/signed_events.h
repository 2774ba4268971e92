// Test helpers for the Engine behind a real Ledger: a temporary directory and signed events built
// with a body filler, as the CLI and the server would send them.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "fixture.h"
#include "ledger/crypto.h"
#include "ledger/event.h"
#include "ledger/ledger.h"
#include "projections/engine.h"

namespace fouledger::projections::testing {

// A fresh directory under the system's temporary directory, removed with everything in it.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "fouledger-projections-");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

using BodyFill = std::function<void(schema::Event::Body::Builder)>;

// An event dated `date` whose body `fill` writes, signed by `key`; with `corrects`, it replaces
// that entry (reason "rättelse"). Expects the signing to succeed.
SignedEvent Sign(const SigningKey& key, const std::string& date, const BodyFill& fill,
                 std::optional<uint64_t> corrects = std::nullopt);

// A real Ledger in a TempDir with the Engine as its validator, a clock the tests move, and the
// keys of the four roles. CreateLedger writes the usual start: unit farsta, its key and the board's
// and office's, the 2021 LUM rules (cap 500 000 kr, 2 per unit, window 2020-05-04 - 2020-09-21)
// and 3 000 000 kr appropriated.
class LedgerWithEngineTest : public ::testing::Test {
 protected:
  explicit LedgerWithEngineTest(const std::string& dir_prefix) : dir(dir_prefix) {}

  void CreateLedger(const std::string& ledger_name, int max_years_in_row = 0);
  LedgerOptions Options(AppendValidator* validator, bool use_snapshot = true);
  std::string path() const { return dir.path() + "/ledger"; }
  SignedEvent Enroll(const SigningKey& key, schema::Role role, const std::string& unit);
  // farsta's 2021 LUM application `id` (project p-id) for `kr` kronor.
  SignedEvent ApplyEvent(const std::string& id, int64_t kr, const std::string& title,
                         const std::string& date = "2020-09-01");
  // Appends and expects success; moves the clock one second on. Returns the seq (0 if refused).
  uint64_t Must(const SignedEvent& e);

  TempDir dir;
  Instant now = Instant::StartOf(D("2021-01-10"));
  SigningKey admin = SigningKey::Generate().value();
  SigningKey board = SigningKey::Generate().value();
  SigningKey office = SigningKey::Generate().value();
  SigningKey farsta = SigningKey::Generate().value();
  Engine engine;
  std::unique_ptr<Ledger> ledger;
};

}  // namespace fouledger::projections::testing
