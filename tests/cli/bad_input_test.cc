// The bad-input catalogue (docs/reliability.md, "Catalogue of refused inputs"), run as a user
// would: every refused command line, file and event on a small temporary ledger, each checked for
// its exit code, its one exact stderr line and that nothing was appended. A row with exit code 0
// is a step that must succeed (it sets up what the next rows refuse).
//
// Expected lines are written with the temporary directory as DIR, key ids and other runs of 16 or
// more hex digits as <hex>, and base64 roots as <base64>: the figures that do not change from run
// to run are compared exactly.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>

#include "ledger/crypto.h"
#include "run.h"
#include "test_util.h"

namespace fouledger::testing {
namespace {

namespace fs = std::filesystem;

struct Case {
  std::string what;
  std::string signer;  // key file DIR/<signer>.key in FOULEDGER_KEY, or none
  std::vector<std::string> args;
  int exit_code;      // 0: a step that must succeed
  std::string error;  // the one line on stderr, normalized as above
};

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Keys are made here rather than by `key new` (which CliTest tests): it keeps the test fast.
    for (const char* k : {"admin", "board", "office", "farsta", "skarpnack", "auditor",
                          "controller", "stranger", "gone"}) {
      auto key = SigningKey::Generate();
      ASSERT_TRUE(key.ok());
      ASSERT_TRUE(key->SavePem(dir.Sub(std::string(k) + ".key")).ok());
      ASSERT_TRUE(SavePublicKeyPem(key->public_key(), dir.Sub(std::string(k) + ".key.pub")).ok());
    }
    ASSERT_EQ(
        Fouledger({"init", "--admin", "admin.key.pub", "--name", "test.example/fou"}).exit_code, 0);
    // clang-format off
    Run({
        {"", "admin", {"unit", "add", "--id", "farsta", "--name", "Farsta", "--from", "2020-01-01", "--date", "2020-01-01"}, 0, ""},
        {"", "admin", {"unit", "add", "--id", "skarpnack", "--name", "Skarpnäck", "--from", "2020-01-01", "--date", "2020-01-01"}, 0, ""},
        {"", "admin", {"key", "enroll", "--key", "board.key.pub", "--role", "board"}, 0, ""},
        {"", "admin", {"key", "enroll", "--key", "office.key.pub", "--role", "office"}, 0, ""},
        {"", "admin", {"key", "enroll", "--key", "auditor.key.pub", "--role", "auditor"}, 0, ""},
        {"", "admin", {"key", "enroll", "--key", "controller.key.pub", "--role", "controller"}, 0, ""},
        {"", "admin", {"key", "enroll", "--key", "farsta.key.pub", "--role", "unit", "--unit", "farsta"}, 0, ""},
        {"", "admin", {"key", "enroll", "--key", "skarpnack.key.pub", "--role", "unit", "--unit", "skarpnack"}, 0, ""},
        {"", "board", {"year", "open", "--year", "2021", "--programme", "LUM", "--cap", "500 000", "--max-per-unit", "2", "--window", "2020-05-04..2020-09-21", "--notice-by", "2021-06-07", "--max-years", "3"}, 0, ""},
        {"", "board", {"appropriate", "--year", "2021", "--programme", "LUM", "--amount", "3 000 000", "--date", "2020-12-16", "--case", "3.2.2-123/2020"}, 0, ""},
        {"", "farsta", {"apply", "--id", "2021-LUM-01", "--year", "2021", "--programme", "LUM", "--unit", "farsta", "--project", "p1", "--title", "Ett", "--amount", "500 000", "--date", "2020-09-01"}, 0, ""},
        {"", "board", {"decide", "--application", "2021-LUM-01", "--granted", "450 000", "--reason", "Delvis.", "--date", "2020-12-16"}, 0, ""},
        {"", "office", {"pay", "--grant", "2021-LUM-01", "--amount", "300 000", "--date", "2021-01-20"}, 0, ""},
        {"", "farsta", {"apply", "--id", "2021-LUM-02", "--year", "2021", "--programme", "LUM", "--unit", "farsta", "--project", "p2", "--title", "Två", "--amount", "200 000", "--date", "2020-09-02"}, 0, ""},
    });
    // clang-format on
    ASSERT_EQ(Tip().first, 15u) << "entries 0..14 as the tables below expect";
  }

  RunResult Fouledger(std::vector<std::string> args, const std::string& signer = "") {
    return RunFouledger(dir, std::move(args), signer);
  }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir.Sub(name), std::ios::binary) << text;
  }

  // The number of entries and the bytes of the last one, read straight from RocksDB: what a
  // refused command must leave as it was.
  std::pair<uint64_t, std::string> Tip() {
    rocksdb::ColumnFamilyOptions cf;
    std::vector<rocksdb::ColumnFamilyDescriptor> families = {
        {"default", cf}, {"entries", cf}, {"index", cf}, {"tree", cf}, {"checkpoints", cf}};
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir.Sub("ledger/db"),
                                                     families, &handles, &raw);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok()) return {0, ""};
    std::pair<uint64_t, std::string> tip{0, ""};
    {
      std::unique_ptr<rocksdb::Iterator> it(raw->NewIterator(rocksdb::ReadOptions(), handles[1]));
      it->SeekToLast();
      if (it->Valid()) {
        const std::string key = it->key().ToString();
        uint64_t seq = 0;
        for (unsigned char c : key) seq = seq << 8 | c;  // e/<seq:big-endian u64>
        tip = {seq + 1, it->value().ToString()};
      }
    }
    for (auto* h : handles) raw->DestroyColumnFamilyHandle(h);
    delete raw;
    return tip;
  }

  // The temporary directory as DIR, key ids and other long hex runs as <hex>, roots as <base64>.
  std::string Normalize(std::string text) {
    for (size_t at; (at = text.find(dir.path())) != std::string::npos;) {
      text.replace(at, dir.path().size(), "DIR");
    }
    text = std::regex_replace(text, std::regex("[0-9a-f]{16,}"), "<hex>");
    return std::regex_replace(text, std::regex("[A-Za-z0-9+/]{43}="), "<base64>");
  }

  // Runs every case in order; returns how many refusals were checked.
  int Run(const std::vector<Case>& cases) {
    int refusals = 0;
    auto tip = Tip();
    for (const Case& c : cases) {
      SCOPED_TRACE(c.what);
      const RunResult r = Fouledger(c.args, c.signer);
      if (c.exit_code == 0) {
        EXPECT_EQ(r.exit_code, 0) << r.err;
        tip = Tip();
        continue;
      }
      ++refusals;
      EXPECT_EQ(r.exit_code, c.exit_code) << r.err;
      EXPECT_EQ(CountLines(r.err), 1u) << "one line on stderr: " << r.err;
      EXPECT_EQ(Normalize(r.err), c.error + "\n");
      EXPECT_EQ(Tip(), tip) << "nothing may be appended";
    }
    return refusals;
  }

  TempDir dir;
};

