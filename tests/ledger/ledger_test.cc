#include "ledger/ledger.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/perf_context.h>
#include <rocksdb/perf_level.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <set>

#include "ledger/merkle.h"
#include "ledger/verify.h"
#include "test_util.h"

namespace fouledger {
namespace {

using schema::Role;
using testing::Kr;
using testing::LedgerFixture;

std::string BigEndian(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) s[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
  return s;
}

// Direct access to the ledger's RocksDB, as an attacker with disk access would have.
class RawDb {
 public:
  explicit RawDb(const std::string& ledger_path) {
    rocksdb::ColumnFamilyOptions cf;
    std::vector<rocksdb::ColumnFamilyDescriptor> d = {
        {"default", cf}, {"entries", cf}, {"index", cf}, {"tree", cf}, {"checkpoints", cf}};
    rocksdb::DB* raw = nullptr;
    auto s = rocksdb::DB::Open(rocksdb::DBOptions(), ledger_path + "/db", d, &handles_, &raw);
    EXPECT_TRUE(s.ok()) << s.ToString();
    db_.reset(raw);
  }
  ~RawDb() {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
  }
  rocksdb::ColumnFamilyHandle* entries() { return handles_[1]; }
  rocksdb::ColumnFamilyHandle* tree() { return handles_[3]; }
  rocksdb::ColumnFamilyHandle* checkpoints() { return handles_[4]; }
  std::string Get(rocksdb::ColumnFamilyHandle* cf, const std::string& key) {
    std::string v;
    EXPECT_TRUE(db_->Get(rocksdb::ReadOptions(), cf, key, &v).ok());
    return v;
  }
  void Put(rocksdb::ColumnFamilyHandle* cf, const std::string& key, const std::string& v) {
    ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), cf, key, v).ok());
  }
  void Delete(rocksdb::ColumnFamilyHandle* cf, const std::string& key) {
    ASSERT_TRUE(db_->Delete(rocksdb::WriteOptions(), cf, key).ok());
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

class LedgerTest : public ::testing::Test, public LedgerFixture {
 protected:
  void SetUp() override { LedgerFixture::SetUp(); }
  void Reopen() {
    ledger.reset();
    auto opened = Ledger::Open(Options());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ledger = std::move(opened).value();
  }
  // Farsta's application `application_id` under the client event id of `e`: another event
  // claiming an id already taken.
  SignedEvent OtherApplicationWithTheIdOf(const SignedEvent& e, const std::string& application_id) {
    auto decoded = DecodedEvent::Decode(e.event.data(), e.event.size()).value();
    auto cid = decoded.reader().getClientEventId();
    EventBuilder b(testing::D("2020-09-01"));
    b.SetClientEventId(Bytes(cid.begin(), cid.end()));
    auto a = b.body().initApply();
    a.setApplicationId(application_id);
    a.setYear(2021);
    a.setProgramme(schema::Programme::LUM);
    a.initUnits(1).set(0, "farsta");
    a.setProjectId("p");
    a.setTitle("t");
    a.setAmountOre(5);
    return b.Sign(farsta).value();
  }
  // Asserts that `e` is refused with a message containing `words`, and nothing is appended.
  void ExpectRefused(const SignedEvent& e, const std::string& words) {
    const uint64_t before = ledger->size();
    auto r = ledger->Append(e);
    ASSERT_FALSE(r.ok()) << "expected a refusal containing: " << words;
    EXPECT_TRUE(r.status().IsRefused() || r.status().IsInvalidArgument()) << r.status().ToString();
    EXPECT_NE(r.status().message().find(words), std::string::npos) << r.status().ToString();
    EXPECT_EQ(ledger->size(), before) << "nothing may be appended on refusal";
  }
};

TEST_F(LedgerTest, CreateWritesGenesisAndRefusesAnExistingLedger) {
  auto genesis = ledger->ReadEntry(0);
  ASSERT_TRUE(genesis.ok());
  EXPECT_EQ(genesis->kind(), schema::Event::Body::GENESIS);
  EXPECT_EQ(ledger->authority().ledger_name(), "fouledger.test/stockholm");
  EXPECT_NE(ledger->authority().FindKey(admin.key_id()), nullptr);
  auto again = Ledger::Create(Options(), "x", admin.public_key());
  EXPECT_TRUE(again.status().IsRefused()) << again.status().ToString();
  EXPECT_EQ(std::filesystem::status(dir.Sub("ledger/checkpoint.key")).permissions() &
                std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(LedgerTest, ARefusedGenesisLeavesNothingOnDisk) {
  LedgerOptions options = Options();
  options.path = dir.Sub("other");
  auto refused = Ledger::Create(options, "a b", admin.public_key());
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.status().IsInvalidArgument()) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("ledger name may not contain spaces"),
            std::string::npos)
      << refused.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(options.path));  // no half-made ledger
  auto created = Ledger::Create(options, "fouledger.test/other", admin.public_key());
  EXPECT_TRUE(created.ok()) << created.status().ToString();
}

