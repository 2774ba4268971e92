// The files beside the database are untrusted, and each has a size limit checked before any of it
// is read (storage::ReadWholeFile): a snapshot, a write-ahead log or a key file grown by mistake or
// on purpose is refused with its size, never read into memory. The oversized files here are sparse,
// so the test writes almost nothing.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "ledger/crypto.h"
#include "ledger/ledger.h"
#include "ledger/snapshot.h"
#include "ledger/verify.h"
#include "test_util.h"
#include "whole_file.h"

namespace fouledger::reliability {
namespace {

namespace fs = std::filesystem;
using storage::ReadWholeFile;
using storage::WholeFile;

// A file of `size` bytes that takes no room on disk.
void MakeSparse(const std::string& path, uintmax_t size) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(size)), 0) << path;
  ::close(fd);
}

TEST(WholeFileTest, ReadsUpToTheLimitAndNamesWhatItDoesNotRead) {
  testing::TempDir dir;
  const std::string path = dir.Sub("f");
  auto missing = ReadWholeFile(path, 10);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->outcome, WholeFile::Outcome::kMissing);

  testing::WriteFile(path, "0123456789");
  auto exact = ReadWholeFile(path, 10);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->outcome, WholeFile::Outcome::kRead);
  EXPECT_EQ(exact->bytes, "0123456789");

  auto over = ReadWholeFile(path, 9);
  ASSERT_TRUE(over.ok());
  EXPECT_EQ(over->outcome, WholeFile::Outcome::kTooLarge);
  EXPECT_EQ(over->size, 10u);
  EXPECT_TRUE(over->bytes.empty());

  auto directory = ReadWholeFile(dir.path(), 10);
  ASSERT_FALSE(directory.ok());
  EXPECT_TRUE(directory.status().IsIOError()) << directory.status().ToString();
  EXPECT_EQ(directory.status().message().rfind("cannot read " + dir.path() + ": ", 0), 0u)
      << directory.status().ToString();
}

TEST(WholeFileTest, AnOversizedSnapshotIsRefusedAndTheLedgerReplaysInstead) {
  testing::LedgerFixture f;
  f.SetUp();
  ASSERT_FALSE(::testing::Test::HasFailure());
  const uint64_t entries = f.ledger->size();
  f.ledger.reset();
  const std::string ledger_dir = f.LedgerPath();
  const uintmax_t size = (uintmax_t{8} << 30) + 1;  // kSnapshotBytesMax + 1
  MakeSparse((fs::path(ledger_dir) / "snapshot").string(), size);

  auto read = ReadSnapshot(ledger_dir);
  ASSERT_FALSE(read.ok());
  EXPECT_TRUE(read.status().IsCorruption());
  EXPECT_NE(read.status().message().find(std::to_string(size) + " bytes, more than any snapshot"),
            std::string::npos)
      << read.status().ToString();

  // Never a reason to refuse to open: the ledger replays its entries.
  auto reopened = Ledger::Open(f.Options());
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->size(), entries);
  EXPECT_EQ((*reopened)->opened_from(), 0u);
}

TEST(WholeFileTest, AnOversizedWriteAheadLogIsDamageNamedWithItsSize) {
  testing::LedgerFixture f;
  f.SetUp();
  ASSERT_FALSE(::testing::Test::HasFailure());
  f.ledger.reset();
  const std::string ledger_dir = f.LedgerPath();
  const uintmax_t size = uintmax_t{4} * 64 * 1024 * 1024 + 1;  // kLogBytesMax + 1
  MakeSparse((fs::path(ledger_dir) / "db" / "999999.log").string(), size);

  auto report = VerifyLedger(ledger_dir);
  const std::string problem = report.ok() ? report->first_problem : report.status().ToString();
  EXPECT_NE(problem.find("999999.log: " + std::to_string(size) +
                         " bytes, more than any log the ledger writes"),
            std::string::npos)
      << problem;
  auto reopened = Ledger::Open(f.Options());
  ASSERT_FALSE(reopened.ok());
  EXPECT_NE(reopened.status().message().find("999999.log"), std::string::npos)
      << reopened.status().ToString();
}

TEST(WholeFileTest, AnOversizedKeyFileIsRefusedUnread) {
  testing::TempDir dir;
  const std::string path = dir.Sub("big.pem");
  MakeSparse(path, 64 * 1024 + 1);
  auto key = SigningKey::LoadPem(path);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().message(), path + " is too large for a key");
  auto missing = SigningKey::LoadPem(dir.Sub("none.pem"));
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().IsNotFound());
  EXPECT_EQ(missing.status().message(),
            "cannot read " + dir.Sub("none.pem") + ": No such file or directory");
}

}  // namespace
}  // namespace fouledger::reliability
