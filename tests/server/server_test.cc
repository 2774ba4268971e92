// The server over loopback: concurrent appends with group commit, idempotent retries, refusals
// (each with its 4xx and nothing appended), signed reads and replays, proofs, TLS, graceful stop.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "ledger/checkpoint.h"
#include "ledger/merkle.h"
#include "ledger/proof_json.h"
#include "ledger/verify.h"
#include "reports.h"
#include "server_fixture.h"

namespace fouledger::testing {
namespace {

using nlohmann::json;

TEST(ServerTest, ConcurrentAppendsAreEachWrittenOnceAndVerify) {
  constexpr int kClients = 16;
  constexpr int kAppendsPerClient = 500;
  ServedLedger s;
  s.Start();
  const uint64_t size_before = s.f.ledger->size();

  struct Acked {
    uint64_t seq;
    Bytes event;
  };
  std::vector<std::vector<Acked>> acked(kClients);
  std::atomic<int> failures{0};
  std::atomic<bool> appending{true};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      auto client = s.Client();
      for (int i = 0; i < kAppendsPerClient; ++i) {
        const SignedEvent e = UnitAdd(s.f.admin, "c" + std::to_string(c) + "-" + std::to_string(i));
        if (i % 50 == 0) {
          // A forged signature among the rest: a network thread finds it bad, the writer checks
          // it again and refuses it, and nothing is written.
          SignedEvent forged = e;
          forged.signature[5] ^= 0x10;
          auto refused = client->Request("POST", "/v1/entries", cli::AppendBody(forged), {});
          if (!refused.ok() || refused->status != 401 ||
              Json(*refused)["message"].get<std::string>().find(
                  "signature does not verify with author key " +
                  ToHex(s.f.admin.key_id().data(), 8)) == std::string::npos) {
            ++failures;
          }
        }
        auto reply = client->Request("POST", "/v1/entries", cli::AppendBody(e), {});
        if (!reply.ok() || reply->status != 201) {
          ++failures;
          continue;
        }
        acked[c].push_back({Json(*reply)["seq"].get<uint64_t>(), e.event});
      }
    });
  }
  // A reader asks for the budget all along: queries and the writer share the engine safely.
  int reads = 0;
  std::thread reader([&] {
    auto client = s.Client();
    while (appending.load()) {
      const std::string target = "/v1/eligibility?year=2021";
      auto r =
          client->Request("GET", target, "",
                          server::SignRequest(s.f.controller, SystemClock()(), "GET", target, ""));
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      ASSERT_EQ(r->status, 200) << r->body;
      ++reads;
    }
  });
  for (auto& t : clients) t.join();
  appending.store(false);
  reader.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(reads, 0);

  const server::ServerStats stats = s.server->stats();
  EXPECT_EQ(stats.appends_written, uint64_t{kClients * kAppendsPerClient});
  // Group commit: concurrent appends shared synced batches.
  EXPECT_GT(stats.largest_batch, 1u);
  EXPECT_LT(stats.batches, stats.appends_written);
  // And the network threads checked signatures while the writer wrote.
  EXPECT_GT(stats.checked_ahead, 0u);
  EXPECT_LE(stats.checked_ahead, stats.appends_written);
  std::printf("[ ahead    ] %llu of %llu appends checked by a network thread\n",
              static_cast<unsigned long long>(stats.checked_ahead),
              static_cast<unsigned long long>(stats.appends_written));
  s.Stop();

  // Every acknowledged event is in the ledger exactly once, at the seq it was given.
  ASSERT_EQ(s.f.ledger->size(), size_before + kClients * kAppendsPerClient);
  std::set<uint64_t> seqs;
  for (const auto& list : acked) {
    for (const auto& a : list) {
      EXPECT_TRUE(seqs.insert(a.seq).second) << "seq " << a.seq << " acknowledged twice";
      auto entry = s.f.ledger->ReadEntry(a.seq);
      ASSERT_TRUE(entry.ok());
      EXPECT_TRUE(std::ranges::equal(entry->event().bytes(), a.event));
    }
  }
  EXPECT_EQ(seqs.size(), size_t{kClients * kAppendsPerClient});
  s.f.ledger.reset();
  auto report = VerifyLedger(s.f.LedgerPath());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok()) << report->first_problem;
  EXPECT_EQ(report->entries, size_before + kClients * kAppendsPerClient);
}

