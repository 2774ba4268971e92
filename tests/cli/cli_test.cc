// End-to-end tests of the fouledger command on a temporary directory, run as a user would run it.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "ledger/snapshot.h"
#include "run.h"
#include "test_util.h"

namespace fouledger::testing {
namespace {

namespace fs = std::filesystem;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* k : {"admin", "board", "office", "farsta", "skarpnack", "auditor"}) {
      ASSERT_EQ(Fouledger({"key", "new", "--out", std::string(k) + ".key"}).exit_code, 0);
    }
    ASSERT_EQ(
        Fouledger({"init", "--admin", "admin.key.pub", "--name", "test.example/fou"}).exit_code, 0);
    Must({"unit", "add", "--id", "farsta", "--name", "Farsta"}, "admin");
    Must({"unit", "add", "--id", "skarpnack", "--name", "Skarpnäck"}, "admin");
    Must({"key", "enroll", "--key", "board.key.pub", "--role", "board"}, "admin");
    Must({"key", "enroll", "--key", "office.key.pub", "--role", "office"}, "admin");
    Must({"key", "enroll", "--key", "auditor.key.pub", "--role", "auditor"}, "admin");
    Must({"key", "enroll", "--key", "farsta.key.pub", "--role", "unit", "--unit", "farsta"},
         "admin");
    Must({"key", "enroll", "--key", "skarpnack.key.pub", "--role", "unit", "--unit", "skarpnack"},
         "admin");
    Must({"year", "open", "--year", "2021", "--programme", "LUM", "--cap", "500 000",
          "--max-per-unit", "2", "--window", "2020-05-04..2020-09-21", "--notice-by", "2021-06-07",
          "--max-years", "3"},
         "board");
    Must({"appropriate", "--year", "2021", "--programme", "LUM", "--amount", "3 000 000", "--date",
          "2020-12-16", "--case", "3.2.2-123/2020"},
         "board");
  }

  RunResult Fouledger(std::vector<std::string> args, const std::string& signer = "") {
    return RunFouledger(dir, std::move(args), signer);
  }
  // Runs a command that must succeed and returns its stdout.
  std::string Must(const std::vector<std::string>& args, const std::string& signer = "") {
    return MustRunFouledger(dir, args, signer);
  }
  size_t Entries() { return CountLines(Must({"log"})); }
  // A refused command: exit 2, one line on stderr containing `words`, nothing appended.
  void ExpectRefused(const std::vector<std::string>& args, const std::string& signer,
                     const std::string& words) {
    const size_t before = Entries();
    RunResult r = Fouledger(args, signer);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(CountLines(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find(words), std::string::npos) << r.err;
    EXPECT_EQ(Entries(), before) << "nothing may be appended on refusal";
  }

  TempDir dir;
};

