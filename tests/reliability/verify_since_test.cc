// VerifyLedger with an auditor's saved checkpoint (VerifyOptions::since_checkpoint_note): entries
// after it are checked in full; of those before, only what the new ones depend on is read, through
// the authority index, and proven to be under the checkpoint's root (or, with rehash_prefix, all
// are replayed and hashed).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>

#include "keys.h"  // ledger/src: the authority index rows, as a writer that skipped checks writes them
#include "ledger/checkpoint.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"
#include "ledger/verify.h"
#include "raw_db.h"
#include "test_util.h"

namespace fouledger::reliability {
namespace {

using schema::Role;
using testing::Kr;
namespace fs = std::filesystem;

class VerifySinceTest : public ::testing::Test, public testing::LedgerFixture {
 protected:
  void SetUp() override {
    LedgerFixture::SetUp();
    ASSERT_FALSE(HasFailure());
    for (int i = 0; i < 5; ++i) MustAppend(Apply(farsta, "A" + std::to_string(i), "farsta", Kr(1)));
    saved = ledger->LatestCheckpoint().value();  // the auditor's first visit
    for (int i = 0; i < 6; ++i) MustAppend(Apply(farsta, "B" + std::to_string(i), "farsta", Kr(1)));
    size = ledger->size();
    ledger.reset();
    path = LedgerPath();
  }
  VerifyReport Since(unsigned threads = 1, bool rehash_prefix = false) {
    auto r = VerifyLedger(
        path,
        {.threads = threads, .since_checkpoint_note = saved.note, .rehash_prefix = rehash_prefix});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : VerifyReport{};
  }
  Checkpoint saved;
  uint64_t size = 0;
  std::string path;
};

TEST_F(VerifySinceTest, ChecksWhatWasAddedAndVouchesForThePrefix) {
  const VerifyReport r = Since();
  EXPECT_TRUE(r.ok()) << r.first_problem;
  EXPECT_EQ(r.since, saved.size);
  EXPECT_EQ(r.entries, size);
  EXPECT_EQ(r.root_hex, VerifyLedger(path)->root_hex);
  EXPECT_FALSE(r.prefix_rehashed);
  // The genesis, the 2 units and 5 keys, and the newest earlier entry (the chain goes on from
  // it); none of the five earlier applications: the new entries do not name them.
  EXPECT_EQ(r.prefix_entries_read, 9u);
  EXPECT_TRUE(Since(2).ok());
  const VerifyReport rehashed = Since(1, /*rehash_prefix=*/true);
  EXPECT_TRUE(rehashed.ok()) << rehashed.first_problem;
  EXPECT_TRUE(rehashed.prefix_rehashed);
  EXPECT_EQ(rehashed.prefix_entries_read, saved.size);
}

TEST_F(VerifySinceTest, AChangedEntryBeforeTheCheckpointIsLeftToTheFullVerifyOrARehash) {
  // Entry saved.size - 2 is an application the new entries do not name: a second visit does not
  // read it, so changing its bytes in place (the stored tree left as it was) is for the full
  // verify, or --since with rehash_prefix, to find.
  {
    RawDb raw(path);
    const std::string key = BigEndian(saved.size - 2);
    std::string value = raw.Get(RawDb::kEntries, key);
    value[value.size() - 3] = static_cast<char>(value[value.size() - 3] ^ 0x10);
    raw.Put(RawDb::kEntries, key, value);
  }
  EXPECT_TRUE(Since().ok()) << Since().first_problem;
  const std::string full = VerifyLedger(path)->first_problem;
  EXPECT_EQ(full.rfind("entry " + std::to_string(saved.size - 2) + ":", 0), 0u) << full;
  const std::string problem = Since(1, /*rehash_prefix=*/true).first_problem;
  // The bytes no longer decode, or the next entry no longer links to them (both named), or their
  // root is not the one the auditor holds.
  EXPECT_TRUE(problem.find("no longer match the checkpoint you hold") != std::string::npos ||
              problem.rfind("entry " + std::to_string(saved.size - 2) + ":", 0) == 0 ||
              problem.rfind("entry " + std::to_string(saved.size - 1) + ": previous-hash", 0) == 0)
      << problem;
}

TEST_F(VerifySinceTest, AChangedEntryTheNewOnesDependOnIsNamed) {
  // Entry 6 enrolls farsta's key, which signed every new entry: it is read and must be under the
  // auditor's root.
  {
    RawDb raw(path);
    std::string value = raw.Get(RawDb::kEntries, BigEndian(6));
    value[value.size() - 3] = static_cast<char>(value[value.size() - 3] ^ 0x10);
    raw.Put(RawDb::kEntries, BigEndian(6), value);
  }
  const std::string problem = Since().first_problem;
  EXPECT_EQ(problem.rfind("entry 6: ", 0), 0u) << problem;
}

TEST_F(VerifySinceTest, AChangedTreeNodeBeforeTheCheckpointIsReported) {
  // The stored tree is what proves the ledger still extends the auditor's checkpoint.
  {
    RawDb raw(path);
    const std::string key = std::string(1, '\0') + BigEndian(saved.size - 1);
    std::string value = raw.Get(RawDb::kTree, key);
    value[0] = static_cast<char>(value[0] ^ 0x01);
    raw.Put(RawDb::kTree, key, value);
  }
  const std::string problem = Since().first_problem;
  EXPECT_NE(problem.find("entries no longer match the checkpoint you hold"), std::string::npos)
      << problem;
}

TEST_F(VerifySinceTest, AMissingAuthorityIndexRowIsReported) {
  // Without farsta's key row the second visit does not know the key that signed the new entries;
  // the full verify names the entry whose row is missing.
  {
    RawDb raw(path);
    raw.Delete(RawDb::kIndex, storage::GovernanceKey(6));
  }
  EXPECT_EQ(
      Since().first_problem.rfind(
          "entry " + std::to_string(saved.size) + ": not allowed when written: author key", 0),
      0u)
      << Since().first_problem;
  EXPECT_EQ(VerifyLedger(path)->first_problem, "entry 6: the authority index does not list it");
}

TEST_F(VerifySinceTest, ALedgerWithoutTheAuthorityIndexGetsItAtItsNextOpen) {
  {
    RawDb raw(path);
    for (const std::string& key : raw.Keys(RawDb::kIndex)) {
      if (key[0] != 'c') raw.Delete(RawDb::kIndex, key);
    }
    raw.Delete(RawDb::kMeta, storage::kAuthorityIndexKey);
  }
  // As a ledger written before the index: full verify passes, a second visit replays the prefix.
  EXPECT_TRUE(VerifyLedger(path)->ok()) << VerifyLedger(path)->first_problem;
  EXPECT_TRUE(Since().ok());
  EXPECT_TRUE(Since().prefix_rehashed);
  // Rows without the marker are rows no entry accounts for.
  {
    RawDb raw(path);
    raw.Put(RawDb::kIndex, storage::GovernanceKey(1), "");
  }
  EXPECT_EQ(VerifyLedger(path)->first_problem,
            "the authority index holds 1 rows; the entries make 0");
  {
    RawDb raw(path);
    raw.Delete(RawDb::kIndex, storage::GovernanceKey(1));
  }
  // Opening it writes the rows and the marker.
  ASSERT_TRUE(Ledger::Open(Options()).ok());
  EXPECT_TRUE(VerifyLedger(path)->ok()) << VerifyLedger(path)->first_problem;
  EXPECT_FALSE(Since().prefix_rehashed);
  EXPECT_TRUE(Since().ok()) << Since().first_problem;
}

TEST_F(VerifySinceTest, AChangedEntryAfterTheCheckpointIsNamed) {
  {
    RawDb raw(path);
    const std::string key = BigEndian(size - 2);
    std::string value = raw.Get(RawDb::kEntries, key);
    value[value.size() - 3] = static_cast<char>(value[value.size() - 3] ^ 0x10);
    raw.Put(RawDb::kEntries, key, value);
  }
  EXPECT_EQ(Since().first_problem.rfind("entry " + std::to_string(size - 2) + ":", 0), 0u)
      << Since().first_problem;
}

TEST_F(VerifySinceTest, ALedgerShorterThanTheCheckpointIsReported) {
  {
    RawDb raw(path);
    for (uint64_t seq = saved.size - 1; seq < size; ++seq)
      raw.Delete(RawDb::kEntries, BigEndian(seq));
  }
  EXPECT_NE(Since().first_problem.find("fewer than the " + std::to_string(saved.size)),
            std::string::npos)
      << Since().first_problem;
}

TEST_F(VerifySinceTest, ACheckpointOfAnotherLedgerIsRefused) {
  testing::LedgerFixture other;
  other.SetUp();
  const std::string note = other.ledger->LatestCheckpoint()->note;
  auto r = VerifyLedger(path, {.threads = 1, .since_checkpoint_note = note});
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("not one of this ledger's"), std::string::npos);
}

// Writes `event` as the next entry straight into the closed ledger's RocksDB, with its index rows,
// tree nodes and a checkpoint signed with the ledger's own key: what a writer that skipped the
// Authority's checks would leave. Only the checks of the entries can find it.
void AppendUnchecked(const std::string& path, const SignedEvent& event) {
  const SigningKey checkpoint_key = SigningKey::LoadPem(path + "/checkpoint.key").value();
  RawDb raw(path);
  const uint64_t seq = raw.Keys(RawDb::kEntries).size();
  const std::string genesis = raw.Get(RawDb::kEntries, BigEndian(0));
  const std::string ledger_name =
      DecodedEntry::Decode(reinterpret_cast<const uint8_t*>(genesis.data()), genesis.size())
          ->reader()
          .getBody()
          .getGenesis()
          .getLedgerName();
  const std::string last = raw.Get(RawDb::kEntries, BigEndian(seq - 1));
  const DecodedEntry previous =
      DecodedEntry::Decode(reinterpret_cast<const uint8_t*>(last.data()), last.size()).value();
  const Bytes bytes = EncodeEntry(seq, previous.recorded_at(), previous.leaf_hash(), event);
  const DecodedEntry entry = DecodedEntry::Decode(bytes).value();
  raw.Put(RawDb::kEntries, BigEndian(seq), std::string(bytes.begin(), bytes.end()));
  auto id = entry.reader().getClientEventId();
  raw.Put(RawDb::kIndex, storage::ClientIdKey(id.begin(), id.size()), BigEndian(seq));
  for (const storage::IndexRow& row : storage::AuthorityIndexRows(entry)) {
    // Rows already there stay: a void of an entry that was already superseded keeps its old row.
    const std::vector<std::string> keys = raw.Keys(RawDb::kIndex);
    if (std::find(keys.begin(), keys.end(), row.key) == keys.end()) {
      raw.Put(RawDb::kIndex, row.key, row.value);
    }
  }
  SubtreeReader read = [&raw](SubtreeId id) -> Result<Hash256> {
    const std::string v = raw.Get(RawDb::kTree, storage::TreeKey(id.level, id.index));
    return storage::ToHash(v);
  };
  CompactTree tree = CompactTree::Load(read, seq).value();
  tree.Append(entry.leaf_hash(), [&](const CompactTree::NewNode& node) {
    raw.Put(RawDb::kTree, storage::TreeKey(node.id.level, node.id.index),
            std::string(node.hash.begin(), node.hash.end()));
  });
  raw.Put(RawDb::kCheckpoints, BigEndian(seq + 1),
          SignCheckpoint(ledger_name, seq + 1, tree.Root(), checkpoint_key).note);
}

// Whatever a full verify says about an entry after the auditor's checkpoint, a second visit must
// say too, though it loads only some of the earlier entries: each case is an entry the Authority
// would have refused, written past the checks, depending on a different fact of the prefix.
class VerifySinceFactsTest : public ::testing::Test, public testing::LedgerFixture {
 protected:
  void SetUp() override {
    LedgerFixture::SetUp();
    ASSERT_FALSE(HasFailure());
    x = MustAppend(Apply(farsta, "X", "farsta", Kr(100)));
    y = MustAppend(CorrectApply(farsta, x, "fel belopp", "X", "farsta", Kr(90)));
    decided = MustAppend(Decide("X", Kr(90)));
    MustAppend(Enroll(admin, spare, Role::UNIT, "skarpnack"));
    revoked = MustAppend(Revoke(spare));
    for (int i = 0; i < 20; ++i)
      MustAppend(Apply(farsta, "F" + std::to_string(i), "farsta", Kr(1)));
    saved = ledger->LatestCheckpoint().value();
    MustAppend(Apply(skarpnack, "N1", "skarpnack", Kr(1)));
    ledger.reset();
    path = LedgerPath();
  }
  SignedEvent Revoke(const SigningKey& key) {
    EventBuilder b(testing::D("2021-02-01"));
    auto r = b.body().initKeyRevoke();
    const Hash256 id = key.key_id();
    r.setKeyId(kj::arrayPtr(id.data(), id.size()));
    r.setReason("lost laptop");
    return b.Sign(admin).value();
  }
  // The full verify's and the second visit's first problem on a copy with `event` written last.
  std::pair<VerifyReport, VerifyReport> WithUnchecked(const SignedEvent& event) {
    const std::string copy = dir.Sub("copy-" + std::to_string(++copies));
    fs::copy(path, copy, fs::copy_options::recursive);
    AppendUnchecked(copy, event);
    return {VerifyLedger(copy).value(),
            VerifyLedger(copy, {.since_checkpoint_note = saved.note}).value()};
  }
  SigningKey spare = SigningKey::Generate().value();
  uint64_t x = 0, y = 0, decided = 0, revoked = 0;
  Checkpoint saved;
  std::string path;
  int copies = 0;
};

TEST_F(VerifySinceFactsTest, ASecondVisitRefusesWhatTheFullVerifyRefuses) {
  EventBuilder enrolled_again(testing::D("2021-03-01"));
  enrolled_again.body().initKeyEnroll().setPublicKey(
      kj::arrayPtr(farsta.public_key().data(), farsta.public_key().size()));
  enrolled_again.body().getKeyEnroll().setRole(Role::BOARD);
  EventBuilder unknown_unit(testing::D("2021-03-01"));
  auto k = unknown_unit.body().initKeyEnroll();
  const SigningKey other = SigningKey::Generate().value();
  k.setPublicKey(kj::arrayPtr(other.public_key().data(), other.public_key().size()));
  k.setRole(Role::UNIT);
  k.initUnits(1).set(0, "hasselby");
  struct Case {
    SignedEvent event;
    std::string refusal;
  };
  const std::vector<Case> cases = {
      {Void(farsta, x), "was already replaced or voided by entry " + std::to_string(y)},
      {Void(skarpnack, y), "a unit key acts only for its own units"},
      {Void(office, decided), "an office key may not void entry"},
      {Void(board, 3), "cannot be corrected or voided"},
      {Apply(farsta, "F3", "farsta", Kr(1)), "application F3 already exists"},
      {Apply(spare, "S1", "skarpnack", Kr(1)), "was revoked at entry " + std::to_string(revoked)},
      {Apply(skarpnack, "S2", "farsta", Kr(1)), "a unit key acts only for its own units"},
      {Pay(office, "NOPE", Kr(1)), "application NOPE does not exist"},
      {Pay(skarpnack, "X", Kr(1)), "a unit key may not write"},
      {enrolled_again.Sign(admin).value(), "is already enrolled"},
      {unknown_unit.Sign(admin).value(), "unit 'hasselby' does not exist"},
      {Revoke(admin), "is the last active admin key"},
  };
  for (const Case& c : cases) {
    const auto [full, since] = WithUnchecked(c.event);
    EXPECT_NE(full.first_problem.find(c.refusal), std::string::npos)
        << c.refusal << "\n  full verify: " << full.first_problem;
    EXPECT_EQ(since.first_problem, full.first_problem) << c.refusal;
    EXPECT_FALSE(since.prefix_rehashed);
    EXPECT_LT(since.prefix_entries_read, saved.size / 2) << c.refusal;
  }
}

TEST_F(VerifySinceFactsTest, ASecondVisitPassesWhatDependsOnThePrefix) {
  {
    auto reopened = Ledger::Open(Options());
    ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
    ledger = std::move(reopened).value();
  }
  MustAppend(Void(farsta, y));           // a current entry from before
  MustAppend(Pay(office, "X", Kr(90)));  // an application from before
  MustAppend(Apply(farsta, "F3b", "farsta", Kr(1)));
  MustAppend(Enroll(admin, SigningKey::Generate().value(), Role::UNIT, "farsta"));
  MustAppend(Revoke(skarpnack));
  ledger.reset();
  auto r = VerifyLedger(path, {.since_checkpoint_note = saved.note});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok()) << r->first_problem;
  EXPECT_EQ(r->root_hex, VerifyLedger(path)->root_hex);
  // The genesis, 2 units, 6 keys and a revocation; X's two applications and the void's target y
  // (one of them); the newest earlier entry.
  EXPECT_EQ(r->prefix_entries_read, 13u);
}

// The limit docs/storage.md states: the index rows of the prefix are not under the auditor's root,
// so a deleted revocation row hides the revocation from a second visit; the full verify names it.
// If --since ever learns to catch this, this test should change to expect the refusal.
TEST_F(VerifySinceFactsTest, ADeletedRevocationRowIsLeftToTheFullVerify) {
  const std::string copy = dir.Sub("deleted-row");
  fs::copy(path, copy, fs::copy_options::recursive);
  { RawDb(copy).Delete(RawDb::kIndex, storage::GovernanceKey(revoked)); }
  AppendUnchecked(copy, Apply(spare, "S1", "skarpnack", Kr(1)));
  const VerifyReport since = VerifyLedger(copy, {.since_checkpoint_note = saved.note}).value();
  EXPECT_TRUE(since.ok()) << since.first_problem;
  EXPECT_EQ(VerifyLedger(copy)->first_problem,
            "entry " + std::to_string(revoked) + ": the authority index does not list it");
}

}  // namespace
}  // namespace fouledger::reliability
