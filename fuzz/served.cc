#include "served.h"

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>

#include "ledger/event.h"
#include "ledger/ledger.h"
#include "projections/engine.h"
#include "server/request_auth.h"

namespace fouledger::fuzz {
namespace {

using server::internal::HttpRequest;
using server::internal::HttpResponse;

// Signed reads between two moves of the clock: the nonces they leave behind stay well under
// server::kNoncesRememberedMax.
constexpr uint64_t kSignedReadsPerClockMove = 50'000;
static_assert(kSignedReadsPerClockMove < server::kNoncesRememberedMax / 2);

std::atomic<int64_t> g_now_micros{0};
std::atomic<uint64_t> g_signed_reads{0};

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "fuzz setup: %s\n", why.c_str());
  std::abort();
}

Date D(const char* text) { return Date::Parse(text).value(); }

struct World {
  std::string dir;
  projections::Engine engine;
  std::unique_ptr<Ledger> ledger;
  std::unique_ptr<server::internal::Service> service;
  SigningKey reader = SigningKey::Generate().value();

  World() {
    std::random_device random;
    dir = (std::filesystem::temp_directory_path() /
           ("fouledger-fuzz-" + std::to_string(random()) + std::to_string(random())))
              .string();
    std::filesystem::create_directories(dir);
    g_now_micros = SystemClock()().micros;
    const Clock clock = [] { return Now(); };

    auto admin = SigningKey::LoadPem(FOULEDGER_FUZZ_DATA "/admin.pem");
    if (!admin.ok()) Die(admin.status().ToString());
    auto board = SigningKey::Generate().value();
    auto farsta = SigningKey::Generate().value();
    auto created = Ledger::Create({.path = dir + "/ledger", .clock = clock, .validator = &engine},
                                  "fouledger.fuzz/stockholm", admin->public_key());
    if (!created.ok()) Die(created.status().ToString());
    ledger = std::move(created).value();

    // A little of everything, so the reports have rows to render.
    auto append = [&](EventBuilder& b, const SigningKey& by) {
      auto signed_event = b.Sign(by);
      if (!signed_event.ok()) Die(signed_event.status().ToString());
      auto outcome = ledger->Append(*signed_event);
      if (!outcome.ok()) Die(outcome.status().ToString());
    };
    auto enroll = [&](const SigningKey& key, schema::Role role, const char* unit) {
      EventBuilder b(D("2020-01-01"));
      auto k = b.body().initKeyEnroll();
      k.setPublicKey(kj::arrayPtr(key.public_key().data(), key.public_key().size()));
      k.setRole(role);
      k.setHolder("fuzz");
      if (unit != nullptr) k.initUnits(1).set(0, unit);
      append(b, *admin);
    };
    {
      EventBuilder b(D("2020-01-01"));
      auto u = b.body().initUnitAdd();
      u.setUnitId("farsta");
      u.setName("Farsta");
      append(b, *admin);
    }
    enroll(board, schema::Role::BOARD, nullptr);
    enroll(reader, schema::Role::CONTROLLER, nullptr);
    enroll(farsta, schema::Role::UNIT, "farsta");
    {
      EventBuilder b(D("2020-04-01"));
      auto y = b.body().initYearOpen();
      y.setYear(2021);
      y.setProgramme(schema::Programme::LUM);
      y.setCapOre(500'000'00);
      y.setMaxPerUnit(2);
      y.setWindowFrom(D("2020-05-04").packed());
      y.setWindowTo(D("2020-09-21").packed());
      y.setNoticeBy(D("2022-03-31").packed());
      append(b, board);
    }
    {
      EventBuilder b(D("2020-12-16"));
      auto a = b.body().initAppropriate();
      a.setYear(2021);
      a.setProgramme(schema::Programme::LUM);
      a.setAmountOre(3'000'000'00);
      a.setCaseNumber("3.2.2-123/2020");
      append(b, board);
    }
    {
      EventBuilder b(D("2020-09-01"));
      auto a = b.body().initApply();
      a.setApplicationId("2021-LUM-01");
      a.setYear(2021);
      a.setProgramme(schema::Programme::LUM);
      a.initUnits(1).set(0, "farsta");
      a.setProjectId("p1");
      a.setTitle("Våga vittna");
      a.setAmountOre(400'000'00);
      append(b, farsta);
    }
    {
      EventBuilder b(D("2020-12-16"));
      auto d = b.body().initDecide();
      d.setApplicationId("2021-LUM-01");
      d.setGrantedOre(300'000'00);
      d.setReason("Delvis");
      append(b, board);
    }
    service = std::make_unique<server::internal::Service>(ledger.get(), &engine, clock);
  }

  ~World() {
    service.reset();  // drains and joins the writer before the ledger closes
    ledger.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

World* g_world = nullptr;

World& TheWorld() {
  if (g_world == nullptr) {
    g_world = new World();
    std::atexit([] {
      delete g_world;
      g_world = nullptr;
    });
  }
  return *g_world;
}

}  // namespace

server::internal::Service& TheService() { return *TheWorld().service; }
const SigningKey& Reader() { return TheWorld().reader; }
Instant Now() { return Instant{g_now_micros.load()}; }

void NoteSignedRead() {
  if (g_signed_reads.fetch_add(1) % kSignedReadsPerClockMove == kSignedReadsPerClockMove - 1) {
    const int64_t window_us =
        std::chrono::duration_cast<std::chrono::microseconds>(server::kClockSkewMax).count();
    g_now_micros.fetch_add(2 * window_us + 1'000'000);
  }
}

HttpResponse Dispatch(const HttpRequest& request) {
  struct Answer {
    std::mutex mutex;
    std::condition_variable cv;
    int calls = 0;
    HttpResponse response;
  };
  auto answer = std::make_shared<Answer>();
  TheService().Handle(request, [answer](HttpResponse r) {
    std::lock_guard lock(answer->mutex);
    if (++answer->calls == 1) answer->response = std::move(r);
    answer->cv.notify_all();
  });
  HttpResponse response;
  {
    std::unique_lock lock(answer->mutex);
    answer->cv.wait(lock, [&] { return answer->calls > 0; });
    response = answer->response;
  }
  if (response.status < 100 || response.status > 599) {
    Fail("status outside 100..599", request, response);
  }
  if (response.content_type == "application/json" &&
      nlohmann::json::parse(response.body, nullptr, false).is_discarded()) {
    Fail("a JSON response whose body is not JSON", request, response);
  }
  // Every response is given before Handle returns (reads, refusals) or by the writer right after
  // the append's batch: by now a second call would have happened.
  {
    std::lock_guard lock(answer->mutex);
    if (answer->calls != 1) Fail("the Service answered more than once", request, response);
  }
  return response;
}

std::string DecodedPath(const std::string& target, bool* ok) {
  auto digit = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  const std::string path = target.substr(0, target.find('?'));
  std::string out;
  *ok = true;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '+') {
      out += ' ';
    } else if (path[i] == '%') {
      const int hi = i + 2 < path.size() ? digit(path[i + 1]) : -1;
      const int lo = i + 2 < path.size() ? digit(path[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        *ok = false;
        return {};
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += path[i];
    }
  }
  return out;
}

void Fail(const std::string& why, const HttpRequest& request, const HttpResponse& response) {
  std::fprintf(stderr, "\n*** %s\n%s %s (%zu body bytes)\n-> %d %s\n%s\n", why.c_str(),
               request.method.c_str(), request.target.substr(0, 200).c_str(), request.body.size(),
               response.status, response.content_type.c_str(),
               response.body.substr(0, 400).c_str());
  std::abort();
}

}  // namespace fouledger::fuzz