TEST(ServerTest, RetriedAppendReturnsTheOriginalEntry) {
  ServedLedger s;
  s.Start();
  auto client = s.Client();
  const SignedEvent e = UnitAdd(s.f.admin, "retry");
  const cli::HttpReply first = Post(*client, e);
  ASSERT_EQ(first.status, 201) << first.body;
  const uint64_t size = s.f.ledger->size();
  const cli::HttpReply again = Post(*client, e);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Json(again)["seq"], Json(first)["seq"]);
  EXPECT_EQ(Json(again)["leafHash"], Json(first)["leafHash"]);
  EXPECT_TRUE(Json(again)["duplicate"].get<bool>());
  EXPECT_FALSE(Json(first)["duplicate"].get<bool>());
  EXPECT_EQ(s.f.ledger->size(), size);

  // Retries racing each other (a client that timed out while its first try was still queued):
  // one entry, every answer names it.
  const SignedEvent raced = UnitAdd(s.f.admin, "raced");
  std::vector<json> answers(6);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < answers.size(); ++i) {
    threads.emplace_back([&, i] {
      auto c = s.Client();
      answers[i] = Json(Post(*c, raced));
    });
  }
  for (auto& t : threads) t.join();
  int originals = 0;
  for (const auto& a : answers) {
    ASSERT_TRUE(a.contains("seq")) << a.dump();
    EXPECT_EQ(a["seq"], answers[0]["seq"]);
    originals += !a["duplicate"].get<bool>();
  }
  EXPECT_EQ(originals, 1);
  EXPECT_EQ(s.f.ledger->size(), size + 1);

  // The same client event id on different bytes is a conflict, not a retry.
  EventBuilder b(D("2021-01-01"));
  auto u = b.body().initUnitAdd();
  u.setUnitId("retry-other");
  u.setName("Annan");
  // Keep the decoded event alive while its reader is used.
  const auto decoded = DecodedEvent::Decode(e.event.data(), e.event.size());
  ASSERT_TRUE(decoded.ok());
  auto id = decoded->reader().getClientEventId();
  b.SetClientEventId(Bytes(id.begin(), id.end()));
  const cli::HttpReply conflict = Post(*client, b.Sign(s.f.admin).value());
  EXPECT_EQ(conflict.status, 409) << conflict.body;
  EXPECT_EQ(s.f.ledger->size(), size + 1);
}

