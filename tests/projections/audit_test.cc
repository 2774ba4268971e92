// Audit views: the reason heuristics, a grant's trace with running balances, a year's scope, and
// the anomalies an auditor should look at.
#include "projections/audit.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "fixture.h"

namespace fouledger::projections::testing {
namespace {

constexpr Programme LUM = Programme::kLum;
constexpr Programme MUL = Programme::kMul;

Records Pointers(const std::vector<Record>& records) {
  Records out;
  for (const auto& r : records) out.push_back(&r);
  return out;
}

Decision DecideWithReason(const std::string& id, int64_t kr, const std::string& reason) {
  return Decision{id, Kr(kr), reason, "", ""};
}

std::vector<Finding> OfKind(const std::vector<Finding>& all, const std::string& kind) {
  std::vector<Finding> out;
  std::copy_if(all.begin(), all.end(), std::back_inserter(out),
               [&](const Finding& f) { return f.kind == kind; });
  return out;
}

TEST(ClassifyReasonTest, SwedishPhrasesForPartlyAndInFull) {
  // Seed 002, 2021-LUM-08 (Skarpnäck), verbatim: partly, though 500 000 of 500 000 was granted.
  EXPECT_EQ(ClassifyReason("Arbetet är av strategiskt viktigt för staden då ett mer sammanhållet "
                           "stöd kan bli nödvändigt bland annat utifrån förslaget om nya SoL. Då "
                           "vissa budgetposter anses ingå i ordinarie verksamhet bör ansökan till "
                           "viss del beviljas."),
            ReasonSays::kPartly);
  std::string phrase;
  EXPECT_EQ(ClassifyReason("Ansökan föreslås delvis beviljas.", &phrase), ReasonSays::kPartly);
  EXPECT_EQ(phrase, "delvis");
  EXPECT_EQ(ClassifyReason("DELVIS"), ReasonSays::kPartly) << "capitals";
  EXPECT_EQ(ClassifyReason("Föreslås beviljas delar av den sökta summan."), ReasonSays::kPartly);
  EXPECT_EQ(ClassifyReason("Beviljas en del av beloppet."), ReasonSays::kPartly);
  EXPECT_EQ(ClassifyReason("Beviljas i sin helhet."), ReasonSays::kInFull);
  EXPECT_EQ(ClassifyReason("Hela beloppet beviljas."), ReasonSays::kInFull);
  EXPECT_EQ(ClassifyReason("Beviljas, dock inte hela beloppet."), ReasonSays::kPartly)
      << "a negated in-full phrase means partly";
  // Whole words only: "medel av" and "andel av" are not "del av"; "som helhet" is not in full.
  EXPECT_EQ(ClassifyReason("Projektet får medel av nämnden."), ReasonSays::kNothing);
  EXPECT_EQ(ClassifyReason("En stor andel av målgruppen nås."), ReasonSays::kNothing);
  EXPECT_EQ(ClassifyReason("Projektet som helhet har stor strategisk betydelse."),
            ReasonSays::kNothing);
  EXPECT_EQ(ClassifyReason(""), ReasonSays::kNothing);
}

TEST(TraceTest, EveryEntryInOrderWithRunningBalances) {
  Book book;
  book.Standard2021();
  const uint64_t apply =
      book.Must("2020-09-01", Apply("2021-LUM-01", 2021, LUM, {"farsta"}, "p", 500'000));
  book.Must("2020-09-02", Apply("2021-LUM-02", 2021, LUM, {"farsta"}, "q", 100'000));  // another
  const uint64_t decide = book.Must("2020-12-16", Decide("2021-LUM-01", 400'000));
  const uint64_t wrong_pay = book.Must("2021-02-01", Pay("2021-LUM-01", 40'000));
  const uint64_t right_pay = book.MustCorrect(wrong_pay, "2021-02-01", Pay("2021-LUM-01", 400'000),
                                              "2021-02-03T10:00:00Z");
  const uint64_t report1 = book.Must("2021-09-01", Report("2021-LUM-01", 380'000));
  const uint64_t returned = book.Must("2021-09-10", Review("2021-LUM-01", false));
  const uint64_t report2 = book.Must("2021-09-20", Report("2021-LUM-01", 350'000));
  const uint64_t approved = book.Must("2021-09-30", Review("2021-LUM-01", true));
  const uint64_t notice = book.Must("2021-10-01", Notice("2021-LUM-01", 50'000));
  const uint64_t stray = book.Must("2021-10-05", Receive("2021-LUM-01", 20'000));
  const uint64_t voided = book.MustVoid(stray, "2021-10-06");
  const uint64_t receipt = book.Must("2021-10-20", Receive("2021-LUM-01", 50'000));

  auto trace = TraceApplication(Pointers(book.records()), "2021-LUM-01");
  ASSERT_TRUE(trace.ok()) << trace.status().ToString();
  EXPECT_EQ(trace->year, 2021);
  EXPECT_EQ(trace->programme, LUM);
  EXPECT_EQ(trace->project_id, "p");
  std::vector<uint64_t> seqs;
  for (const auto& s : trace->steps) seqs.push_back(s.record.seq);
  EXPECT_EQ(seqs, (std::vector<uint64_t>{apply, decide, wrong_pay, right_pay, report1, returned,
                                         report2, approved, notice, stray, voided, receipt}));
  const auto& steps = trace->steps;
  EXPECT_EQ(steps[2].superseded_by, right_pay);
  EXPECT_FALSE(steps[2].voided);
  EXPECT_EQ(steps[2].after.paid, Kr(0)) << "a replaced payout pays nothing";
  EXPECT_EQ(steps[3].after.paid, Kr(400'000));
  EXPECT_EQ(steps[4].after.spent, Kr(380'000));
  EXPECT_EQ(steps[6].after.spent, Kr(350'000)) << "the newest report counts";
  EXPECT_EQ(steps[9].superseded_by, voided);
  EXPECT_TRUE(steps[9].voided);
  EXPECT_EQ(steps[9].after.repaid, Kr(0)) << "a voided receipt repays nothing";
  EXPECT_EQ(steps[11].after.repaid, Kr(50'000));

  // The trail ends where the projection stands.
  const State now = book.Latest();
  const Grant* g = now.FindGrant("2021-LUM-01");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(trace->balances, (Balances{g->granted, g->paid, g->spent, g->noticed, g->repaid}));

  EXPECT_TRUE(TraceApplication(Pointers(book.records()), "2021-LUM-99").status().IsNotFound());
}

TEST(TraceTest, ProjectListsEveryYear) {
  Book book;
  book.Standard2021();
  book.Must("2021-04-01", Rules(2022, LUM, 500'000, 2, "2021-05-05", "2021-09-10"));
  book.Must("2021-12-14", Appropriate(2022, LUM, 3'000'000));
  book.Must("2021-06-01", Apply("2022-LUM-07", 2022, LUM, {"farsta"}, "vaga", 500'000));
  book.Must("2020-09-01", Apply("2021-LUM-02", 2021, LUM, {"farsta"}, "vaga", 500'000));
  book.Must("2020-09-01", Apply("2021-LUM-03", 2021, LUM, {"farsta"}, "other", 500'000));
  EXPECT_EQ(ApplicationsOfProject(Pointers(book.records()), "vaga"),
            (std::vector<std::string>{"2021-LUM-02", "2022-LUM-07"}));
  EXPECT_TRUE(ApplicationsOfProject(Pointers(book.records()), "none").empty());
}

TEST(YearScopeTest, RulesAppropriationsApplicationsAndWhatReplacesThem) {
  Book book;
  book.Standard2021();  // units, 2021 rules and appropriations
  const uint64_t rules2022 =
      book.Must("2021-04-01", Rules(2022, LUM, 500'000, 2, "2021-05-05", "2021-09-10"));
  const uint64_t a2021 =
      book.Must("2020-09-01", Apply("2021-LUM-01", 2021, LUM, {"farsta"}, "p", 500'000));
  const uint64_t d2021 = book.Must("2020-12-16", Decide("2021-LUM-01", 500'000));
  const uint64_t pay = book.Must("2021-02-01", Pay("2021-LUM-01", 100'000));
  const uint64_t void_pay = book.MustVoid(pay, "2021-02-02");
  const uint64_t a2022 =
      book.Must("2021-06-01", Apply("2022-LUM-01", 2022, LUM, {"farsta"}, "p", 500'000));

  const auto y2021 = EntriesAboutYear(Pointers(book.records()), 2021);
  // Standard2021: 6 units (seqs 1-6), rules 7-8, appropriations 9-10.
  EXPECT_EQ(y2021, (std::vector<uint64_t>{7, 8, 9, 10, a2021, d2021, pay, void_pay}));
  EXPECT_EQ(EntriesAboutYear(Pointers(book.records()), 2022),
            (std::vector<uint64_t>{rules2022, a2022}));
  EXPECT_TRUE(EntriesAboutYear(Pointers(book.records()), 2019).empty());
}

TEST(AnomaliesTest, FindsWhatAnAuditorShouldLookAt) {
  Book book;
  book.Standard2021();
  // A clean grant: applied, granted in full with a plain reason, paid, reported, approved.
  book.Must("2020-09-01", Apply("2021-LUM-01", 2021, LUM, {"farsta"}, "clean", 500'000));
  book.Must("2020-12-16", DecideWithReason("2021-LUM-01", 500'000, "Stor strategisk betydelse."));
  book.Must("2021-02-15", Pay("2021-LUM-01", 500'000));
  book.Must("2021-09-01", Report("2021-LUM-01", 500'000));
  book.Must("2021-09-15", Review("2021-LUM-01", true));
  // The Skarpnäck case: "till viss del" with the full amount.
  book.Must("2020-09-21", Apply("2021-LUM-08", 2021, LUM, {"skarpnack"}, "fam", 500'000));
  const uint64_t skarpnack =
      book.Must("2020-12-16",
                DecideWithReason("2021-LUM-08", 500'000, "Ansökan bör till viss del beviljas."));
  // The reverse: "i sin helhet" with part of it; then paid, report returned, never resubmitted.
  book.Must("2020-09-21", Apply("2021-LUM-03", 2021, LUM, {"rinkeby-kista"}, "x", 500'000));
  book.Must("2020-12-16", DecideWithReason("2021-LUM-03", 350'000, "Beviljas i sin helhet."));
  book.Must("2021-02-15", Pay("2021-LUM-03", 350'000));
  book.Must("2021-09-01", Report("2021-LUM-03", 350'000));
  const uint64_t returned = book.Must("2021-09-15", Review("2021-LUM-03", false));
  // Farsta's third LUM grant: over the per-unit limit, so the board overrides.
  book.Must("2020-09-01", Apply("2021-LUM-02", 2021, LUM, {"farsta"}, "b", 100'000));
  book.Must("2020-09-01", Apply("2021-LUM-04", 2021, LUM, {"farsta"}, "c", 100'000));
  book.Must("2020-12-16", Decide("2021-LUM-02", 100'000));
  const uint64_t overridden =
      book.Must("2020-12-16", Decide("2021-LUM-04", 100'000, "Särskilda skäl: akut behov."));
  // A trip paid, half noticed late and not received, no report.
  book.Must("2020-09-01", Apply("2021-MUL-01", 2021, MUL, {"sof"}, "trip", 20'000));
  book.Must("2020-12-16", Decide("2021-MUL-01", 20'000));
  const uint64_t wrong = book.Must("2021-02-15", Pay("2021-MUL-01", 2'000));
  const uint64_t corrected = book.MustCorrect(wrong, "2021-02-15", Pay("2021-MUL-01", 20'000));
  const uint64_t late = book.Must("2021-08-01", Notice("2021-MUL-01", 10'000));
  // A cancelled trip: all noticed back on time, and received: nothing to look at.
  book.Must("2020-09-01", Apply("2021-MUL-02", 2021, MUL, {"farsta"}, "trip2", 25'000));
  book.Must("2020-12-16", Decide("2021-MUL-02", 25'000));
  book.Must("2021-02-15", Pay("2021-MUL-02", 25'000));
  book.Must("2021-05-01", Notice("2021-MUL-02", 25'000));
  book.Must("2021-05-20", Receive("2021-MUL-02", 25'000));
  // A void.
  const uint64_t stray = book.Must("2021-03-01", Receive("2021-MUL-02", 0));
  const uint64_t voider = book.MustVoid(stray, "2021-03-02");

  RefusalLog refusals;
  RefusalLogLine revoked_use{T("2022-01-10"),
                             std::string(64, 'a'),
                             "unit",
                             40,
                             "apply",
                             "2022-LUM-09",
                             "refused: author key aaaaaaaaaaaaaaaa was revoked"};
  refusals.lines = {revoked_use, revoked_use};
  refusals.lines.push_back(RefusalLogLine{T("2022-01-11"), std::string(64, 'b'), "board",
                                          std::nullopt, "decide", "2022-LUM-01",
                                          "refused: 2022 LUM cap is 500 000 kr"});
  refusals.malformed = 1;

  const State now = book.At("2022-06-01", "2099-01-01");
  const auto all = FindAnomalies(now, Pointers(book.records()), refusals, 0);

  const auto reason = OfKind(all, "reason-vs-amount");
  ASSERT_EQ(reason.size(), 2u);
  EXPECT_EQ(reason[0].application_id, "2021-LUM-03");
  EXPECT_NE(reason[0].message.find("in full (\"i sin helhet\")"), std::string::npos)
      << reason[0].message;
  EXPECT_EQ(reason[1].application_id, "2021-LUM-08");
  EXPECT_EQ(reason[1].seqs, std::vector<uint64_t>{skarpnack});
  EXPECT_NE(reason[1].message.find("Skarpnäcks stadsdelsförvaltning"), std::string::npos);
  EXPECT_NE(reason[1].message.find("partly (\"till viss del\"), yet the full 500 000 kr"),
            std::string::npos)
      << reason[1].message;

  const auto overrides = OfKind(all, "override");
  ASSERT_EQ(overrides.size(), 1u);
  EXPECT_EQ(overrides[0].seqs, std::vector<uint64_t>{overridden});
  EXPECT_NE(overrides[0].message.find("Särskilda skäl"), std::string::npos);

  const auto no_report = OfKind(all, "no-report");
  ASSERT_EQ(no_report.size(), 1u) << "only the trip with money out and no report";
  EXPECT_EQ(no_report[0].application_id, "2021-MUL-01");

  const auto ret = OfKind(all, "report-returned");
  ASSERT_EQ(ret.size(), 1u);
  EXPECT_EQ(ret[0].seqs, std::vector<uint64_t>{returned});

  const auto notice_late = OfKind(all, "notice-late");
  ASSERT_EQ(notice_late.size(), 1u);
  EXPECT_EQ(notice_late[0].seqs, std::vector<uint64_t>{late});
  EXPECT_NE(notice_late[0].message.find("after the year's deadline 2021-06-07"), std::string::npos);

  const auto unreceived = OfKind(all, "noticed-not-received");
  ASSERT_EQ(unreceived.size(), 1u);
  EXPECT_NE(unreceived[0].message.find("10 000 kr still to come back"), std::string::npos);

  const auto corrections = OfKind(all, "correction");
  ASSERT_EQ(corrections.size(), 1u);
  EXPECT_EQ(corrections[0].seqs, (std::vector<uint64_t>{wrong, corrected}));
  EXPECT_NE(corrections[0].message.find("(pay 2021-MUL-01 20 000 kr, 2021-02-15) replaced entry " +
                                        std::to_string(wrong) + " (pay 2021-MUL-01 2 000 kr"),
            std::string::npos)
      << corrections[0].message;

  const auto voids = OfKind(all, "void");
  ASSERT_EQ(voids.size(), 1u);
  EXPECT_EQ(voids[0].seqs, (std::vector<uint64_t>{stray, voider}));

  const auto revoked = OfKind(all, "revoked-key-used");
  ASSERT_EQ(revoked.size(), 1u);
  EXPECT_NE(revoked[0].message.find("revoked at entry 40, was used 2 time(s)"), std::string::npos)
      << revoked[0].message;
  const auto refused = OfKind(all, "refused");
  ASSERT_EQ(refused.size(), 2u) << "the board key's refusal and the malformed line";
  EXPECT_NE(refused[0].message.find("cap is 500 000 kr"), std::string::npos);
  EXPECT_TRUE(OfKind(all, "fold").empty());

  // Nothing about the clean grant or the repaid trip.
  for (const auto& f : all) {
    EXPECT_NE(f.application_id, "2021-LUM-01") << f.message;
    if (f.kind != "void") {
      EXPECT_NE(f.application_id, "2021-MUL-02") << f.message;
    }
  }
  // Kinds come grouped in the documented order.
  EXPECT_EQ(all.front().kind, "override");

  // A year with none of it: only the refusals, which belong to no year.
  const auto y2022 = FindAnomalies(now, Pointers(book.records()), refusals, 2022);
  for (const auto& f : y2022) EXPECT_EQ(f.year, 0) << f.message;
  EXPECT_EQ(y2022.size(), 3u);
  // Before the funding year ended, a grant without a report is not yet late.
  const auto early = FindAnomalies(book.At("2021-12-31", "2099-01-01"), Pointers(book.records()),
                                   RefusalLog{}, 2021);
  EXPECT_TRUE(OfKind(early, "no-report").empty());
}

}  // namespace
}  // namespace fouledger::projections::testing
