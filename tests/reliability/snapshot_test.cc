// The snapshot against a ledger changed under it, as an attacker or a restore with disk access
// would change it: entries removed after the snapshot was written, the authority index marker
// gone (a ledger that needs its backfill). Open must not take the snapshot then, and must give the
// state of a full replay.
#include "ledger/snapshot.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "keys.h"  // ledger/src: the meta keys
#include "ledger/ledger.h"
#include "raw_db.h"
#include "test_util.h"

namespace fouledger::reliability {
namespace {

using testing::Kr;

class SnapshotReliabilityTest : public ::testing::Test, public testing::LedgerFixture {
 protected:
  void SetUp() override {
    LedgerFixture::SetUp();
    ASSERT_FALSE(HasFailure());
    for (int i = 0; i < 5; ++i) MustAppend(Apply(farsta, "A" + std::to_string(i), "farsta", Kr(1)));
    ASSERT_TRUE(ledger->SaveSnapshot().ok());
    size = ledger->size();
    ledger.reset();
    path = LedgerPath();
  }
  std::string AuthorityState(const Ledger& l) {
    std::string s;
    EXPECT_TRUE(l.authority().SaveState(&s));
    return s;
  }
  std::string FullReplayState() {
    LedgerOptions o = Options();
    o.use_snapshot = false;
    auto l = Ledger::Open(o);
    EXPECT_TRUE(l.ok()) << l.status().ToString();
    return l.ok() ? AuthorityState(**l) : "";
  }

  uint64_t size = 0;
  std::string path;
};

TEST_F(SnapshotReliabilityTest, IsTakenWhenTheLedgerIsAsItWasWritten) {
  auto l = Ledger::Open(Options());
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ((*l)->opened_from(), size);
  const std::string state = AuthorityState(**l);
  l->reset();
  EXPECT_EQ(state, FullReplayState());
}

TEST_F(SnapshotReliabilityTest, IsIgnoredWhenEntriesItCoversAreGone) {
  {
    RawDb raw(path);
    raw.Delete(RawDb::kEntries, BigEndian(size - 1));  // the newest entry, which it covers
  }
  auto l = Ledger::Open(Options());
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ((*l)->opened_from(), 0u);
  EXPECT_EQ((*l)->size(), size - 1);
  const std::string state = AuthorityState(**l);
  l->reset();
  EXPECT_EQ(state, FullReplayState());
}

TEST_F(SnapshotReliabilityTest, IsIgnoredWhenTheAuthorityIndexNeedsItsBackfill) {
  {
    RawDb raw(path);
    raw.Delete(RawDb::kMeta, storage::kAuthorityIndexKey);
  }
  {
    auto l = Ledger::Open(Options());
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    EXPECT_EQ((*l)->opened_from(), 0u);  // the backfill needs every entry
  }
  {
    RawDb raw(path);
    EXPECT_EQ(raw.Get(RawDb::kMeta, storage::kAuthorityIndexKey), storage::kAuthorityIndexVersion);
  }
  auto l = Ledger::Open(Options());  // with the index back, the snapshot serves again
  ASSERT_TRUE(l.ok());
  EXPECT_EQ((*l)->opened_from(), size);
}

}  // namespace
}  // namespace fouledger::reliability
