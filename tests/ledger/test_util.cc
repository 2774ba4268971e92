#include "test_util.h"

#include <fstream>
#include <iterator>
#include <random>

namespace fouledger::testing {

TempDir::TempDir() {
  std::random_device rd;
  path_ = (std::filesystem::temp_directory_path() /
           ("fouledger-test-" + std::to_string(rd()) + std::to_string(rd())))
              .string();
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

Date D(const std::string& text) { return Date::Parse(text).value(); }
Money Kr(int64_t kronor) { return Money::FromKronor(kronor); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string LedgerFixture::LedgerPath() const { return dir.Sub("ledger"); }

LedgerOptions LedgerFixture::Options(AppendValidator* validator) const {
  LedgerOptions o;
  o.path = LedgerPath();
  o.clock = clock.clock();
  o.validator = validator;
  return o;
}

void LedgerFixture::SetUp(AppendValidator* validator) {
  auto created = Ledger::Create(Options(validator), "fouledger.test/stockholm", admin.public_key());
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ledger = std::move(created).value();
  MustAppend(AddUnit("farsta", "Farsta"));
  MustAppend(AddUnit("skarpnack", "Skarpnäck"));
  MustAppend(Enroll(admin, board, schema::Role::BOARD));
  MustAppend(Enroll(admin, office, schema::Role::OFFICE));
  MustAppend(Enroll(admin, controller, schema::Role::CONTROLLER));
  MustAppend(Enroll(admin, farsta, schema::Role::UNIT, "farsta"));
  MustAppend(Enroll(admin, skarpnack, schema::Role::UNIT, "skarpnack"));
}

SignedEvent LedgerFixture::Enroll(const SigningKey& by, const SigningKey& key, schema::Role role,
                                  const std::string& unit) {
  EventBuilder b(D("2021-01-01"));
  auto k = b.body().initKeyEnroll();
  k.setPublicKey(kj::arrayPtr(key.public_key().data(), key.public_key().size()));
  k.setRole(role);
  if (!unit.empty()) k.initUnits(1).set(0, unit);
  return b.Sign(by).value();
}

SignedEvent LedgerFixture::AddUnit(const std::string& id, const std::string& name) {
  EventBuilder b(D("2021-01-01"));
  auto u = b.body().initUnitAdd();
  u.setUnitId(id);
  u.setName(name);
  return b.Sign(admin).value();
}

namespace {
void FillApply(EventBuilder& b, const std::string& app, const std::string& unit, Money amount) {
  auto a = b.body().initApply();
  a.setApplicationId(app);
  a.setYear(2021);
  a.setProgramme(schema::Programme::LUM);
  a.initUnits(1).set(0, unit);
  a.setProjectId("p-" + app);
  a.setTitle("Projekt " + app);
  a.setAmountOre(amount.ore());
}
}  // namespace

SignedEvent LedgerFixture::Apply(const SigningKey& by, const std::string& app,
                                 const std::string& unit, Money amount, const std::string& date) {
  EventBuilder b(D(date));
  FillApply(b, app, unit, amount);
  return b.Sign(by).value();
}

SignedEvent LedgerFixture::CorrectApply(const SigningKey& by, uint64_t replaces,
                                        const std::string& reason, const std::string& app,
                                        const std::string& unit, Money amount) {
  EventBuilder b(D("2020-09-01"));
  FillApply(b, app, unit, amount);
  b.Corrects(replaces, reason);
  return b.Sign(by).value();
}

SignedEvent LedgerFixture::Decide(const std::string& app, Money granted, const std::string& date) {
  EventBuilder b(D(date));
  auto d = b.body().initDecide();
  d.setApplicationId(app);
  d.setGrantedOre(granted.ore());
  d.setReason("Beviljas.");
  return b.Sign(board).value();
}

SignedEvent LedgerFixture::Pay(const SigningKey& by, const std::string& app, Money amount,
                               const std::string& date) {
  EventBuilder b(D(date));
  auto p = b.body().initPay();
  p.setApplicationId(app);
  p.setAmountOre(amount.ore());
  return b.Sign(by).value();
}

SignedEvent LedgerFixture::Void(const SigningKey& by, uint64_t seq, const std::string& date) {
  EventBuilder b(D(date));
  auto v = b.body().initVoidEntry();
  v.setSeq(seq);
  v.setReason("fel");
  return b.Sign(by).value();
}

uint64_t LedgerFixture::MustAppend(const SignedEvent& e) {
  auto r = ledger->Append(e);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r->seq : UINT64_MAX;
}

}  // namespace fouledger::testing
