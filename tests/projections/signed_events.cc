#include "signed_events.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "fixture.h"

namespace fouledger::projections::testing {

TempDir::TempDir(const std::string& prefix) {
  std::random_device rd;
  path_ = (std::filesystem::temp_directory_path() /
           (prefix + std::to_string(rd()) + std::to_string(rd())))
              .string();
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

SignedEvent Sign(const SigningKey& key, const std::string& date, const BodyFill& fill,
                 std::optional<uint64_t> corrects) {
  capnp::MallocMessageBuilder message;
  auto e = message.initRoot<schema::Event>();
  const Bytes id = NewClientEventId();
  e.setClientEventId(kj::arrayPtr(id.data(), id.size()));
  e.setEffectiveDate(D(date).packed());
  const Hash256 key_id = key.key_id();
  e.setAuthorKeyId(kj::arrayPtr(key_id.data(), key_id.size()));
  if (corrects) {
    auto c = e.getCorrection().initReplaces();
    c.setSeq(*corrects);
    c.setReason("rättelse");
  } else {
    e.getCorrection().setNone();
  }
  fill(e.getBody());
  auto signed_event = SignEvent(e.asReader(), key);
  EXPECT_TRUE(signed_event.ok()) << signed_event.status().ToString();
  return std::move(signed_event).value();
}

void LedgerWithEngineTest::CreateLedger(const std::string& ledger_name, int max_years_in_row) {
  auto created = Ledger::Create(Options(&engine), ledger_name, admin.public_key());
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ledger = std::move(created).value();
  Must(Sign(admin, "2020-01-01", [](auto b) {
    auto u = b.initUnitAdd();
    u.setUnitId("farsta");
    u.setName("Farsta stadsdelsförvaltning");
  }));
  Must(Enroll(board, schema::Role::BOARD, ""));
  Must(Enroll(office, schema::Role::OFFICE, ""));
  Must(Enroll(farsta, schema::Role::UNIT, "farsta"));
  Must(Sign(board, "2020-04-01", [=](auto b) {
    auto y = b.initYearOpen();
    y.setYear(2021);
    y.setProgramme(schema::Programme::LUM);
    y.setCapOre(Kr(500'000).ore());
    y.setMaxPerUnit(2);
    y.setWindowFrom(20200504);
    y.setWindowTo(20200921);
    y.setNoticeBy(20210607);
    if (max_years_in_row > 0) y.setMaxYearsInRow(static_cast<uint16_t>(max_years_in_row));
  }));
  Must(Sign(board, "2020-12-16", [](auto b) {
    auto a = b.initAppropriate();
    a.setYear(2021);
    a.setProgramme(schema::Programme::LUM);
    a.setAmountOre(Kr(3'000'000).ore());
  }));
}

LedgerOptions LedgerWithEngineTest::Options(AppendValidator* validator, bool use_snapshot) {
  LedgerOptions o;
  o.path = path();
  o.clock = [this] { return now; };
  o.validator = validator;
  o.use_snapshot = use_snapshot;
  return o;
}

SignedEvent LedgerWithEngineTest::Enroll(const SigningKey& key, schema::Role role,
                                         const std::string& unit) {
  return Sign(admin, "2020-01-01", [&](auto b) {
    auto k = b.initKeyEnroll();
    k.setPublicKey(kj::arrayPtr(key.public_key().data(), key.public_key().size()));
    k.setRole(role);
    if (!unit.empty()) k.initUnits(1).set(0, unit);
  });
}

SignedEvent LedgerWithEngineTest::ApplyEvent(const std::string& id, int64_t kr,
                                             const std::string& title, const std::string& date) {
  return Sign(farsta, date, [&](auto b) {
    auto a = b.initApply();
    a.setApplicationId(id);
    a.setYear(2021);
    a.setProgramme(schema::Programme::LUM);
    a.initUnits(1).set(0, "farsta");
    a.setProjectId("p-" + id);
    a.setTitle(title);
    a.setAmountOre(Kr(kr).ore());
  });
}

uint64_t LedgerWithEngineTest::Must(const SignedEvent& e) {
  auto outcome = ledger->Append(e);
  EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
  now.micros += 1'000'000;
  return outcome.ok() ? outcome->seq : 0;
}

}  // namespace fouledger::projections::testing
