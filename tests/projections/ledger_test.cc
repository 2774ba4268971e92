// The Engine as the Ledger's AppendValidator: signed events, RocksDB, refusals through Append,
// and the same state after reopening (replay through RecordFromEntry and Apply).
#include "ledger/ledger.h"

#include <gtest/gtest.h>

#include "fixture.h"
#include "ledger/event.h"
#include "signed_events.h"

namespace fouledger::projections::testing {
namespace {

class LedgerEngineTest : public LedgerWithEngineTest {
 protected:
  LedgerEngineTest() : LedgerWithEngineTest("fouledger-projections-") {}
  void SetUp() override { CreateLedger("fouledger.test/projections", /*max_years_in_row=*/3); }

  // The title the grant tests read back.
  static constexpr const char* kTitle = "Våga anmäla våga vittna";
};

TEST_F(LedgerEngineTest, RefusalComesThroughAppendAndNothingIsWritten) {
  const uint64_t size = ledger->size();
  auto refused = ledger->Append(ApplyEvent("2021-LUM-01", 600'000, kTitle));
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.status().IsRefused());
  EXPECT_EQ(refused.status().message(), "2021 LUM cap is 500 000 kr; application asks 600 000 kr");
  EXPECT_EQ(ledger->size(), size);
  EXPECT_EQ(engine.size(), size);
}

TEST_F(LedgerEngineTest, StateSurvivesReopening) {
  Must(ApplyEvent("2021-LUM-01", 500'000, kTitle));
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
  EXPECT_EQ(g->title, kTitle);
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
