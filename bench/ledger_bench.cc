// ledger_bench: measures the ledger library on a ledger it generates itself. One mode per run, so
// each figure comes with its own peak memory (bench/run runs them all and writes
// docs/performance.md). Output: one "name value" line per figure.
//
//   ledger_bench generate DIR N     create DIR with N entries: single appends, then batches of 1000
//   ledger_bench storage DIR N      the storage part of N appends alone (benchmark 2)
//   ledger_bench replay DIR         raw RocksDB iteration vs replay into the projections, then
//                                   opens from the snapshot it saves, each in a new process
//   ledger_bench open DIR N         one open from DIR's snapshot of N entries (run by replay)
//   ledger_bench query DIR Q        Q budget queries at random as-of dates and known-at times
//   ledger_bench verify DIR T       full VerifyLedger with T threads
//   ledger_bench verify-since DIR T VerifyLedger from the checkpoint saved before the last batch
#include <rocksdb/db.h>
#include <rocksdb/file_checksum.h>
#include <rocksdb/write_batch.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "keys.h"  // ledger/src/keys.h: the RocksDB layout (docs/storage.md), for `storage`
#include "ledger/authority.h"
#include "ledger/checkpoint.h"
#include "ledger/crypto.h"
#include "ledger/event.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"
#include "ledger/snapshot.h"
#include "ledger/verify.h"
#include "projections/engine.h"

namespace {

using namespace fouledger;
using SteadyClock = std::chrono::steady_clock;

constexpr size_t kBatchEvents = 1000;
constexpr size_t kSingleAppendsMax = 2000;  // single synced appends measured before the batches
constexpr int kTimingRuns = 3;              // replay: the raw iteration and the snapshot open

double Seconds(SteadyClock::time_point since) {
  return std::chrono::duration<double>(SteadyClock::now() - since).count();
}

long PeakRssKb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

// CPU seconds this process has used, all its threads, user and system.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

void Print(const char* name, double value) { std::printf("%s %.6g\n", name, value); }

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "ledger_bench: %s\n", what.c_str());
  std::exit(3);
}

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.status().ToString());
  return std::move(r).value();
}

Date RandomDate(std::mt19937_64& random) {
  return Date::FromDaysSinceEpoch(Date::Parse("2020-01-01")->DaysSinceEpoch() +
                                  static_cast<int64_t>(random() % (3 * 365)));
}

