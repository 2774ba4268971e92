// A disk that fills while RocksDB writes its tables (SST files): a memtable flushed when the
// ledger closes, or the log recovered into a table when it opens. Appends are acknowledged once
// their synced write reaches the write-ahead log; the tables come later. These tests make every
// SST write fail with "no space" through a file system wrapped around the real one
// (LedgerOptions::env) and require that no acknowledged event is lost, that an open which cannot
// write its tables refuses with the reason, and that the ledger is whole once space comes back.
#include <gtest/gtest.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/verify.h"
#include "test_util.h"

namespace fouledger::reliability {
namespace {

using testing::Kr;

// The machine's file system, except that while `full` is set every append to an SST file fails
// as on a full disk.
class TablesOnAFullDisk : public rocksdb::FileSystemWrapper {
 public:
  explicit TablesOnAFullDisk(std::shared_ptr<rocksdb::FileSystem> base)
      : FileSystemWrapper(std::move(base)) {}
  static const char* kClassName() { return "TablesOnAFullDisk"; }
  const char* Name() const override { return kClassName(); }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, result, dbg);
    if (s.ok() && name.size() > 4 && name.compare(name.size() - 4, 4, ".sst") == 0) {
      *result = std::make_unique<Table>(std::move(*result), this);
    }
    return s;
  }

  std::atomic<bool> full{false};
  std::atomic<int> refused_writes{0};

 private:
  class Table : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    Table(std::unique_ptr<rocksdb::FSWritableFile> file, TablesOnAFullDisk* fs)
        : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->full) return Refuse();
      return target()->Append(data, options, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->full) return Refuse();
      return target()->Append(data, options, info, dbg);
    }

   private:
    rocksdb::IOStatus Refuse() {
      ++fs_->refused_writes;
      return rocksdb::IOStatus::NoSpace("No space left on device (test)");
    }
    TablesOnAFullDisk* fs_;
  };
};

// A ledger (the fixture's, closed) opened through a file system whose table writes fail on demand.
class TableWriteFailsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    f.SetUp();
    ASSERT_FALSE(HasFailure());
    f.ledger.reset();
    options = f.Options();
    options.env = env.get();
    options.use_snapshot = false;  // the tests are about the database's files alone
  }

  testing::LedgerFixture f;
  std::shared_ptr<TablesOnAFullDisk> disk =
      std::make_shared<TablesOnAFullDisk>(rocksdb::FileSystem::Default());
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(disk);
  LedgerOptions options;
};

TEST_F(TableWriteFailsTest, AcknowledgedAppendsSurviveTablesThatCannotBeWritten) {
  // Appends acknowledged while the disk has room: their synced writes are in the log.
  std::vector<SignedEvent> acknowledged;
  {
    auto ledger = Ledger::Open(options);
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    for (int i = 0; i < 40; ++i) {
      acknowledged.push_back(f.Apply(f.farsta, "F" + std::to_string(i), "farsta", Kr(1)));
      auto outcome = (*ledger)->Append(acknowledged.back());
      ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
    }
    // The disk fills; closing flushes the memtables into tables, and that fails.
    disk->full = true;
  }
  const int refused_at_close = disk->refused_writes;
  EXPECT_GT(refused_at_close, 0) << "closing the ledger must have tried to write a table";

  // An open must recover the log into a table before anything else: it refuses, with the reason.
  {
    auto ledger = Ledger::Open(options);
    ASSERT_FALSE(ledger.ok()) << "an open that cannot write its tables must not pretend to work";
    EXPECT_TRUE(ledger.status().IsIOError()) << ledger.status().ToString();
    EXPECT_NE(ledger.status().message().find("No space left on device"), std::string::npos)
        << ledger.status().ToString();
    EXPECT_GT(disk->refused_writes, refused_at_close);
    std::printf("[ refused  ] %s\n", ledger.status().ToString().c_str());
  }

  // Space comes back: every acknowledged event is there, once, and the ledger verifies.
  disk->full = false;
  uint64_t size = 0;
  {
    auto ledger = Ledger::Open(options);
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    for (const SignedEvent& e : acknowledged) {
      auto again = (*ledger)->Append(e);  // a retry answers with the stored entry
      ASSERT_TRUE(again.ok()) << again.status().ToString();
      EXPECT_TRUE(again->duplicate) << "entry " << again->seq << " was lost and written again";
    }
    size = (*ledger)->size();
  }
  auto report = VerifyLedger(f.LedgerPath());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok()) << report->first_problem;
  EXPECT_EQ(report->entries, size);
}