TEST_F(LedgerTest, EntriesSurviveReopenWithTheSameRoot) {
  MustAppend(Apply(farsta, "A1", "farsta", Kr(100000)));
  const uint64_t size = ledger->size();
  const Hash256 root = ledger->RootAt(size).value();
  Reopen();
  EXPECT_EQ(ledger->size(), size);
  EXPECT_EQ(ledger->RootAt(size).value(), root);
  EXPECT_EQ(ledger->LatestCheckpoint().value().root, root);
  MustAppend(Apply(farsta, "A2", "farsta", Kr(1)));
  auto report = VerifyLedger(ledger->path()).value();
  EXPECT_TRUE(report.ok()) << report.first_problem;
  EXPECT_EQ(report.entries, size + 1);
}

// A read-only open (verify) replays the whole write-ahead log before it reads anything; a ledger
// closed cleanly leaves none to replay (docs/storage.md).
TEST_F(LedgerTest, AClosedLedgerLeavesAnEmptyWriteAheadLog) {
  MustAppend(Apply(farsta, "A1", "farsta", Kr(100000)));
  const std::string db = ledger->path() + "/db";
  auto log_bytes = [&db] {
    uintmax_t bytes = 0;
    for (const auto& f : std::filesystem::directory_iterator(db)) {
      if (f.path().extension() == ".log") bytes += f.file_size();
    }
    return bytes;
  };
  EXPECT_GT(log_bytes(), 0u);  // open: the appends are in the log (and synced)
  ledger.reset();
  EXPECT_EQ(log_bytes(), 0u);
}

TEST_F(LedgerTest, SequenceHashChainAndRecordedTimeAreConsistent) {
  clock.Set("2021-03-01");
  MustAppend(Apply(farsta, "A1", "farsta", Kr(1)));
  clock.Set("2021-02-01");  // the wall clock steps back
  const uint64_t seq = MustAppend(Apply(farsta, "A2", "farsta", Kr(1)));
  auto prev = ledger->ReadEntry(seq - 1).value();
  auto last = ledger->ReadEntry(seq).value();
  EXPECT_EQ(last.seq(), seq);
  EXPECT_EQ(last.previous_hash(), prev.leaf_hash());
  EXPECT_GE(last.recorded_at(), prev.recorded_at()) << "recorded-at never decreases";
}

TEST_F(LedgerTest, RetryReturnsTheOriginalEntry) {
  const SignedEvent e = Apply(farsta, "A1", "farsta", Kr(100));
  auto first = ledger->Append(e);
  ASSERT_TRUE(first.ok());
  const uint64_t size = ledger->size();
  auto retry = ledger->Append(e);
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->seq, first->seq);
  EXPECT_EQ(retry->leaf_hash, first->leaf_hash);
  EXPECT_EQ(ledger->size(), size);
  Reopen();
  EXPECT_TRUE(ledger->Append(e)->duplicate) << "idempotency survives a restart";
}

