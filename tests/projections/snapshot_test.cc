// The ledger's snapshot (docs/storage.md, "Snapshot") with the Engine as validator: an open from
// it answers exactly as a full replay; a snapshot that does not check (damaged, forged, stale
// beyond the ledger, left half-written) is ignored for a full replay; a forged one that does
// check is what a full VerifyLedger (fouledger verify) reports.
#include "ledger/snapshot.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>

#include "fixture.h"
#include "ledger/event.h"
#include "ledger/ledger.h"
#include "ledger/state_bytes.h"
#include "ledger/verify.h"
#include "projections/engine.h"
#include "signed_events.h"
#include "test_util.h"  // tests/ledger: ReadFile, WriteFile

namespace fouledger::projections::testing {
namespace {

namespace fs = std::filesystem;

using fouledger::testing::ReadFile;
using fouledger::testing::WriteFile;

// What the tests compare: budgets, grants and anomalies at a time, in a few words per figure.
std::string Describe(const State& s) {
  std::ostringstream out;
  for (const Budget& b : s.budgets) {
    out << "budget " << b.year << ProgrammeName(b.programme) << " " << b.appropriated.ore() << " "
        << b.asked.ore() << " " << b.granted.ore() << " " << b.paid.ore() << " " << b.applications
        << " " << b.decided << " " << b.grants << "\n";
  }
  for (const Grant& g : s.grants) {
    out << "grant " << g.application_id << " " << g.title << " " << g.asked.ore() << " "
        << static_cast<int>(g.outcome) << " " << g.granted.ore() << " " << g.paid.ore() << " "
        << g.decision_reason << "\n";
  }
  for (const Anomaly& a : s.anomalies) out << "anomaly " << a.seq << " " << a.message << "\n";
  return out.str();
}

class SnapshotTest : public LedgerWithEngineTest {
 protected:
  SnapshotTest() : LedgerWithEngineTest("fouledger-snapshot-") {}
  void SetUp() override { CreateLedger("fouledger.test/snapshot"); }

  std::string snapshot_path() const { return path() + "/" + kSnapshotFile; }