TEST_F(CliTest, KeyNewWritesAPrivateKeyOnlyItsOwnerCanRead) {
  RunResult r = Fouledger({"key", "new", "--out", "new.key"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_match(r.out, std::regex("[0-9a-f]{64}\n"))) << r.out;
  EXPECT_EQ(fs::status(dir.Sub("new.key")).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_TRUE(fs::exists(dir.Sub("new.key.pub")));
  EXPECT_EQ(Fouledger({"key", "new", "--out", "new.key"}).exit_code, 2) << "never overwrite a key";
}

TEST_F(CliTest, InitRefusesAnExistingLedger) {
  RunResult r = Fouledger({"init", "--admin", "admin.key.pub"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("a ledger already exists"), std::string::npos) << r.err;
}

TEST_F(CliTest, EveryKindOfEventIsAppendedAndVerifies) {
  std::ofstream(dir.Sub("rapport.pdf")) << "Slutrapport: ekonomi och genomförande";
  Must({"apply", "--id", "2021-LUM-01", "--year", "2021", "--programme", "LUM", "--unit", "farsta",
        "--project", "vaga-anmala", "--title", "Våga anmäla våga vittna", "--amount", "500 000",
        "--date", "2020-09-01"},
       "farsta");
  Must({"decide", "--application", "2021-LUM-01", "--granted", "450000", "--reason",
        "Bör till viss del beviljas.", "--date", "2020-12-16", "--case", "3.2.2-123/2020"},
       "board");
  const std::string paid = Must({"pay", "--grant", "2021-LUM-01", "--amount", "450 000", "--date",
                                 "2021-01-20", "--voucher", "V-1"},
                                "office");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(paid, m, std::regex("^entry ([0-9]+): pay"))) << paid;
  const std::string pay_seq = m[1];
  Must({"report", "submit", "--grant", "2021-LUM-01", "--spent", "400 000,50", "--date",
        "2022-02-01", "--document", "rapport.pdf"},
       "farsta");
  Must({"report", "review", "--grant", "2021-LUM-01", "--approve", "--date", "2022-03-01"},
       "office");
  Must({"repay", "notice", "--grant", "2021-LUM-01", "--amount", "49 999,50", "--date",
        "2021-06-01"},
       "farsta");
  const std::string receipt = Must({"repay", "receive", "--grant", "2021-LUM-01", "--amount",
                                    "49999.50", "--date", "2021-06-20"},
                                   "office");
  EXPECT_NE(receipt.find("repay-receive 2021-LUM-01: 49 999,50 kr"), std::string::npos) << receipt;
  // A correction and a void are new entries.
  const std::string corrected =
      Must({"pay", "--grant", "2021-LUM-01", "--amount", "450 000", "--date", "2021-01-21",
            "--voucher", "V-1b", "--corrects", pay_seq, "--reason", "fel datum"},
           "office");
  EXPECT_NE(corrected.find("[corrects entry " + pay_seq + ": fel datum]"), std::string::npos)
      << corrected;
  Must({"unit", "add", "--id", "hagersten-alvsjo", "--name", "Hägersten-Älvsjö", "--from",
        "2020-07-01"},
       "admin");
  Must({"key", "revoke", "--key", "skarpnack.key.pub", "--reason", "byter nyckel"}, "admin");

  const std::string log = Must({"log"});
  EXPECT_NE(log.find("(superseded by #"), std::string::npos) << log;
  const std::string json = Must({"log", "--json", "--from", pay_seq});
  EXPECT_NE(json.find("\"documentSha256\":\"" +
                      ToHex(Sha256("Slutrapport: ekonomi och genomförande")) + "\""),
            std::string::npos)
      << json;
  RunResult verify = Fouledger({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_EQ(verify.out.rfind("ok: ", 0), 0u) << verify.out;
}

TEST_F(CliTest, RefusalsAreOneLineExitTwoAndAppendNothing) {
  ExpectRefused({"apply", "--id", "A", "--year", "2021", "--programme", "LUM", "--unit", "farsta",
                 "--project", "p", "--title", "t", "--amount", "1000", "--date", "2020-09-01"},
                "skarpnack", "refused: a unit key acts only for its own units");
  ExpectRefused({"apply", "--id", "A", "--year", "2021", "--programme", "LUM", "--unit", "farsta",
                 "--project", "p", "--title", "t", "--amount", "12,345", "--date", "2020-09-01"},
                "farsta", "--amount: amount '12,345' has more than two decimals");
  ExpectRefused({"apply", "--id", "A", "--year", "2021", "--programme", "LUM", "--unit", "farsta",
                 "--project", "p", "--title", "t", "--amount", "1000", "--date", "2020-02-30"},
                "farsta", "--date: date 2020-02-30 is not a calendar date");
  ExpectRefused({"apply", "--id", "A", "--year", "2021", "--programme", "XYZ", "--unit", "farsta",
                 "--project", "p", "--title", "t", "--amount", "1000", "--date", "2020-09-01"},
                "farsta", "programme 'XYZ' is not LUM or MUL");
  ExpectRefused({"pay", "--grant", "NOPE", "--amount", "1", "--date", "2021-01-01"}, "office",
                "application NOPE does not exist");
  ExpectRefused({"key", "enroll", "--key", "board.key.pub", "--role", "admin"}, "farsta",
                "a unit key may not write key-enroll entries");
  ExpectRefused({"unit", "add", "--id", "x", "--name", "X"}, "auditor",
                "an auditor key may not write unit-add entries");
  ExpectRefused({"unit", "add", "--id", "x", "--name", "X"}, "", "no signing key given");
  ExpectRefused({"void", "--seq", "0", "--reason", "x"}, "admin", "cannot be corrected or voided");
  ExpectRefused({"pay", "--grant", "x"}, "office", "usage error: --amount is required");
}

// Changing one byte of one stored entry makes verify exit 1 and name that entry.
TEST_F(CliTest, VerifyNamesATamperedEntry) {
  const std::string target = "5";
  {
    rocksdb::ColumnFamilyOptions cf;
    std::vector<rocksdb::ColumnFamilyDescriptor> d = {
        {"default", cf}, {"entries", cf}, {"index", cf}, {"tree", cf}, {"checkpoints", cf}};
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(
        rocksdb::DB::Open(rocksdb::DBOptions(), dir.Sub("ledger/db"), d, &handles, &db).ok());
    std::string key(8, '\0');
    key[7] = 5;
    std::string value;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), handles[1], key, &value).ok());
    value[value.size() / 2] = static_cast<char>(value[value.size() / 2] ^ 0x10);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[1], key, value).ok());
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  }
  RunResult r = Fouledger({"verify"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("integrity failure: entry 5: ", 0), 0u) << r.err;
}