// The ledger turns RocksDB's perf counts off on its own appends and replay (they cost a
// thread-local lookup in every key comparison), and gives the calling thread's level back after
// each: a caller that measures its own RocksDB use still can.
TEST_F(LedgerTest, AppendsAndOpensLeaveTheCallersPerfLevelAsItWas) {
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kEnableTime);
  rocksdb::get_perf_context()->Reset();
  MustAppend(Apply(farsta, "A1", "farsta", Kr(100)));
  auto batch = ledger->AppendBatch({Apply(farsta, "A2", "farsta", Kr(100))});
  ASSERT_TRUE(batch.front().ok()) << batch.front().status().ToString();
  auto all = ledger->AppendAll({Apply(farsta, "A3", "farsta", Kr(100))});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(rocksdb::GetPerfLevel(), rocksdb::PerfLevel::kEnableTime);
  // The appends' client-id lookups and writes searched the memtables uncounted.
  EXPECT_EQ(rocksdb::get_perf_context()->get_from_memtable_count, 0u);
  EXPECT_EQ(rocksdb::get_perf_context()->user_key_comparison_count, 0u);
  Reopen();
  EXPECT_EQ(rocksdb::GetPerfLevel(), rocksdb::PerfLevel::kEnableTime);
  // A read of the caller's own is counted at its level, as before.
  rocksdb::get_perf_context()->Reset();
  auto entry = ledger->ReadEntryBytes(1);
  ASSERT_TRUE(entry.ok()) << entry.status().ToString();
  EXPECT_EQ(rocksdb::get_perf_context()->get_read_bytes, entry->size());
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kEnableCount);  // RocksDB's default
}

TEST_F(LedgerTest, SameClientIdWithOtherContentIsRefused) {
  const SignedEvent e = Apply(farsta, "A1", "farsta", Kr(100));
  MustAppend(e);
  ExpectRefused(OtherApplicationWithTheIdOf(e, "A2"), "client event id was already used by entry");
}

TEST_F(LedgerTest, RefusesWhatTheAuthorMayNotWrite) {
  auto stranger = SigningKey::Generate().value();
  ExpectRefused(Apply(stranger, "A1", "farsta", Kr(1)), "is not enrolled");
  ExpectRefused(Apply(skarpnack, "A1", "farsta", Kr(1)), "a unit key acts only for its own units");
  ExpectRefused(Apply(board, "A1", "farsta", Kr(1)), "a board key may not write apply entries");
  ExpectRefused(Apply(controller, "A1", "farsta", Kr(1)), "a controller key may not write");
  ExpectRefused(Apply(farsta, "A1", "nowhere", Kr(1)), "unit 'nowhere' does not exist");
  ExpectRefused(Pay(office, "NOPE", Kr(1)), "application NOPE does not exist");
  MustAppend(Apply(farsta, "A1", "farsta", Kr(1)));
  ExpectRefused(Apply(farsta, "A1", "farsta", Kr(1)), "application A1 already exists");
  ExpectRefused(Pay(farsta, "A1", Kr(1)), "a unit key may not write pay entries");
  ExpectRefused(Enroll(board, stranger, Role::OFFICE), "a board key may not write key-enroll");
  ExpectRefused(Enroll(admin, office, Role::OFFICE), "is already enrolled");
}

TEST_F(LedgerTest, RefusesBadSignaturesAndMalformedEvents) {
  SignedEvent e = Apply(farsta, "A1", "farsta", Kr(1));
  e.signature[10] ^= 0x01;
  ExpectRefused(e, "signature does not verify");
  SignedEvent f = Apply(farsta, "A1", "farsta", Kr(1));
  const std::string title = "Projekt A1";
  auto at = std::search(f.event.begin(), f.event.end(), title.begin(), title.end());
  ASSERT_NE(at, f.event.end());
  *(at + 8) = 'B';  // "Projekt B1": the content changed after signing
  ExpectRefused(f, "signature does not verify");
  SignedEvent g = Apply(farsta, "A1", "farsta", Kr(1));
  g.event.resize(g.event.size() - 8);
  const uint64_t before = ledger->size();
  EXPECT_TRUE(ledger->Append(g).status().IsInvalidArgument());
  EXPECT_EQ(ledger->size(), before);
}

