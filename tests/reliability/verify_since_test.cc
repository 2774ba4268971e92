// VerifyLedger with an auditor's saved checkpoint (VerifyOptions::since_checkpoint_note): entries
// the checkpoint vouches for are only replayed and hashed, the rest checked in full.
#include <gtest/gtest.h>

#include "ledger/ledger.h"
#include "ledger/verify.h"
#include "raw_db.h"
#include "test_util.h"

namespace fouledger::reliability {
namespace {

using testing::Kr;

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
    path = dir.Sub("ledger");
  }
  VerifyReport Since(unsigned threads = 1) {
    auto r = VerifyLedger(path, {.threads = threads, .since_checkpoint_note = saved.note});
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
  EXPECT_TRUE(Since(2).ok());
}

TEST_F(VerifySinceTest, AChangedEntryBeforeTheCheckpointIsReported) {
  {
    RawDb raw(path);
    const std::string key = BigEndian(saved.size - 2);
    std::string value = raw.Get(RawDb::kEntries, key);
    value[value.size() - 3] = static_cast<char>(value[value.size() - 3] ^ 0x10);
    raw.Put(RawDb::kEntries, key, value);
  }
  const std::string problem = Since().first_problem;
  // The bytes no longer decode, or the next entry no longer links to them (both named), or their
  // root is not the one the auditor holds.
  EXPECT_TRUE(problem.find("no longer match the checkpoint you hold") != std::string::npos ||
              problem.rfind("entry " + std::to_string(saved.size - 2) + ":", 0) == 0 ||
              problem.rfind("entry " + std::to_string(saved.size - 1) + ": previous-hash", 0) == 0)
      << problem;
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

}  // namespace
}  // namespace fouledger::reliability