TEST_F(CliTest, ProofsCanBeCheckedOfflineAndFailWhenAltered) {
  const size_t n = Entries();
  for (size_t seq = 0; seq < n; ++seq) {
    const std::string proof = Must({"proof", "inclusion", "--seq", std::to_string(seq)});
    std::ofstream(dir.Sub("p.json")) << proof;
    RunResult ok = Fouledger({"proof", "verify", "p.json"});
    EXPECT_EQ(ok.exit_code, 0) << proof << ok.err;
  }
  std::string proof = Must({"proof", "inclusion", "--seq", "3", "--size", "7"});
  EXPECT_NE(proof.find("\"treeSize\": 7"), std::string::npos);
  proof = std::regex_replace(proof, std::regex("\"leafIdx\": 3"), "\"leafIdx\": 4");
  std::ofstream(dir.Sub("bad.json")) << proof;
  RunResult bad = Fouledger({"proof", "verify", "bad.json"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("proof does not hold"), std::string::npos) << bad.err;

  const std::string consistency =
      Must({"proof", "consistency", "--from", "3", "--to", std::to_string(n)});
  std::ofstream(dir.Sub("c.json")) << consistency;
  EXPECT_EQ(Fouledger({"proof", "verify", "c.json"}).exit_code, 0);
  // The latest checkpoint is a C2SP signed note over the same root.
  const std::string note = Must({"checkpoint"});
  EXPECT_EQ(note.rfind("test.example/fou\n" + std::to_string(n) + "\n", 0), 0u) << note;
  EXPECT_NE(note.find("\n\n\xE2\x80\x94 test.example/fou "), std::string::npos) << note;
}

TEST_F(CliTest, ProofVerifyJudgesEveryPublishedVectorAsItsWantErrSays) {
  int checked = 0;
  for (const auto& f : fs::recursive_directory_iterator(fs::path(FOULEDGER_TEST_DATA) / "merkle")) {
    if (f.path().extension() != ".json") continue;
    std::ifstream in(f.path());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const bool want_err = text.find("\"wantErr\": true") != std::string::npos;
    RunResult r = RunProgram({FOULEDGER_BIN, "proof", "verify", f.path().string()});
    EXPECT_EQ(r.exit_code, want_err ? 1 : 0) << f.path() << " " << r.err;
    ++checked;
  }
  EXPECT_GT(checked, 120);
}

// An auditor's second visit: verify only what came after a saved checkpoint, with two threads.
TEST_F(CliTest, VerifySinceASavedCheckpointWithTwoThreads) {
  Must({"checkpoint", "--out", "saved.note"});
  RunResult none = Fouledger({"verify", "--since", "saved.note"});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.out.rfind("ok: no entries since your checkpoint; the first ", 0), 0u) << none.out;
  Must({"unit", "add", "--id", "norrmalm", "--name", "Norrmalm"}, "admin");
  RunResult r = Fouledger({"verify", "--since", "saved.note", "--threads", "2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(1 since your checkpoint) checked in full"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("of them read and proven under it"), std::string::npos) << r.out;
  RunResult rehashed = Fouledger({"verify", "--since", "saved.note", "--rehash-prefix"});
  EXPECT_EQ(rehashed.exit_code, 0) << rehashed.err;
  EXPECT_NE(rehashed.out.find("replayed and hashed: their root is your checkpoint's"),
            std::string::npos)
      << rehashed.out;
  // The same root as the full verify's.
  const RunResult full = Fouledger({"verify"});
  const std::string root = full.out.substr(full.out.rfind("root "));
  EXPECT_NE(r.out.find(root), std::string::npos) << r.out << full.out;
  std::ofstream(dir.Sub("bad.note")) << "not a checkpoint\n";
  EXPECT_NE(Fouledger({"verify", "--since", "bad.note"}).exit_code, 0);
}

// The snapshot is a cache Open trusts once it checks against the Merkle tree: a full verify
// replays its entries and reports one whose state is not theirs; verify --since does not look.
TEST_F(CliTest, VerifyReportsAForgedSnapshotButVerifySinceDoesNotReadIt) {
  Must({"checkpoint", "--out", "saved.note"});
  const std::string ledger = dir.Sub("ledger");
  {
    auto l = Ledger::Open({.path = ledger, .clock = SystemClock()});
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    ASSERT_TRUE((*l)->SaveSnapshot().ok());
  }
  RunResult r = Fouledger({"verify"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Must({"unit", "add", "--id", "norrmalm", "--name", "Norrmalm"}, "admin");
  r = Fouledger({"verify"});  // a snapshot older than the ledger is still true at its size
  EXPECT_EQ(r.exit_code, 0) << r.err;

  // Forged: the first admin's holder text changed, the checksum recomputed.
  auto snap = ReadSnapshot(ledger);
  ASSERT_TRUE(snap.ok() && snap->has_value());
  Snapshot forged = **snap;
  const size_t at = forged.authority_state.find("first admin");
  ASSERT_NE(at, std::string::npos);
  forged.authority_state[at] = 'F';
  ASSERT_TRUE(WriteSnapshot(ledger, forged).ok());
  r = Fouledger({"verify"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_EQ(r.err.rfind("integrity failure: " + ledger + "/snapshot: ", 0), 0u) << r.err;
  EXPECT_EQ(Fouledger({"verify", "--since", "saved.note"}).exit_code, 0);
  // Commands still work (the open takes the snapshot: it checks against the tree), and deleting
  // it is always safe.
  EXPECT_EQ(Fouledger({"log"}).exit_code, 0);
  fs::remove(ledger + "/snapshot");
  EXPECT_EQ(Fouledger({"verify"}).exit_code, 0);
}

TEST_F(CliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Fouledger({}).exit_code, 2);
  EXPECT_EQ(Fouledger({"no-such-command"}).exit_code, 2);
  EXPECT_EQ(Fouledger({"proof", "verify"}).exit_code, 2);
  RunResult r = RunProgram({FOULEDGER_BIN, "log"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("FOULEDGER_LEDGER"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace fouledger::testing