TEST_F(LedgerTest, RevokedKeysCanNoLongerWrite) {
  EventBuilder b(testing::D("2021-02-01"));
  auto r = b.body().initKeyRevoke();
  const Hash256 id = farsta.key_id();
  r.setKeyId(kj::arrayPtr(id.data(), id.size()));
  r.setReason("lost laptop");
  const uint64_t revoked_at = MustAppend(b.Sign(admin).value());
  ExpectRefused(Apply(farsta, "A1", "farsta", Kr(1)),
                "was revoked at entry " + std::to_string(revoked_at));
  ExpectRefused(Enroll(admin, farsta, Role::UNIT, "farsta"), "is already enrolled");
}

TEST_F(LedgerTest, CorrectionsAndVoidsNameACurrentEntryOfTheRightKind) {
  const uint64_t apply = MustAppend(Apply(farsta, "A1", "farsta", Kr(100)));
  // A correction of a different kind is refused.
  EventBuilder wrong(testing::D("2021-01-01"));
  wrong.body().initDecide().setApplicationId("A1");
  wrong.body().getDecide().setReason("x");
  wrong.Corrects(apply, "typo");
  ExpectRefused(wrong.Sign(board).value(), "a correction must be of the same kind");
  // A unit may correct its own application.
  const uint64_t corrected =
      MustAppend(CorrectApply(farsta, apply, "fel belopp", "A1", "farsta", Kr(90)));
  EXPECT_EQ(ledger->authority().SupersededBy(apply), corrected);
  // The replaced entry can no longer be corrected or voided; the office may not void an apply.
  ExpectRefused(Void(farsta, apply), "was already replaced or voided by entry");
  ExpectRefused(Void(office, corrected), "an office key may not void entry");
  ExpectRefused(Void(skarpnack, corrected), "a unit key acts only for its own units");
  ExpectRefused(Void(admin, 0), "cannot be corrected or voided");
  ExpectRefused(Void(farsta, 9999), "names entry 9999");
  MustAppend(Void(farsta, corrected));
}

TEST_F(LedgerTest, BatchGivesEachEventItsOwnOutcomeAndOneCheckpoint) {
  const uint64_t before = ledger->size();
  std::vector<SignedEvent> batch = {Apply(farsta, "B1", "farsta", Kr(1)),
                                    Apply(skarpnack, "B2", "farsta", Kr(1)),  // not its unit
                                    Apply(skarpnack, "B3", "skarpnack", Kr(1))};
  auto outcomes = ledger->AppendBatch(batch);
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_TRUE(outcomes[0].ok());
  EXPECT_TRUE(outcomes[1].status().IsRefused());
  ASSERT_TRUE(outcomes[2].ok());
  EXPECT_EQ(outcomes[0]->seq, before);
  EXPECT_EQ(outcomes[2]->seq, before + 1) << "sequence numbers stay contiguous";
  EXPECT_EQ(ledger->size(), before + 2);
  EXPECT_EQ(ledger->LatestCheckpoint()->size, before + 2);
}