// Command lines, amounts and dates, key files, --server, serve, queries, proofs, checkpoints,
// export and audit inputs.
TEST_F(BadInputTest, CommandLineAndFiles) {
  const std::string h = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";  // 32 zero bytes
  const std::string h1 = "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  auto inclusion = [&](const std::string& index, const std::string& size, const std::string& root,
                       const std::string& proof) {
    return "{\"leafIdx\": " + index + ", \"treeSize\": " + size + ", \"root\": \"" + root +
           "\", \"leafHash\": \"" + h + "\", \"proof\": " + proof + "}";
  };
  auto consistency = [&](const std::string& size1, const std::string& size2,
                         const std::string& proof) {
    return "{\"size1\": " + size1 + ", \"size2\": " + size2 + ", \"root1\": \"" + h +
           "\", \"root2\": \"" + h + "\", \"proof\": " + proof + "}";
  };
  Write("notakey.pem", "not a key\n");
  Write("notakey.key", "not a key\n");
  Write("big.json", std::string(1024 * 1024 + 1, ' '));
  Write("notjson.json", "{not json");
  Write("neither.json", "{\"a\": 1}");
  Write("noleaf.json", "{\"leafIdx\": 0}");
  Write("negsize.json", "{\"leafIdx\": 0, \"treeSize\": -1}");
  Write("shortroot.json", inclusion("0", "1", "AAAA", "[]"));
  Write("proofnotarray.json", inclusion("0", "1", h, "\"x\""));
  Write("proofelem.json", inclusion("0", "2", h, "[1]"));
  Write("proofelem32.json", inclusion("0", "2", h, "[\"AAAA\"]"));
  Write("leafoutside.json", inclusion("5", "2", h, "[]"));
  Write("short.json", inclusion("0", "2", h, "[]"));
  Write("long.json", inclusion("0", "1", h, "[\"" + h + "\"]"));
  Write("wrongroot.json", inclusion("0", "1", h1, "[]"));
  Write("cons21.json", consistency("2", "1", "[]"));
  Write("consempty.json", consistency("1", "2", "[]"));
  Write("consequal.json", consistency("2", "2", "[\"" + h + "\"]"));
  Write("bad.note", "not a checkpoint\n");
  Write("big.note", std::string(64 * 1024 + 1, 'x'));
  fs::create_directories(dir.Sub("full"));
  Write("full/x", "x");
  Write("other.note", "other.example/x\n3\n" + h + "\n\n\xE2\x80\x94 other.example/x AAAA\n");
  Write("nosig.note", "test.example/fou\n3\n" + h + "\n\n");
  Write("badsize.note", "test.example/fou\n03\n" + h + "\n\n");
  // clang-format off
  const int checked = Run({
    {"no command at all", "", {}, 2, "usage error: A subcommand is required (see fouledger --help)"},
    {"a command that does not exist", "", {"no-such-command"}, 2, "usage error: 'no-such-command' is not a fouledger command (see fouledger --help)"},
    {"--bogus, an option that does not exist", "", {"--bogus"}, 2, "usage error: '--bogus' is not a fouledger option (see fouledger --help)"},
    {"a required option left out (pay without --amount)", "office", {"pay", "--grant", "x"}, 2, "usage error: --amount is required (see fouledger --help)"},
    {"--year twenty", "board", {"appropriate", "--year", "twenty", "--programme", "LUM", "--amount", "1", "--date", "2020-12-16"}, 2, "usage error: Could not convert: --year = twenty (see fouledger --help)"},
    {"proof verify without a file", "", {"proof", "verify"}, 2, "usage error: FILE is required (see fouledger --help)"},
    {"no --ledger and no FOULEDGER_LEDGER (empty)", "", {"log", "--ledger", ""}, 2, "invalid: no ledger given: use --ledger DIR or set FOULEDGER_LEDGER"},
    {"--ledger names a directory without a ledger", "", {"log", "--ledger", "nowhere"}, 2, "not found: no ledger in nowhere (create one with fouledger init)"},
    {"--server with a command that needs the ledger's files (verify)", "", {"--server", "http://127.0.0.1:1", "verify"}, 2, "invalid: this command works on a local ledger only; --server is for writing and query commands"},
    {"--server ftp://x", "auditor", {"--server", "ftp://x", "budget", "--year", "2021"}, 2, "invalid: --server must start with https:// or http://, not 'ftp://x'"},
    {"--ca with an http:// --server", "auditor", {"--server", "http://127.0.0.1:1", "--ca", "x.pem", "budget", "--year", "2021"}, 2, "invalid: --ca is for an https --server, but http://127.0.0.1:1 is plain http"},
    {"login without --server", "auditor", {"login"}, 2, "invalid: login needs --server URL (the `fouledger serve` to sign in to)"},
    {"serve --listen 8443 (no host)", "", {"serve", "--listen", "8443"}, 2, "invalid: --listen is host:port (127.0.0.1:8443), not '8443'"},
    {"serve --listen 127.0.0.1:99999", "", {"serve", "--listen", "127.0.0.1:99999"}, 2, "invalid: --listen port must be 0..65535, not '99999'"},
    {"serve --listen example.org:8443", "", {"serve", "--listen", "example.org:8443"}, 2, "invalid: --listen host must be an IP address, not 'example.org'"},
    {"serve --listen 0.0.0.0:0 without TLS", "", {"serve", "--listen", "0.0.0.0:0"}, 2, "invalid: plain HTTP is allowed only on loopback; 0.0.0.0 needs --tls-cert and --tls-key"},
    {"serve --threads 0", "", {"serve", "--listen", "127.0.0.1:0", "--threads", "0"}, 2, "invalid: --threads must be 1..64, not 0"},
    {"serve --tls-cert without --tls-key", "", {"serve", "--listen", "127.0.0.1:0", "--tls-cert", "c.pem"}, 2, "invalid: TLS needs both --tls-cert and --tls-key"},
    {"serve --tls-cert and --tls-key files that do not exist", "", {"serve", "--listen", "127.0.0.1:0", "--tls-cert", "c.pem", "--tls-key", "k.pem"}, 2, "invalid: --tls-cert c.pem: asio.ssl error"},
    {"a query with --json and --csv", "", {"budget", "--year", "2021", "--json", "--csv"}, 2, "invalid: choose --json or --csv, not both"},
    {"a query with --csv=foo", "", {"budget", "--year", "2021", "--csv=foo"}, 2, "invalid: --csv takes no value (Swedish Excel) or rfc4180, not 'foo'"},
    {"a query with --as-of 2021-13-01", "", {"budget", "--year", "2021", "--as-of", "2021-13-01"}, 2, "invalid: --as-of: date 2021-13-01 is not a calendar date"},
    {"a query with --known-at yesterday", "", {"budget", "--year", "2021", "--known-at", "yesterday"}, 2, "invalid: --known-at: time 'yesterday' is neither a date (2021-07-01) nor an RFC 3339 time (2021-07-01T12:00:00Z)"},
    {"grant 2021-LUM-99 (no such application)", "", {"grant", "2021-LUM-99", "--as-of", "2021-06-07", "--known-at", "2021-07-01T00:00:00Z"}, 2, "not found: no application 2021-LUM-99 as of 2021-06-07 as known at 2021-07-01T00:00:00.000000Z"},
    {"trace nope (no such application or project)", "", {"trace", "nope"}, 2, "not found: no application or project 'nope' in the ledger"},
    {"export --out into a directory that is not empty", "", {"export", "--out", "full"}, 2, "invalid: --out: full exists and is not an empty directory; nothing was written"},
    {"export --year 2030 (nothing about that year)", "", {"export", "--out", "empty-out", "--year", "2030"}, 2, "not found: no entries about funding year 2030"},
    {"--amount \"\"", "farsta", {"apply", "--id", "A", "--year", "2021", "--programme", "LUM", "--unit", "farsta", "--project", "p", "--title", "t", "--date", "2020-09-01", "--amount", ""}, 2, "invalid: --amount: amount is empty"},
    {"--amount -5", "farsta", {"apply", "--id", "A", "--year", "2021", "--programme", "LUM", "--unit", "farsta", "--project", "p", "--title", "t", "--date", "2020-09-01", "--amount", "-5"}, 2, "invalid: --amount: amount '-5' is negative"},
    {"--amount 12,345 (a thousands comma?)", "farsta", {"apply", "--id", "A", "--year", "2021", "--programme", "LUM", "--unit", "farsta", "--project", "p", "--title", "t", "--date", "2020-09-01", "--amount", "12,345"}, 2, "invalid: --amount: amount '12,345' has more than two decimals"},
    {"--amount 5e3", "farsta", {"apply", "--id", "A", "--year", "2021", "--programme", "LUM", "--unit", "farsta", "--project", "p", "--title", "t", "--date", "2020-09-01", "--amount", "5e3"}, 2, "invalid: --amount: amount '5e3' is not a number of kronor (write 500000, 500 000 or 1234,50)"},
    {"--amount 100,", "farsta", {"apply", "--id", "A", "--year", "2021", "--programme", "LUM", "--unit", "farsta", "--project", "p", "--title", "t", "--date", "2020-09-01", "--amount", "100,"}, 2, "invalid: --amount: amount '100,' ends in a decimal mark"},
    {"--amount 99999999999999", "farsta", {"apply", "--id", "A", "--year", "2021", "--programme", "LUM", "--unit", "farsta", "--project", "p", "--title", "t", "--date", "2020-09-01", "--amount", "99999999999999"}, 2, "invalid: --amount: amount '99999999999999' is above the limit of 10 000 000 000 kr"},
    {"--date 1/9/2020", "farsta", {"apply", "--id", "A", "--year", "2021", "--programme", "LUM", "--unit", "farsta", "--project", "p", "--title", "t", "--amount", "1000", "--date", "1/9/2020"}, 2, "invalid: --date: date '1/9/2020' is not an ISO 8601 date (YYYY-MM-DD)"},
    {"--date 2020-02-30", "farsta", {"apply", "--id", "A", "--year", "2021", "--programme", "LUM", "--unit", "farsta", "--project", "p", "--title", "t", "--amount", "1000", "--date", "2020-02-30"}, 2, "invalid: --date: date 2020-02-30 is not a calendar date"},
    {"year open --window 2021-05-01 (one date)", "board", {"year", "open", "--year", "2022", "--programme", "LUM", "--cap", "1", "--max-per-unit", "1", "--window", "2021-05-01"}, 2, "invalid: --window '2021-05-01' is not FROM..TO (2020-05-04..2020-09-21)"},
    {"year open --window 2021-05-01..2021-09-31", "board", {"year", "open", "--year", "2022", "--programme", "LUM", "--cap", "1", "--max-per-unit", "1", "--window", "2021-05-01..2021-09-31"}, 2, "invalid: --window: date 2021-09-31 is not a calendar date"},
    {"--corrects 13 without --reason", "office", {"pay", "--grant", "2021-LUM-01", "--amount", "1", "--date", "2021-01-20", "--corrects", "13"}, 2, "invalid: --corrects needs a reason (--reason)"},
    {"report review without --approve or --return", "office", {"report", "review", "--grant", "2021-LUM-01", "--date", "2021-03-01"}, 2, "invalid: say --approve or --return"},
    {"report review --approve --return", "office", {"report", "review", "--grant", "2021-LUM-01", "--date", "2021-03-01", "--approve", "--return"}, 2, "usage error: --approve excludes --return (see fouledger --help)"},
    {"report submit --document missing.pdf", "farsta", {"report", "submit", "--grant", "2021-LUM-01", "--spent", "1", "--date", "2021-03-01", "--document", "missing.pdf"}, 2, "invalid: cannot read --document missing.pdf"},
    {"a writing command without --signer or FOULEDGER_KEY", "", {"unit", "add", "--id", "x", "--name", "X"}, 2, "invalid: no signing key given: use --signer KEYFILE or set FOULEDGER_KEY"},
    {"--signer names a file that does not exist", "missing", {"unit", "add", "--id", "x", "--name", "X"}, 2, "not found: cannot read DIR/missing.key: No such file or directory"},
    {"--signer names a file that is not a PEM private key", "notakey", {"unit", "add", "--id", "x", "--name", "X"}, 2, "invalid: DIR/notakey.key is not an Ed25519 private key in PEM"},
    {"key enroll --key missing.pub", "admin", {"key", "enroll", "--key", "missing.pub", "--role", "board"}, 2, "not found: cannot read missing.pub: No such file or directory"},
    {"key enroll --key with a file that is not a public key", "admin", {"key", "enroll", "--key", "notakey.pem", "--role", "board"}, 2, "invalid: notakey.pem is not an Ed25519 public key in PEM"},
    {"key new --out an existing file", "", {"key", "new", "--out", "admin.key"}, 2, "refused: admin.key already exists; not overwriting it"},
    {"init where a ledger exists", "", {"init", "--admin", "admin.key.pub"}, 2, "refused: a ledger already exists in DIR/ledger"},
    {"init --name \"a b\"", "", {"init", "--admin", "admin.key.pub", "--ledger", "fresh", "--name", "a b"}, 2, "invalid: ledger name may not contain spaces"},
    {"init --name \"\"", "", {"init", "--admin", "admin.key.pub", "--ledger", "fresh2", "--name", ""}, 2, "invalid: ledger name is empty"},
    {"init --admin with a file that is not a public key", "", {"init", "--admin", "notakey.pem", "--ledger", "fresh"}, 2, "invalid: notakey.pem is not an Ed25519 public key in PEM"},
    {"proof verify of a file that does not exist", "", {"proof", "verify", "missing.json"}, 2, "invalid: cannot read missing.json"},
    {"proof verify of a file over 1 MiB", "", {"proof", "verify", "big.json"}, 2, "invalid: big.json is larger than 1 MiB; not a proof"},
    {"a proof that is not JSON", "", {"proof", "verify", "notjson.json"}, 1, "proof does not hold: not a JSON object"},
    {"a JSON object with neither leafIdx nor size1", "", {"proof", "verify", "neither.json"}, 1, "proof does not hold: neither an inclusion proof (leafIdx) nor a consistency proof (size1)"},
    {"an inclusion proof without treeSize", "", {"proof", "verify", "noleaf.json"}, 1, "proof does not hold: field 'treeSize' is missing or not a non-negative integer"},
    {"treeSize -1", "", {"proof", "verify", "negsize.json"}, 1, "proof does not hold: field 'treeSize' is missing or not a non-negative integer"},
    {"a root of 3 bytes", "", {"proof", "verify", "shortroot.json"}, 1, "proof does not hold: field 'root' is not 32 bytes of base64"},
    {"\"proof\": \"x\"", "", {"proof", "verify", "proofnotarray.json"}, 1, "proof does not hold: field 'proof' is not an array of at most 128 hashes"},
    {"\"proof\": [1]", "", {"proof", "verify", "proofelem.json"}, 1, "proof does not hold: a proof element is not a string"},
    {"a proof hash of 3 bytes", "", {"proof", "verify", "proofelem32.json"}, 1, "proof does not hold: a proof element is not 32 bytes of base64"},
    {"leafIdx 5 in a tree of 2", "", {"proof", "verify", "leafoutside.json"}, 1, "proof does not hold: leaf index 5 is outside tree size 2"},
    {"no hashes for a tree of 2", "", {"proof", "verify", "short.json"}, 1, "proof does not hold: inclusion proof is shorter than the tree is deep"},
    {"one hash for a tree of 1", "", {"proof", "verify", "long.json"}, 1, "proof does not hold: inclusion proof is longer than the tree is deep"},
    {"a root the proof does not lead to", "", {"proof", "verify", "wrongroot.json"}, 1, "proof does not hold: computed root <base64> does not match <base64>"},
    {"a consistency proof from size 2 to 1", "", {"proof", "verify", "cons21.json"}, 1, "proof does not hold: size1 2 is larger than size2 1"},
    {"an empty consistency proof from 1 to 2", "", {"proof", "verify", "consempty.json"}, 1, "proof does not hold: consistency proof is empty"},
    {"hashes in a consistency proof from 2 to 2", "", {"proof", "verify", "consequal.json"}, 1, "proof does not hold: proof must be empty for equal sizes"},
    {"proof inclusion --seq 99 (15 entries)", "", {"proof", "inclusion", "--seq", "99"}, 2, "invalid: leaf 99 is not in a tree of 15 entries"},
    {"proof inclusion --size 99", "", {"proof", "inclusion", "--seq", "1", "--size", "99"}, 2, "invalid: size 99 is beyond the ledger's 15 entries"},
    {"proof consistency --from 0", "", {"proof", "consistency", "--from", "0", "--to", "3"}, 2, "invalid: no consistency proof from size 0 to size 3 (need 0 < size1 <= size2)"},
    {"proof consistency --from 5 --to 3", "", {"proof", "consistency", "--from", "5", "--to", "3"}, 2, "invalid: no consistency proof from size 5 to size 3 (need 0 < size1 <= size2)"},
    {"proof consistency --to 99", "", {"proof", "consistency", "--from", "1", "--to", "99"}, 2, "invalid: size 99 is beyond the ledger's 15 entries"},
    {"verify --since a file that does not exist", "", {"verify", "--since", "missing.note"}, 2, "invalid: cannot read --since missing.note"},
    {"verify --since a file that is not a checkpoint", "", {"verify", "--since", "bad.note"}, 2, "invalid: the checkpoint to verify since is not one of this ledger's: checkpoint: no blank line before the signatures"},
    {"verify --rehash-prefix without --since", "", {"verify", "--rehash-prefix"}, 2, "invalid: --rehash-prefix goes with --since"},
    {"verify --threads 65", "", {"verify", "--threads", "65"}, 2, "invalid: verify uses 1 to 64 threads, not 65"},
    {"audit since a file that does not exist", "", {"audit", "since", "missing.note"}, 2, "invalid: cannot read missing.note"},
    {"audit since a file over 64 KiB", "", {"audit", "since", "big.note"}, 2, "invalid: big.note is larger than 64 KiB; not a checkpoint"},
    {"audit since a file that is not a checkpoint", "", {"audit", "since", "bad.note"}, 1, "integrity failure: bad.note is not a checkpoint signed by this ledger's checkpoint key <hex> for 'test.example/fou': checkpoint: no blank line before the signatures"},
    {"audit since another ledger's checkpoint", "", {"audit", "since", "other.note"}, 1, "integrity failure: other.note is not a checkpoint signed by this ledger's checkpoint key <hex> for 'test.example/fou': checkpoint: origin 'other.example/x' is not 'test.example/fou'"},
    {"audit since a checkpoint without its signature", "", {"audit", "since", "nosig.note"}, 1, "integrity failure: nosig.note is not a checkpoint signed by this ledger's checkpoint key <hex> for 'test.example/fou': checkpoint: no signature by the ledger's checkpoint key"},
    {"audit since a checkpoint whose size is 03", "", {"audit", "since", "badsize.note"}, 1, "integrity failure: badsize.note is not a checkpoint signed by this ledger's checkpoint key <hex> for 'test.example/fou': checkpoint: size is not a decimal number"},
  });
  // clang-format on
  EXPECT_EQ(checked, 83);
}

