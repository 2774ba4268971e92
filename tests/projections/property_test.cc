// Property: for random event sequences, Engine::At(as_of, known_at) equals the fold over exactly
// the filtered events, where the filtering (knowledge, corrections, voids, dates) is done a second,
// naive way and the result fed to a fresh Engine as plain, uncorrected records in fold order.
// Sequences go in through ApplyRecord (no checks), so they also exercise anomalies.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>

#include "fixture.h"

namespace fouledger::projections::testing {
namespace {

constexpr int kSequences = 300;
constexpr int kQueriesPerSequence = 6;

using SeqMap = std::map<uint64_t, uint64_t>;

uint64_t Mapped(const SeqMap& m, uint64_t seq) {
  auto it = m.find(seq);
  return it == m.end() ? seq : it->second;
}

// Everything in a State, as text; seqs are passed through `m`.
std::string Dump(const State& s, const SeqMap& m) {
  std::ostringstream o;
  for (const auto& r : s.rules) {
    o << "rules " << r.rules.year << ProgrammeName(r.rules.programme) << " cap "
      << r.rules.cap.ore() << " seq " << Mapped(m, r.seq) << "\n";
  }
  for (const auto& b : s.budgets) {
    o << "budget " << b.year << ProgrammeName(b.programme) << " " << b.appropriated.ore() << " "
      << b.asked.ore() << " " << b.granted.ore() << " " << b.paid.ore() << " " << b.spent.ore()
      << " " << b.noticed.ore() << " " << b.repaid.ore() << " " << b.repayment_outstanding.ore()
      << " " << b.applications << " " << b.decided << " " << b.grants << " " << b.rejected << "\n";
  }
  for (const auto& g : s.grants) {
    o << "grant " << g.application_id << " " << g.year << " " << g.asked.ore() << " "
      << OutcomeName(g.outcome) << " " << g.granted.ore() << " " << g.decided_on.ToString() << " "
      << g.paid.ore() << " " << ReportStatusName(g.report) << " " << g.spent.ore() << " "
      << g.report_submitted_on.ToString() << " " << g.report_reviewed_on.ToString() << " "
      << g.noticed.ore() << " " << g.noticed_late.ore() << " " << g.first_notice_on.ToString()
      << " " << g.repaid.ore() << " " << GrantStateName(g.state) << " " << g.years_in_row
      << " seqs";
    for (uint64_t q : g.seqs) o << " " << Mapped(m, q);
    o << "\n";
  }
  for (const auto& u : s.units) o << "unit " << u.unit_id << " " << u.name << "\n";
  // Messages name entries ("already exists (entry 34)"): map those seqs too.
  static const std::regex kEntry("entry ([0-9]+)");
  for (const auto& a : s.anomalies) {
    std::string message;
    auto it = std::sregex_iterator(a.message.begin(), a.message.end(), kEntry);
    size_t last = 0;
    for (; it != std::sregex_iterator(); ++it) {
      message += a.message.substr(last, static_cast<size_t>(it->position()) - last);
      message += "entry " + std::to_string(Mapped(m, std::stoull((*it)[1].str())));
      last = static_cast<size_t>(it->position() + it->length());
    }
    message += a.message.substr(last);
    o << "anomaly " << Mapped(m, a.seq) << " " << message << "\n";
  }
  return o.str();
}

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  std::vector<Record> Sequence() {
    std::vector<Record> out;
    int64_t clock = Instant::StartOf(D("2020-01-01")).micros;
    auto push = [&](Date eff, Body body, std::optional<uint64_t> corrects = std::nullopt) {
      Record r;
      r.seq = out.size() + 1;
      clock += Pick(1, 20) * 86'400'000'000LL / 4;  // the ledger clock only moves forward
      r.recorded_at = Instant{clock};
      r.effective = eff;
      r.corrects = corrects;
      r.body = std::move(body);
      out.push_back(std::move(r));
    };
    push(D("2020-01-01"), Unit("farsta", "Farsta"));
    push(D("2020-01-01"), Unit("skarpnack", "Skarpnäck"));
    const int events = Pick(5, 60);
    for (int i = 0; i < events; ++i) {
      const Date eff = RandomDate();
      const std::string app = "2021-LUM-0" + std::to_string(Pick(1, 4));
      const int64_t kr = Pick(0, 6) * 50'000;
      const int choice = Pick(0, 13);
      switch (choice) {
        case 0:
          push(eff, Rules(RandomYear(), RandomProgramme(), 500'000, Pick(0, 2), "", "",
                          "2021-06-07", 3));
          break;
        case 1:
          push(eff, Appropriate(RandomYear(), RandomProgramme(), kr * 4));
          break;
        case 2:
          // Mostly 2021 LUM, so that applications meet their rules and money; some elsewhere.
          push(eff, Apply(app, Pick(0, 3) ? 2021 : RandomYear(),
                          Pick(0, 3) ? Programme::kLum : RandomProgramme(),
                          {Pick(0, 1) ? "farsta" : "skarpnack"}, "p" + app, kr));
          break;
        case 3:
          push(eff, Decide(app, kr));
          break;
        case 4:
          push(eff, Pay(app, kr));
          break;
        case 5:
          push(eff, Report(app, kr));
          break;
        case 6:
          push(eff, Review(app, Pick(0, 1) == 1));
          break;
        case 7:
          push(eff, Notice(app, kr));
          break;
        case 8:
          push(eff, Receive(app, kr));
          break;
        case 9:
          push(eff, Unit("farsta", Pick(0, 1) ? "Farsta SDF" : "Farsta"));
          break;
        default: {
          // A correction or a void of a current, foldable entry.
          std::set<uint64_t> gone;
          for (const auto& r : out) {
            if (auto t = r.target()) gone.insert(*t);
          }
          std::vector<const Record*> current;
          for (const auto& r : out) {
            if (!gone.count(r.seq) && r.kind() != Kind::kVoid && r.kind() != Kind::kUnitAdded) {
              current.push_back(&r);
            }
          }
          if (current.empty()) break;
          const Record target =
              *current[static_cast<size_t>(Pick(0, static_cast<int>(current.size()) - 1))];
          if (choice >= 12) {
            push(eff, Void{target.seq, "makulerad"});
          } else {
            Body body = target.body;
            std::visit(
                [&](auto& b) {
                  if constexpr (requires { b.amount; }) b.amount = Kr(kr);
                  if constexpr (requires { b.asked; }) b.asked = Kr(kr);
                  if constexpr (requires { b.granted; }) b.granted = Kr(kr);
                  if constexpr (requires { b.spent; }) b.spent = Kr(kr);
                  // Now and then an application moves to another funding year or programme.
                  if constexpr (requires { b.project_id; }) {
                    if (Pick(0, 2) == 0) {
                      b.year = RandomYear();
                      b.programme = RandomProgramme();
                    }
                  }
                },
                body);
            push(Pick(0, 1) ? target.effective : eff, std::move(body), target.seq);
          }
        }
      }
    }
    return out;
  }