// Refusals only a program that builds its own events can provoke (the CLI never sends them).
TEST_F(LedgerTest, RefusesAClientIdTwiceInABatchAndASecondGenesis) {
  const uint64_t before = ledger->size();
  const SignedEvent first = Apply(farsta, "C1", "farsta", Kr(1));
  auto outcomes = ledger->AppendBatch({first, OtherApplicationWithTheIdOf(first, "C2")});
  ASSERT_EQ(outcomes.size(), 2u);
  ASSERT_TRUE(outcomes[0].ok()) << outcomes[0].status().ToString();
  ASSERT_FALSE(outcomes[1].ok());
  EXPECT_TRUE(outcomes[1].status().IsRefused());
  EXPECT_EQ(outcomes[1].status().message(),
            "client event id is used twice in one batch (entry " + std::to_string(before) + ")");
  EXPECT_EQ(ledger->size(), before + 1);

  EventBuilder g(testing::D("2021-01-01"));
  auto genesis = g.body().initGenesis();
  genesis.setLedgerName("another");
  genesis.setAdminPublicKey(kj::arrayPtr(admin.public_key().data(), admin.public_key().size()));
  genesis.setCheckpointPublicKey(
      kj::arrayPtr(admin.public_key().data(), admin.public_key().size()));
  ExpectRefused(g.Sign(admin).value(), "only entry 0 is the genesis entry, and it must be one");
}

TEST_F(LedgerTest, ProofsVerifyAgainstTheSignedCheckpoint) {
  for (int i = 0; i < 20; ++i) MustAppend(Apply(farsta, "P" + std::to_string(i), "farsta", Kr(1)));
  const Checkpoint cp = ledger->LatestCheckpoint().value();
  EXPECT_EQ(cp.size, ledger->size());
  for (uint64_t i = 0; i < cp.size; ++i) {
    const Hash256 leaf = ledger->ReadEntry(i)->leaf_hash();
    auto proof = ledger->InclusionProof(i, cp.size);
    ASSERT_TRUE(proof.ok());
    EXPECT_TRUE(VerifyInclusion(leaf, i, cp.size, *proof, cp.root).ok()) << i;
  }
  const uint64_t old_size = 9;
  auto proof = ledger->ConsistencyProof(old_size, cp.size).value();
  EXPECT_TRUE(
      VerifyConsistency(old_size, cp.size, proof, ledger->RootAt(old_size).value(), cp.root).ok());
  EXPECT_FALSE(ledger->InclusionProof(cp.size, cp.size).ok());
  EXPECT_FALSE(ledger->ConsistencyProof(1, cp.size + 1).ok());
}

class TamperTest : public LedgerTest {
 protected:
  void SetUp() override {
    LedgerTest::SetUp();
    for (int i = 0; i < 12; ++i)
      MustAppend(Apply(farsta, "T" + std::to_string(i), "farsta", Kr(1)));
    size = ledger->size();
    ledger.reset();  // release RocksDB's lock
    ASSERT_TRUE(VerifyLedger(LedgerPath())->ok());
  }
  std::string Problem() {
    auto r = VerifyLedger(LedgerPath());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r->first_problem;
  }
  uint64_t size = 0;
};

// Changing any single byte of a stored entry is detected and the entry is named.
TEST_F(TamperTest, OneChangedByteInAnEntryIsNamed) {
  const uint64_t target = 9;
  std::string original;
  {
    RawDb raw(LedgerPath());
    original = raw.Get(raw.entries(), BigEndian(target));
  }
  int detected = 0;
  for (size_t offset = 0; offset < original.size(); offset += 7) {
    {
      RawDb raw(LedgerPath());
      std::string changed = original;
      changed[offset] = static_cast<char>(changed[offset] ^ 0x04);
      raw.Put(raw.entries(), BigEndian(target), changed);
    }
    const std::string problem = Problem();
    EXPECT_EQ(problem.rfind("entry 9:", 0), 0u) << "offset " << offset << ": " << problem;
    detected += !problem.empty();
    RawDb raw(LedgerPath());
    raw.Put(raw.entries(), BigEndian(target), original);
  }
  EXPECT_GT(detected, 10);
  EXPECT_EQ(Problem(), "");
}

TEST_F(TamperTest, RemovedEntryIsNamed) {
  {
    RawDb raw(LedgerPath());
    raw.Delete(raw.entries(), BigEndian(5));
  }
  EXPECT_EQ(Problem().rfind("entry 5: missing", 0), 0u) << Problem();
}

