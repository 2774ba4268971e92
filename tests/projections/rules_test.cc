// The domain rules checked at append (Engine::CheckRecord), each allowed and refused.
#include <gtest/gtest.h>

#include "fixture.h"

namespace fouledger::projections::testing {
namespace {

constexpr Programme LUM = Programme::kLum;
constexpr Programme MUL = Programme::kMul;

class RulesTest : public ::testing::Test {
 protected:
  void SetUp() override { book.Standard2021(); }
  // An application and a decision in the usual dates.
  void Granted(const std::string& id, const std::string& unit, int64_t asked, int64_t granted,
               const std::string& project = "", Programme p = LUM) {
    book.Must("2020-09-01", Apply(id, 2021, p, {unit}, project.empty() ? id : project, asked));
    book.Must("2020-12-16", Decide(id, granted));
  }
  Book book;
};

// --- applications ------------------------------------------------------------------------

TEST_F(RulesTest, ApplicationWithinCapAndWindowIsAccepted) {
  EXPECT_TRUE(
      book.Add("2020-09-21", Apply("2021-LUM-01", 2021, LUM, {"farsta"}, "p1", 500'000)).ok());
}

TEST_F(RulesTest, ApplicationAboveCapIsRefusedWithTheExactLine) {
  Status st = book.Add("2020-09-01", Apply("2021-LUM-01", 2021, LUM, {"farsta"}, "p1", 600'000));
  ASSERT_TRUE(st.IsRefused());
  EXPECT_EQ(st.message(), "2021 LUM cap is 500 000 kr; application asks 600 000 kr");
  st = book.Add("2020-09-01", Apply("2021-MUL-01", 2021, MUL, {"farsta"}, "m1", 25'001));
  EXPECT_EQ(st.message(), "2021 MUL cap is 25 000 kr; application asks 25 001 kr");
}

TEST_F(RulesTest, ApplicationToAYearThatIsNotOpenIsRefused) {
  Status st = book.Add("2020-09-01", Apply("2023-LUM-01", 2023, LUM, {"farsta"}, "p1", 100'000));
  ASSERT_TRUE(st.IsRefused());
  EXPECT_EQ(st.message(), "2023 LUM is not open: no year rules for it");
}

TEST_F(RulesTest, ApplicationOutsideTheWindowIsRefused) {
  Status st = book.Add("2020-09-22", Apply("2021-LUM-01", 2021, LUM, {"farsta"}, "p1", 100'000));
  ASSERT_TRUE(st.IsRefused());
  EXPECT_EQ(st.message(),
            "2021 LUM application window is 2020-05-04 – 2020-09-21; application is dated "
            "2020-09-22");
  EXPECT_TRUE(
      book.Add("2020-05-03", Apply("2021-LUM-02", 2021, LUM, {"farsta"}, "p", 1)).IsRefused());
  EXPECT_TRUE(book.Add("2020-05-04", Apply("2021-LUM-02", 2021, LUM, {"farsta"}, "p", 1)).ok());
}

TEST_F(RulesTest, YearRulesOnceThenOnlyCorrections) {
  Status st = book.Add("2020-04-02", Rules(2021, LUM, 400'000, 2, "2020-05-04", "2020-09-21"));
  ASSERT_TRUE(st.IsRefused());
  EXPECT_NE(st.message().find("2021 LUM is already open (entry 7)"), std::string::npos)
      << st.message();
  // Correcting the rules lowers the cap for applications checked afterwards.
  book.MustCorrect(7, "2020-04-02", Rules(2021, LUM, 400'000, 2, "2020-05-04", "2020-09-21"));
  EXPECT_EQ(
      book.Add("2020-09-01", Apply("2021-LUM-01", 2021, LUM, {"farsta"}, "p", 450'000)).message(),
      "2021 LUM cap is 400 000 kr; application asks 450 000 kr");
}

// --- decisions ---------------------------------------------------------------------------

TEST_F(RulesTest, DecisionNeedsAnApplication) {
  Status st = book.Add("2020-12-16", Decide("2021-LUM-99", 100'000));
  ASSERT_TRUE(st.IsRefused());
  EXPECT_EQ(st.message(), "no application 2021-LUM-99 on 2020-12-16");
}

TEST_F(RulesTest, DecisionOnlyOnceUnlessCorrected) {
  Granted("2021-LUM-01", "farsta", 500'000, 300'000);
  const uint64_t decision = book.last_seq();
  Status st = book.Add("2020-12-17", Decide("2021-LUM-01", 400'000));
  ASSERT_TRUE(st.IsRefused());
  EXPECT_EQ(st.message(), "2021-LUM-01 was already decided by entry " + std::to_string(decision) +
                              "; correct that entry instead");
  book.MustCorrect(decision, "2020-12-16", Decide("2021-LUM-01", 400'000));
  EXPECT_EQ(book.Latest().FindGrant("2021-LUM-01")->granted, Kr(400'000));
}

TEST_F(RulesTest, DecisionCannotGrantMoreThanAskedEvenWithOverride) {
  book.Must("2020-09-01", Apply("2021-LUM-01", 2021, LUM, {"farsta"}, "p", 200'000));
  Status st = book.Add("2020-12-16", Decide("2021-LUM-01", 250'000, "styrelsen vill"));
  ASSERT_TRUE(st.IsRefused());
  EXPECT_EQ(st.message(), "2021-LUM-01 asks 200 000 kr; a decision cannot grant more (250 000 kr)");
}

TEST_F(RulesTest, DecisionAboveCapNeedsAnOverride) {
  // The cap was lowered after the application came in (a correction of the year's rules).
  book.Must("2020-09-01", Apply("2021-LUM-01", 2021, LUM, {"farsta"}, "p", 500'000));
  book.MustCorrect(7, "2020-10-01",
                   Rules(2021, LUM, 400'000, 2, "2020-05-04", "2020-09-21", "2021-06-07", 3));
  Status st = book.Add("2020-12-16", Decide("2021-LUM-01", 450'000));
  ASSERT_TRUE(st.IsRefused());
  EXPECT_EQ(st.message(),
            "2021 LUM cap is 400 000 kr; decision grants 450 000 kr (the board may override this "
            "with a written reason)");
  book.Must("2020-12-16", Decide("2021-LUM-01", 450'000, "särskilt viktigt för staden"));
  State s = book.Latest();
  EXPECT_EQ(s.FindGrant("2021-LUM-01")->override_text, "särskilt viktigt för staden");
  ASSERT_EQ(Overrides(s).size(), 1u);
  EXPECT_EQ(Overrides(s)[0].application_id, "2021-LUM-01");
}

TEST_F(RulesTest, PerUnitCountForTheProgramme) {
  Granted("2021-LUM-01", "farsta", 100'000, 100'000);
  Granted("2021-LUM-02", "farsta", 100'000, 100'000);
  Granted("2021-MUL-01", "farsta", 10'000, 10'000, "", MUL);  // another programme: own count
  book.Must("2020-09-01", Apply("2021-LUM-03", 2021, LUM, {"farsta"}, "p3", 100'000));
  Status st = book.Add("2020-12-16", Decide("2021-LUM-03", 100'000));
  ASSERT_TRUE(st.IsRefused());
  EXPECT_EQ(st.message(),
            "2021 LUM allows 2 grants per unit; Farsta stadsdelsförvaltning already has 2 "
            "(2021-LUM-01, 2021-LUM-02) (the board may override this with a written reason)");
  // A rejection is always possible, and an override lets a third through.
  book.Must("2020-09-01", Apply("2021-LUM-04", 2021, LUM, {"farsta"}, "p4", 100'000));
  EXPECT_TRUE(book.Add("2020-12-16", Decide("2021-LUM-04", 0)).ok());
  EXPECT_TRUE(book.Add("2020-12-16", Decide("2021-LUM-03", 100'000, "covid-19")).ok());
}

TEST_F(RulesTest, JointProjectCountsForBothUnits) {
  book.Must("2020-09-01", Apply("2021-LUM-06", 2021, LUM, {"rinkeby-kista", "spanga-tensta"},
                                "samlokalisering", 500'000));
  book.Must("2020-12-16", Decide("2021-LUM-06", 500'000));
  Granted("2021-LUM-07", "rinkeby-kista", 100'000, 100'000);
  Granted("2021-LUM-05", "spanga-tensta", 100'000, 100'000);
  // Each owner now holds two: a third for either is refused.
  for (const std::string unit : {"rinkeby-kista", "spanga-tensta"}) {
    const std::string id = "2021-LUM-X-" + unit;
    book.Must("2020-09-01", Apply(id, 2021, LUM, {unit}, id, 100'000));
    Status st = book.Add("2020-12-16", Decide(id, 100'000));
    ASSERT_TRUE(st.IsRefused()) << unit;
    EXPECT_NE(st.message().find("already has 2"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("2021-LUM-06"), std::string::npos) << st.message();
  }
  auto eligibility = Eligibility(book.Latest(), 2021);
  for (const auto& e : eligibility) {
    if (e.unit_id == "rinkeby-kista" || e.unit_id == "spanga-tensta") {
      ASSERT_EQ(e.programmes.size(), 2u);
      EXPECT_EQ(e.programmes[0].grants, 2) << e.unit_id;
      EXPECT_FALSE(e.programmes[0].room) << e.unit_id;
    }
  }
}

TEST_F(RulesTest, TotalGrantedCannotExceedAppropriatedEvenWithOverride) {
  for (int i = 1; i <= 6; ++i) {
    const std::string id = "2021-LUM-0" + std::to_string(i);
    const std::string unit = i <= 2 ? "farsta" : i <= 4 ? "skarpnack" : "sof";
    Granted(id, unit, 500'000, 500'000);
  }
  book.Must("2020-09-01", Apply("2021-LUM-07", 2021, LUM, {"rinkeby-kista"}, "p7", 500'000));
  Status st = book.Add("2020-12-16", Decide("2021-LUM-07", 1, "vi vill"));
  ASSERT_TRUE(st.IsRefused());
  EXPECT_EQ(st.message(),
            "2021 LUM appropriation is 3 000 000 kr; 3 000 000 kr already granted, decision "
            "grants 1 kr");
  // A supplementary appropriation makes room.
  book.Must("2020-12-16", Appropriate(2021, LUM, 100'000));
  EXPECT_TRUE(book.Add("2020-12-16", Decide("2021-LUM-07", 100'000)).ok());
}

// --- the approved-report rule ------------------------------------------------------------

class ReportRuleTest : public RulesTest {
 protected:
  void SetUp() override {
    RulesTest::SetUp();
    Granted("2021-LUM-01", "farsta", 500'000, 500'000, "vaga-anmala");
    book.Must("2021-02-01", Pay("2021-LUM-01", 500'000));
    book.Must("2021-04-01",
              Rules(2022, LUM, 500'000, 2, "2021-05-05", "2021-09-10", "2022-06-06", 3));
    book.Must("2021-12-15", Appropriate(2022, LUM, 3'705'000));
    book.Must("2021-09-10", Apply("2022-LUM-01", 2022, LUM, {"farsta"}, "ny", 200'000));
  }
};

TEST_F(ReportRuleTest, RefusedWithoutApprovedReport) {
  Status st = book.Add("2021-12-15", Decide("2022-LUM-01", 200'000));
  ASSERT_TRUE(st.IsRefused());
  EXPECT_EQ(st.message(),
            "2021 grants need an approved report by 2021-12-15; Farsta stadsdelsförvaltning has "
            "none for 2021-LUM-01 (the board may override this with a written reason)");
  // A submitted (not yet approved) report is not enough.
  book.Must("2021-11-01", Report("2021-LUM-01", 500'000));
  EXPECT_TRUE(book.Add("2021-12-15", Decide("2022-LUM-01", 200'000)).IsRefused());
  // A rejection needs no report.
  book.Must("2021-09-10", Apply("2022-LUM-02", 2022, LUM, {"farsta"}, "ny2", 200'000));
  EXPECT_TRUE(book.Add("2021-12-15", Decide("2022-LUM-02", 0)).ok());
}

TEST_F(ReportRuleTest, AllowedOnceApprovedOnOrBeforeTheDecision) {
  book.Must("2021-11-01", Report("2021-LUM-01", 500'000));
  book.Must("2021-12-01", Review("2021-LUM-01", true));
  EXPECT_TRUE(book.Add("2021-12-15", Decide("2022-LUM-01", 200'000)).ok());
}

TEST_F(ReportRuleTest, ApprovalAfterTheDecisionDateDoesNotCount) {
  book.Must("2021-11-01", Report("2021-LUM-01", 500'000));
  book.Must("2021-12-20", Review("2021-LUM-01", true));
  // Decided (dated) before the approval: the state at 2021-12-15 has no approved report.
  EXPECT_TRUE(book.Add("2021-12-15", Decide("2022-LUM-01", 200'000)).IsRefused());
}

TEST_F(ReportRuleTest, OverrideIsKept) {
  EXPECT_TRUE(book.Add("2021-12-15", Decide("2022-LUM-01", 200'000, "rapporten är försenad")).ok());
  auto o = Overrides(book.Latest());
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(o[0].override_text, "rapporten är försenad");
}

TEST_F(ReportRuleTest, UnpaidGrantNeedsNoReport) {
  Granted("2021-MUL-01", "skarpnack", 25'000, 25'000, "", MUL);  // a trip cancelled: never paid
  book.Must("2021-09-10", Apply("2022-LUM-03", 2022, LUM, {"skarpnack"}, "ny3", 100'000));
  EXPECT_TRUE(book.Add("2021-12-15", Decide("2022-LUM-03", 100'000)).ok());
}

// --- three years in a row ----------------------------------------------------------------

TEST(YearsInRowTest, HasselbyVallingbyFourthYearIsRefusedOrOverridden) {
  Book book;
  book.Must("2019-01-01", Unit("hasselby-vallingby", "Hässelby-Vällingby stadsdelsförvaltning"));
  const std::string project = "hasselby-vallingby-systematiskt-forandringsarbete";
  for (int year = 2020; year <= 2023; ++year) {
    const std::string y = std::to_string(year);
    const std::string prev = std::to_string(year - 1);
    book.Must(prev + "-04-01",
              Rules(year, LUM, 500'000, 2, prev + "-05-01", prev + "-09-20", y + "-06-07", 3));
    book.Must(prev + "-12-01", Appropriate(year, LUM, 3'000'000));
  }
  for (int year = 2020; year <= 2022; ++year) {
    const std::string id = std::to_string(year) + "-LUM-01";
    const std::string prev = std::to_string(year - 1);
    book.Must(prev + "-09-20", Apply(id, year, LUM, {"hasselby-vallingby"}, project, 500'000));
    book.Must(prev + "-12-16", Decide(id, 500'000));
    book.Must(std::to_string(year) + "-02-01", Pay(id, 500'000));
    book.Must(std::to_string(year) + "-10-01", Report(id, 500'000));
    book.Must(std::to_string(year) + "-11-01", Review(id, true));
  }
  EXPECT_EQ(book.Latest().FindGrant("2022-LUM-01")->years_in_row, 3);
  book.Must("2022-09-20",
            Apply("2023-LUM-01", 2023, LUM, {"hasselby-vallingby"}, project, 500'000));
  Status st = book.Add("2022-12-16", Decide("2023-LUM-01", 500'000));
  ASSERT_TRUE(st.IsRefused());
  EXPECT_EQ(st.message(),
            "2023 LUM funds a project at most 3 years in a row; " + project +
                " was funded 2020–2022 (the board may override this with a written reason)");
  // Eligibility shows the project at its limit, while the unit itself stays eligible.
  State s = book.At("2022-12-01", "2022-12-31");
  auto e = Eligibility(s, 2023);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_TRUE(e[0].eligible);
  ASSERT_EQ(e[0].projects_at_limit.size(), 1u);
  EXPECT_EQ(e[0].projects_at_limit[0], project);
  // The board may still fund it, with a reason, which is kept.
  EXPECT_TRUE(
      book.Add("2022-12-16", Decide("2023-LUM-01", 500'000, "sista året, särskilt beslut")).ok());
  const State latest = book.Latest();
  const Grant* g = latest.FindGrant("2023-LUM-01");
  EXPECT_EQ(g->years_in_row, 4);
  EXPECT_EQ(g->override_text, "sista året, särskilt beslut");
}

TEST(YearsInRowTest, AGapResetsTheCount) {
  Book book;
  book.Must("2019-01-01", Unit("farsta", "Farsta"));
  for (int year : {2020, 2021, 2023, 2024}) {
    const std::string prev = std::to_string(year - 1);
    book.Must(prev + "-04-01", Rules(year, LUM, 500'000, 2, "", "", "", 2));
    book.Must(prev + "-04-01", Appropriate(year, LUM, 1'000'000));
  }
  for (int year : {2020, 2021, 2023}) {
    const std::string id = std::to_string(year) + "-LUM-01";
    book.Must(std::to_string(year - 1) + "-09-01", Apply(id, year, LUM, {"farsta"}, "p", 100));
    book.Must(std::to_string(year - 1) + "-12-01", Decide(id, 100));
  }
  // 2023 came after a gap (2022), so 2023 was allowed; 2024 would be the second in a row: fine.
  book.Must("2023-09-01", Apply("2024-LUM-01", 2024, LUM, {"farsta"}, "p", 100));
  EXPECT_TRUE(book.Add("2023-12-01", Decide("2024-LUM-01", 100)).ok());
}

// --- payouts, reports, repayments --------------------------------------------------------

TEST_F(RulesTest, PayoutOnlyForGrantedAndUpToWhatRemains) {
  book.Must("2020-09-01", Apply("2021-LUM-01", 2021, LUM, {"farsta"}, "p1", 500'000));
  EXPECT_EQ(book.Add("2021-01-10", Pay("2021-LUM-01", 1)).message(),
            "2021-LUM-01 is not decided; nothing can be paid");
  book.Must("2020-12-16", Decide("2021-LUM-01", 0));
  EXPECT_EQ(book.Add("2021-01-10", Pay("2021-LUM-01", 1)).message(),
            "2021-LUM-01 was rejected; nothing can be paid");

  Granted("2021-LUM-02", "skarpnack", 500'000, 400'000);
  book.Must("2021-01-10", Pay("2021-LUM-02", 300'000));
  Status st = book.Add("2021-03-10", Pay("2021-LUM-02", 200'000));
  ASSERT_TRUE(st.IsRefused());
  EXPECT_EQ(st.message(),
            "2021-LUM-02 payout 200 000 kr exceeds what remains to pay: granted 400 000 kr, "
            "already paid 300 000 kr");
  EXPECT_TRUE(book.Add("2021-03-10", Pay("2021-LUM-02", 100'000)).ok());
  EXPECT_EQ(book.Latest().FindGrant("2021-LUM-02")->paid, Kr(400'000));
}

TEST_F(RulesTest, CorrectedPayoutIsCheckedAsIfTheOriginalWereGone) {
  Granted("2021-LUM-02", "skarpnack", 500'000, 400'000);
  const uint64_t pay = book.Must("2021-01-10", Pay("2021-LUM-02", 300'000));
  // 400 000 alone fits; 400 000 on top of the 300 000 would not.
  EXPECT_TRUE(book.Add("2021-01-11", Pay("2021-LUM-02", 400'000)).IsRefused());
  book.MustCorrect(pay, "2021-01-10", Pay("2021-LUM-02", 400'000));
  EXPECT_EQ(book.Latest().FindGrant("2021-LUM-02")->paid, Kr(400'000));
  Status st = book.Correct(book.last_seq(), "2021-01-10", Pay("2021-LUM-02", 400'001));
  ASSERT_TRUE(st.IsRefused());
  EXPECT_NE(st.message().find("exceeds what remains to pay"), std::string::npos) << st.message();
}

TEST_F(RulesTest, AnEarlierDatedPayoutMayNotBreakALaterOne) {
  Granted("2021-LUM-02", "skarpnack", 500'000, 400'000);
  const uint64_t later = book.Must("2021-06-01", Pay("2021-LUM-02", 300'000));
  // Dated before the existing payout: fine at its own date, but it leaves the later one too big.
  Status st = book.Add("2021-02-01", Pay("2021-LUM-02", 200'000));
  ASSERT_TRUE(st.IsRefused());
  EXPECT_EQ(st.message(), "an entry dated 2021-02-01 would break entry " + std::to_string(later) +
                              " (pay 2021-LUM-02, 2021-06-01): 2021-LUM-02 payout 300 000 kr "
                              "exceeds what remains to pay: granted 400 000 kr, already paid "
                              "200 000 kr");
  EXPECT_TRUE(book.Add("2021-02-01", Pay("2021-LUM-02", 100'000)).ok());
}

TEST_F(RulesTest, ReportOnlyForPaidGrantReviewOnlyOfSubmitted) {
  Granted("2021-LUM-01", "farsta", 500'000, 500'000);
  EXPECT_EQ(book.Add("2021-01-10", Report("2021-LUM-01", 1)).message(),
            "2021-LUM-01 has not been paid; a report needs a paid grant");
  EXPECT_EQ(book.Add("2021-01-10", Review("2021-LUM-01", true)).message(),
            "2021-LUM-01 has no report awaiting review (report: none)");
  book.Must("2021-02-01", Pay("2021-LUM-01", 500'000));
  book.Must("2021-10-01", Report("2021-LUM-01", 450'000));
  book.Must("2021-10-15", Review("2021-LUM-01", false));
  EXPECT_EQ(book.Add("2021-10-16", Review("2021-LUM-01", true)).message(),
            "2021-LUM-01 has no report awaiting review (report: returned)");
  EXPECT_EQ(book.Latest().FindGrant("2021-LUM-01")->state, GrantState::kReturned);
  book.Must("2021-10-20", Report("2021-LUM-01", 460'000));  // resubmitted
  EXPECT_EQ(book.Latest().FindGrant("2021-LUM-01")->state, GrantState::kReported);
  book.Must("2021-10-30", Review("2021-LUM-01", true));
  EXPECT_EQ(book.Add("2021-11-01", Review("2021-LUM-01", true)).message(),
            "2021-LUM-01 has no report awaiting review (report: approved)");
  Status st = book.Add("2021-11-01", Report("2021-LUM-01", 1));
  ASSERT_TRUE(st.IsRefused());
  EXPECT_NE(st.message().find("report was already approved"), std::string::npos);
  const State latest = book.Latest();
  const Grant* g = latest.FindGrant("2021-LUM-01");
  EXPECT_EQ(g->spent, Kr(460'000));
  EXPECT_EQ(g->state, GrantState::kApproved);  // 40 000 kr unspent, not yet repaid
}

TEST_F(RulesTest, RepaymentNoticeAndReceipt) {
  Granted("2021-LUM-01", "farsta", 500'000, 500'000);
  EXPECT_EQ(book.Add("2021-01-10", Notice("2021-LUM-01", 1)).message(),
            "2021-LUM-01 has not been paid; there is nothing to repay");
  book.Must("2021-02-01", Pay("2021-LUM-01", 200'000));
  EXPECT_EQ(book.Add("2021-05-01", Notice("2021-LUM-01", 200'001)).message(),
            "2021-LUM-01 repayment notices would total 200 001 kr, more than paid 200 000 kr");
  book.Must("2021-05-01", Notice("2021-LUM-01", 50'000));
  EXPECT_EQ(book.Latest().FindGrant("2021-LUM-01")->state, GrantState::kRepaymentNoticed);
  EXPECT_EQ(book.Add("2021-06-01", Receive("2021-LUM-01", 200'001)).message(),
            "2021-LUM-01 repayment 200 001 kr exceeds paid 200 000 kr less repaid 0 kr");
  book.Must("2021-06-01", Receive("2021-LUM-01", 50'000));
  const State latest = book.Latest();
  const Grant* g = latest.FindGrant("2021-LUM-01");
  EXPECT_EQ(g->repaid, Kr(50'000));
  EXPECT_EQ(g->state, GrantState::kRepaid);
  EXPECT_EQ(book.Add("2021-06-02", Receive("2021-LUM-01", 150'001)).message(),
            "2021-LUM-01 repayment 150 001 kr exceeds paid 200 000 kr less repaid 50 000 kr");
}

TEST_F(RulesTest, VoidMustNotBreakMoneyConservation) {
  Granted("2021-LUM-01", "farsta", 500'000, 500'000);
  const uint64_t first = book.Must("2021-02-01", Pay("2021-LUM-01", 300'000));
  const uint64_t second = book.Must("2021-03-01", Pay("2021-LUM-01", 100'000));
  const uint64_t receipt = book.Must("2021-07-01", Receive("2021-LUM-01", 250'000));
  Status st = book.VoidEntry(first, "2021-08-01");
  ASSERT_TRUE(st.IsRefused());
  EXPECT_EQ(st.message(), "voiding entry " + std::to_string(first) + " would break entry " +
                              std::to_string(receipt) +
                              " (repay-receive 2021-LUM-01, 2021-07-01): 2021-LUM-01 repayment "
                              "250 000 kr exceeds paid 100 000 kr less repaid 0 kr");
  // Voiding the smaller payout leaves 300 000 paid, 250 000 repaid: allowed.
  book.MustVoid(second, "2021-08-01");
  EXPECT_EQ(book.Latest().FindGrant("2021-LUM-01")->paid, Kr(300'000));
  // Voiding the application (entry 11, the first after the standard setting) would orphan its
  // decision.
  st = book.VoidEntry(11, "2021-08-01");
  ASSERT_TRUE(st.IsRefused());
  EXPECT_NE(st.message().find("voiding entry 11 would break entry 12 (decide 2021-LUM-01"),
            std::string::npos)
      << st.message();
}

TEST_F(RulesTest, CorrectionOfDecisionBelowPaidIsRefused) {
  Granted("2021-LUM-01", "farsta", 500'000, 500'000);
  const uint64_t decision = book.last_seq();
  book.Must("2021-02-01", Pay("2021-LUM-01", 400'000));
  Status st = book.Correct(decision, "2020-12-16", Decide("2021-LUM-01", 300'000));
  ASSERT_TRUE(st.IsRefused());
  EXPECT_NE(st.message().find("correcting entry " + std::to_string(decision) + " would break"),
            std::string::npos)
      << st.message();
  EXPECT_TRUE(book.Correct(decision, "2020-12-16", Decide("2021-LUM-01", 400'000)).ok());
}

TEST_F(RulesTest, TargetsMustBeCurrentAndOfTheSameKind) {
  Granted("2021-LUM-01", "farsta", 500'000, 500'000);
  const uint64_t decision = book.last_seq();
  EXPECT_TRUE(book.Correct(decision, "2020-12-16", Pay("2021-LUM-01", 1)).IsRefused());
  EXPECT_TRUE(book.Correct(999, "2020-12-16", Decide("2021-LUM-01", 1)).IsRefused());
  book.MustCorrect(decision, "2020-12-16", Decide("2021-LUM-01", 400'000));
  EXPECT_TRUE(book.Correct(decision, "2020-12-16", Decide("2021-LUM-01", 1)).IsRefused());
}

}  // namespace
}  // namespace fouledger::projections::testing