  uint64_t Apply(const std::string& id, int64_t kr, const std::string& date = "2020-09-01") {
    return Must(ApplyEvent(id, kr, "Projekt " + id, date));
  }
  SignedEvent DecideEvent(const std::string& id, int64_t kr, const std::string& reason,
                          std::optional<uint64_t> corrects = std::nullopt) {
    return Sign(
        board, "2020-12-16",
        [=](auto b) {
          auto d = b.initDecide();
          d.setApplicationId(id);
          d.setGrantedOre(Kr(kr).ore());
          d.setReason(reason);
        },
        corrects);
  }
  uint64_t Pay(const std::string& id, int64_t kr) {
    return Must(Sign(office, "2021-02-01", [=](auto b) {
      auto p = b.initPay();
      p.setApplicationId(id);
      p.setAmountOre(Kr(kr).ore());
    }));
  }
  uint64_t Void(uint64_t seq) {
    return Must(Sign(farsta, "2021-03-01", [=](auto b) {  // an application: its unit voids it
      auto v = b.initVoidEntry();
      v.setSeq(seq);
      v.setReason("fel");
    }));
  }
  // Applications, decisions (one corrected), a payout, a void and a back-dated application.
  void History() {
    Apply("A-1", 400'000);
    Apply("A-2", 300'000);
    const uint64_t d1 = Must(DecideEvent("A-1", 350'000, "delvis"));
    Must(DecideEvent("A-1", 380'000, "rättad", d1));
    Pay("A-1", 100'000);
    const uint64_t a3 = Apply("A-3", 50'000, "2020-06-01");
    Void(a3);
    Apply("A-4", 200'000, "2020-05-10");
  }

  // Every answer the tests compare, from `e` and the Authority of `l`.
  std::string Answers(const Engine& e, const Ledger& l) {
    std::ostringstream out;
    const std::vector<QueryTime> times = {
        QueryTime::Latest(),
        QueryTime::AsOf(D("2020-10-01")),
        {.as_of = D("2021-12-31"), .known_at = Instant::StartOf(D("2021-01-10"))},
        {.as_of = D("2021-12-31"),
         .known_at = Instant{Instant::StartOf(D("2021-01-10")).micros + 9'500'000}},
    };
    for (const QueryTime& t : times) {
      out << Describe(e.At(t));
      if (auto b = e.BudgetAt(2021, Programme::kLum, t)) {
        out << "BudgetAt " << b->granted.ore() << " " << b->paid.ore() << " " << b->applications
            << "\n";
      }
    }
    out << "records " << e.size() << " size " << l.size() << "\n";
    for (const auto& [id, k] : l.authority().keys()) {
      out << "key " << ToHex(id) << " " << static_cast<int>(k.role) << " " << k.enrolled_seq
          << (k.revoked_seq ? " revoked" : "") << "\n";
    }
    for (uint64_t seq = 0; seq < l.size(); ++seq) {
      if (auto by = l.authority().SupersededBy(seq)) out << seq << " superseded by " << *by << "\n";
    }
    std::string state;
    EXPECT_TRUE(e.SaveState(&state));
    out << "engine state " << ToHex(Sha256(state)) << "\n";
    state.clear();
    EXPECT_TRUE(l.authority().SaveState(&state));
    out << "authority state " << ToHex(Sha256(state)) << "\n";
    return out.str();
  }

  // The answers of a full replay (no snapshot) of the ledger as it is on disk.
  std::string FullReplayAnswers() {
    Engine e;
    auto l = Ledger::Open(Options(&e, /*use_snapshot=*/false));
    EXPECT_TRUE(l.ok()) << l.status().ToString();
    if (!l.ok()) return "";
    EXPECT_EQ((*l)->opened_from(), 0u);
    return Answers(e, **l);
  }

  // Opens with the snapshot allowed; returns the answers, and opened_from in *from.
  std::string OpenAnswers(uint64_t* from) {
    Engine e;
    auto l = Ledger::Open(Options(&e));
    EXPECT_TRUE(l.ok()) << l.status().ToString();
    if (!l.ok()) return "";
    *from = (*l)->opened_from();
    return Answers(e, **l);
  }
};

TEST_F(SnapshotTest, OpenFromSnapshotAnswersAsAFullReplayWithEntriesAfterIt) {
  History();
  ASSERT_TRUE(ledger->SaveSnapshot().ok());
  const uint64_t at_snapshot = ledger->size();
  // Entries after the snapshot, including a correction and a void of entries before it.
  Pay("A-1", 50'000);
  const uint64_t d2 = Must(DecideEvent("A-2", 250'000, "beviljas"));
  Must(DecideEvent("A-2", 200'000, "sänkt", d2));
  Apply("A-5", 100'000, "2020-07-01");
  const std::string live = Answers(engine, *ledger);
  ledger.reset();

  uint64_t from = 0;
  const std::string opened = OpenAnswers(&from);
  EXPECT_EQ(from, at_snapshot);
  EXPECT_EQ(opened, FullReplayAnswers());
  EXPECT_EQ(opened, live);
}

TEST_F(SnapshotTest, RulesHoldAfterOpeningFromSnapshot) {
  History();
  Must(DecideEvent("A-2", 250'000, "beviljas"));
  ASSERT_TRUE(ledger->SaveSnapshot().ok());
  ledger.reset();
  Engine e;
  auto opened = Ledger::Open(Options(&e));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  ASSERT_EQ((*opened)->opened_from(), (*opened)->size());
  ledger = std::move(opened).value();
  // A third grant for farsta breaks the year's max of two per unit, known only from the saved
  // state; an unknown key is refused; a payout on a loaded grant passes.
  Apply("A-6", 10'000);
  auto refused = ledger->Append(DecideEvent("A-6", 10'000, "beviljas"));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("2021 LUM"), std::string::npos)
      << refused.status().message();
  SigningKey stranger = SigningKey::Generate().value();
  auto unknown = ledger->Append(Sign(stranger, "2021-01-01", [](auto b) {
    auto p = b.initPay();
    p.setApplicationId("A-1");
    p.setAmountOre(1);
  }));
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("is not enrolled"), std::string::npos);
  EXPECT_TRUE(ledger
                  ->Append(Sign(office, "2021-02-02",
                                [](auto b) {
                                  auto p = b.initPay();
                                  p.setApplicationId("A-2");
                                  p.setAmountOre(Kr(1000).ore());
                                }))
                  .ok());
}

TEST_F(SnapshotTest, ClosingAfterEnoughEntriesSavesOneAndUseSnapshotFalseIgnoresIt) {
  ledger.reset();
  EXPECT_FALSE(fs::exists(snapshot_path()));  // 7 entries: below kSnapshotAfterEntries
  {
    Engine e;
    LedgerOptions o = Options(&e);
    o.snapshot_after_entries = 5;
    auto l = Ledger::Open(o);
    ASSERT_TRUE(l.ok());
    EXPECT_EQ((*l)->opened_from(), 0u);
  }
  ASSERT_TRUE(fs::exists(snapshot_path()));
  uint64_t from = 0;
  const std::string opened = OpenAnswers(&from);
  EXPECT_EQ(from, 7u);
  EXPECT_EQ(opened, FullReplayAnswers());
  {
    Engine e;
    LedgerOptions o = Options(&e, /*use_snapshot=*/false);
    o.snapshot_after_entries = 1;
    auto l = Ledger::Open(o);
    ASSERT_TRUE(l.ok());
    EXPECT_EQ((*l)->opened_from(), 0u);
  }
}

TEST_F(SnapshotTest, OpenWithoutValidatorUsesTheAuthorityState) {
  History();
  ASSERT_TRUE(ledger->SaveSnapshot().ok());
  const std::string keys_before = Answers(engine, *ledger);
  ledger.reset();
  auto l = Ledger::Open(Options(nullptr));
  ASSERT_TRUE(l.ok());
  EXPECT_EQ((*l)->opened_from(), (*l)->size());
  std::string a;
  ASSERT_TRUE((*l)->authority().SaveState(&a));
  std::string b;
  Engine e;
  auto full = Ledger::Open(Options(&e, false));  // cannot open twice: close the first
  EXPECT_FALSE(full.ok());
  l->reset();
  full = Ledger::Open(Options(&e, false));
  ASSERT_TRUE(full.ok());
  ASSERT_TRUE((*full)->authority().SaveState(&b));
  EXPECT_EQ(a, b);
  // A snapshot without the validator's state is not used by an open with a validator.
  full->reset();
  {
    auto plain = Ledger::Open(Options(nullptr));
    ASSERT_TRUE(plain.ok());
    ASSERT_TRUE((*plain)->SaveSnapshot().ok());
  }
  uint64_t from = 1;
  EXPECT_EQ(OpenAnswers(&from), FullReplayAnswers());
  EXPECT_EQ(from, 0u);
}

// Each way a snapshot can fail its checks at open: the open replays everything instead.
TEST_F(SnapshotTest, SnapshotThatDoesNotCheckIsIgnored) {
  History();
  ASSERT_TRUE(ledger->SaveSnapshot().ok());
  Pay("A-1", 10'000);
  ledger.reset();
  const std::string good = ReadFile(snapshot_path());
  const std::string expected = FullReplayAnswers();
  auto snap = DecodeSnapshot(good);
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();

  // Forged with a valid checksum: each field that Open checks against the ledger.
  std::vector<std::pair<std::string, std::function<void(Snapshot&)>>> forged = {
      {"wrong leaf hash", [](Snapshot& s) { s.last_leaf_hash[3] ^= 1; }},
      {"wrong root", [](Snapshot& s) { s.root[0] ^= 0x80; }},
      {"N beyond the ledger", [](Snapshot& s) { s.entries += 5; }},
      {"N one short (leaf hash of another entry)", [](Snapshot& s) { s.entries -= 1; }},
      {"no validator state", [](Snapshot& s) { s.has_validator_state = false; }},
      {"authority state cut", [](Snapshot& s) { s.authority_state.resize(10); }},
      {"engine state cut", [](Snapshot& s) { s.validator_state.pop_back(); }},
      {"engine state empty", [](Snapshot& s) { s.validator_state.clear(); }},
      {"states swapped", [](Snapshot& s) { std::swap(s.authority_state, s.validator_state); }},
  };
  for (auto& [what, forge] : forged) {
    SCOPED_TRACE(what);
    Snapshot s = *snap;
    forge(s);
    ASSERT_TRUE(WriteSnapshot(path(), s).ok());
    uint64_t from = 1;
    EXPECT_EQ(OpenAnswers(&from), expected);
    EXPECT_EQ(from, 0u);
  }
  // Damaged bytes: a flipped checksum, truncations, garbage, an empty file.
  std::vector<std::pair<std::string, std::string>> damaged = {
      {"checksum", good.substr(0, good.size() - 1) + static_cast<char>(good.back() ^ 1)},
      {"truncated by half", good.substr(0, good.size() / 2)},
      {"truncated by one", good.substr(0, good.size() - 1)},
      {"empty", ""},
      {"garbage", std::string(1000, 'x')},
  };
  for (auto& [what, bytes] : damaged) {
    SCOPED_TRACE(what);
    WriteFile(snapshot_path(), bytes);
    uint64_t from = 1;
    EXPECT_EQ(OpenAnswers(&from), expected);
    EXPECT_EQ(from, 0u);
  }
  // Random byte flips anywhere (the checksum catches them).
  std::mt19937_64 random(42);
  for (int i = 0; i < 20; ++i) {
    std::string bytes = good;
    const size_t at = random() % bytes.size();
    bytes[at] = static_cast<char>(bytes[at] ^ (1 + random() % 255));
    SCOPED_TRACE("flip at " + std::to_string(at));
    WriteFile(snapshot_path(), bytes);
    uint64_t from = 1;
    EXPECT_EQ(OpenAnswers(&from), expected);
    EXPECT_EQ(from, 0u);
  }
  // And the good one is used.
  WriteFile(snapshot_path(), good);
  uint64_t from = 0;
  EXPECT_EQ(OpenAnswers(&from), expected);
  EXPECT_EQ(from, snap->entries);
}

// Untrusted state bytes: every flip inside the saved states, with the checksum recomputed, must
// either be refused by LoadState or load without crashing (a full VerifyLedger is what finds
// those).
TEST_F(SnapshotTest, ForgedStateBytesNeverCrashTheLoad) {
  History();
  std::string engine_state;
  ASSERT_TRUE(engine.SaveState(&engine_state));
  std::string authority_state;
  ASSERT_TRUE(ledger->authority().SaveState(&authority_state));
  const uint64_t n = ledger->size();
  std::mt19937_64 random(7);
  for (int i = 0; i < 400; ++i) {
    std::string e = engine_state;
    std::string a = authority_state;
    std::string& target = i % 2 ? e : a;
    const size_t at = random() % target.size();
    target[at] = static_cast<char>(target[at] ^ (1 + random() % 255));
    if (i % 7 == 0) target.resize(random() % target.size());
    Engine fresh;
    const Status se = fresh.LoadState(e, n);
    if (se.ok()) {
      (void)fresh.At(QueryTime::Latest());
    } else {
      EXPECT_EQ(fresh.size(), 0u);  // left as it was
    }
    Authority authority;
    (void)authority.LoadState(a, n);
  }
  Engine fresh;
  EXPECT_TRUE(fresh.LoadState(engine_state, n).ok());
  EXPECT_FALSE(fresh.LoadState(engine_state, n + 1).ok());
  EXPECT_EQ(fresh.size(), n);  // a refused load left the loaded state
  Authority authority;
  EXPECT_TRUE(authority.LoadState(authority_state, n).ok());
  EXPECT_FALSE(authority.LoadState(authority_state, n - 1).ok());
}

// The folds add amounts and count years on the ranges the event checks gave them (amounts in
// 0..Money::kOreMax, years and limits from UInt16 fields); a state that breaks a range is refused
// by name, not loaded to overflow later (found by fuzz_snapshot: a payout of -2^63 öre).
TEST_F(SnapshotTest, StateOutsideTheEventRangesIsRefused) {
  History();
  std::string state;
  ASSERT_TRUE(engine.SaveState(&state));
  const uint64_t n = ledger->size();
  const auto i64 = [](int64_t v) {
    StateWriter w;
    w.I64(v);
    return w.Take();
  };
  // Replaces the one field holding `was` with `now` and loads the result.
  const auto load_with = [&](int64_t was, int64_t now) {
    std::string forged = state;
    const size_t at = forged.find(i64(was));
    EXPECT_NE(at, std::string::npos);
    EXPECT_EQ(forged.find(i64(was), at + 1), std::string::npos) << "the field is not unique";
    forged.replace(at, 8, i64(now));
    Engine fresh;
    const Status s = fresh.LoadState(forged, n);
    EXPECT_EQ(fresh.size(), s.ok() ? n : 0u);
    return s;
  };
  const int64_t payout = Kr(100'000).ore();
  for (const int64_t bad : {INT64_MIN, int64_t{-1}, Money::kOreMax + 1}) {
    const Status s = load_with(payout, bad);
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.message().find("an amount of " + std::to_string(bad) + " öre outside 0.."),
              std::string::npos)
        << s.ToString();
  }
  EXPECT_TRUE(load_with(payout, Money::kOreMax).ok());  // the range's edge loads

  // The year rules: year (8 bytes), programme (1), cap (8).
  const size_t cap_at = state.find(i64(Kr(500'000).ore()));
  ASSERT_NE(cap_at, std::string::npos);
  ASSERT_EQ(state.substr(cap_at - 9, 8), i64(2021));
  std::string forged = state;
  forged.replace(cap_at - 9, 8, i64(INT32_MAX));
  Engine fresh;
  const Status big_year = fresh.LoadState(forged, n);
  EXPECT_NE(big_year.message().find("an integer 2147483647 outside 0..65535"), std::string::npos)
      << big_year.ToString();
  EXPECT_EQ(fresh.size(), 0u);
}

// Application ids are saved once, in interned order, and each record names its application by
// its index there (docs/storage.md, "Snapshot"): a table that repeats an id, or one too short for
// the records, is refused by name.
TEST_F(SnapshotTest, ApplicationIdsAreSavedOnceAndNamedByIndex) {
  History();
  std::string state;
  ASSERT_TRUE(engine.SaveState(&state));
  const uint64_t n = ledger->size();
  StateReader r(state);
  std::string tag;
  uint64_t count = 0;
  ASSERT_TRUE(r.String(&tag) && r.U64(&count));
  ASSERT_GE(count, 2u);
  std::vector<std::string_view> ids(static_cast<size_t>(count));
  std::vector<size_t> starts;
  for (std::string_view& id : ids) {
    starts.push_back(state.size() - r.remaining());
    ASSERT_TRUE(r.StringView(&id));
  }
  const size_t table_end = state.size() - r.remaining();
  const auto load = [&](const std::string& forged) {
    Engine fresh;
    const Status s = fresh.LoadState(forged, n);
    EXPECT_EQ(fresh.size(), 0u);
    return s;
  };

  ASSERT_EQ(ids[0].size(), ids[1].size());
  std::string twice = state;
  twice.replace(starts[1] + 8, ids[1].size(), std::string(ids[0]));
  EXPECT_NE(load(twice).message().find("an application id saved twice"), std::string::npos);

  std::string short_table = state;
  short_table.erase(starts.back(), table_end - starts.back());
  StateWriter one_less;
  one_less.U64(count - 1);
  short_table.replace(starts[0] - 8, 8, one_less.Take());
  const std::string last = std::to_string(count - 1);
  EXPECT_NE(load(short_table)
                .message()
                .find("an application index " + last + " outside the " + last + " saved ids"),
            std::string::npos);
}

TEST_F(SnapshotTest, LeftoverTmpFileIsIgnored) {
  History();
  ledger.reset();
  const std::string expected = FullReplayAnswers();
  // A crash while writing: snapshot.tmp half written, no snapshot.
  WriteFile(path() + "/" + kSnapshotTmpFile, "FOUSNAP\nhalf");
  uint64_t from = 1;
  EXPECT_EQ(OpenAnswers(&from), expected);
  EXPECT_EQ(from, 0u);
  // A crash while writing the next one: the previous snapshot is whole and still used.
  {
    Engine e;
    auto l = Ledger::Open(Options(&e));
    ASSERT_TRUE(l.ok());
    ASSERT_TRUE((*l)->SaveSnapshot().ok());
  }
  EXPECT_FALSE(fs::exists(path() + "/" + kSnapshotTmpFile));  // the save replaced it
  WriteFile(path() + "/" + kSnapshotTmpFile, std::string(100, '\0'));
  EXPECT_EQ(OpenAnswers(&from), expected);
  EXPECT_GT(from, 0u);
}

// What a full VerifyLedger, with the domain rules as validator or without, says of DIR/snapshot:
// empty when all holds, or the problem naming the snapshot.
std::string SnapshotProblem(const std::string& ledger_path, AppendValidator* validator) {
  VerifyOptions options;
  options.validator = validator;
  auto report = VerifyLedger(ledger_path, options);
  if (!report.ok()) return "not read: " + report.status().ToString();
  return report->first_problem;
}

TEST_F(SnapshotTest, FullVerifyAcceptsTheTrueStateAndReportsAForgedOne) {
  History();
  ASSERT_TRUE(ledger->SaveSnapshot().ok());
  Pay("A-1", 10'000);  // the snapshot is older than the ledger: still the truth at its size
  const std::string note = ledger->LatestCheckpoint()->note;
  ledger.reset();
  {
    Engine e;
    EXPECT_EQ(SnapshotProblem(path(), &e), "");
  }
  EXPECT_EQ(SnapshotProblem(path(), nullptr), "");
  auto snap = ReadSnapshot(path());
  ASSERT_TRUE(snap.ok() && snap->has_value());

  // A forged grant: the decision's reason changed inside the saved Records, checksum recomputed.
  // Open takes it (a cache is not evidence); verify must not.
  Snapshot forged = **snap;
  const size_t at = forged.validator_state.find("delvis");
  ASSERT_NE(at, std::string::npos);
  forged.validator_state.replace(at, 6, "DELVIS");
  ASSERT_TRUE(WriteSnapshot(path(), forged).ok());
  {
    Engine e;
    auto l = Ledger::Open(Options(&e));
    ASSERT_TRUE(l.ok());
    EXPECT_EQ((*l)->opened_from(), forged.entries);
  }
  {
    Engine e;
    EXPECT_EQ(SnapshotProblem(path(), &e),
              snapshot_path() + ": the validator's (domain rules') state after " +
                  std::to_string(forged.entries) +
                  " entries differs from a full replay's (deleting the snapshot is safe)");
  }
  // A verify without the domain rules cannot see that one.
  EXPECT_EQ(SnapshotProblem(path(), nullptr), "");
  // A forged Authority (a key's role changed) is reported too, with or without a validator.
  forged = **snap;
  std::string authority_state;
  {
    Authority a;
    ASSERT_TRUE(a.LoadState(forged.authority_state, forged.entries).ok());
    ASSERT_TRUE(a.SaveState(&authority_state));
    ASSERT_EQ(authority_state, forged.authority_state);
  }
  const size_t holder = forged.authority_state.find("first admin (genesis)");
  ASSERT_NE(holder, std::string::npos);
  forged.authority_state[holder] = 'F';
  ASSERT_TRUE(WriteSnapshot(path(), forged).ok());
  const std::string authority_differs = snapshot_path() + ": the Authority's state after " +
                                        std::to_string(forged.entries) +
                                        " entries differs from a full replay's (deleting the "
                                        "snapshot is safe)";
  EXPECT_EQ(SnapshotProblem(path(), nullptr), authority_differs);
  {
    Engine e;
    EXPECT_EQ(SnapshotProblem(path(), &e), authority_differs);
  }
  // Another root or leaf hash at its size.
  forged = **snap;
  forged.root[0] ^= 1;
  ASSERT_TRUE(WriteSnapshot(path(), forged).ok());
  EXPECT_NE(SnapshotProblem(path(), nullptr).find(snapshot_path() + ": the Merkle root at size"),
            std::string::npos);
  forged = **snap;
  forged.last_leaf_hash[31] ^= 1;
  ASSERT_TRUE(WriteSnapshot(path(), forged).ok());
  EXPECT_NE(SnapshotProblem(path(), nullptr).find(snapshot_path() + ": the leaf hash of entry"),
            std::string::npos);
  // A snapshot of more entries than the ledger holds.
  forged = **snap;
  forged.entries = 1000;
  ASSERT_TRUE(WriteSnapshot(path(), forged).ok());
  EXPECT_NE(SnapshotProblem(path(), nullptr).find(snapshot_path() + " is of 1000 entries"),
            std::string::npos);
  // A damaged file is reported as well (deleting it is safe); no file is no problem.
  WriteFile(snapshot_path(), "garbage");
  const std::string damaged = SnapshotProblem(path(), nullptr);
  EXPECT_EQ(damaged.rfind(snapshot_path(), 0), 0u) << damaged;
  EXPECT_NE(damaged.find("(deleting it is safe)"), std::string::npos) << damaged;
  fs::remove(snapshot_path());
  EXPECT_EQ(SnapshotProblem(path(), nullptr), "");
  // A second visit (verify --since) does not read it.
  WriteFile(snapshot_path(), "garbage");
  auto since = VerifyLedger(path(), {.since_checkpoint_note = note});
  ASSERT_TRUE(since.ok()) << since.status().ToString();
  EXPECT_TRUE(since->ok()) << since->first_problem;
}

}  // namespace
}  // namespace fouledger::projections::testing
