// Tamper sweeps: change one byte at a time in every kind of stored value (entries, the client
// event id index, Merkle tree nodes, checkpoints), through RocksDB and in the raw files on disk;
// delete and swap records. VerifyLedger must report an integrity failure every time, naming the
// place; each sweep prints and asserts its detected/total figure (100 % required).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "keys.h"  // ledger/src: the authority index keys, to add a row no entry accounts for
#include "ledger/ledger.h"
#include "ledger/verify.h"
#include "raw_db.h"
#include "run.h"  // tests/cli: the fouledger binary, as a user runs it
#include "test_util.h"

namespace fouledger::reliability {
namespace {

namespace fs = std::filesystem;
using testing::Kr;
using testing::ReadFile;
using testing::WriteFile;

// How many of the tampered ledgers were caught.
struct Tally {
  explicit Tally(std::string name) : what(std::move(name)) {}
  std::string what;
  int detected = 0;
  int total = 0;
  std::vector<std::string> missed;  // a few descriptions, for the failure message
  std::string sample;               // one problem text, to show the place is named

  void Count(bool caught, const std::string& description, const std::string& problem) {
    ++total;
    if (caught) {
      ++detected;
      if (sample.empty()) sample = problem;
    } else if (missed.size() < 10) {
      missed.push_back(description);
    }
  }
  void Report() const {
    std::printf("[ tamper   ] %-44s detected %d/%d (%.1f %%)  e.g. \"%s\"\n", what.c_str(),
                detected, total, total ? 100.0 * detected / total : 0.0,
                sample.substr(0, 110).c_str());
    std::string list;
    for (const auto& m : missed) list += "\n  " + m;
    EXPECT_EQ(detected, total) << what << ": undetected:" << list;
    EXPECT_GT(total, 0) << what;
  }
};

class TamperSweep : public ::testing::Test, public testing::LedgerFixture {
 protected:
  void SetUp() override {
    LedgerFixture::SetUp();
    ASSERT_FALSE(HasFailure());
    // Single appends and batches, so checkpoints exist at several sizes.
    for (int i = 0; i < 6; ++i) MustAppend(Apply(farsta, "S" + std::to_string(i), "farsta", Kr(1)));
    std::vector<SignedEvent> batch;
    for (int i = 0; i < 6; ++i)
      batch.push_back(Apply(skarpnack, "B" + std::to_string(i), "skarpnack", Kr(2)));
    for (const auto& o : ledger->AppendBatch(batch)) ASSERT_TRUE(o.ok());
    size = ledger->size();
    ledger.reset();  // release RocksDB's lock
    path = LedgerPath();
    ASSERT_EQ(Problem(), "");
  }

  // VerifyLedger's verdict: the first problem, or "" when all holds. A ledger that cannot be read
  // at all is reported as "unreadable: ..." (a failure of the sweep: it must be an integrity
  // failure).
  std::string Problem(unsigned threads = 1) {
    VerifyOptions options;
    options.threads = threads;
    auto r = VerifyLedger(path, options);
    if (!r.ok()) return "unreadable: " + r.status().ToString();
    return r->first_problem;
  }
  bool Caught(const std::string& problem) {
    return !problem.empty() && problem.rfind("unreadable:", 0) != 0;
  }

  // The keys of a family to sweep: all in long mode, a spread of them in short mode.
  std::vector<std::string> Pick(RawDb& raw, RawDb::Family f, size_t short_count) {
    std::vector<std::string> keys = raw.Keys(f);
    if (LongMode() || keys.size() <= short_count) return keys;
    std::vector<std::string> picked;
    if (short_count == 1) return {keys.back()};
    for (size_t i = 0; i < short_count; ++i) {
      picked.push_back(keys[i * (keys.size() - 1) / (short_count - 1)]);
    }
    return picked;
  }