// Events offered to the ledger: their shape (Ledger::Append's CheckEventShape) and the author's
// authority (ledger/src/authority.cc): keys, roles, units, applications, corrections and voids.
TEST_F(BadInputTest, EventsOfferedToTheLedger) {
  // The ledger's own checkpoint key, as a public key file.
  const std::string pub = "openssl pkey -in " + dir.Sub("ledger/checkpoint.key") +
                          " -pubout -out " + dir.Sub("checkpoint.pub");
  ASSERT_EQ(std::system(pub.c_str()), 0) << pub;
  // clang-format off
  const int checked = Run({
    {"--programme XYZ", "farsta", {"apply", "--id", "A", "--year", "2021", "--programme", "XYZ", "--unit", "farsta", "--project", "p", "--title", "t", "--amount", "1000", "--date", "2020-09-01"}, 2, "invalid: programme 'XYZ' is not LUM or MUL"},
    {"key enroll --role king", "admin", {"key", "enroll", "--key", "stranger.key.pub", "--role", "king"}, 2, "invalid: role 'king' is not one of admin, board, office, unit, controller, auditor"},
    {"apply --id \"a b\"", "farsta", {"apply", "--id", "a b", "--year", "2021", "--programme", "LUM", "--unit", "farsta", "--project", "p", "--title", "t", "--amount", "1000", "--date", "2020-09-01"}, 2, "invalid: application id 'a b' may hold only letters a-z, digits, '-', '_' and '.'"},
    {"apply --id of 65 characters", "farsta", {"apply", "--id", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "--year", "2021", "--programme", "LUM", "--unit", "farsta", "--project", "p", "--title", "t", "--amount", "1000", "--date", "2020-09-01"}, 2, "invalid: application id 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' is longer than 64 characters"},
    {"unit add --id far/sta", "admin", {"unit", "add", "--id", "far/sta", "--name", "X"}, 2, "invalid: unit id 'far/sta' may hold only letters a-z, digits, '-', '_' and '.'"},
    {"apply --title \"\"", "farsta", {"apply", "--id", "A", "--year", "2021", "--programme", "LUM", "--unit", "farsta", "--project", "p", "--title", "", "--amount", "1000", "--date", "2020-09-01"}, 2, "invalid: title is empty"},
    {"apply --title with the byte 0xff", "farsta", {"apply", "--id", "A", "--year", "2021", "--programme", "LUM", "--unit", "farsta", "--project", "p", "--title", "bad \xff", "--amount", "1000", "--date", "2020-09-01"}, 2, "invalid: title is not valid UTF-8 text"},
    {"apply --title of 9000 bytes", "farsta", {"apply", "--id", "A", "--year", "2021", "--programme", "LUM", "--unit", "farsta", "--project", "p", "--title", std::string(9000, 'x'), "--amount", "1000", "--date", "2020-09-01"}, 2, "invalid: title is longer than 8192 bytes"},
    {"apply --year 42", "farsta", {"apply", "--id", "A", "--year", "42", "--programme", "LUM", "--unit", "farsta", "--project", "p", "--title", "t", "--amount", "1000", "--date", "2020-09-01"}, 2, "invalid: year 42 is outside 1900..2999"},
    {"apply --unit farsta,farsta", "farsta", {"apply", "--id", "A", "--year", "2021", "--programme", "LUM", "--unit", "farsta,farsta", "--project", "p", "--title", "t", "--amount", "1000", "--date", "2020-09-01"}, 2, "invalid: units names 'farsta' twice"},
    {"apply --unit with 20 units", "farsta", {"apply", "--id", "A", "--year", "2021", "--programme", "LUM", "--unit", "u0,u1,u2,u3,u4,u5,u6,u7,u8,u9,u10,u11,u12,u13,u14,u15,u16,u17,u18,u19", "--project", "p", "--title", "t", "--amount", "1000", "--date", "2020-09-01"}, 2, "invalid: units names more than 8"},
    {"apply --amount 0", "farsta", {"apply", "--id", "A", "--year", "2021", "--programme", "LUM", "--unit", "farsta", "--project", "p", "--title", "t", "--amount", "0", "--date", "2020-09-01"}, 2, "invalid: an application must ask for more than 0 kr"},
    {"pay --amount 0", "office", {"pay", "--grant", "2021-LUM-01", "--amount", "0", "--date", "2021-02-01"}, 2, "invalid: a payout must be above 0 kr"},
    {"repay notice --amount 0", "farsta", {"repay", "notice", "--grant", "2021-LUM-01", "--amount", "0", "--date", "2021-02-01"}, 2, "invalid: a repayment notice must be above 0 kr"},
    {"repay receive --amount 0", "office", {"repay", "receive", "--grant", "2021-LUM-01", "--amount", "0", "--date", "2021-02-01"}, 2, "invalid: a repayment must be above 0 kr"},
    {"year open --cap 0", "board", {"year", "open", "--year", "2022", "--programme", "LUM", "--cap", "0", "--max-per-unit", "2", "--window", "2021-05-01..2021-09-01"}, 2, "invalid: cap must be above 0 kr"},
    {"year open --max-per-unit 0", "board", {"year", "open", "--year", "2022", "--programme", "LUM", "--cap", "1", "--max-per-unit", "0", "--window", "2021-05-01..2021-09-01"}, 2, "invalid: max per unit must be at least 1"},
    {"year open --window 2021-09-01..2021-05-01", "board", {"year", "open", "--year", "2022", "--programme", "LUM", "--cap", "1", "--max-per-unit", "2", "--window", "2021-09-01..2021-05-01"}, 2, "invalid: application window ends (2021-05-01) before it starts (2021-09-01)"},
    {"key enroll --role board --unit farsta", "admin", {"key", "enroll", "--key", "stranger.key.pub", "--role", "board", "--unit", "farsta"}, 2, "invalid: a board key acts for no unit; --unit is for unit keys"},
    {"key enroll --role unit without --unit", "admin", {"key", "enroll", "--key", "stranger.key.pub", "--role", "unit"}, 2, "invalid: units is empty"},
    {"report review --return without --reason", "office", {"report", "review", "--grant", "2021-LUM-01", "--return", "--date", "2021-03-01"}, 2, "invalid: a returned report needs a reason"},
    {"key revoke --reason \"\"", "admin", {"key", "revoke", "--key", "farsta.key.pub", "--reason", ""}, 2, "invalid: reason is empty"},
    {"key enroll --corrects 3 (a key entry)", "admin", {"key", "enroll", "--key", "stranger.key.pub", "--role", "board", "--corrects", "3", "--reason", "x"}, 2, "refused: entry 3 (key-enroll) cannot be corrected or voided; revoke the key and enroll the right one"},
    {"void --seq 0 (the genesis entry)", "admin", {"void", "--seq", "0", "--reason", "x"}, 2, "refused: entry 0 (genesis) cannot be corrected or voided"},
    {"void --seq 3 (a key entry)", "admin", {"void", "--seq", "3", "--reason", "x"}, 2, "refused: entry 3 (key-enroll) cannot be corrected or voided; revoke the key and enroll the right one"},
    {"unit add --corrects 3 (a key entry)", "admin", {"unit", "add", "--id", "x", "--name", "X", "--corrects", "3", "--reason", "x"}, 2, "refused: entry 3 (key-enroll) cannot be corrected or voided; revoke the key and enroll the right one"},
    {"void --seq 9999", "farsta", {"void", "--seq", "9999", "--reason", "x"}, 2, "refused: void names entry 9999, but the ledger has 15 entries"},
    {"decide --corrects 14 (an apply entry)", "board", {"decide", "--application", "2021-LUM-02", "--granted", "1", "--reason", "x", "--date", "2020-12-16", "--corrects", "14"}, 2, "refused: a correction must be of the same kind as entry 14 (apply), not decide"},
    {"apply --id 2021-LUM-09 --corrects 14 (2021-LUM-02)", "farsta", {"apply", "--id", "2021-LUM-09", "--year", "2021", "--programme", "LUM", "--unit", "farsta", "--project", "p", "--title", "t", "--amount", "1000", "--date", "2020-09-01", "--corrects", "14", "--reason", "x"}, 2, "refused: a correction of entry 14 must be about the same application 2021-LUM-02, not 2021-LUM-09; void it and write a new entry instead"},
    {"the office voids entry 14 (an apply)", "office", {"void", "--seq", "14", "--reason", "x"}, 2, "refused: an office key may not void entry 14: only a role that may write apply entries may"},
    {"signed by a key never enrolled", "stranger", {"apply", "--id", "A", "--year", "2021", "--programme", "LUM", "--unit", "farsta", "--project", "p", "--title", "t", "--amount", "1000", "--date", "2020-09-01"}, 2, "refused: author key <hex> is not enrolled"},
    {"Skarpnäck's key applies for Farsta", "skarpnack", {"apply", "--id", "A", "--year", "2021", "--programme", "LUM", "--unit", "farsta", "--project", "p", "--title", "t", "--amount", "1000", "--date", "2020-09-01"}, 2, "refused: a unit key acts only for its own units: this key is for skarpnack; application A belongs to farsta"},
    {"the board's key applies", "board", {"apply", "--id", "A", "--year", "2021", "--programme", "LUM", "--unit", "farsta", "--project", "p", "--title", "t", "--amount", "1000", "--date", "2020-09-01"}, 2, "refused: a board key may not write apply entries"},
    {"the auditor's key adds a unit", "auditor", {"unit", "add", "--id", "x", "--name", "X"}, 2, "refused: an auditor key may not write unit-add entries"},
    {"apply --unit nowhere", "farsta", {"apply", "--id", "A", "--year", "2021", "--programme", "LUM", "--unit", "nowhere", "--project", "p", "--title", "t", "--amount", "1000", "--date", "2020-09-01"}, 2, "refused: unit 'nowhere' does not exist"},
    {"pay --grant NOPE", "office", {"pay", "--grant", "NOPE", "--amount", "1", "--date", "2021-02-01"}, 2, "refused: application NOPE does not exist"},
    {"apply --id 2021-LUM-01 again", "farsta", {"apply", "--id", "2021-LUM-01", "--year", "2021", "--programme", "LUM", "--unit", "farsta", "--project", "p", "--title", "t", "--amount", "1000", "--date", "2020-09-01"}, 2, "refused: application 2021-LUM-01 already exists"},
    {"key enroll of the office key again", "admin", {"key", "enroll", "--key", "office.key.pub", "--role", "office"}, 2, "refused: key <hex> is already enrolled (as office, entry 4); a key is enrolled once"},
    {"key enroll of the ledger's checkpoint key", "admin", {"key", "enroll", "--key", "checkpoint.pub", "--role", "auditor"}, 2, "refused: the ledger's checkpoint key cannot be enrolled for a role"},
    {"key enroll --role unit --unit nowhere", "admin", {"key", "enroll", "--key", "stranger.key.pub", "--role", "unit", "--unit", "nowhere"}, 2, "refused: unit 'nowhere' does not exist"},
    {"unit add --id farsta again", "admin", {"unit", "add", "--id", "farsta", "--name", "F"}, 2, "refused: unit 'farsta' already exists"},
    {"unit add --succeeds gammal", "admin", {"unit", "add", "--id", "ny", "--name", "Ny", "--succeeds", "gammal"}, 2, "refused: unit 'gammal' (succeeded) does not exist"},
    {"key revoke of a key never enrolled", "admin", {"key", "revoke", "--key", "stranger.key.pub", "--reason", "x"}, 2, "refused: key <hex> is not enrolled"},
    {"key revoke of the only admin key", "admin", {"key", "revoke", "--key", "admin.key.pub", "--reason", "x"}, 2, "refused: key <hex> is the last active admin key; enroll another admin first"},
    {"setup: enroll gone", "admin", {"key", "enroll", "--key", "gone.key.pub", "--role", "admin"}, 0, ""},
    {"setup: revoke gone", "admin", {"key", "revoke", "--key", "gone.key.pub", "--reason", "lämnat"}, 0, ""},
    {"key revoke of a key revoked at entry 16", "admin", {"key", "revoke", "--key", "gone.key.pub", "--reason", "x"}, 2, "refused: key <hex> was already revoked at entry 16"},
    {"signed by a key revoked at entry 16", "gone", {"unit", "add", "--id", "x", "--name", "X"}, 2, "refused: author key <hex> was revoked at entry 16"},
    {"key enroll of a key revoked at entry 16", "admin", {"key", "enroll", "--key", "gone.key.pub", "--role", "admin"}, 2, "refused: key <hex> is already enrolled (as admin, entry 15, since revoked); a key is enrolled once"},
    {"setup: correct apply 14", "farsta", {"apply", "--id", "2021-LUM-02", "--year", "2021", "--programme", "LUM", "--unit", "farsta", "--project", "p", "--title", "t", "--amount", "150 000", "--date", "2020-09-02", "--corrects", "14", "--reason", "fel"}, 0, ""},
    {"void --seq 14 after entry 17 corrected it", "farsta", {"void", "--seq", "14", "--reason", "x"}, 2, "refused: entry 14 was already replaced or voided by entry 17; a void must name the current entry"},
    {"apply --corrects 14 after entry 17 corrected it", "farsta", {"apply", "--id", "2021-LUM-02", "--year", "2021", "--programme", "LUM", "--unit", "farsta", "--project", "p", "--title", "t", "--amount", "1000", "--date", "2020-09-01", "--corrects", "14", "--reason", "x"}, 2, "refused: entry 14 was already replaced or voided by entry 17; a correction must name the current entry"},
  });
  // clang-format on
  EXPECT_EQ(checked, 49);
}