TEST_F(TamperTest, SwappedEntriesAreDetected) {
  {
    RawDb raw(LedgerPath());
    const std::string a = raw.Get(raw.entries(), BigEndian(3));
    const std::string b = raw.Get(raw.entries(), BigEndian(4));
    raw.Put(raw.entries(), BigEndian(3), b);
    raw.Put(raw.entries(), BigEndian(4), a);
  }
  EXPECT_EQ(Problem().rfind("entry 3:", 0), 0u) << Problem();
}

TEST_F(TamperTest, TruncatedTailIsDetectedByItsCheckpoint) {
  {
    RawDb raw(LedgerPath());
    raw.Delete(raw.entries(), BigEndian(size - 1));
  }
  EXPECT_NE(Problem().find("entries were removed"), std::string::npos) << Problem();
}

TEST_F(TamperTest, ChangedTreeNodeAndCheckpointAreDetected) {
  {
    RawDb raw(LedgerPath());
    std::string key(1, '\x02');
    key += BigEndian(1);  // level 2, index 1: entries 4..7
    std::string node = raw.Get(raw.tree(), key);
    node[0] = static_cast<char>(node[0] ^ 1);
    raw.Put(raw.tree(), key, node);
  }
  EXPECT_NE(Problem().find("stored Merkle node 2/1 over entries 4..7"), std::string::npos)
      << Problem();
  {
    RawDb raw(LedgerPath());
    std::string key(1, '\x02');
    key += BigEndian(1);
    std::string node = raw.Get(raw.tree(), key);
    node[0] = static_cast<char>(node[0] ^ 1);
    raw.Put(raw.tree(), key, node);
  }
  EXPECT_EQ(Problem(), "");
  {
    RawDb raw(LedgerPath());
    std::string note = raw.Get(raw.checkpoints(), BigEndian(size));
    note[note.size() - 10] = note[note.size() - 10] == 'A' ? 'B' : 'A';
    raw.Put(raw.checkpoints(), BigEndian(size), note);
  }
  EXPECT_NE(Problem().find("checkpoint at size " + std::to_string(size)), std::string::npos)
      << Problem();
}

// A writer killed with SIGKILL in the middle of appends loses nothing it acknowledged and leaves
// no half-written entry.
TEST_F(LedgerTest, KilledWriterLosesNothingAcknowledged) {
  ledger.reset();
  for (int trial = 0; trial < 3; ++trial) {
    int pipe_fds[2];
    ASSERT_EQ(pipe(pipe_fds), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(pipe_fds[0]);
      auto opened = Ledger::Open(Options());
      if (!opened.ok()) _exit(3);
      for (int i = 0;; ++i) {
        const std::string app = "K" + std::to_string(trial) + "-" + std::to_string(i);
        auto r = (*opened)->Append(Apply(farsta, app, "farsta", Kr(1)));
        if (!r.ok()) _exit(4);
        // Acknowledge only after Append returned: the write was synced.
        const std::string line = app + " " + std::to_string(r->seq) + "\n";
        if (write(pipe_fds[1], line.data(), line.size()) < 0) _exit(5);
      }
    }
    close(pipe_fds[1]);
    FILE* acks = fdopen(pipe_fds[0], "r");
    std::vector<std::pair<std::string, uint64_t>> acknowledged;
    char app[64];
    unsigned long long seq;
    while (acknowledged.size() < static_cast<size_t>(20 + 15 * trial) &&
           fscanf(acks, "%63s %llu", app, &seq) == 2) {
      acknowledged.emplace_back(app, seq);
    }
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    fclose(acks);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer must have been killed, not have failed";

    auto report = VerifyLedger(LedgerPath());
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->ok()) << report->first_problem;
    auto reopened = Ledger::Open(Options());
    ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
    for (const auto& [a, s] : acknowledged) {
      auto entry = (*reopened)->ReadEntry(s);
      ASSERT_TRUE(entry.ok()) << a << " acknowledged at " << s << " is lost";
      EXPECT_EQ(ApplicationIdOf(entry->reader()), a);
    }
  }
}

}  // namespace
}  // namespace fouledger