  // Flips each byte of each value under `keys` in turn; `place` says what the problem must name.
  void SweepValues(RawDb& raw, RawDb::Family f, const std::vector<std::string>& keys, Tally* tally,
                   const std::function<std::string(const std::string&)>& place) {
    for (const std::string& key : keys) {
      const std::string original = raw.Get(f, key);
      for (size_t offset = 0; offset < original.size(); ++offset) {
        std::string changed = original;
        changed[offset] = static_cast<char>(changed[offset] ^ (1 << (offset % 8)));
        raw.Put(f, key, changed);
        const std::string problem = Problem();
        // Now and then, the same verdict from parallel signature checking.
        if (offset % 16 == 0) {
          EXPECT_EQ(Problem(2), problem) << "byte " << offset;
        }
        const std::string where = place(key);
        const bool named = problem.find(where) != std::string::npos;
        tally->Count(Caught(problem) && named,
                     "byte " + std::to_string(offset) + " of " + where + ": '" + problem + "'",
                     problem);
        raw.Put(f, key, original);
      }
    }
  }

  static uint64_t SeqOf(const std::string& key) {
    uint64_t v = 0;
    for (char c : key.substr(key.size() - 8)) v = v << 8 | static_cast<uint8_t>(c);
    return v;
  }

  uint64_t size = 0;
  std::string path;
};

TEST_F(TamperSweep, EveryChangedByteOfEntriesIndexTreeAndCheckpointsIsDetected) {
  RawDb raw(path);
  Tally entries{"one byte of an entry (via RocksDB)"};
  SweepValues(raw, RawDb::kEntries, Pick(raw, RawDb::kEntries, 2), &entries,
              [](const std::string& key) { return "entry " + std::to_string(SeqOf(key)) + ":"; });
  entries.Report();

  Tally index{"one byte of a client-event-id index value"};
  SweepValues(raw, RawDb::kIndex, Pick(raw, RawDb::kIndex, 3), &index,
              [](const std::string&) { return std::string("client-event-id index"); });
  index.Report();

  Tally tree{"one byte of a Merkle tree node"};
  SweepValues(raw, RawDb::kTree, Pick(raw, RawDb::kTree, 4), &tree, [](const std::string& key) {
    // A leaf (level 0) is named as its entry; a higher node by level/index.
    const int level = static_cast<uint8_t>(key[0]);
    return level == 0
               ? "entry " + std::to_string(SeqOf(key)) + ":"
               : "stored Merkle node " + std::to_string(level) + "/" + std::to_string(SeqOf(key));
  });
  tree.Report();

  Tally checkpoints{"one byte of a signed checkpoint"};
  SweepValues(raw, RawDb::kCheckpoints, Pick(raw, RawDb::kCheckpoints, 1), &checkpoints,
              [](const std::string& key) { return "size " + std::to_string(SeqOf(key)); });
  checkpoints.Report();

  Tally format{"one byte of the format and index markers"};
  SweepValues(raw, RawDb::kMeta, raw.Keys(RawDb::kMeta), &format, [](const std::string& key) {
    return std::string(key == "format" ? "format marker" : "authority index marker");
  });
  format.Report();
  EXPECT_EQ(Problem(), "") << "every change was undone";
}

TEST_F(TamperSweep, EveryDeletedOrSwappedRecordIsDetected) {
  RawDb raw(path);
  Tally deleted{"a deleted entry, index row, tree node; an added row"};
  for (auto family : {RawDb::kEntries, RawDb::kIndex, RawDb::kTree}) {
    for (const std::string& key : raw.Keys(family)) {
      const std::string original = raw.Get(family, key);
      raw.Delete(family, key);
      const std::string problem = Problem();
      // Parallel signature checking must name the same first problem.
      EXPECT_EQ(Problem(3), problem);
      deleted.Count(Caught(problem),
                    "family " + std::to_string(family) + " key " + std::to_string(SeqOf(key)),
                    problem);
      raw.Put(family, key, original);
    }
  }
  // The newest checkpoint signs the whole ledger; deleting it leaves entries no checkpoint
  // covers. (Deleting an older one removes no information: see docs/reliability.md.)
  {
    const std::string key = raw.Keys(RawDb::kCheckpoints).back();
    const std::string original = raw.Get(RawDb::kCheckpoints, key);
    raw.Delete(RawDb::kCheckpoints, key);
    const std::string problem = Problem();
    deleted.Count(Caught(problem), "the newest checkpoint", problem);
    raw.Put(RawDb::kCheckpoints, key, original);
  }
  // A row no entry accounts for: the newest entry (an application) listed as a governance entry.
  {
    const std::string key = storage::GovernanceKey(size - 1);
    raw.Put(RawDb::kIndex, key, "");
    const std::string problem = Problem();
    deleted.Count(problem.find("the authority index holds") != std::string::npos,
                  "an added authority index row", problem);
    raw.Delete(RawDb::kIndex, key);
  }
  deleted.Report();

  Tally swapped{"two swapped entries, tree nodes, checkpoints"};
  for (auto family : {RawDb::kEntries, RawDb::kTree, RawDb::kCheckpoints}) {
    const std::vector<std::string> keys = raw.Keys(family);
    for (size_t i = 0; i + 1 < keys.size(); ++i) {
      // Swap neighbours: entries i and i+1, tree nodes next to each other, adjacent checkpoints.
      const std::string a = raw.Get(family, keys[i]);
      const std::string b = raw.Get(family, keys[i + 1]);
      if (a == b) continue;  // nothing would change
      raw.Put(family, keys[i], b);
      raw.Put(family, keys[i + 1], a);
      const std::string problem = Problem();
      EXPECT_EQ(Problem(2), problem);
      swapped.Count(Caught(problem),
                    "family " + std::to_string(family) + " keys " + std::to_string(SeqOf(keys[i])) +
                        "/" + std::to_string(SeqOf(keys[i + 1])),
                    problem);
      raw.Put(family, keys[i], a);
      raw.Put(family, keys[i + 1], b);
    }
  }
  swapped.Report();
  EXPECT_EQ(Problem(), "");
}

// Raw files: one byte flipped in an SST, the MANIFEST or the write-ahead log. RocksDB's own
// checksums catch these; VerifyLedger must report them as an integrity failure.
class RawFileSweep : public TamperSweep {
 protected:
  // Offsets to flip: every byte in long mode; in short mode a spread of about `spread` offsets
  // plus every byte of the last 64 (an SST's footer, a log's last record).
  std::vector<size_t> Offsets(size_t file_size, size_t spread) {
    std::vector<size_t> offsets;
    if (LongMode()) {
      for (size_t i = 0; i < file_size; ++i) offsets.push_back(i);
      return offsets;
    }
    const size_t tail = std::min<size_t>(64, file_size);
    const size_t step = std::max<size_t>(1, (file_size - tail) / spread);
    for (size_t i = 0; i + tail < file_size; i += step) offsets.push_back(i);
    for (size_t i = file_size - tail; i < file_size; ++i) offsets.push_back(i);
    return offsets;
  }
  void SweepFiles(const std::string& suffix_or_prefix, bool prefix, Tally* tally, size_t spread) {
    for (const auto& file : fs::directory_iterator(path + "/db")) {
      const std::string name = file.path().filename().string();
      const bool match =
          prefix ? name.rfind(suffix_or_prefix, 0) == 0
                 : name.size() > suffix_or_prefix.size() && name.ends_with(suffix_or_prefix);
      if (!match) continue;
      const std::string original = ReadFile(file.path());
      if (original.empty()) continue;
      for (size_t offset : Offsets(original.size(), spread)) {
        std::string changed = original;
        changed[offset] = static_cast<char>(changed[offset] ^ (1 << (offset % 8)));
        WriteFile(file.path(), changed);
        const std::string problem = Problem();
        tally->Count(Caught(problem),
                     name + " byte " + std::to_string(offset) + " of " +
                         std::to_string(original.size()) + ": '" + problem + "'",
                     problem);
        WriteFile(file.path(), original);
      }
    }
  }