// Event i of the generated workload: applications by a unit, each followed by a decision by the
// board and a payment by the office, across three years and both programmes.
SignedEvent MakeEvent(uint64_t i, const SigningKey& unit, const SigningKey& board,
                      const SigningKey& office) {
  std::mt19937_64 random(i);
  const uint64_t app = i / 3;
  const std::string app_id = "G-" + std::to_string(app);
  const Date date = RandomDate(random);
  EventBuilder b(date);
  switch (i % 3) {
    case 0: {
      auto a = b.body().initApply();
      a.setApplicationId(app_id);
      a.setYear(static_cast<uint16_t>(2020 + app % 3));
      a.setProgramme(app % 2 ? schema::Programme::LUM : schema::Programme::MUL);
      a.initUnits(1).set(0, "farsta");
      a.setProjectId("p-" + app_id);
      a.setTitle("Utvecklingsprojekt " + app_id);
      a.setAmountOre(100'000 + random() % 10'000'000);
      return Must(b.Sign(unit), "sign apply");
    }
    case 1: {
      auto d = b.body().initDecide();
      d.setApplicationId(app_id);
      d.setGrantedOre(random() % 5'000'000);
      d.setReason("Beviljas.");
      return Must(b.Sign(board), "sign decide");
    }
    default: {
      auto p = b.body().initPay();
      p.setApplicationId(app_id);
      p.setAmountOre(random() % 1'000'000);
      return Must(b.Sign(office), "sign pay");
    }
  }
}

// Events 0..n-1 of the workload, signed beforehand on every core: signing is the clients' cost,
// not the ledger's.
std::vector<SignedEvent> SignWorkload(uint64_t n, const SigningKey& unit, const SigningKey& board,
                                      const SigningKey& office) {
  std::vector<SignedEvent> events(n);
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> signers;
  for (unsigned c = 0; c < cores; ++c) {
    signers.emplace_back([&, c] {
      for (uint64_t i = c; i < n; i += cores) events[i] = MakeEvent(i, unit, board, office);
    });
  }
  for (auto& t : signers) t.join();
  return events;
}

SignedEvent Enroll(const SigningKey& admin, const SigningKey& key, schema::Role role,
                   const char* unit) {
  EventBuilder b(*Date::Parse("2019-01-01"));
  auto k = b.body().initKeyEnroll();
  k.setPublicKey(kj::arrayPtr(key.public_key().data(), key.public_key().size()));
  k.setRole(role);
  if (unit != nullptr) k.initUnits(1).set(0, unit);
  return Must(b.Sign(admin), "sign enroll");
}

// The signature checks of events [begin, end) alone, as AppendBatch's helpers make them (decode,
// find the author's key, verify), without the ledger.
void CheckAlone(const std::vector<SignedEvent>& events, size_t begin, size_t end,
                const std::map<Hash256, SignatureVerifier>& verifiers) {
  for (size_t i = begin; i < end; ++i) {
    const SignedEvent& e = events[i];
    auto decoded = Must(DecodedEvent::Decode(e.event.data(), e.event.size()), "decode");
    auto id = decoded.reader().getAuthorKeyId();
    Hash256 key_id{};
    std::copy(id.begin(), id.end(), key_id.begin());
    if (!verifiers.at(key_id).Verify(e.event.data(), e.event.size(), e.signature.data(),
                                     e.signature.size())) {
      Die("a generated signature does not verify");
    }
  }
}

// Seconds to check `events` alone on `threads` threads (1 or 2), each taking an equal share.
double SecondsToCheckAlone(const std::vector<SignedEvent>& events, unsigned threads,
                           const std::map<Hash256, SignatureVerifier>& verifiers) {
  const auto start = SteadyClock::now();
  if (threads == 1) {
    CheckAlone(events, 0, events.size(), verifiers);
  } else {
    const size_t half = events.size() / 2;
    std::thread other([&] { CheckAlone(events, 0, half, verifiers); });
    CheckAlone(events, half, events.size(), verifiers);
    other.join();
  }
  return Seconds(start);
}

int Generate(const std::string& dir, uint64_t n) {
  auto admin = Must(SigningKey::Generate(), "key");
  auto unit = Must(SigningKey::Generate(), "key");
  auto board = Must(SigningKey::Generate(), "key");
  auto office = Must(SigningKey::Generate(), "key");
  auto ledger = Must(Ledger::Create({.path = dir, .clock = SystemClock()}, "bench.fouledger/sthlm",
                                    admin.public_key()),
                     "create");
  {
    EventBuilder b(*Date::Parse("2019-01-01"));
    auto u = b.body().initUnitAdd();
    u.setUnitId("farsta");
    u.setName("Farsta");
    Must(ledger->Append(Must(b.Sign(admin), "sign unit")), "unit");
  }
  Must(ledger->Append(Enroll(admin, unit, schema::Role::UNIT, "farsta")), "enroll");
  Must(ledger->Append(Enroll(admin, board, schema::Role::BOARD, nullptr)), "enroll");
  Must(ledger->Append(Enroll(admin, office, schema::Role::OFFICE, nullptr)), "enroll");

  auto start = SteadyClock::now();
  const std::vector<SignedEvent> events = SignWorkload(n, unit, board, office);
  Print("sign_events_per_s", static_cast<double>(n) / Seconds(start));

  const uint64_t singles = std::min<uint64_t>(kSingleAppendsMax, n / 10);
  start = SteadyClock::now();
  for (uint64_t i = 0; i < singles; ++i) {
    auto r = ledger->Append(events[i]);
    if (!r.ok()) Die("append " + std::to_string(i) + ": " + r.status().ToString());
  }
  Print("append_single_per_s", static_cast<double>(singles) / Seconds(start));
  // Batches of 1000 in three parts: signatures checked by the writer thread itself
  // (verify_threads 0, the way before 2026-11-30), by one thread ahead of it (the default), by two.
  // Every other batch's signatures are also checked alone, on this thread, just before the batch
  // is appended: the same checks, a moment apart. The CPU of the machines this runs on changes
  // speed by 20 % within seconds, so the ratio reported is the median of these batches' own
  // ratios (append rate ÷ checks-alone rate), which a change of speed between batches does not
  // move. With two verifying threads, those batches are checked alone on two threads as well.
  struct Part {
    const char* name;
    unsigned verify_threads;
    uint64_t appended = 0;
    double append_s = 0;
    double append_cpu_s = 0;  // CPU time of all threads during the appends
    uint64_t checked_alone = 0;
    double alone_s = 0;
    std::vector<double> ratios{};  // per batch checked alone: append rate ÷ checks-alone rate
    // Two verifying threads only: each batch checked alone is also checked alone on two threads,
    // for the machine's own two-core factor and how near the appends come to it.
    uint64_t checked_alone_2threads = 0;
    double alone_2threads_s = 0;
    std::vector<double> two_core_factors{};  // per batch: checks-alone time, 1 thread ÷ 2
    std::vector<double> ratios_2threads{};   // per batch: append rate ÷ 2-thread checks-alone rate
  };
  Part parts[] = {{.name = "append_batch_writer_checks", .verify_threads = 0},
                  {.name = "append_batch", .verify_threads = 1},
                  {.name = "append_batch_2threads", .verify_threads = 2}};
  const std::map<Hash256, SignatureVerifier> verifiers = {
      {unit.key_id(), SignatureVerifier(unit.public_key())},
      {board.key_id(), SignatureVerifier(board.public_key())},
      {office.key_id(), SignatureVerifier(office.public_key())}};
  const uint64_t batches = (n - singles + kBatchEvents - 1) / kBatchEvents;
  for (uint64_t b = 0; b < batches; ++b) {
    const uint64_t i = singles + b * kBatchEvents;
    Part& part = parts[std::min<uint64_t>(2, b * 3 / batches)];
    if (b == 0 || &part != &parts[std::min<uint64_t>(2, (b - 1) * 3 / batches)]) {
      ledger.reset();
      ledger =
          Must(Ledger::Open(
                   {.path = dir, .clock = SystemClock(), .verify_threads = part.verify_threads}),
               "reopen");
    }
    if (i + kBatchEvents >= n) {
      // An auditor's visit before the last batch: `verify-since` starts from this checkpoint.
      std::FILE* f = std::fopen((dir + ".since").c_str(), "w");
      if (f == nullptr) Die("cannot write " + dir + ".since");
      const std::string note = Must(ledger->LatestCheckpoint(), "checkpoint").note;
      std::fwrite(note.data(), 1, note.size(), f);
      std::fclose(f);
    }
    std::vector<SignedEvent> batch(
        events.begin() + static_cast<int64_t>(i),
        events.begin() + static_cast<int64_t>(std::min(n, i + kBatchEvents)));
    const bool check_alone = b % 2 == 0;
    const bool check_alone_2threads = check_alone && part.verify_threads == 2;
    double alone_s = 0;
    double alone_2threads_s = 0;
    if (check_alone) {
      alone_s = SecondsToCheckAlone(batch, 1, verifiers);
      part.alone_s += alone_s;
      part.checked_alone += batch.size();
    }
    if (check_alone_2threads) {
      alone_2threads_s = SecondsToCheckAlone(batch, 2, verifiers);
      part.alone_2threads_s += alone_2threads_s;
      part.checked_alone_2threads += batch.size();
      part.two_core_factors.push_back(alone_s / alone_2threads_s);
    }
    start = SteadyClock::now();
    const double cpu_start = CpuSeconds();
    for (auto& r : ledger->AppendBatch(batch)) {
      if (!r.ok()) Die("batch append: " + r.status().ToString());
    }
    const double append_s = Seconds(start);
    part.append_cpu_s += CpuSeconds() - cpu_start;
    part.append_s += append_s;
    part.appended += batch.size();
    if (check_alone) part.ratios.push_back(alone_s / append_s);
    if (check_alone_2threads) part.ratios_2threads.push_back(alone_2threads_s / append_s);
  }
  const auto median = [](std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  for (Part& part : parts) {
    const double per_s = static_cast<double>(part.appended) / part.append_s;
    const double alone_per_s = static_cast<double>(part.checked_alone) / part.alone_s;
    Print((std::string(part.name) + "_per_s").c_str(), per_s);
    Print((std::string(part.name) + "_checks_alone_per_s").c_str(), alone_per_s);
    Print((std::string(part.name) + "_vs_checks_alone").c_str(), median(part.ratios));
    if (part.checked_alone_2threads > 0) {
      Print((std::string(part.name) + "_checks_alone_2threads_per_s").c_str(),
            static_cast<double>(part.checked_alone_2threads) / part.alone_2threads_s);
      // What two threads of checks alone give here, against one: the machine's own ceiling for
      // the ratio above, which the writer's work and the batch's end keep the appends below.
      Print("checks_alone_2threads_vs_1thread", median(part.two_core_factors));
      Print((std::string(part.name) + "_vs_checks_alone_2threads").c_str(),
            median(part.ratios_2threads));
    }
    // How many cores were busy on average: what the threads left idle (waiting for each other or
    // for the disk) shows here, not in the CPU's speed.
    Print((std::string(part.name) + "_cores_busy").c_str(), part.append_cpu_s / part.append_s);
  }
  Print("entries", static_cast<double>(ledger->size()));
  Print("peak_rss_kb", static_cast<double>(PeakRssKb()));
  return 0;
}

// The storage part of an append alone, for events already verified (no signature check, no
// Authority, no domain rules): what Ledger::AppendBatch does after its checks, step for step with
// the same layout: the client-event-id lookup, the entry bytes, the leaf hash and Merkle nodes,
// the index, one signed checkpoint per batch and one synced WriteBatch.
int Storage(const std::string& dir, uint64_t n) {
  const storage::PerfCountsOff perf_counts_off;  // as Ledger::AppendBatch
  auto unit = Must(SigningKey::Generate(), "key");
  auto board = Must(SigningKey::Generate(), "key");
  auto office = Must(SigningKey::Generate(), "key");
  auto checkpoint_key = Must(SigningKey::Generate(), "key");
  const std::vector<SignedEvent> events = SignWorkload(n, unit, board, office);

  using namespace storage;
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.file_checksum_gen_factory = rocksdb::GetFileChecksumGenCrc32cFactory();
  if (std::getenv("FOULEDGER_BENCH_PLAIN_OPTIONS") == nullptr) SetWriterOptions(&options);
  std::vector<rocksdb::ColumnFamilyDescriptor> d = FamilyDescriptors();
  if (std::getenv("FOULEDGER_BENCH_PLAIN_OPTIONS") != nullptr) {
    for (auto& f : d) f.options = rocksdb::ColumnFamilyOptions();
  }
  std::vector<rocksdb::ColumnFamilyHandle*> h;
  rocksdb::DB* db = nullptr;
  auto s = rocksdb::DB::Open(options, dir, d, &h, &db);
  if (!s.ok()) Die(s.ToString());
  CompactTree tree;
  Hash256 last{};
  const Clock clock = SystemClock();
  const auto start = SteadyClock::now();
  for (uint64_t first = 0; first < n; first += kBatchEvents) {
    rocksdb::WriteBatch batch;
    for (uint64_t i = first; i < std::min(n, first + kBatchEvents); ++i) {
      auto event =
          Must(DecodedEvent::Decode(events[i].event.data(), events[i].event.size()), "decode");
      auto cid = event.reader().getClientEventId();
      const std::string cid_key = ClientIdKey(cid.begin(), cid.size());
      std::string existing;
      if (!db->Get(rocksdb::ReadOptions(), h[2], cid_key, &existing).IsNotFound())
        Die("duplicate client event id");
      const uint64_t seq = tree.size();
      const Bytes entry = EncodeEntry(seq, clock(), last, events[i]);
      const Hash256 leaf = LeafHash(entry);
      batch.Put(h[1], EncodeU64(seq),
                rocksdb::Slice(reinterpret_cast<const char*>(entry.data()), entry.size()));
      batch.Put(h[2], cid_key, EncodeU64(seq));
      tree.Append(leaf, [&](const CompactTree::NewNode& node) {
        batch.Put(h[3], TreeKey(node.id.level, node.id.index),
                  rocksdb::Slice(reinterpret_cast<const char*>(node.hash.data()), 32));
      });
      last = leaf;
    }
    const Checkpoint cp =
        SignCheckpoint("bench.fouledger/sthlm", tree.size(), tree.Root(), checkpoint_key);
    batch.Put(h[4], EncodeU64(tree.size()), cp.note);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = db->Write(wo, &batch);
    if (!s.ok()) Die(s.ToString());
  }
  Print("storage_per_s", static_cast<double>(n) / Seconds(start));
  for (auto* x : h) db->DestroyColumnFamilyHandle(x);
  delete db;
  Print("peak_rss_kb", static_cast<double>(PeakRssKb()));
  return 0;
}

// The seconds to open DIR from its snapshot, which must cover `entries`, with an Engine.
double SecondsToOpenFromSnapshot(const std::string& dir, uint64_t entries) {
  projections::Engine engine;
  const auto start = SteadyClock::now();
  auto ledger =
      Must(Ledger::Open({.path = dir, .clock = SystemClock(), .validator = &engine}), "open");
  const double s = Seconds(start);
  if (ledger->opened_from() != entries) Die("the open did not use the snapshot");
  return s;
}

// `ledger_bench open DIR ENTRIES`: one such open, run by Replay in a process of its own.
int Open(const std::string& dir, uint64_t entries) {
  Print("open_s", SecondsToOpenFromSnapshot(dir, entries));
  return 0;
}

// The least of kTimingRuns timings: this machine's figures move by a third between runs.
template <typename Timed>
double BestOf(Timed seconds) {
  double best = seconds();
  for (int run = 1; run < kTimingRuns; ++run) best = std::min(best, seconds());
  return best;
}

// The seconds `ledger_bench open` took in a new process (this executable again).
double OpenInAFreshProcess(const std::string& dir, uint64_t entries) {
  // Resolved here: in the shell that popen starts, /proc/self/exe is the shell.
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::string command =
      "'" + self + "' open '" + dir + "' " + std::to_string(entries) + " 2>&1";
  std::FILE* child = popen(command.c_str(), "r");
  if (child == nullptr) Die("cannot run " + command);
  char line[256];
  double s = -1;
  while (std::fgets(line, sizeof line, child) != nullptr) {
    if (std::sscanf(line, "open_s %lf", &s) != 1) std::fputs(line, stderr);
  }
  if (pclose(child) != 0 || s < 0) Die("the open in a fresh process failed: " + command);
  return s;
}

int Replay(const std::string& dir) {
  // Raw: RocksDB iterating the entries column family, touching every value byte once.
  uint64_t raw_entries = 0;
  double raw_s = 0;
  {
    rocksdb::ColumnFamilyOptions cf;
    std::vector<rocksdb::ColumnFamilyDescriptor> d = {
        {"default", cf}, {"entries", cf}, {"index", cf}, {"tree", cf}, {"checkpoints", cf}};
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    auto s = rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir + "/db", d, &handles, &raw);
    if (!s.ok()) Die(s.ToString());
    uint64_t sum = 0;
    raw_s = BestOf([&] {
      const auto start = SteadyClock::now();
      std::unique_ptr<rocksdb::Iterator> it(raw->NewIterator(rocksdb::ReadOptions(), handles[1]));
      raw_entries = 0;
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        const rocksdb::Slice v = it->value();
        for (size_t i = 0; i < v.size(); i += 64) sum += static_cast<uint8_t>(v[i]);
        ++raw_entries;
      }
      return Seconds(start);
    });
    if (sum == 42) std::fprintf(stderr, " ");  // keep the loop
    for (auto* h : handles) raw->DestroyColumnFamilyHandle(h);
    delete raw;
  }
  Print("raw_iteration_per_s", static_cast<double>(raw_entries) / raw_s);
  // Replay: Ledger::Open decodes every entry into the Authority and the projections Engine (no
  // snapshot: every entry, the "before").
  auto engine = std::make_unique<projections::Engine>();
  const auto start = SteadyClock::now();
  auto ledger = Must(
      Ledger::Open(
          {.path = dir, .clock = SystemClock(), .validator = engine.get(), .use_snapshot = false}),
      "open");
  const double replay_s = Seconds(start);
  Print("replay_per_s", static_cast<double>(ledger->size()) / replay_s);
  Print("replay_vs_raw", replay_s / raw_s);
  // The "after": save a snapshot, then open from it (its state loaded, nothing left to replay).
  {
    const auto save_start = SteadyClock::now();
    Status saved = ledger->SaveSnapshot();
    if (!saved.ok()) Die(saved.ToString());
    Print("snapshot_save_ms", Seconds(save_start) * 1000);
    std::error_code ec;
    Print("snapshot_bytes", static_cast<double>(std::filesystem::file_size(dir + "/snapshot", ec)));
    const uint64_t entries = ledger->size();
    ledger.reset();
    engine.reset();
    // Each open in a process of its own (`ledger_bench open`), as `fouledger budget` opens the
    // ledger: in this process the heap the replay freed is reused, its pages already in place,
    // and the opens were a third to half faster than any command's (reported beside it).
    const double open_s = BestOf([&] { return OpenInAFreshProcess(dir, entries); });
    Print("snapshot_open_per_s", static_cast<double>(entries) / open_s);
    Print("snapshot_open_vs_raw", open_s / raw_s);
    const double warm_s = BestOf([&] { return SecondsToOpenFromSnapshot(dir, entries); });
    Print("snapshot_open_same_process_per_s", static_cast<double>(entries) / warm_s);
    // Where the open's time goes, each part alone on one thread: reading and checking the file,
    // its SHA-256 alone, then loading each state.
    auto part = SteadyClock::now();
    auto read = Must(ReadSnapshot(dir), "read the snapshot");
    if (!read) Die("no snapshot");
    Print("snapshot_part_read_ms", Seconds(part) * 1000);
    part = SteadyClock::now();
    (void)Sha256(read->validator_state);  // OpenSSL's: not optimized away
    Print("snapshot_part_sha256_of_engine_state_ms", Seconds(part) * 1000);
    part = SteadyClock::now();
    Authority authority;
    if (!authority.LoadState(read->authority_state, entries).ok()) Die("authority state");
    Print("snapshot_part_authority_ms", Seconds(part) * 1000);
    part = SteadyClock::now();
    projections::Engine engine_alone;
    if (!engine_alone.LoadState(read->validator_state, entries).ok()) Die("engine state");
    Print("snapshot_part_engine_ms", Seconds(part) * 1000);
    std::filesystem::remove(dir + "/snapshot", ec);  // the later modes measure without it
    ledger =
        Must(Ledger::Open({.path = dir, .clock = SystemClock(), .use_snapshot = false}), "open");
  }
  // Where the replay time goes: decoding alone (ForEachEntry), then the Authority alone.
  auto decode_start = SteadyClock::now();
  Status st = ledger->ForEachEntry(0, ledger->size(), [](const DecodedEntry&) { return Status(); });
  if (!st.ok()) Die(st.ToString());
  Print("decode_per_s", static_cast<double>(ledger->size()) / Seconds(decode_start));
  ledger.reset();
  decode_start = SteadyClock::now();
  auto plain =
      Must(Ledger::Open({.path = dir, .clock = SystemClock(), .use_snapshot = false}), "open");
  Print("open_without_projections_per_s",
        static_cast<double>(plain->size()) / Seconds(decode_start));
  Print("peak_rss_kb", static_cast<double>(PeakRssKb()));
  return 0;
}