TEST(ServerTest, BadAppendsAreRefusedWithTheirStatusAndNothingAppended) {
  ServedLedger s;
  s.Start();
  auto client = s.Client();
  // A key enrolled and then revoked.
  SigningKey gone = SigningKey::Generate().value();
  s.f.MustAppend(s.f.Enroll(s.f.admin, gone, schema::Role::ADMIN));
  {
    EventBuilder b(D("2021-01-02"));
    auto r = b.body().initKeyRevoke();
    r.setKeyId(kj::arrayPtr(gone.key_id().data(), gone.key_id().size()));
    r.setReason("lämnat");
    s.f.MustAppend(b.Sign(s.f.admin).value());
  }
  const uint64_t size = s.f.ledger->size();

  auto post_body = [&](const std::string& body) {
    auto r = client->Request("POST", "/v1/entries", body, {});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : cli::HttpReply{};
  };
  const SignedEvent good = UnitAdd(s.f.admin, "ok");
  const std::string event_b64 = Base64Encode(good.event);

  // Unsigned.
  EXPECT_EQ(post_body(json{{"event", event_b64}}.dump()).status, 401);
  // Wrongly signed: someone else's signature on the admin's event.
  SignedEvent forged = good;
  forged.signature = s.f.office.Sign(good.event.data(), good.event.size());
  cli::HttpReply r = Post(*client, forged);
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_NE(Json(r)["message"].get<std::string>().find("signature does not verify"),
            std::string::npos);
  // A key never enrolled.
  SigningKey stranger = SigningKey::Generate().value();
  EXPECT_EQ(Post(*client, UnitAdd(stranger, "x")).status, 401);
  // A revoked key.
  r = Post(*client, UnitAdd(gone, "y"));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(Json(r)["message"].get<std::string>().find("revoked"), std::string::npos);
  // A role that may not write this kind.
  EXPECT_EQ(Post(*client, UnitAdd(s.f.farsta, "z")).status, 403);
  // A domain rule: an application for a year that is not open.
  r = Post(*client, s.f.Apply(s.f.farsta, "2021-LUM-01", "farsta", Kr(100000)));
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(Json(r)["error"], "refused");
  // Malformed: not JSON, bad base64, bytes that are no event, an unknown field.
  EXPECT_EQ(post_body("{not json").status, 400);
  EXPECT_EQ(
      post_body(json{{"event", "!!!"}, {"signature", Base64Encode(good.signature)}}.dump()).status,
      400);
  EXPECT_EQ(post_body(json{{"event", Base64Encode(Bytes(64, 7))},
                           {"signature", Base64Encode(good.signature)}}
                          .dump())
                .status,
            400);
  EXPECT_EQ(
      post_body(
          json{{"event", event_b64}, {"signature", Base64Encode(good.signature)}, {"extra", 1}}
              .dump())
          .status,
      400);
  // Oversized: refused from its Content-Length, before the body is read.
  std::string raw = RawExchange(s.server->port(),
                                "POST /v1/entries HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                                    std::to_string(server::kRequestBodyBytesMax + 1) + "\r\n\r\n");
  EXPECT_EQ(StatusOf(raw), 413) << raw;
  // Headers too large.
  raw = RawExchange(s.server->port(), "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Pad: " +
                                          std::string(server::kHeaderBytesMax, 'a') + "\r\n\r\n");
  EXPECT_EQ(StatusOf(raw), 431) << raw.substr(0, 200);
  // Not HTTP at all.
  raw = RawExchange(s.server->port(), "HELLO THERE\r\n\r\n");
  EXPECT_EQ(StatusOf(raw), 400) << raw;

  EXPECT_EQ(s.f.ledger->size(), size);
  // The good event still goes in: refusals left no trace behind.
  EXPECT_EQ(Post(*client, good).status, 201);
  EXPECT_EQ(s.f.ledger->size(), size + 1);
  // The log has one line per request, with the key id, and no key material or bodies.
  std::lock_guard lock(s.log_mutex);
  ASSERT_FALSE(s.log.empty());
  bool saw_admin = false;
  for (const auto& line : s.log) {
    EXPECT_EQ(line.find(event_b64.substr(0, 24)), std::string::npos) << line;
    saw_admin |= line.find("POST /v1/entries 201") != std::string::npos &&
                 line.find("key=" + ToHex(s.f.admin.key_id().data(), 8)) != std::string::npos;
  }
  EXPECT_TRUE(saw_admin);
}

TEST(ServerTest, SlowClientIsCutOffWith408) {
  ServedLedger s;
  server::ServerOptions options;
  options.request_timeout = std::chrono::milliseconds(700);
  s.Start(options);
  const int fd_port = s.server->port();
  // A slowloris client: the request line, then one header byte now and then, never the end.
  std::atomic<int> status{0};
  const auto start = std::chrono::steady_clock::now();
  std::thread slow([&] {
    std::string raw = RawExchange(static_cast<uint16_t>(fd_port),
                                  "POST /v1/entries HTTP/1.1\r\nHost: x\r\nX-Slow: a",
                                  std::chrono::milliseconds(4000));
    status = StatusOf(raw);
  });
  slow.join();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(status.load(), 408);
  EXPECT_LT(elapsed, std::chrono::milliseconds(3500));  // cut off, not waited out
  // Meanwhile the server serves others.
  auto client = s.Client();
  EXPECT_EQ(Post(*client, UnitAdd(s.f.admin, "after-slow")).status, 201);
}

TEST(ServerTest, ReadsMustBeSignedByAnEnrolledKeyAndCannotBeReplayed) {
  ServedLedger s;
  s.Start();
  auto client = s.Client();
  const std::string target = "/v1/budget?year=2021&as_of=2021-06-07&known_at=2021-07-01";

  // Unsigned.
  auto r = client->Request("GET", target, "", {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);
  // Health needs no signature (for load balancers and systemd).
  r = client->Request("GET", "/v1/health", "", {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);

  // Signed by the controller: the same bytes the CLI renders locally.
  const auto headers = server::SignRequest(s.f.controller, SystemClock()(), "GET", target, "");
  r = client->Request("GET", target, "", headers);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  std::ostringstream local;
  // Rendered here from the whole State (Engine::At), where the server folds the year alone
  // (Engine::BudgetAt): the two must agree.
  const projections::QueryTime when{D("2021-06-07"), Instant::Parse("2021-07-01").value()};
  const projections::State state = s.engine.At(when);
  auto budget = [&](projections::Programme p) {
    projections::Budget b;  // zeros where the State has no budget for the year
    if (const auto* found = state.FindBudget(2021, p)) b = *found;
    b.year = 2021;
    b.programme = p;
    return b;
  };
  cli::WriteBudget({budget(projections::Programme::kLum), budget(projections::Programme::kMul)},
                   when, 2021, cli::OutputFormat::kJson, local);
  EXPECT_EQ(r->body, local.str());
  EXPECT_EQ(Json(*r).size(), 2u);  // LUM and MUL

  // The very same request again: a replay.
  r = client->Request("GET", target, "", headers);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);
  EXPECT_NE(r->body.find("replayed"), std::string::npos) << r->body;

  // A signature for one request does not cover another.
  auto moved = server::SignRequest(s.f.controller, SystemClock()(), "GET", target, "");
  r = client->Request("GET", "/v1/budget?year=2022", "", moved);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);
  // Too old a timestamp.
  auto stale = server::SignRequest(s.f.controller, Instant{SystemClock()().micros - 600'000'000},
                                   "GET", target, "");
  r = client->Request("GET", target, "", stale);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);
  EXPECT_NE(r->body.find("from the server's clock"), std::string::npos) << r->body;
  // A key not enrolled.
  SigningKey stranger = SigningKey::Generate().value();
  r = client->Request("GET", target, "",
                      server::SignRequest(stranger, SystemClock()(), "GET", target, ""));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);
  // CSV for Excel, as the CLI writes it.
  const std::string csv_target = "/v1/budget?year=2021&format=csv";
  r = client->Request("GET", csv_target, "",
                      server::SignRequest(s.f.office, SystemClock()(), "GET", csv_target, ""));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(r->body.rfind("\xEF\xBB\xBF", 0), 0u);  // the BOM Excel needs
  // A misspelt parameter is refused rather than silently meaning "now".
  EXPECT_EQ(s.SignedGet(s.f.office, "/v1/budget?year=2021&asof=2021-01-01").status, 400);
  EXPECT_EQ(s.SignedGet(s.f.office, "/v1/grants/2099-LUM-01").status, 404);
  EXPECT_EQ(s.SignedGet(s.f.office, "/v1/nothing").status, 404);
}

