// Views over a State: grants, eligibility, repayments, units, and the Swedish order of names.
#include <gtest/gtest.h>

#include <algorithm>

#include "fixture.h"
#include "projections/swedish.h"

namespace fouledger::projections::testing {
namespace {

constexpr Programme LUM = Programme::kLum;
constexpr Programme MUL = Programme::kMul;

TEST(GrantViewTest, LifeAndTrace) {
  Book book;
  book.Standard2021();
  const uint64_t apply =
      book.Must("2020-09-01", Apply("2021-LUM-01", 2021, LUM, {"farsta"}, "p", 500'000));
  EXPECT_EQ(book.Latest().FindGrant("2021-LUM-01")->state, GrantState::kSubmitted);
  const uint64_t decide = book.Must("2020-12-16", Decide("2021-LUM-01", 300'000));
  const Grant* g0 = nullptr;
  State s = book.Latest();
  g0 = s.FindGrant("2021-LUM-01");
  EXPECT_EQ(g0->state, GrantState::kPartlyGranted);
  EXPECT_EQ(g0->outcome, Outcome::kPartlyGranted);
  const uint64_t pay = book.Must("2021-02-01", Pay("2021-LUM-01", 300'000));
  const uint64_t report = book.Must("2021-09-01", Report("2021-LUM-01", 250'000));
  const uint64_t review = book.Must("2021-09-15", Review("2021-LUM-01", true));
  EXPECT_EQ(book.Latest().FindGrant("2021-LUM-01")->state, GrantState::kApproved);
  const uint64_t notice = book.Must("2021-09-20", Notice("2021-LUM-01", 50'000));  // late
  const uint64_t receipt = book.Must("2021-10-01", Receive("2021-LUM-01", 50'000));
  s = book.Latest();
  const Grant* g = s.FindGrant("2021-LUM-01");
  EXPECT_EQ(g->state, GrantState::kClosed);
  EXPECT_EQ(g->noticed_late, Kr(50'000));
  EXPECT_EQ(g->first_notice_on, D("2021-09-20"));
  EXPECT_EQ(g->years_in_row, 1);
  EXPECT_EQ(g->seqs, (std::vector<uint64_t>{apply, decide, pay, report, review, notice, receipt}));
  EXPECT_EQ(GrantStateName(g->state), std::string("closed"));
  // A rejection.
  book.Must("2020-09-01", Apply("2021-LUM-02", 2021, LUM, {"farsta"}, "q", 100'000));
  book.Must("2020-12-16", Decide("2021-LUM-02", 0));
  EXPECT_EQ(book.Latest().FindGrant("2021-LUM-02")->state, GrantState::kRejected);
  EXPECT_TRUE(book.Latest().anomalies.empty());
}

TEST(EligibilityTest, EveryReasonIsGiven) {
  Book book;
  book.Standard2021();
  book.Must("2020-09-01", Apply("2021-LUM-01", 2021, LUM, {"farsta"}, "p1", 500'000));
  book.Must("2020-09-01", Apply("2021-LUM-02", 2021, LUM, {"farsta"}, "p2", 500'000));
  book.Must("2020-12-16", Decide("2021-LUM-01", 500'000));
  book.Must("2020-12-16", Decide("2021-LUM-02", 500'000));
  book.Must("2021-02-01", Pay("2021-LUM-01", 500'000));
  book.Must("2021-04-01",
            Rules(2022, LUM, 500'000, 2, "2021-05-05", "2021-09-10", "2022-06-06", 3));
  book.Must("2021-04-01", Rules(2022, MUL, 25'000, 3, "2021-05-05", "2021-09-17", "2022-06-06", 0));

  // For 2021 (as of 2021-03-01) Farsta is full in LUM and has room in MUL.
  auto e2021 = Eligibility(book.At("2021-03-01", "2099-01-01"), 2021);
  auto farsta =
      std::find_if(e2021.begin(), e2021.end(), [](auto& e) { return e.unit_id == "farsta"; });
  ASSERT_NE(farsta, e2021.end());
  EXPECT_TRUE(farsta->eligible);
  ASSERT_EQ(farsta->reasons.size(), 1u);
  EXPECT_EQ(farsta->reasons[0],
            "2021 LUM allows 2 grants per unit; Farsta stadsdelsförvaltning already has 2 "
            "(2021-LUM-01, 2021-LUM-02)");

  // For 2022 the paid 2021 grant lacks an approved report: not eligible; the unpaid one is fine.
  auto e2022 = Eligibility(book.At("2021-12-01", "2099-01-01"), 2022);
  farsta = std::find_if(e2022.begin(), e2022.end(), [](auto& e) { return e.unit_id == "farsta"; });
  EXPECT_FALSE(farsta->eligible);
  EXPECT_EQ(farsta->missing_reports, std::vector<std::string>{"2021-LUM-01"});
  ASSERT_FALSE(farsta->reasons.empty());
  EXPECT_EQ(farsta->reasons[0],
            "2021 grants need an approved report by 2021-12-01; Farsta stadsdelsförvaltning has "
            "none for 2021-LUM-01");
  auto skarpnack =
      std::find_if(e2022.begin(), e2022.end(), [](auto& e) { return e.unit_id == "skarpnack"; });
  EXPECT_TRUE(skarpnack->eligible);
  EXPECT_TRUE(skarpnack->reasons.empty());
  // Units come in Swedish order: Farsta, Hässelby-Vällingby, Rinkeby-Kista, Skarpnäck, Soc, Spånga.
  std::vector<std::string> ids;
  for (const auto& e : e2022) ids.push_back(e.unit_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"farsta", "hasselby-vallingby", "rinkeby-kista",
                                           "skarpnack", "sof", "spanga-tensta"}));
  // A year with no rules: nobody is eligible.
  auto e2030 = Eligibility(book.Latest(), 2030);
  EXPECT_FALSE(e2030[0].eligible);
  EXPECT_EQ(e2030[0].reasons.back(), "2030 is not open: no year rules for LUM or MUL");
}

TEST(RepaymentsTest, OnTimeLateOverdue) {
  Book book;
  book.Standard2021();
  for (const std::string id : {"2021-LUM-01", "2021-LUM-02", "2021-LUM-03"}) {
    const std::string unit = id == "2021-LUM-03" ? "skarpnack" : "farsta";
    book.Must("2020-09-01", Apply(id, 2021, LUM, {unit}, id, 100'000));
    book.Must("2020-12-16", Decide(id, 100'000));
    book.Must("2021-01-15", Pay(id, 100'000));
    book.Must("2021-05-01", Report(id, 60'000));
  }
  book.Must("2021-06-01", Notice("2021-LUM-01", 40'000));  // on time, then received
  book.Must("2021-06-20", Receive("2021-LUM-01", 40'000));
  book.Must("2021-06-10", Notice("2021-LUM-02", 40'000));  // late, not received
  // 2021-LUM-03: no notice at all.
  RepaymentReport r = Repayments(book.At("2021-07-01", "2099-01-01"), 2021);
  ASSERT_EQ(r.lines.size(), 3u);
  EXPECT_FALSE(r.lines[0].overdue);
  EXPECT_FALSE(r.lines[0].notice_late);
  EXPECT_EQ(r.lines[0].outstanding, Kr(0));
  EXPECT_TRUE(r.lines[1].notice_late);
  EXPECT_TRUE(r.lines[1].overdue);
  EXPECT_EQ(r.lines[1].why_overdue, "40 000 kr noticed, 0 kr received");
  EXPECT_TRUE(r.lines[2].overdue);
  EXPECT_EQ(r.lines[2].why_overdue,
            "the report shows 40 000 kr unspent but no repayment was noticed (deadline "
            "2021-06-07)");
  EXPECT_EQ(r.overdue, 2);
  EXPECT_EQ(r.unspent, Kr(120'000));
  EXPECT_EQ(r.outstanding, Kr(80'000));
  // Before the deadline nothing is overdue.
  EXPECT_EQ(Repayments(book.At("2021-06-07", "2099-01-01"), 2021).overdue, 0);
}

TEST(UnitsTest, NamesAtADateAndMergers) {
  Book book;
  book.Must("2017-01-01", Unit("hagersten-liljeholmen",
                               "Hägersten-Liljeholmens stadsdelsförvaltning", "2017-01-01"));
  book.Must("2017-01-01", Unit("alvsjo", "Älvsjö stadsdelsförvaltning", "2017-01-01"));
  book.Must("2017-01-01", Unit("farsta", "Farsta stadsdelsförvaltning", "2017-01-01"));
  book.Must("2020-06-01", Unit("hagersten-alvsjo", "Hägersten-Älvsjö stadsdelsförvaltning",
                               "2020-07-01", {"hagersten-liljeholmen", "alvsjo"}));
  State s = book.Latest();
  auto before = UnitsAt(s, D("2020-06-30"));
  std::vector<std::string> names;
  for (const auto& u : before) names.push_back(u.name);
  EXPECT_EQ(names, (std::vector<std::string>{"Farsta stadsdelsförvaltning",
                                             "Hägersten-Liljeholmens stadsdelsförvaltning",
                                             "Älvsjö stadsdelsförvaltning"}));
  auto after = UnitsAt(s, D("2020-07-01"));
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[1].unit_id, "hagersten-alvsjo");
  EXPECT_EQ(UnitNameAt(s, "alvsjo", D("2019-01-01")), "Älvsjö stadsdelsförvaltning");
  EXPECT_EQ(UnitNameAt(s, "alvsjo", D("2021-01-01")), "Hägersten-Älvsjö stadsdelsförvaltning");
  EXPECT_EQ(UnitNameAt(s, "nowhere", D("2021-01-01")), "nowhere");
  // As the ledger stood before the merger was registered, Älvsjö had no successor.
  State early = book.At("2020-05-31", "2099-01-01");
  EXPECT_EQ(UnitNameAt(early, "alvsjo", D("2021-01-01")), "Älvsjö stadsdelsförvaltning");
  // A correction renames (fixes a typo).
  book.MustCorrect(3, "2017-01-01", Unit("farsta", "Farsta SDF", "2017-01-01"));
  EXPECT_EQ(UnitNameAt(book.Latest(), "farsta", D("2021-01-01")), "Farsta SDF");
}

TEST(SwedishTest, LettersAfterZ) {
  EXPECT_TRUE(SwedishLess("Zinkensdamm", "Åkersberga"));
  EXPECT_TRUE(SwedishLess("Åkersberga", "Älvsjö"));
  EXPECT_TRUE(SwedishLess("Älvsjö", "Östermalm"));
  EXPECT_TRUE(SwedishLess("Skarpnäck", "Socialförvaltningen"));
  EXPECT_TRUE(SwedishLess("Spånga-Tensta", "Spånga–Tensta") ||
              SwedishLess("Spånga–Tensta", "Spånga-Tensta"));
  EXPECT_TRUE(SwedishLess("farsta", "Farsta"));    // lower case first, on a tie
  EXPECT_TRUE(SwedishLess("Farsta", "hässelby"));  // case does not decide before letters do
  EXPECT_TRUE(SwedishLess("Hägersten", "Hässelby"));
  EXPECT_TRUE(SwedishLess("2021", "Abc"));
  EXPECT_FALSE(SwedishLess("Öst", "Öst"));
  EXPECT_TRUE(SwedishLess("Ost", "Öst"));
  EXPECT_TRUE(SwedishLess("Müller", "Mö"));             // ü as y, before ö
  EXPECT_FALSE(SwedishLess(std::string("\xff"), "a"));  // invalid UTF-8: after letters, no crash
  std::vector<std::string> v = {"Östermalm", "Älvsjö", "Åby", "Zeta", "alfa"};
  std::sort(v.begin(), v.end(), SwedishOrder());
  EXPECT_EQ(v, (std::vector<std::string>{"alfa", "Zeta", "Åby", "Älvsjö", "Östermalm"}));
}

}  // namespace
}  // namespace fouledger::projections::testing