// A budget query (Engine::BudgetAt, what `fouledger budget` and GET /v1/budget run) at random
// as-of dates and known-at times; then the whole State (Engine::At, which the budget query used
// before) at the same points, for the before/after.
int Query(const std::string& dir, int queries) {
  projections::Engine engine;
  auto ledger =
      Must(Ledger::Open({.path = dir, .clock = SystemClock(), .validator = &engine}), "open");
  const Instant first = Must(ledger->ReadEntry(0), "entry 0").recorded_at();
  const Instant last = Must(ledger->ReadEntry(ledger->size() - 1), "last entry").recorded_at();
  std::mt19937_64 random(7);
  std::vector<projections::QueryTime> points;
  for (int q = 0; q < queries; ++q) {
    projections::QueryTime t;
    t.as_of = RandomDate(random);
    const int64_t span = std::max<int64_t>(1, last.micros - first.micros);
    t.known_at = Instant{first.micros + static_cast<int64_t>(static_cast<uint64_t>(random()) %
                                                             static_cast<uint64_t>(span))};
    points.push_back(t);
  }
  // p99 of fewer than 100 figures is their maximum.
  auto percentiles = [](std::vector<double> ms, const char* p50, const char* p99) {
    std::sort(ms.begin(), ms.end());
    Print(p50, ms[ms.size() / 2]);
    Print(p99, ms[ms.size() * 99 / 100]);
  };
  // First every point as a budget query alone: what a controller's or an auditor's page asks.
  std::vector<double> budget_ms;
  std::vector<std::optional<projections::Budget>> budgets;
  for (const auto& t : points) {
    const auto start = SteadyClock::now();
    budgets.push_back(engine.BudgetAt(2021, projections::Programme::kLum, t));
    budget_ms.push_back(Seconds(start) * 1000);
  }
  // Then every tenth point through the whole State (Engine::At, the way before BudgetAt), which
  // must give the same figures, and a budget query right after it: the State touches most of the
  // Engine's memory and frees hundreds of MB, so that query finds little of its year in the
  // caches.
  std::vector<double> state_ms, after_state_ms;
  int mismatches = 0;
  for (size_t q = 0; q < points.size(); q += 10) {
    auto start = SteadyClock::now();
    {
      const projections::State state = engine.At(points[q]);
      const auto* whole = state.FindBudget(2021, projections::Programme::kLum);
      state_ms.push_back(Seconds(start) * 1000);
      const auto& budget = budgets[q];
      if ((whole == nullptr) != !budget.has_value() ||
          (whole && (whole->granted != budget->granted || whole->paid != budget->paid ||
                     whole->applications != budget->applications))) {
        ++mismatches;
      }
    }  // the State is freed, as a server frees one request's before the next
    const size_t next = std::min(points.size() - 1, q + 1);
    start = SteadyClock::now();
    (void)engine.BudgetAt(2021, projections::Programme::kLum, points[next]);
    after_state_ms.push_back(Seconds(start) * 1000);
  }
  if (mismatches > 0) Die(std::to_string(mismatches) + " budget queries differ from Engine::At");
  // The first query of a year also lays out what the fold reads of its records (Engine::BudgetAt).
  Print("query_first_ms", budget_ms.front());
  percentiles(budget_ms, "query_p50_ms", "query_p99_ms");
  percentiles(after_state_ms, "query_after_state_p50_ms", "query_after_state_max_ms");
  percentiles(state_ms, "state_query_p50_ms", "state_query_p99_ms");
  Print("peak_rss_kb", static_cast<double>(PeakRssKb()));
  return 0;
}