  int RandomYear() { return Pick(2021, 2022); }
  Programme RandomProgramme() { return Pick(0, 1) ? Programme::kLum : Programme::kMul; }

  Date RandomDate() {
    return Date::FromDaysSinceEpoch(Date::Parse("2020-06-01")->DaysSinceEpoch() + Pick(0, 580));
  }
  Instant RandomInstant(const std::vector<Record>& records) {
    if (records.empty() || Pick(0, 5) == 0) return Instant{INT64_MAX};
    const auto& r = records[static_cast<size_t>(Pick(0, static_cast<int>(records.size()) - 1))];
    return Instant{r.recorded_at.micros + Pick(-1, 1)};  // just before, at, or after an entry
  }
  int Pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

 private:
  std::mt19937 rng_;
};

// The naive way: filter by knowledge, drop whatever a known entry replaced or voided, keep the
// dates up to as_of, order by (date, first seq of the chain, seq), and fold in a fresh Engine.
std::string Naive(const std::vector<Record>& all, const QueryTime& t) {
  std::map<uint64_t, const Record*> by_seq;
  for (const auto& r : all) by_seq[r.seq] = &r;
  std::set<uint64_t> replaced;
  for (const auto& r : all) {
    if (r.recorded_at > t.known_at) continue;
    if (auto target = r.target()) replaced.insert(*target);
  }
  auto root = [&](const Record& r) {
    uint64_t seq = r.seq;
    const Record* at = &r;
    while (at->target()) {
      seq = *at->target();
      auto it = by_seq.find(seq);
      if (it == by_seq.end()) break;
      at = it->second;
    }
    return seq;
  };
  std::vector<const Record*> kept;
  for (const auto& r : all) {
    if (r.recorded_at > t.known_at || replaced.count(r.seq) || r.kind() == Kind::kVoid ||
        r.effective > t.as_of) {
      continue;
    }
    kept.push_back(&r);
  }
  std::stable_sort(kept.begin(), kept.end(), [&](const Record* a, const Record* b) {
    return std::tuple(a->effective, root(*a), a->seq) < std::tuple(b->effective, root(*b), b->seq);
  });
  Engine fresh;
  SeqMap back;
  uint64_t seq = 0;
  for (const Record* r : kept) {
    Record copy = *r;
    copy.seq = ++seq;
    copy.corrects.reset();
    copy.recorded_at = Instant{static_cast<int64_t>(seq)};
    back[seq] = r->seq;
    fresh.ApplyRecord(std::move(copy));
  }
  State s = fresh.At(QueryTime::Latest());
  return Dump(s, back);
}

// The budget query folds one year's records only; it must give At()'s figures for every year and
// programme, and nothing where At() has no budget. Returns the number of budgets compared.
int ExpectBudgetsAsInAt(const Engine& engine, const State& s, const QueryTime& t,
                        const std::string& where) {
  int compared = 0;
  for (int year = 2019; year <= 2023; ++year) {
    for (Programme p : {Programme::kLum, Programme::kMul}) {
      const Budget* whole = s.FindBudget(year, p);
      const auto alone = engine.BudgetAt(year, p, t);
      const std::string at = where + ", " + std::to_string(year) + " " +
                             std::string(ProgrammeName(p)) + ", as of " + t.as_of.ToString() +
                             ", known at " + std::to_string(t.known_at.micros);
      EXPECT_EQ(whole != nullptr, alone.has_value()) << at;
      if (whole == nullptr || !alone.has_value()) continue;
      ++compared;
      State one;
      one.budgets = {*alone};
      State all;
      all.budgets = {*whole};
      EXPECT_EQ(Dump(one, {}), Dump(all, {})) << at;
    }
  }
  return compared;
}

TEST(PropertyTest, AtEqualsTheNaiveFoldOverFilteredEvents) {
  int anomalies_seen = 0;
  int budgets_compared = 0;
  for (int n = 0; n < kSequences; ++n) {
    Generator gen(static_cast<uint32_t>(n) * 7919u + 1u);
    const auto records = gen.Sequence();
    Engine engine;
    for (const auto& r : records) engine.ApplyRecord(r);
    for (int q = 0; q < kQueriesPerSequence; ++q) {
      const QueryTime t{q == 0 ? QueryTime::Latest().as_of : gen.RandomDate(),
                        gen.RandomInstant(records)};
      const State s = engine.At(t);
      anomalies_seen += !s.anomalies.empty();
      ASSERT_EQ(Dump(s, {}), Naive(records, t))
          << "sequence " << n << ", as of " << t.as_of.ToString() << ", known at "
          << t.known_at.micros;
      budgets_compared += ExpectBudgetsAsInAt(engine, s, t, "sequence " + std::to_string(n));
      if (::testing::Test::HasFailure()) return;
    }
  }
  EXPECT_GT(anomalies_seen, 0);  // the generator does reach the fold's refusals
  EXPECT_GT(budgets_compared, 500);
}

// BudgetAt keeps what it reads of a year between queries and extends or rebuilds it as records
// arrive: in date order, back-dated, correcting or voiding a record already read. Queried after
// every record, it must still give At()'s figures.
TEST(PropertyTest, BudgetAtStaysExactWhileRecordsArrive) {
  int budgets_compared = 0;
  for (int n = 0; n < 40; ++n) {
    Generator gen(static_cast<uint32_t>(n) * 6661u + 5u);
    const auto records = gen.Sequence();
    Engine engine;
    for (size_t i = 0; i < records.size(); ++i) {
      engine.ApplyRecord(records[i]);
      const QueryTime t{i % 2 == 0 ? QueryTime::Latest().as_of : gen.RandomDate(),
                        i % 3 == 0 ? QueryTime::Latest().known_at : gen.RandomInstant(records)};
      budgets_compared += ExpectBudgetsAsInAt(
          engine, engine.At(t), t,
          "sequence " + std::to_string(n) + " after record " + std::to_string(i));
      if (::testing::Test::HasFailure()) return;
    }
  }
  EXPECT_GT(budgets_compared, 1000);
}

// Sequences accepted through the checks never leave anomalies, at any point on either axis.
TEST(PropertyTest, CheckedSequencesFoldWithoutAnomaliesAnywhere) {
  int accepted_total = 0;
  for (int n = 0; n < 100; ++n) {
    Generator gen(static_cast<uint32_t>(n) * 104'729u + 3u);
    auto records = gen.Sequence();
    Engine engine;
    std::vector<Record> accepted;
    std::map<uint64_t, uint64_t> renumber;
    for (auto r : records) {
      // Renumber so that refused entries leave no gaps, as in the ledger.
      const uint64_t original = r.seq;
      r.seq = accepted.size() + 1;
      if (r.corrects) {
        auto it = renumber.find(*r.corrects);
        if (it == renumber.end()) continue;
        r.corrects = it->second;
      }
      if (auto* v = std::get_if<Void>(&r.body)) {
        auto it = renumber.find(v->target);
        if (it == renumber.end()) continue;
        v->target = it->second;
      }
      if (!engine.CheckRecord(r).ok()) continue;
      renumber[original] = r.seq;
      accepted.push_back(r);
      engine.ApplyRecord(r);
    }
    accepted_total += static_cast<int>(accepted.size());
    for (int q = 0; q < kQueriesPerSequence; ++q) {
      const QueryTime t{gen.RandomDate(), gen.RandomInstant(accepted)};
      EXPECT_TRUE(engine.At(t).anomalies.empty()) << "sequence " << n;
    }
  }
  EXPECT_GT(accepted_total, 500);
}

TEST(PerformanceTest, MillionRecordsReplayAndQuery) {
  constexpr int kRecords = 1'000'000;
  std::vector<Record> records;
  records.reserve(kRecords);
  int64_t clock = Instant::StartOf(D("2020-01-01")).micros;
  const Date start = D("2020-06-01");
  uint64_t seq = 0;
  auto push = [&](int day, Body body) {
    Record r;
    r.seq = ++seq;
    r.recorded_at = Instant{clock += 1'000'000};
    r.effective = Date::FromDaysSinceEpoch(start.DaysSinceEpoch() + day);
    r.body = std::move(body);
    records.push_back(std::move(r));
  };
  push(0, Rules(2021, Programme::kLum, 500'000, 0, "", "", "2021-06-07", 0));
  push(0, Appropriate(2021, Programme::kLum, 1'000'000'000));
  // Applications, decisions and payouts in date order: 4 entries per application.
  for (int i = 0; static_cast<int>(records.size()) < kRecords - 4; ++i) {
    const std::string id = "A" + std::to_string(i);
    const int day = i / 1000;
    push(day, Apply(id, 2021, Programme::kLum, {"farsta"}, "p", 1000));
    push(day, Decide(id, 1000));
    push(day, Pay(id, 600));
    push(day, Pay(id, 400));
  }
  const auto t0 = std::chrono::steady_clock::now();
  Engine engine;
  for (auto& r : records) engine.ApplyRecord(std::move(r));
  const auto t1 = std::chrono::steady_clock::now();
  const State s = engine.At(QueryTime::AsOf(D("2020-09-01")));
  const auto t2 = std::chrono::steady_clock::now();
  const auto ms = [](auto d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  };
  std::printf("replay of %d records: %lld ms; At(): %lld ms; %zu grants\n", kRecords,
              static_cast<long long>(ms(t1 - t0)), static_cast<long long>(ms(t2 - t1)),
              s.grants.size());
  EXPECT_TRUE(s.anomalies.empty());
  // Generous bounds (sanitizer and debug builds are slower); the printed figures are the point.
  EXPECT_LT(ms(t1 - t0), 10'000);
  EXPECT_LT(ms(t2 - t1), 10'000);
}

}  // namespace
}  // namespace fouledger::projections::testing