// The domain rules (projections/, docs/projections.md), each refused through the command with its
// figures. The hard and policy rules are also tested one by one in tests/projections/rules_test.cc.
TEST_F(BadInputTest, DomainRules) {
  // clang-format off
  const int checked = Run({
    {"apply dated 2020-09-22 (window 2020-05-04..2020-09-21)", "farsta", {"apply", "--id", "2021-LUM-03", "--year", "2021", "--programme", "LUM", "--unit", "farsta", "--project", "p-2021-LUM-03", "--title", "t", "--amount", "100 000", "--date", "2020-09-22"}, 2, "refused: 2021 LUM application window is 2020-05-04 – 2020-09-21; application is dated 2020-09-22"},
    {"apply --amount \"600 000\" (cap 500 000)", "farsta", {"apply", "--id", "2021-LUM-03", "--year", "2021", "--programme", "LUM", "--unit", "farsta", "--project", "p-2021-LUM-03", "--title", "t", "--amount", "600 000", "--date", "2020-09-01"}, 2, "refused: 2021 LUM cap is 500 000 kr; application asks 600 000 kr"},
    {"apply --year 2023 (no rules for 2023)", "farsta", {"apply", "--id", "2023-LUM-01", "--year", "2023", "--programme", "LUM", "--unit", "farsta", "--project", "p-2023-LUM-01", "--title", "t", "--amount", "100 000", "--date", "2020-09-01"}, 2, "refused: 2023 LUM is not open: no year rules for it"},
    {"year open 2021 LUM again", "board", {"year", "open", "--year", "2021", "--programme", "LUM", "--cap", "1", "--max-per-unit", "1", "--window", "2020-05-04..2020-09-21"}, 2, "refused: 2021 LUM is already open (entry 9); correct that entry instead"},
    {"decide 2021-LUM-02 dated 2020-09-01, before its application", "board", {"decide", "--application", "2021-LUM-02", "--granted", "100 000", "--reason", "Beslut.", "--date", "2020-09-01"}, 2, "refused: no application 2021-LUM-02 on 2020-09-01"},
    {"decide 2021-LUM-01 again", "board", {"decide", "--application", "2021-LUM-01", "--granted", "100 000", "--reason", "Beslut.", "--date", "2020-12-16"}, 2, "refused: 2021-LUM-01 was already decided by entry 12; correct that entry instead"},
    {"decide 2021-LUM-02 --granted \"250 000\" (asks 200 000)", "board", {"decide", "--application", "2021-LUM-02", "--granted", "250 000", "--reason", "Beslut.", "--date", "2020-12-16"}, 2, "refused: 2021-LUM-02 asks 200 000 kr; a decision cannot grant more (250 000 kr)"},
    {"pay 2021-LUM-02 (undecided)", "office", {"pay", "--grant", "2021-LUM-02", "--amount", "1", "--date", "2021-01-20"}, 2, "refused: 2021-LUM-02 is not decided; nothing can be paid"},
    {"pay 2021-LUM-01 --amount \"200 000\" (450 000 granted, 300 000 paid)", "office", {"pay", "--grant", "2021-LUM-01", "--amount", "200 000", "--date", "2021-02-20"}, 2, "refused: 2021-LUM-01 payout 200 000 kr exceeds what remains to pay: granted 450 000 kr, already paid 300 000 kr"},
    {"pay 2021-LUM-01 \"160 000\" dated 2021-01-10, before the 300 000 of 2021-01-20", "office", {"pay", "--grant", "2021-LUM-01", "--amount", "160 000", "--date", "2021-01-10"}, 2, "refused: an entry dated 2021-01-10 would break entry 13 (pay 2021-LUM-01, 2021-01-20): 2021-LUM-01 payout 300 000 kr exceeds what remains to pay: granted 450 000 kr, already paid 160 000 kr"},
    {"decide --corrects 12 --granted \"200 000\" (300 000 paid)", "board", {"decide", "--application", "2021-LUM-01", "--granted", "200 000", "--reason", "Beslut.", "--date", "2020-12-16", "--corrects", "12"}, 2, "refused: correcting entry 12 would break entry 13 (pay 2021-LUM-01, 2021-01-20): 2021-LUM-01 payout 300 000 kr exceeds what remains to pay: granted 200 000 kr, already paid 0 kr"},
    {"report review 2021-LUM-01 (no report)", "office", {"report", "review", "--grant", "2021-LUM-01", "--approve", "--date", "2021-03-01"}, 2, "refused: 2021-LUM-01 has no report awaiting review (report: none)"},
    {"repay notice 2021-LUM-02 (unpaid)", "farsta", {"repay", "notice", "--grant", "2021-LUM-02", "--amount", "1", "--date", "2021-03-01"}, 2, "refused: 2021-LUM-02 has not been paid; there is nothing to repay"},
    {"repay notice 2021-LUM-01 \"300 001\" (300 000 paid)", "farsta", {"repay", "notice", "--grant", "2021-LUM-01", "--amount", "300 001", "--date", "2021-03-01"}, 2, "refused: 2021-LUM-01 repayment notices would total 300 001 kr, more than paid 300 000 kr"},
    {"repay receive 2021-LUM-01 \"300 001\" (300 000 paid)", "office", {"repay", "receive", "--grant", "2021-LUM-01", "--amount", "300 001", "--date", "2021-03-01"}, 2, "refused: 2021-LUM-01 repayment 300 001 kr exceeds paid 300 000 kr less repaid 0 kr"},
    {"unit add --id farsta-2 --corrects 1 (unit farsta)", "admin", {"unit", "add", "--id", "farsta-2", "--name", "F", "--corrects", "1", "--reason", "x"}, 2, "refused: a correction of entry 1 must be about the same unit farsta"},
    {"setup: decide LUM-02", "board", {"decide", "--application", "2021-LUM-02", "--granted", "100 000", "--reason", "Beslut.", "--date", "2020-12-16"}, 0, ""},
    {"report submit 2021-LUM-02 (granted, unpaid)", "farsta", {"report", "submit", "--grant", "2021-LUM-02", "--spent", "1", "--date", "2021-03-01"}, 2, "refused: 2021-LUM-02 has not been paid; a report needs a paid grant"},
    {"setup: apply LUM-03", "farsta", {"apply", "--id", "2021-LUM-03", "--year", "2021", "--programme", "LUM", "--unit", "farsta", "--project", "p-2021-LUM-03", "--title", "t", "--amount", "100 000", "--date", "2020-09-01"}, 0, ""},
    {"decide 2021-LUM-03, Farsta's third 2021 LUM grant (max 2)", "board", {"decide", "--application", "2021-LUM-03", "--granted", "100 000", "--reason", "Beslut.", "--date", "2020-12-16"}, 2, "refused: 2021 LUM allows 2 grants per unit; Farsta already has 2 (2021-LUM-01, 2021-LUM-02) (the board may override this with a written reason)"},
    {"setup: apply LUM-05", "skarpnack", {"apply", "--id", "2021-LUM-05", "--year", "2021", "--programme", "LUM", "--unit", "skarpnack", "--project", "p-2021-LUM-05", "--title", "t", "--amount", "100 000", "--date", "2020-09-01"}, 0, ""},
    {"setup: reject LUM-05", "board", {"decide", "--application", "2021-LUM-05", "--granted", "0", "--reason", "Beslut.", "--date", "2020-12-16"}, 0, ""},
    {"pay 2021-LUM-05 (rejected)", "office", {"pay", "--grant", "2021-LUM-05", "--amount", "1", "--date", "2021-01-20"}, 2, "refused: 2021-LUM-05 was rejected; nothing can be paid"},
    {"setup: MUL year", "board", {"year", "open", "--year", "2021", "--programme", "MUL", "--cap", "25 000", "--max-per-unit", "2", "--window", "2020-05-04..2020-09-21"}, 0, ""},
    {"setup: MUL appropriation", "board", {"appropriate", "--year", "2021", "--programme", "MUL", "--amount", "10 000", "--date", "2020-12-16"}, 0, ""},
    {"setup: MUL apply", "skarpnack", {"apply", "--id", "2021-MUL-01", "--year", "2021", "--programme", "MUL", "--unit", "skarpnack", "--project", "p-2021-MUL-01", "--title", "t", "--amount", "20 000", "--date", "2020-09-01"}, 0, ""},
    {"decide 2021-MUL-01 \"20 000\" (10 000 appropriated)", "board", {"decide", "--application", "2021-MUL-01", "--granted", "20 000", "--reason", "Beslut.", "--date", "2020-12-16"}, 2, "refused: 2021 MUL appropriation is 10 000 kr; 0 kr already granted, decision grants 20 000 kr"},
    {"setup: 2022 rules", "board", {"year", "open", "--year", "2022", "--programme", "LUM", "--cap", "500 000", "--max-per-unit", "2", "--window", "2021-05-01..2021-09-30", "--reports-by", "2021-10-01", "--max-years", "1"}, 0, ""},
    {"setup: 2022 appropriation", "board", {"appropriate", "--year", "2022", "--programme", "LUM", "--amount", "1 000 000", "--date", "2021-12-15"}, 0, ""},
    {"setup: 2022 apply", "farsta", {"apply", "--id", "2022-LUM-01", "--year", "2022", "--programme", "LUM", "--unit", "farsta", "--project", "p-2022-LUM-01", "--title", "t", "--amount", "100 000", "--date", "2021-09-01"}, 0, ""},
    {"decide 2022-LUM-01 for Farsta, whose paid 2021-LUM-01 has no approved report by 2021-10-01", "board", {"decide", "--application", "2022-LUM-01", "--granted", "100 000", "--reason", "Beslut.", "--date", "2021-12-15"}, 2, "refused: 2021 grants need an approved report by 2021-10-01; Farsta has none for 2021-LUM-01 (the board may override this with a written reason)"},
    {"setup: report LUM-01", "farsta", {"report", "submit", "--grant", "2021-LUM-01", "--spent", "300 000", "--date", "2021-09-01"}, 0, ""},
    {"setup: approve LUM-01", "office", {"report", "review", "--grant", "2021-LUM-01", "--approve", "--date", "2021-09-15"}, 0, ""},
    {"report submit 2021-LUM-01 after its approval", "farsta", {"report", "submit", "--grant", "2021-LUM-01", "--spent", "1", "--date", "2021-11-20"}, 2, "refused: 2021-LUM-01's report was already approved by entry 26; correct that report instead"},
    {"setup: 2022 apply same project", "farsta", {"apply", "--id", "2022-LUM-02", "--year", "2022", "--programme", "LUM", "--unit", "farsta", "--project", "p2", "--title", "t", "--amount", "100 000", "--date", "2021-09-01"}, 0, ""},
    {"decide 2022-LUM-02 for project p2, funded 2021 (max 1 year in a row)", "board", {"decide", "--application", "2022-LUM-02", "--granted", "100 000", "--reason", "Beslut.", "--date", "2021-12-15"}, 2, "refused: 2022 LUM funds a project at most 1 year in a row; p2 was funded 2021 (the board may override this with a written reason)"},
    {"setup: receive", "office", {"repay", "receive", "--grant", "2021-LUM-01", "--amount", "250 000", "--date", "2021-07-01"}, 0, ""},
    {"void the payout 13 after 250 000 kr were repaid", "office", {"void", "--seq", "13", "--reason", "x"}, 2, "refused: voiding entry 13 would break entry 28 (repay-receive 2021-LUM-01, 2021-07-01): 2021-LUM-01 repayment 250 000 kr exceeds paid 0 kr less repaid 0 kr"},
    {"setup: apply LUM-06", "skarpnack", {"apply", "--id", "2021-LUM-06", "--year", "2021", "--programme", "LUM", "--unit", "skarpnack", "--project", "p-2021-LUM-06", "--title", "t", "--amount", "100 000", "--date", "2020-09-01"}, 0, ""},
    {"setup: lower the cap", "board", {"year", "open", "--year", "2021", "--programme", "LUM", "--cap", "50 000", "--max-per-unit", "2", "--window", "2020-05-04..2020-09-21", "--notice-by", "2021-06-07", "--max-years", "3", "--corrects", "9", "--reason", "lägre tak"}, 0, ""},
    {"decide 2021-LUM-06 \"100 000\" after the cap was corrected to 50 000", "board", {"decide", "--application", "2021-LUM-06", "--granted", "100 000", "--reason", "Beslut.", "--date", "2020-12-16"}, 2, "refused: 2021 LUM cap is 50 000 kr; decision grants 100 000 kr (the board may override this with a written reason)"},
    {"setup: void MUL rules", "board", {"void", "--seq", "19", "--reason", "x"}, 0, ""},
    {"decide 2021-MUL-01 after the 2021 MUL rules were voided", "board", {"decide", "--application", "2021-MUL-01", "--granted", "5 000", "--reason", "Beslut.", "--date", "2020-12-16"}, 2, "refused: 2021 MUL is not open: no year rules for it"},
  });
  // clang-format on
  EXPECT_EQ(checked, 26);
}

