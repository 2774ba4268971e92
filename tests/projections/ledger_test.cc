// The Engine as the Ledger's AppendValidator: signed events, RocksDB, refusals through Append,
// and the same state after reopening (replay through RecordFromEntry and Apply).
#include "ledger/ledger.h"

#include <gtest/gtest.h>

#include "fixture.h"
#include "ledger/event.h"
#include "signed_events.h"

namespace fouledger::projections::testing {
namespace {

class LedgerEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created =
        Ledger::Create(Options(&engine), "fouledger.test/projections", admin.public_key());
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    ledger = std::move(created).value();
    Must(Sign(admin, "2020-01-01", [](auto b) {
      auto u = b.initUnitAdd();
      u.setUnitId("farsta");
      u.setName("Farsta stadsdelsförvaltning");
    }));
    Must(Enroll(board, schema::Role::BOARD, ""));
    Must(Enroll(office, schema::Role::OFFICE, ""));
    Must(Enroll(farsta, schema::Role::UNIT, "farsta"));
    Must(Sign(board, "2020-04-01", [](auto b) {
      auto y = b.initYearOpen();
      y.setYear(2021);
      y.setProgramme(schema::Programme::LUM);
      y.setCapOre(Kr(500'000).ore());
      y.setMaxPerUnit(2);
      y.setWindowFrom(20200504);
      y.setWindowTo(20200921);
      y.setNoticeBy(20210607);
      y.setMaxYearsInRow(3);
    }));
    Must(Sign(board, "2020-12-16", [](auto b) {
      auto a = b.initAppropriate();
      a.setYear(2021);
      a.setProgramme(schema::Programme::LUM);
      a.setAmountOre(Kr(3'000'000).ore());
    }));
  }

  LedgerOptions Options(AppendValidator* validator) {
    LedgerOptions o;
    o.path = dir.path() + "/ledger";
    o.clock = [this] { return now; };
    o.validator = validator;
    return o;
  }
  SignedEvent Enroll(const SigningKey& key, schema::Role role, const std::string& unit) {
    return Sign(admin, "2020-01-01", [&](auto b) {
      auto k = b.initKeyEnroll();
      k.setPublicKey(kj::arrayPtr(key.public_key().data(), key.public_key().size()));
      k.setRole(role);
      if (!unit.empty()) k.initUnits(1).set(0, unit);
    });
  }
  SignedEvent ApplyEvent(const std::string& id, int64_t kr) {
    return Sign(farsta, "2020-09-01", [=](auto b) {
      auto a = b.initApply();
      a.setApplicationId(id);
      a.setYear(2021);
      a.setProgramme(schema::Programme::LUM);
      a.initUnits(1).set(0, "farsta");
      a.setProjectId("p-" + id);
      a.setTitle("Våga anmäla våga vittna");
      a.setAmountOre(Kr(kr).ore());
    });
  }
  uint64_t Must(const SignedEvent& e) {
    auto outcome = ledger->Append(e);
    EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
    now.micros += 1'000'000;
    return outcome.ok() ? outcome->seq : 0;
  }

  TempDir dir;
  Instant now = Instant::StartOf(D("2021-01-10"));
  SigningKey admin = SigningKey::Generate().value();
  SigningKey board = SigningKey::Generate().value();
  SigningKey office = SigningKey::Generate().value();
  SigningKey farsta = SigningKey::Generate().value();
  Engine engine;
  std::unique_ptr<Ledger> ledger;
};

TEST_F(LedgerEngineTest, RefusalComesThroughAppendAndNothingIsWritten) {
  const uint64_t size = ledger->size();
  auto refused = ledger->Append(ApplyEvent("2021-LUM-01", 600'000));
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.status().IsRefused());
  EXPECT_EQ(refused.status().message(), "2021 LUM cap is 500 000 kr; application asks 600 000 kr");
  EXPECT_EQ(ledger->size(), size);
  EXPECT_EQ(engine.size(), size);
}

TEST_F(LedgerEngineTest, StateSurvivesReopening) {
  Must(ApplyEvent("2021-LUM-01", 500'000));
  const uint64_t decision = Must(Sign(board, "2020-12-16", [](auto b) {
    auto d = b.initDecide();
    d.setApplicationId("2021-LUM-01");
    d.setGrantedOre(Kr(400'000).ore());
    d.setReason("delvis");
    d.setOverride("");
  }));
  Must(Sign(office, "2021-02-01", [](auto b) {
    auto p = b.initPay();
    p.setApplicationId("2021-LUM-01");
    p.setAmountOre(Kr(400'000).ore());
  }));
  // A correction through the ledger: the decision cannot go below what was paid.
  auto refused = ledger->Append(Sign(
      board, "2020-12-16",
      [](auto b) {
        auto d = b.initDecide();
        d.setApplicationId("2021-LUM-01");
        d.setGrantedOre(Kr(300'000).ore());
        d.setReason("rättad");
      },
      decision));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("correcting entry " + std::to_string(decision)),
            std::string::npos)
      << refused.status().message();

  const State before = engine.At(QueryTime::Latest());
  const Grant* g = before.FindGrant("2021-LUM-01");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->granted, Kr(400'000));
  EXPECT_EQ(g->paid, Kr(400'000));
  EXPECT_EQ(g->title, "Våga anmäla våga vittna");
  EXPECT_EQ(g->outcome, Outcome::kPartlyGranted);

  ledger.reset();
  Engine replayed;
  auto opened = Ledger::Open(Options(&replayed));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  const State after = replayed.At(QueryTime::Latest());
  ASSERT_NE(after.FindGrant("2021-LUM-01"), nullptr);
  EXPECT_EQ(after.FindGrant("2021-LUM-01")->paid, Kr(400'000));
  EXPECT_EQ(after.FindGrant("2021-LUM-01")->seqs, g->seqs);
  EXPECT_EQ(after.FindBudget(2021, Programme::kLum)->granted, Kr(400'000));
  EXPECT_EQ(replayed.size(), (*opened)->size());
  const Record* r = replayed.FindRecord(decision);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->kind(), Kind::kDecision);
  EXPECT_EQ(std::get<Decision>(r->body).reason, "delvis");
  EXPECT_EQ(r->author_key_id, board.key_id());
}

}  // namespace
}  // namespace fouledger::projections::testing