TEST(ServerTest, EntriesCheckpointAndProofsCheckOut) {
  ServedLedger s;
  s.Start();
  auto client = s.Client();
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(Post(*client, UnitAdd(s.f.admin, "p" + std::to_string(i))).status, 201);
  const uint64_t size = s.f.ledger->size();

  cli::HttpReply r = s.SignedGet(s.f.controller, "/v1/entries?from=2&limit=3");
  ASSERT_EQ(r.status, 200) << r.body;
  json page = Json(r);
  ASSERT_EQ(page["entries"].size(), 3u);
  EXPECT_EQ(page["next"], 5);
  EXPECT_EQ(page["size"], size);
  for (const auto& e : page["entries"]) {
    const Bytes bytes = Base64Decode(e["entry"].get<std::string>()).value();
    EXPECT_EQ(ToHex(LeafHash(bytes)), e["leafHash"]);
    EXPECT_EQ(bytes, s.f.ledger->ReadEntryBytes(e["seq"].get<uint64_t>()).value());
  }

  r = s.SignedGet(s.f.controller, "/v1/checkpoint");
  ASSERT_EQ(r.status, 200);
  auto cp = ParseCheckpoint(Json(r)["note"].get<std::string>(),
                            s.f.ledger->authority().checkpoint_public_key());
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_EQ(cp->size, size);

  r = s.SignedGet(s.f.controller, "/v1/proofs/inclusion?seq=3");
  ASSERT_EQ(r.status, 200) << r.body;
  std::string kind;
  EXPECT_TRUE(VerifyProofJson(r.body, &kind).ok());
  EXPECT_EQ(kind, "inclusion");
  r = s.SignedGet(s.f.controller, "/v1/proofs/consistency?size1=4&size2=" + std::to_string(size));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(VerifyProofJson(r.body, &kind).ok());
  EXPECT_EQ(kind, "consistency");
  EXPECT_EQ(s.SignedGet(s.f.controller, "/v1/proofs/inclusion?seq=" + std::to_string(size)).status,
            400);
}

