#include "ledger/event.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "test_util.h"

namespace fouledger {
namespace {

using testing::D;

SignedEvent MakeApply(const SigningKey& key,
                      const std::string& title = "Våga anmäla – våga vittna") {
  EventBuilder b(D("2020-09-01"));
  auto a = b.body().initApply();
  a.setApplicationId("2021-LUM-02");
  a.setYear(2021);
  a.setProgramme(schema::Programme::LUM);
  auto units = a.initUnits(2);
  units.set(0, "rinkeby-kista");
  units.set(1, "spanga-tensta");
  a.setProjectId("samlokalisering");
  a.setTitle(title);
  a.setAmountOre(Money::FromKronor(500000).ore());
  return b.Sign(key).value();
}

TEST(Event, SignDecodeRoundTrip) {
  auto key = SigningKey::Generate().value();
  const SignedEvent e = MakeApply(key);
  EXPECT_EQ(e.event.size() % 8, 0u);
  EXPECT_TRUE(VerifySignature(key.public_key(), e.event.data(), e.event.size(), e.signature.data(),
                              e.signature.size()));
  auto decoded = DecodedEvent::Decode(e.event.data(), e.event.size());
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  auto apply = decoded->reader().getBody().getApply();
  EXPECT_EQ(std::string(apply.getTitle().cStr()), "Våga anmäla – våga vittna");
  EXPECT_EQ(apply.getUnits().size(), 2u);
  EXPECT_EQ(apply.getAmountOre(), 50000000);
  EXPECT_EQ(ApplicationIdOf(decoded->reader()), "2021-LUM-02");
  const std::string json = EventToJson(decoded->reader());
  EXPECT_NE(json.find("\"applicationId\":\"2021-LUM-02\""), std::string::npos) << json;
}

// The signed bytes are canonical: the same content gives the same bytes however it was built.
TEST(Event, CanonicalBytesDoNotDependOnTheBuildersSegments) {
  auto key = SigningKey::Generate().value();
  const SignedEvent e = MakeApply(key);
  auto decoded = DecodedEvent::Decode(e.event.data(), e.event.size()).value();
  // Rebuild the same event in a builder with tiny segments (forcing many segments and far
  // pointers).
  capnp::MallocMessageBuilder tiny(1, capnp::AllocationStrategy::FIXED_SIZE);
  tiny.setRoot(decoded.reader());
  EXPECT_GT(tiny.getSegmentsForOutput().size(), 1u);
  auto again = SignEvent(tiny.getRoot<schema::Event>().asReader(), key);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->event, e.event);
  EXPECT_EQ(again->signature, e.signature) << "Ed25519 is deterministic";
}

TEST(Event, RefusesNonCanonicalAndMalformedBytes) {
  auto key = SigningKey::Generate().value();
  SignedEvent e = MakeApply(key);
  Bytes padded = e.event;
  padded.insert(padded.end(), 8, 0);  // a trailing zero word is not canonical
  EXPECT_TRUE(DecodedEvent::Decode(padded.data(), padded.size()).status().IsCorruption());
  Bytes odd = e.event;
  odd.pop_back();
  EXPECT_TRUE(DecodedEvent::Decode(odd.data(), odd.size()).status().IsCorruption());
  EXPECT_TRUE(DecodedEvent::Decode(nullptr, 0).status().IsCorruption());
  Bytes huge(kEventBytesMax + 8, 0);
  EXPECT_TRUE(DecodedEvent::Decode(huge.data(), huge.size()).status().IsCorruption());
}

TEST(Event, DecodesUnalignedInput) {
  auto key = SigningKey::Generate().value();
  const SignedEvent e = MakeApply(key);
  Bytes shifted(e.event.size() + 1);
  std::copy(e.event.begin(), e.event.end(), shifted.begin() + 1);
  EXPECT_TRUE(DecodedEvent::Decode(shifted.data() + 1, e.event.size()).ok());
}

// Random damage to an event's bytes must never crash the decoder: it is Corruption or, when the
// damage happens to keep a valid message, a decoded event.
TEST(Event, RandomDamageNeverCrashes) {
  auto key = SigningKey::Generate().value();
  const SignedEvent e = MakeApply(key);
  std::mt19937 rng(12345);
  int refused = 0;
  for (int i = 0; i < 3000; ++i) {
    Bytes b = e.event;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) b[rng() % b.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
    auto d = DecodedEvent::Decode(b.data(), b.size());
    if (!d.ok()) {
      ++refused;
      continue;
    }
    EXPECT_TRUE(CheckEventShape(d->reader()).ok()) << "decoded events are shape-checked";
    (void)EventToJson(d->reader());
  }
  EXPECT_GT(refused, 0);
}

TEST(Event, ShapeChecksNameTheField) {
  auto key = SigningKey::Generate().value();
  auto try_apply = [&](auto mutate) {
    EventBuilder b(D("2020-09-01"));
    auto a = b.body().initApply();
    a.setApplicationId("A1");
    a.setYear(2021);
    a.setProgramme(schema::Programme::LUM);
    a.initUnits(1).set(0, "farsta");
    a.setProjectId("p");
    a.setTitle("t");
    a.setAmountOre(100);
    mutate(a);
    return b.Sign(key).status();
  };
  EXPECT_TRUE(try_apply([](auto) {}).ok());
  EXPECT_NE(try_apply([](auto a) { a.setAmountOre(-1); }).message().find("amount"),
            std::string::npos);
  EXPECT_NE(try_apply([](auto a) { a.setProgramme(schema::Programme::UNSPECIFIED); })
                .message()
                .find("programme"),
            std::string::npos);
  EXPECT_NE(try_apply([](auto a) { a.setApplicationId("a b"); }).message().find("application id"),
            std::string::npos);
  EXPECT_NE(try_apply([](auto a) { a.setTitle("bad \xff utf8"); }).message().find("UTF-8"),
            std::string::npos);
  EXPECT_NE(try_apply([](auto a) { a.setTitle(std::string(kTextBytesMax + 1, 'x')); })
                .message()
                .find("longer"),
            std::string::npos);
  EXPECT_NE(try_apply([](auto a) { a.setYear(42); }).message().find("year"), std::string::npos);
  // Effective date must be a calendar date.
  EventBuilder b(D("2020-09-01"));
  b.body().initVoidEntry().setReason("x");
  auto other = SigningKey::Generate().value();
  EXPECT_TRUE(b.Sign(other).ok());
}

TEST(Entry, EncodeDecodeRoundTrip) {
  auto key = SigningKey::Generate().value();
  const SignedEvent e = MakeApply(key);
  Hash256 prev{};
  prev[0] = 7;
  const Bytes bytes = EncodeEntry(42, Instant{123456789}, prev, e);
  auto entry = DecodedEntry::Decode(bytes);
  ASSERT_TRUE(entry.ok()) << entry.status().ToString();
  EXPECT_EQ(entry->seq(), 42u);
  EXPECT_EQ(entry->recorded_at().micros, 123456789);
  EXPECT_EQ(entry->previous_hash(), prev);
  EXPECT_TRUE(std::ranges::equal(entry->event().bytes(), e.event));
  EXPECT_EQ(entry->signature(), e.signature);
  EXPECT_EQ(entry->kind(), schema::Event::Body::APPLY);
  EXPECT_EQ(entry->effective_date().ToString(), "2020-09-01");
}

}  // namespace
}  // namespace fouledger