  // A ledger closed cleanly leaves an empty write-ahead log (it flushes at close); one killed
  // while appending leaves its newest entries there. Makes that image: appends, copies the files
  // as a kill would leave them (every append was synced), closes, and puts the copy in place.
  // Returns the log's size after each append: where each write ends.
  std::vector<size_t> AppendAndLeaveAsKilled(int appends) {
    std::vector<size_t> ends;
    auto reopened = Ledger::Open(Options());
    EXPECT_TRUE(reopened.ok()) << reopened.status().ToString();
    if (!reopened.ok()) return ends;
    ledger = std::move(*reopened);
    for (int i = 0; i < appends; ++i) {
      MustAppend(Apply(farsta, "W" + std::to_string(i), "farsta", Kr(1)));
      ends.push_back(fs::file_size(NonEmptyLog()));
    }
    size = ledger->size();
    const std::string image = path + ".killed";
    fs::copy(path, image, fs::copy_options::recursive);
    ledger.reset();
    fs::remove_all(path);
    fs::rename(image, path);
    return ends;
  }
  // The one write-ahead log with bytes in it.
  fs::path NonEmptyLog() {
    fs::path found;
    for (const auto& file : fs::directory_iterator(path + "/db")) {
      if (file.path().extension() != ".log" || fs::file_size(file.path()) == 0) continue;
      EXPECT_TRUE(found.empty()) << "two logs with bytes: " << found << ", " << file.path();
      found = file.path();
    }
    return found;
  }
};

TEST_F(RawFileSweep, FlippedBytesInSstAndManifestFilesAreIntegrityFailures) {
  {
    RawDb raw(path);
    raw.FlushAndCompact();
  }
  ASSERT_EQ(Problem(), "");
  Tally sst{"one byte of an SST file (after compaction)"};
  SweepFiles(".sst", false, &sst, 40);
  sst.Report();
  Tally manifest{"one byte of the MANIFEST"};
  SweepFiles("MANIFEST-", true, &manifest, 40);
  manifest.Report();
  EXPECT_EQ(Problem(), "");
}

TEST_F(RawFileSweep, FlippedBytesInTheWriteAheadLogAreIntegrityFailures) {
  AppendAndLeaveAsKilled(6);
  ASSERT_EQ(Problem(), "");
  Tally wal{"one byte of the write-ahead log"};
  SweepFiles(".log", false, &wal, 150);
  wal.Report();
  EXPECT_EQ(Problem(), "");
}

// A process killed inside a write (SIGKILL can cut a write() short) leaves the log's last write
// cut short. That write was never acknowledged: verify checks the ledger without it, as
// Ledger::Open recovers it, and says so; it is not an integrity failure. (Found by
// ServerCrashTest in CI: verify refused such a ledger while the writer would open it.)
TEST_F(RawFileSweep, ALogCutInsideItsLastWriteVerifiesWithoutThatWriteAndSaysSo) {
  const std::vector<size_t> ends = AppendAndLeaveAsKilled(3);
  ASSERT_EQ(ends.size(), 3u);
  const uint64_t appended = size;
  const fs::path log = NonEmptyLog();
  const std::string name = log.filename().string();
  const std::string whole = ReadFile(log);
  ASSERT_EQ(whole.size(), ends[2]);
  const size_t last_write = ends[1];  // where the last append's write begins
  {
    auto r = VerifyLedger(path);
    ASSERT_TRUE(r.ok() && r->ok()) << r->first_problem;
    EXPECT_EQ(r->entries, appended);
    EXPECT_EQ(r->write_cut_short, "");
  }
  // Cut inside the 7-byte header, just after it, in the middle and one byte before the end.
  const size_t last_size = whole.size() - last_write;
  for (size_t kept : {size_t{1}, size_t{6}, size_t{7}, size_t{8}, last_size / 2, last_size - 1}) {
    SCOPED_TRACE("kept " + std::to_string(kept) + " of the last write's " +
                 std::to_string(last_size) + " bytes");
    WriteFile(log, whole.substr(0, last_write + kept));
    auto r = VerifyLedger(path);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(r->ok()) << r->first_problem;
    EXPECT_EQ(r->entries, appended - 1);
    EXPECT_EQ(r->write_cut_short, name + ": " + std::to_string(kept) +
                                      (kept == 1 ? " byte" : " bytes") + " from byte " +
                                      std::to_string(last_write));
    EXPECT_EQ(Problem(3), "") << "the same with parallel signature checking";
  }
  // Cut between two writes: an ordinary shorter log, nothing to say.
  WriteFile(log, whole.substr(0, last_write));
  {
    auto r = VerifyLedger(path);
    ASSERT_TRUE(r.ok() && r->ok()) << r->first_problem;
    EXPECT_EQ(r->entries, appended - 1);
    EXPECT_EQ(r->write_cut_short, "");
  }
  // What a user sees: `verify` passes and says what it left out; the next command that opens the
  // ledger drops the cut write for good and says so; what verify checked is what it recovers.
  WriteFile(log, whole.substr(0, whole.size() - 1));
  const std::string cut = name + ": " + std::to_string(last_size - 1) + " bytes from byte " +
                          std::to_string(last_write);
  const testing::RunResult verify = testing::RunFouledger(dir, {"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_EQ(verify.out.rfind("ok: " + std::to_string(appended - 1) + " entries", 0), 0u)
      << verify.out;
  EXPECT_NE(verify.err.find("note: a write-ahead log ends in a write cut short (" + cut +
                            "), as a crash"),
            std::string::npos)
      << verify.err;
  const testing::RunResult log_command = testing::RunFouledger(dir, {"log"});
  EXPECT_EQ(log_command.exit_code, 0) << log_command.err;
  EXPECT_NE(log_command.err.find("note: dropped a write a crash had cut short at the end of the "
                                 "write-ahead log (" +
                                 cut + ")"),
            std::string::npos)
      << log_command.err;
  EXPECT_EQ(testing::CountLines(log_command.out), appended - 1) << log_command.out;
  auto after = VerifyLedger(path);
  ASSERT_TRUE(after.ok() && after->ok()) << after->first_problem;
  EXPECT_EQ(after->entries, appended - 1);
  EXPECT_EQ(after->write_cut_short, "");
}

// Writes that cross a 32 KiB block are a FIRST and a LAST record (a block's last bytes, when
// fewer than a header, are padding): a cut anywhere near a block boundary drops exactly the
// write it falls in, with nothing to say when it falls between two writes.
TEST_F(RawFileSweep, ALogCutNearABlockBoundaryDropsExactlyTheWriteItFallsIn) {
  const uint64_t before = size;
  const std::vector<size_t> ends = AppendAndLeaveAsKilled(120);
  ASSERT_EQ(ends.size(), 120u);
  const fs::path log = NonEmptyLog();
  const std::string whole = ReadFile(log);
  ASSERT_GT(whole.size(), 2 * 32768u) << "the log must cross two blocks";
  for (size_t boundary : {size_t{32768}, size_t{65536}}) {
    for (size_t cut = boundary - 12; cut <= boundary + 12; ++cut) {
      SCOPED_TRACE("cut at byte " + std::to_string(cut));
      WriteFile(log, whole.substr(0, cut));
      const auto whole_writes =
          static_cast<uint64_t>(std::upper_bound(ends.begin(), ends.end(), cut) - ends.begin());
      const bool between_writes = std::binary_search(ends.begin(), ends.end(), cut);
      auto r = VerifyLedger(path);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      ASSERT_TRUE(r->ok()) << r->first_problem;
      EXPECT_EQ(r->entries, before + whole_writes);
      EXPECT_EQ(r->write_cut_short.empty(), between_writes) << r->write_cut_short;
    }
  }
  // The writer recovers the same, from a cut inside the write that crosses the first boundary.
  const size_t crossing = *std::upper_bound(ends.begin(), ends.end(), size_t{32768});
  WriteFile(log, whole.substr(0, crossing - 1));
  {
    auto reopened = Ledger::Open(Options());
    ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
    const auto whole_writes = static_cast<uint64_t>(
        std::upper_bound(ends.begin(), ends.end(), crossing - 1) - ends.begin());
    EXPECT_EQ((*reopened)->size(), before + whole_writes);
    EXPECT_NE((*reopened)->write_cut_short_at_open(), "");
  }
  EXPECT_EQ(Problem(), "");
}

// Damage RocksDB itself would take for the end of the log, dropping every record after it,
// acknowledged entries included. A whole record whose length bytes were changed to run past the
// end of the log looks, to its tolerant mode, like a write cut short; but the bytes there match
// the record's checksum at its true length, which a write cut short does not. Damage, for verify
// and the writer alike.
TEST_F(RawFileSweep, ARecordRocksDbWouldTakeForTheLogsEndIsDamage) {
  const std::vector<size_t> ends = AppendAndLeaveAsKilled(3);
  ASSERT_EQ(ends.size(), 3u);
  const fs::path log = NonEmptyLog();
  const std::string whole = ReadFile(log);
  ASSERT_LT(whole.size() + 7, size_t{0x7000}) << "the new length must stay inside the block";
  for (size_t write_start : {size_t{0}, ends[0], ends[1]}) {
    SCOPED_TRACE("the write at byte " + std::to_string(write_start));
    std::string changed = whole;
    changed[write_start + 4] = 0x00;  // length 0x7000 (little-endian): past the end of the log
    changed[write_start + 5] = 0x70;
    WriteFile(log, changed);
    const std::string problem = Problem();
    EXPECT_NE(
        problem.find("byte " + std::to_string(write_start) + ": a record says it has 28672 bytes"),
        std::string::npos)
        << problem;
    EXPECT_NE(problem.find("its length was changed"), std::string::npos) << problem;
    auto reopened = Ledger::Open(Options());
    ASSERT_FALSE(reopened.ok());
    EXPECT_NE(reopened.status().message().find("its length was changed"), std::string::npos)
        << reopened.status().ToString();
  }
  // The long sweep found this one: a FULL record's type changed to 5, the FULL of a recycled log,
  // which RocksDB (even in its strict mode) takes for the end of the log, dropping the rest.
  for (size_t write_start : {ends[0], ends[1]}) {
    SCOPED_TRACE("the write at byte " + std::to_string(write_start));
    std::string changed = whole;
    ASSERT_EQ(changed[write_start + 6], 1) << "a FULL record";
    changed[write_start + 6] = 5;
    WriteFile(log, changed);
    const std::string problem = Problem();
    EXPECT_NE(problem.find("byte " + std::to_string(write_start) + ": a record of type 5"),
              std::string::npos)
        << problem;
    EXPECT_FALSE(Ledger::Open(Options()).ok());
  }
  WriteFile(log, whole);
  EXPECT_EQ(Problem(), "");
}

}  // namespace
}  // namespace fouledger::reliability

namespace fouledger::reliability {
namespace {

// Found by the tamper sweep under UBSan: a damaged recorded-at time far outside the calendar
// overflowed the date arithmetic while the problem line was being written.
TEST(DamagedTimeTest, AnInstantOutsideTheCalendarPrintsWithoutOverflow) {
  for (int64_t micros : {INT64_MIN, INT64_MAX, int64_t{-290256} * 86'400'000'000 * 365}) {
    const std::string text = Instant{micros}.ToString();
    EXPECT_NE(text.find("outside years 0000-9999"), std::string::npos) << text;
    EXPECT_FALSE(Instant{micros}.ToDate().valid());
  }
  EXPECT_EQ(Instant::StartOf(testing::D("2021-07-01")).ToString(), "2021-07-01T00:00:00.000000Z");
}

// Found by fuzz_event_decode: an entry whose signature pointer is a list of the wrong kind threw
// from Cap'n Proto outside the one catch, ending the process (verify, or Ledger::Open).
TEST(FuzzFindingTest, AnEntryWithAMistypedSignatureIsCorruptionNotACrash) {
  std::ifstream in(std::string(FOULEDGER_RELIABILITY_DATA) + "/entry-signature-not-bytes.bin",
                   std::ios::binary);
  const std::string bytes(std::istreambuf_iterator<char>(in), {});
  ASSERT_FALSE(bytes.empty());
  auto entry = DecodedEntry::Decode(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  ASSERT_FALSE(entry.ok());
  EXPECT_TRUE(entry.status().IsCorruption()) << entry.status().ToString();
}

}  // namespace
}  // namespace fouledger::reliability