TEST(ServerTest, StopAnswersEveryQueuedAppendAndLosesNoAcknowledgedOne) {
  ServedLedger s;
  s.Start();
  constexpr int kClients = 8;
  std::vector<std::vector<uint64_t>> acked(kClients);
  std::vector<std::vector<Bytes>> acked_events(kClients);
  std::atomic<int> started{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      auto client = s.Client();
      for (int i = 0; i < 10'000; ++i) {
        const SignedEvent e = UnitAdd(s.f.admin, "s" + std::to_string(c) + "-" + std::to_string(i));
        auto reply = client->Request("POST", "/v1/entries", cli::AppendBody(e), {});
        ++started;
        if (!reply.ok() || reply->status == 503) return;  // the server is stopping
        ASSERT_EQ(reply->status, 201) << reply->body;
        acked[c].push_back(Json(*reply)["seq"].get<uint64_t>());
        acked_events[c].push_back(e.event);
      }
    });
  }
  while (started.load() < 200) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  s.server->Stop();
  for (auto& t : clients) t.join();
  s.server.reset();
  // Reopen from disk: what was acknowledged survived.
  s.f.ledger.reset();
  auto reopened = Ledger::Open(s.f.Options());
  ASSERT_TRUE(reopened.ok());
  size_t total = 0;
  for (int c = 0; c < kClients; ++c) {
    for (size_t i = 0; i < acked[c].size(); ++i, ++total) {
      auto entry = (*reopened)->ReadEntry(acked[c][i]);
      ASSERT_TRUE(entry.ok()) << entry.status().ToString();
      EXPECT_TRUE(std::ranges::equal(entry->event().bytes(), acked_events[c][i]));
    }
  }
  EXPECT_GT(total, 0u);
}

// --- TLS -------------------------------------------------------------------------------------

struct TestCertificate {
  TempDir dir;
  std::string cert = dir.Sub("cert.pem");
  std::string key = dir.Sub("key.pem");
  TestCertificate() {
    const std::string cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
        "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " +
        key + " -out " + cert + " 2>/dev/null";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
};

TEST(ServerTest, TlsServesThoseWhoTrustItsCertificate) {
  TestCertificate tls;
  ServedLedger s;
  server::ServerOptions options;
  options.tls_cert_path = tls.cert;
  options.tls_key_path = tls.key;
  s.Start(options);
  ASSERT_TRUE(s.server->tls());
  auto client = s.Client(tls.cert);
  const cli::HttpReply r = Post(*client, UnitAdd(s.f.admin, "tls"));
  EXPECT_EQ(r.status, 201) << r.body;
  auto reply = client->Request(
      "GET", "/v1/budget?year=2021", "",
      server::SignRequest(s.f.controller, SystemClock()(), "GET", "/v1/budget?year=2021", ""));
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 200);

  // A client that does not trust the certificate does not talk to it.
  auto untrusting = cli::HttpClient::Create(s.Url(), "", std::chrono::seconds(5));
  ASSERT_TRUE(untrusting.ok());
  auto refused = (*untrusting)->Request("GET", "/v1/health", "", {});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("TLS handshake"), std::string::npos);
  // Plain HTTP to a TLS port gets nothing it could mistake for an answer.
  EXPECT_EQ(StatusOf(RawExchange(s.server->port(), "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n",
                                 std::chrono::milliseconds(1000))),
            0);
}

TEST(ServerTest, PlainHttpOnlyOnLoopback) {
  LedgerFixture f;
  projections::Engine engine;
  f.SetUp(&engine);
  server::ServerOptions options;
  options.listen = "0.0.0.0:0";
  auto s = server::Server::Start(f.ledger.get(), &engine, options);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("only on loopback"), std::string::npos);
  options.listen = "127.0.0.1:0";
  options.tls_cert_path = "/nonexistent.pem";
  s = server::Server::Start(f.ledger.get(), &engine, options);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("--tls-key"), std::string::npos);
}

}  // namespace
}  // namespace fouledger::testing
