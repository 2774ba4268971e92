// server_bench: appends per second over loopback HTTP (fouledger serve's API, group commit)
// against appends straight to the library, on the same machine, with the same pre-signed events.
// Output: one "name value" line per figure; the numbers in docs/performance.md ("## Server").
//
//   server_bench DIR N     N appends each way; over HTTP with 1, 4 and 16 concurrent clients
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "client.h"  // cli/client.h: the CLI's own HTTP client
#include "ledger/ledger.h"
#include "projections/engine.h"
#include "server/server.h"

namespace {

using namespace fouledger;
using SteadyClock = std::chrono::steady_clock;

double Seconds(SteadyClock::time_point since) {
  return std::chrono::duration<double>(SteadyClock::now() - since).count();
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "server_bench: %s\n", what.c_str());
  std::exit(3);
}

struct Fixture {
  projections::Engine engine;
  std::unique_ptr<Ledger> ledger;
  Fixture(const std::string& dir, const SigningKey& admin) {
    LedgerOptions o;
    o.path = dir;
    o.clock = SystemClock();
    o.validator = &engine;
    auto l = Ledger::Create(o, "bench.example/fou", admin.public_key());
    if (!l.ok()) Die(l.status().ToString());
    ledger = std::move(l).value();
  }
};

std::vector<SignedEvent> Events(const SigningKey& admin, size_t n, const std::string& tag) {
  std::vector<SignedEvent> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    EventBuilder b(Date::Parse("2021-01-01").value());
    auto u = b.body().initUnitAdd();
    u.setUnitId(tag + std::to_string(i));
    u.setName("Enhet " + std::to_string(i));
    auto e = b.Sign(admin);
    if (!e.ok()) Die(e.status().ToString());
    out.push_back(std::move(e).value());
  }
  return out;
}

void Print(const std::string& name, double value) { std::printf("%s %.6g\n", name.c_str(), value); }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) Die("usage: server_bench DIR N");
  const std::string dir = argv[1];
  const size_t n = std::stoul(argv[2]);
  std::filesystem::create_directories(dir);
  SigningKey admin = SigningKey::Generate().value();

  // Straight to the library: one synced append per call, the best a lone writer gets. Measured
  // before and after the rest, since the VM's flush path varies with what else runs.
  auto library_single = [&](const std::string& name) {
    Fixture f(dir + "/" + name, admin);
    const auto events = Events(admin, n, "l");
    const auto start = SteadyClock::now();
    for (const auto& e : events) {
      if (!f.ledger->Append(e).ok()) Die("library append refused");
    }
    Print(name + "_per_s", n / Seconds(start));
  };
  library_single("library_single");
  {  // Straight to the library in batches of 16: what group commit of 16 clients could reach.
    Fixture f(dir + "/library16", admin);
    const auto events = Events(admin, n, "b");
    const auto start = SteadyClock::now();
    for (size_t i = 0; i < n; i += 16) {
      std::vector<SignedEvent> batch(events.begin() + i, events.begin() + std::min(n, i + 16));
      for (const auto& r : f.ledger->AppendBatch(batch)) {
        if (!r.ok()) Die("library batch append refused");
      }
    }
    Print("library_batch16_per_s", n / Seconds(start));
  }
  for (int clients : {1, 4, 16}) {
    Fixture f(dir + "/server" + std::to_string(clients), admin);
    server::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.log = [](const std::string&) {};  // the log line costs little, but not nothing
    auto srv = server::Server::Start(f.ledger.get(), &f.engine, options);
    if (!srv.ok()) Die(srv.status().ToString());
    const std::string url = "http://127.0.0.1:" + std::to_string((*srv)->port());
    const auto events = Events(admin, n, "s");
    std::vector<std::vector<double>> latencies(clients);
    std::vector<std::thread> threads;
    const auto start = SteadyClock::now();
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, c] {
        auto client = cli::HttpClient::Create(url, "", std::chrono::seconds(30));
        if (!client.ok()) Die(client.status().ToString());
        for (size_t i = c; i < n; i += clients) {
          const auto t0 = SteadyClock::now();
          auto r = (*client)->Request("POST", "/v1/entries", cli::AppendBody(events[i]), {});
          if (!r.ok() || r->status != 201) Die("append over HTTP failed");
          latencies[c].push_back(Seconds(t0) * 1000);
        }
      });
    }
    for (auto& t : threads) t.join();
    const double per_s = n / Seconds(start);
    const server::ServerStats stats = (*srv)->stats();
    std::vector<double> all;
    for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    const std::string tag = "http_" + std::to_string(clients) + "_clients_";
    Print(tag + "per_s", per_s);
    Print(tag + "p50_ms", all[all.size() / 2]);
    Print(tag + "p99_ms", all[all.size() * 99 / 100]);
    Print(tag + "mean_batch", static_cast<double>(stats.appends_written) / stats.batches);
  }
  library_single("library_single_again");
  std::filesystem::remove_all(dir);
  return 0;
}
