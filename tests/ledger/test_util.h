// Shared fixtures for ledger tests: temporary directories, a fake clock, keys and a small ledger
// with the usual roles enrolled.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "ledger/event.h"
#include "ledger/ledger.h"
#include "ledger/money.h"

namespace fouledger::testing {

// A directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A clock the test moves by hand; starts at 2021-01-10T12:00:00Z.
struct FakeClock {
  std::shared_ptr<Instant> now = std::make_shared<Instant>(Instant::StartOf(D("2021-01-10")));
  Clock clock() const {
    auto n = now;
    return [n] { return *n; };
  }
  void Set(const std::string& date) { *now = Instant::StartOf(D(date)); }
  static Date D(const std::string& text) { return Date::Parse(text).value(); }
};

Date D(const std::string& text);
Money Kr(int64_t kronor);

// A file's bytes ("" when it cannot be read: the caller's assertions then fail on its content),
// and a file replaced by `bytes`.
std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& bytes);

// A ledger with an admin, a board, an office, a controller and two unit keys (farsta, skarpnack).
struct LedgerFixture {
  TempDir dir;
  FakeClock clock;
  SigningKey admin = SigningKey::Generate().value();
  SigningKey board = SigningKey::Generate().value();
  SigningKey office = SigningKey::Generate().value();
  SigningKey controller = SigningKey::Generate().value();
  SigningKey farsta = SigningKey::Generate().value();
  SigningKey skarpnack = SigningKey::Generate().value();
  std::unique_ptr<Ledger> ledger;

  // Creates the ledger and enrolls everything; asserts on failure.
  void SetUp(AppendValidator* validator = nullptr);
  LedgerOptions Options(AppendValidator* validator = nullptr) const;
  // The ledger's directory (Options().path), for VerifyLedger, RawDb and the commands.
  std::string LedgerPath() const;

  // Event makers: each returns the signed event, ready to append.
  SignedEvent Enroll(const SigningKey& by, const SigningKey& key, schema::Role role,
                     const std::string& unit = "");
  SignedEvent AddUnit(const std::string& id, const std::string& name);
  SignedEvent Apply(const SigningKey& by, const std::string& app, const std::string& unit,
                    Money amount, const std::string& date = "2020-09-01");
  // The same application, correcting entry `replaces` (its earlier apply) for `reason`.
  SignedEvent CorrectApply(const SigningKey& by, uint64_t replaces, const std::string& reason,
                           const std::string& app, const std::string& unit, Money amount);
  SignedEvent Decide(const std::string& app, Money granted, const std::string& date = "2020-12-16");
  SignedEvent Pay(const SigningKey& by, const std::string& app, Money amount,
                  const std::string& date = "2021-02-01");
  SignedEvent Void(const SigningKey& by, uint64_t seq, const std::string& date = "2021-03-01");
  // Appends and asserts success; returns the seq.
  uint64_t MustAppend(const SignedEvent& e);
};

}  // namespace fouledger::testing
