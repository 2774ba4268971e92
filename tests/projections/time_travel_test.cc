// Both time axes: as-of (effective dates) and known-at (recorded-at), corrections and voids.
#include <gtest/gtest.h>

#include "fixture.h"

namespace fouledger::projections::testing {
namespace {

constexpr Programme LUM = Programme::kLum;

class TimeTravelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    book.Standard2021();
    book.Must("2020-09-01", Apply("2021-LUM-01", 2021, LUM, {"farsta"}, "p1", 500'000));
    book.Must("2020-12-16", Decide("2021-LUM-01", 500'000));
    book.Must("2021-02-01", Pay("2021-LUM-01", 500'000));
    book.Must("2021-03-01", Report("2021-LUM-01", 400'000));
  }
  Book book;
};

TEST_F(TimeTravelTest, LateRecordedEventCountsOnlyOnceKnown) {
  // Effective 2021-05-01, but recorded only on 2021-07-01.
  book.Must("2021-05-01", Notice("2021-LUM-01", 100'000), "2021-07-01T09:00:00Z");
  // As of 2021-06-01, as known on 2021-06-30: not there yet.
  EXPECT_EQ(book.At("2021-06-01", "2021-06-30").FindGrant("2021-LUM-01")->noticed, Kr(0));
  // As of 2021-06-01, as known on 2021-07-01 (end of day): there.
  EXPECT_EQ(book.At("2021-06-01", "2021-07-01").FindGrant("2021-LUM-01")->noticed, Kr(100'000));
  // As of 2021-04-30 it is not effective yet, whatever is known.
  EXPECT_EQ(book.At("2021-04-30", "2099-01-01").FindGrant("2021-LUM-01")->noticed, Kr(0));
}

TEST_F(TimeTravelTest, LateRecordedRepayment) {
  book.Must("2021-05-20", Notice("2021-LUM-01", 100'000));
  // The money came on 2021-06-01 but the office recorded it on 2021-08-15.
  book.Must("2021-06-01", Receive("2021-LUM-01", 100'000), "2021-08-15T08:00:00Z");
  const State july = book.At("2021-06-07", "2021-07-01");
  const Budget* b = july.FindBudget(2021, LUM);
  EXPECT_EQ(b->repaid, Kr(0));
  EXPECT_EQ(b->repayment_outstanding, Kr(100'000));
  const State august = book.At("2021-06-07", "2021-08-15");
  b = august.FindBudget(2021, LUM);
  EXPECT_EQ(b->repaid, Kr(100'000));
  EXPECT_EQ(b->repayment_outstanding, Kr(0));
  // Known in July, the repayment looks overdue after the 2021-06-07 deadline; known in August,
  // it is not.
  auto in_july = Repayments(book.At("2021-07-01", "2021-07-01"), 2021);
  ASSERT_EQ(in_july.lines.size(), 1u);
  EXPECT_TRUE(in_july.lines[0].overdue);
  EXPECT_EQ(in_july.lines[0].why_overdue, "100 000 kr noticed, 0 kr received");
  auto in_august = Repayments(book.At("2021-07-01", "2021-08-15"), 2021);
  EXPECT_FALSE(in_august.lines[0].overdue);
}

TEST_F(TimeTravelTest, CorrectionSeenBeforeAndAfterItWasRecorded) {
  const uint64_t report = 14;
  ASSERT_EQ(book.records()[report - 1].kind(), Kind::kReportSubmission);
  book.MustCorrect(report, "2021-03-01", Report("2021-LUM-01", 450'000), "2021-09-01T10:00:00Z");
  // Same as-of date, two knowledge dates.
  EXPECT_EQ(book.At("2021-06-01", "2021-08-31").FindGrant("2021-LUM-01")->spent, Kr(400'000));
  EXPECT_EQ(book.At("2021-06-01", "2021-09-01").FindGrant("2021-LUM-01")->spent, Kr(450'000));
  // The trace names the entry in force.
  const State then = book.At("2021-06-01", "2021-08-31");
  const State now = book.At("2021-06-01", "2021-09-01");
  const auto& before = then.FindGrant("2021-LUM-01")->seqs;
  const auto& after = now.FindGrant("2021-LUM-01")->seqs;
  EXPECT_EQ(before.back(), report);
  EXPECT_EQ(after.back(), book.last_seq());
}

TEST_F(TimeTravelTest, ChainOfCorrectionsFollowsTheNewestKnown) {
  const uint64_t a = 14;
  const uint64_t b =
      book.MustCorrect(a, "2021-03-01", Report("2021-LUM-01", 410'000), "2021-04-01T00:00:00Z");
  book.MustCorrect(b, "2021-03-01", Report("2021-LUM-01", 420'000), "2021-05-01T00:00:00Z");
  EXPECT_EQ(book.At("2021-12-31", "2021-03-31").FindGrant("2021-LUM-01")->spent, Kr(400'000));
  EXPECT_EQ(book.At("2021-12-31", "2021-04-15").FindGrant("2021-LUM-01")->spent, Kr(410'000));
  EXPECT_EQ(book.At("2021-12-31", "2021-05-15").FindGrant("2021-LUM-01")->spent, Kr(420'000));
}

TEST_F(TimeTravelTest, VoidSeenBeforeAndAfter) {
  const uint64_t pay_seq = 13;
  // Split the payout: void the single 500 000 one and pay 300 000 (dated as before).
  book.MustVoid(14, "2021-04-01", "2021-04-01T00:00:00Z");  // the report first (it needs paid)
  book.MustVoid(pay_seq, "2021-04-01", "2021-04-02T00:00:00Z");
  book.Must("2021-02-01", Pay("2021-LUM-01", 300'000), "2021-04-03T00:00:00Z");
  EXPECT_EQ(book.At("2021-12-31", "2021-04-01").FindGrant("2021-LUM-01")->paid, Kr(500'000));
  EXPECT_EQ(book.At("2021-12-31", "2021-04-02T12:00:00Z").FindGrant("2021-LUM-01")->paid, Kr(0));
  EXPECT_EQ(book.At("2021-12-31", "2021-04-03").FindGrant("2021-LUM-01")->paid, Kr(300'000));
  EXPECT_EQ(book.At("2021-01-31", "2021-04-03").FindGrant("2021-LUM-01")->paid, Kr(0));
}

TEST_F(TimeTravelTest, CorrectionWithALaterEffectiveDateMovesTheEvent) {
  const uint64_t pay_seq = 13;
  book.MustVoid(14, "2021-04-01");
  book.MustCorrect(pay_seq, "2021-03-15", Pay("2021-LUM-01", 500'000));
  EXPECT_EQ(book.At("2021-03-01", "2099-01-01").FindGrant("2021-LUM-01")->paid, Kr(0));
  EXPECT_EQ(book.At("2021-03-15", "2099-01-01").FindGrant("2021-LUM-01")->paid, Kr(500'000));
}

TEST_F(TimeTravelTest, BudgetOn20210607AsKnownOn20210701) {
  book.Must("2021-05-01", Notice("2021-LUM-01", 100'000), "2021-07-02T00:00:00Z");
  State s = book.At("2021-06-07", "2021-07-01");
  const Budget* b = s.FindBudget(2021, LUM);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->appropriated, Kr(3'000'000));
  EXPECT_EQ(b->granted, Kr(500'000));
  EXPECT_EQ(b->paid, Kr(500'000));
  EXPECT_EQ(b->spent, Kr(400'000));
  EXPECT_EQ(b->noticed, Kr(0));  // recorded on 2021-07-02: not yet known
  EXPECT_EQ(b->unallocated(), Kr(2'500'000));
  EXPECT_EQ(b->to_pay(), Kr(0));
  EXPECT_EQ(b->unspent(), Kr(100'000));
  EXPECT_EQ(b->repayment_outstanding, Kr(100'000));  // the report shows 100 000 unspent
  EXPECT_EQ(b->applications, 1);
  EXPECT_EQ(b->grants, 1);
}

}  // namespace
}  // namespace fouledger::projections::testing