int Verify(const std::string& dir, unsigned threads, bool since) {
  VerifyOptions options;
  options.threads = threads;
  if (since) {
    std::FILE* f = std::fopen((dir + ".since").c_str(), "r");
    if (f == nullptr) Die("no " + dir + ".since (run generate first)");
    char buffer[4096];
    const size_t got = std::fread(buffer, 1, sizeof buffer, f);
    std::fclose(f);
    options.since_checkpoint_note.assign(buffer, got);
  }
  const auto start = SteadyClock::now();
  auto report = Must(VerifyLedger(dir, options), "verify");
  if (since) {
    Print("verify_since_new_entries", static_cast<double>(report.entries - report.since));
    Print("verify_since_prefix_entries_read", static_cast<double>(report.prefix_entries_read));
  }
  const double s = Seconds(start);
  if (!report.ok()) Die("verify: " + report.first_problem);
  Print("verify_per_s", static_cast<double>(report.entries) / s);
  Print("verify_s", s);
  Print("peak_rss_kb", static_cast<double>(PeakRssKb()));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "generate" && argc == 4) return Generate(argv[2], std::stoull(argv[3]));
  if (mode == "replay" && argc == 3) return Replay(argv[2]);
  if (mode == "open" && argc == 4) return Open(argv[2], std::stoull(argv[3]));
  if (mode == "storage" && argc == 4) return Storage(argv[2], std::stoull(argv[3]));
  if (mode == "query" && argc == 4) return Query(argv[2], std::stoi(argv[3]));
  if (mode == "verify" && argc == 4) {
    return Verify(argv[2], static_cast<unsigned>(std::stoul(argv[3])), false);
  }
  if (mode == "verify-since" && argc == 4) {
    return Verify(argv[2], static_cast<unsigned>(std::stoul(argv[3])), true);
  }
  std::fprintf(stderr,
               "usage: ledger_bench generate DIR N | storage DIR N | replay DIR | open DIR N | "
               "query DIR Q | "
               "verify DIR THREADS | verify-since DIR THREADS\n");
  return 2;
}