// The disk fills while appends go on and RocksDB flushes a memtable in the background (a small
// memtable budget makes it flush every few dozen appends). The flush fails; RocksDB stops taking
// writes, and the ledger must refuse each append from then on with the reason, neither hang on a
// write stall nor acknowledge anything it did not make durable. Once space comes back, a reopened
// ledger holds every acknowledged event once and none of the refused ones.
TEST_F(TableWriteFailsTest, AFlushThatFailsWhileAppendsGoOnStopsTheAppendsAndLosesNothing) {
  options.memtable_bytes_max = 64 << 10;

  // Limits of the trial: enough appends for several flushes while there is room, and for the
  // failed one after the disk fills.
  constexpr int kAppendsWithRoom = 400;
  constexpr int kAppendsOnAFullDiskMax = 4000;
  constexpr int kAppendsAfterTheFirstRefusal = 3;

  std::vector<SignedEvent> acknowledged;
  std::vector<SignedEvent> refused;
  std::string refusal;
  {
    auto ledger = Ledger::Open(options);
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    int i = 0;
    auto next = [&] { return f.Apply(f.farsta, "F" + std::to_string(i++), "farsta", Kr(1)); };
    for (int n = 0; n < kAppendsWithRoom; ++n) {
      acknowledged.push_back(next());
      auto outcome = (*ledger)->Append(acknowledged.back());
      ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
    }
    ASSERT_EQ(disk->refused_writes, 0);
    disk->full = true;
    for (int n = 0; n < kAppendsOnAFullDiskMax && refused.empty(); ++n) {
      SignedEvent e = next();
      auto outcome = (*ledger)->Append(e);
      if (outcome.ok()) {
        acknowledged.push_back(e);
      } else {
        refused.push_back(e);
        refusal = outcome.status().ToString();
      }
    }
    ASSERT_FALSE(refused.empty()) << kAppendsOnAFullDiskMax
                                  << " appends on a full disk were all acknowledged; "
                                  << disk->refused_writes << " table writes refused";
    EXPECT_GT(disk->refused_writes, 0) << "the refusal must come from the failed flush";
    std::printf("[ refused  ] after %zu acknowledged: %s\n", acknowledged.size(), refusal.c_str());
    // Space comes back, but the ledger stays refusing until it is reopened: its state in memory
    // may be ahead of the disk.
    disk->full = false;
    for (int n = 0; n < kAppendsAfterTheFirstRefusal; ++n) {
      SignedEvent e = next();
      auto outcome = (*ledger)->Append(e);
      EXPECT_FALSE(outcome.ok()) << "an append after a failed one was acknowledged, at entry "
                                 << outcome->seq;
      refused.push_back(e);
    }
  }

  auto report = VerifyLedger(f.LedgerPath());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok()) << report->first_problem;
  auto ledger = Ledger::Open(options);
  ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
  const uint64_t size = (*ledger)->size();
  EXPECT_EQ(report->entries, size);
  for (const SignedEvent& e : acknowledged) {
    auto again = (*ledger)->Append(e);
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_TRUE(again->duplicate) << "entry " << again->seq << " was lost and written again";
  }
  EXPECT_EQ((*ledger)->size(), size);
  for (const SignedEvent& e : refused) {
    auto again = (*ledger)->Append(e);
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_FALSE(again->duplicate) << "a refused append is stored, at entry " << again->seq;
  }
  EXPECT_EQ((*ledger)->size(), size + refused.size());
}

}  // namespace
}  // namespace fouledger::reliability