// `fouledger import`: the file, its CSV, each row's values and the events they make (all or
// nothing).
TEST_F(BadInputTest, CsvImport) {
  const std::string header =
      "id;year;programme;units;project;title;asked;granted;reason;applied;decided;case;purpose\n";
  const std::string good = "2021-LUM-90;2021;LUM;farsta;p90;Ett;100 000;;;2020-09-01;;;\n";
  auto csv = [&](const std::string& name, const std::string& rows) {
    Write(name, header + good + rows);
  };
  Write("nocol.csv", "id;year\n1;2\n");
  csv("width.csv", "2021-LUM-91;2021;LUM\n");
  csv("open.csv", "2021-LUM-91;2021;LUM;farsta;p;\"Två;1;;;2020-09-01;;;\n");
  csv("quote.csv", "2021-LUM-91;2021;LUM;farsta;p;T\"vå;1;;;2020-09-01;;;\n");
  csv("after.csv", "2021-LUM-91;2021;LUM;farsta;p;\"Två\"x;1;;;2020-09-01;;;\n");
  Write("empty.csv", "");
  std::string wide = "c0";
  for (int i = 1; i < 257; ++i) wide += ";c" + std::to_string(i);
  Write("wide.csv", wide + "\n");
  csv("year.csv", "2021-LUM-91;tjugo;LUM;farsta;p;T;1;;;2020-09-01;;;\n");
  csv("prog.csv", "2021-LUM-91;2021;FOO;farsta;p;T;1;;;2020-09-01;;;\n");
  csv("asked.csv", "2021-LUM-91;2021;LUM;farsta;p;T;1,234;;;2020-09-01;;;\n");
  csv("applied.csv", "2021-LUM-91;2021;LUM;farsta;p;T;1;;;2020-09-31;;;\n");
  csv("noapplied.csv", "2021-LUM-91;2021;LUM;farsta;p;T;1;;;;;;\n");
  csv("nounits.csv", "2021-LUM-91;2021;LUM;;p;T;1;;;2020-09-01;;;\n");
  csv("nokey.csv", "2021-LUM-91;2021;LUM;hagersten;p;T;1;;;2020-09-01;;;\n");
  csv("granted.csv", "2021-LUM-91;2021;LUM;farsta;p;T;1;ett;Bra.;2020-09-01;2020-12-16;;\n");
  csv("nodecided.csv", "2021-LUM-91;2021;LUM;farsta;p;T;1;1;Bra.;2020-09-01;;;\n");
  csv("noreason.csv", "2021-LUM-91;2021;LUM;farsta;p;T;1;1;;2020-09-01;2020-12-16;;\n");
  csv("shape.csv", "a b;2021;LUM;farsta;p;T;1;;;2020-09-01;;;\n");
  csv("cap.csv", "2021-LUM-91;2021;LUM;skarpnack;p91;Två;600 000;;;2020-09-01;;;\n");
  csv("window.csv", "2021-LUM-91;2021;LUM;skarpnack;p91;Två;1;;;2020-10-01;;;\n");
  csv("exists.csv", "2021-LUM-01;2021;LUM;farsta;p91;Två;1;;;2020-09-01;;;\n");
  csv("decide.csv", "2021-LUM-91;2021;LUM;farsta;p91;Två;100;200;Mer.;2020-09-01;2020-12-16;;\n");
  csv("ok.csv", "");
  // clang-format off
  const int checked = Run({
    {"a file that does not exist", "board", {"import", "missing.csv"}, 2, "invalid: cannot read missing.csv"},
    {"a header without the column programme", "board", {"import", "nocol.csv"}, 2, "invalid: nocol.csv: the header has no column 'programme'"},
    {"a row of 3 fields under a header of 13", "board", {"import", "width.csv"}, 2, "invalid: width.csv: line 3: 3 fields, but the header has 13"},
    {"a quoted field never closed", "board", {"import", "open.csv"}, 2, "invalid: open.csv: line 3: quoted field is never closed"},
    {"a quote inside an unquoted field", "board", {"import", "quote.csv"}, 2, "invalid: quote.csv: line 3: a quote inside an unquoted field"},
    {"text after a closing quote", "board", {"import", "after.csv"}, 2, "invalid: after.csv: line 3: text after a closing quote"},
    {"an empty file", "board", {"import", "empty.csv"}, 2, "invalid: empty.csv: CSV is empty: no header row"},
    {"a header of 257 columns", "board", {"import", "wide.csv"}, 2, "invalid: wide.csv: line 1: more than 256 fields"},
    {"year tjugo", "board", {"import", "year.csv"}, 2, "invalid: line 3, column year: 'tjugo' is not a whole number"},
    {"programme FOO", "board", {"import", "prog.csv"}, 2, "invalid: line 3, column programme: programme 'FOO' is not LUM or MUL"},
    {"asked 1,234", "board", {"import", "asked.csv"}, 2, "invalid: line 3, column asked: amount '1,234' has more than two decimals"},
    {"applied 2020-09-31", "board", {"import", "applied.csv"}, 2, "invalid: line 3, column applied: date 2020-09-31 is not a calendar date"},
    {"applied empty", "board", {"import", "noapplied.csv"}, 2, "invalid: line 3, column applied: a date is required"},
    {"units empty", "board", {"import", "nounits.csv"}, 2, "invalid: line 3, column units: no owner unit"},
    {"units hagersten, with no hagersten.key", "board", {"import", "nokey.csv"}, 2, "invalid: line 3, column units: no key for unit hagersten"},
    {"granted ett", "board", {"import", "granted.csv"}, 2, "invalid: line 3, column granted: amount 'ett' is not a number of kronor (write 500000, 500 000 or 1234,50)"},
    {"granted without decided", "board", {"import", "nodecided.csv"}, 2, "invalid: line 3, column decided: a date is required"},
    {"granted without reason", "board", {"import", "noreason.csv"}, 2, "invalid: line 3, column reason: a decision needs its written reason"},
    {"id \"a b\"", "board", {"import", "shape.csv"}, 2, "invalid: line 3 (apply a b): application id 'a b' may hold only letters a-z, digits, '-', '_' and '.'"},
    {"asked 600 000 (cap 500 000) on line 3; line 2 is fine", "board", {"import", "cap.csv"}, 2, "refused: 2021 LUM cap is 500 000 kr; application asks 600 000 kr [line 3 (apply 2021-LUM-91); nothing was imported]"},
    {"applied 2020-10-01, after the window", "board", {"import", "window.csv"}, 2, "refused: 2021 LUM application window is 2020-05-04 – 2020-09-21; application is dated 2020-10-01 [line 3 (apply 2021-LUM-91); nothing was imported]"},
    {"id 2021-LUM-01, already in the ledger", "board", {"import", "exists.csv"}, 2, "refused: application 2021-LUM-01 already exists [line 3 (apply 2021-LUM-01); nothing was imported]"},
    {"granted 200 kr of 100 asked", "board", {"import", "decide.csv"}, 2, "refused: 2021-LUM-91 asks 100 kr; a decision cannot grant more (200 kr) [line 3 (decide 2021-LUM-91); nothing was imported]"},
    {"a decision with --signer office.key", "office", {"import", "decide.csv"}, 2, "refused: an office key may not write decide entries [line 3 (decide 2021-LUM-91); nothing was imported]"},
    {"no --signer", "", {"import", "ok.csv"}, 2, "invalid: no signing key given: use --signer KEYFILE or set FOULEDGER_KEY"},
    {"import with --server", "board", {"--server", "http://127.0.0.1:1", "import", "ok.csv"}, 2, "invalid: this command works on a local ledger only; --server is for writing and query commands"},
  });
  // clang-format on
  EXPECT_EQ(checked, 26);
}

}  // namespace
}  // namespace fouledger::testing
