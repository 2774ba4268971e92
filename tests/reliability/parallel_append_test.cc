// LedgerOptions::verify_threads: signatures checked ahead of the one-by-one checks, on one thread
// or several, must give every event the outcome it gets when the writer checks each itself (0).
#include <gtest/gtest.h>

#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/verify.h"
#include "raw_db.h"
#include "test_util.h"

namespace fouledger::reliability {
namespace {

using testing::Kr;

// Six events that take six paths through the checks, by their index: 0 fine; 1 a bad signature by
// a known author; 2 enrols `newcomer`; 3 by `newcomer`; 4 revokes farsta's key; 5 a good
// signature by farsta's revoked key.
std::vector<SignedEvent> MixedEvents(testing::LedgerFixture& f, const SigningKey& newcomer) {
  SignedEvent forged = f.Apply(f.farsta, "P2", "farsta", Kr(1));
  forged.signature[7] ^= 0x20;
  EventBuilder revoke(testing::D("2021-02-01"));
  auto r = revoke.body().initKeyRevoke();
  const Hash256 farsta_id = f.farsta.key_id();
  r.setKeyId(kj::arrayPtr(farsta_id.data(), farsta_id.size()));
  r.setReason("lost laptop");
  return {
      f.Apply(f.farsta, "P1", "farsta", Kr(1)),
      forged,
      f.Enroll(f.admin, newcomer, schema::Role::UNIT, "skarpnack"),
      f.Apply(newcomer, "P3", "skarpnack", Kr(1)),
      revoke.Sign(f.admin).value(),
      f.Apply(f.farsta, "P4", "farsta", Kr(1)),
  };
}

// The outcomes MixedEvents' six get when appended in one batch, first in it.
void ExpectMixedOutcomes(const testing::LedgerFixture& f,
                         const std::vector<Result<AppendOutcome>>& outcomes) {
  ASSERT_GE(outcomes.size(), 6u);
  EXPECT_TRUE(outcomes[0].ok()) << outcomes[0].status().ToString();
  ASSERT_FALSE(outcomes[1].ok());
  EXPECT_EQ(outcomes[1].status().message(),
            "signature does not verify with author key " + ToHex(f.farsta.key_id().data(), 8));
  EXPECT_TRUE(outcomes[2].ok()) << outcomes[2].status().ToString();
  EXPECT_TRUE(outcomes[3].ok()) << outcomes[3].status().ToString();
  EXPECT_TRUE(outcomes[4].ok()) << outcomes[4].status().ToString();
  ASSERT_FALSE(outcomes[5].ok());
  EXPECT_NE(outcomes[5].status().message().find("was revoked at entry"), std::string::npos)
      << outcomes[5].status().ToString();
}

// Closes the fixture's ledger and verifies it whole: every entry appended is there and checks.
void CloseAndVerify(testing::LedgerFixture& f) {
  const uint64_t size = f.ledger->size();
  f.ledger.reset();
  auto report = VerifyLedger(f.LedgerPath());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok()) << report->first_problem;
  EXPECT_EQ(report->entries, size);
}

// The fixture's ledger, reopened with GetParam() verifying threads.
class ParallelAppendTest : public ::testing::TestWithParam<unsigned> {
 protected:
  void SetUp() override {
    fixture.SetUp();
    ASSERT_FALSE(HasFailure());
    fixture.ledger.reset();
    LedgerOptions options = fixture.Options();
    options.verify_threads = GetParam();
    auto opened = Ledger::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    fixture.ledger = std::move(opened).value();
  }
  testing::LedgerFixture fixture;
};

TEST_P(ParallelAppendTest, OutcomesAreThoseOfTheWriterAlone) {
  testing::LedgerFixture& f = fixture;

  const SigningKey newcomer = SigningKey::Generate().value();
  std::vector<SignedEvent> batch = MixedEvents(f, newcomer);
  const SignedEvent forged = batch[1];
  // Enough for several chunks of checks ahead (Ledger's kChunkEvents is 32), with a forged
  // signature by a known author far into the batch, in a chunk a helper checks.
  constexpr size_t kLateForgery = 90;
  for (size_t i = batch.size(); i < 130; ++i) {
    batch.push_back(f.Apply(f.skarpnack, "Q" + std::to_string(i), "skarpnack", Kr(1)));
  }
  batch[kLateForgery].signature[0] ^= 0x01;
  auto outcomes = f.ledger->AppendBatch(batch);
  ASSERT_EQ(outcomes.size(), batch.size());
  ExpectMixedOutcomes(f, outcomes);
  ASSERT_FALSE(outcomes[kLateForgery].ok());
  EXPECT_NE(outcomes[kLateForgery].status().message().find("signature does not verify"),
            std::string::npos);
  for (size_t i = 6; i < outcomes.size(); ++i) {
    if (i != kLateForgery) {
      EXPECT_TRUE(outcomes[i].ok()) << i;
    }
  }

  // All or nothing takes the same path: one forged event refuses the whole batch.
  std::vector<SignedEvent> all = {f.Apply(f.skarpnack, "R1", "skarpnack", Kr(1)), forged};
  auto refused = f.ledger->AppendAll(all);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("event 2 of 2"), std::string::npos);
  CloseAndVerify(f);
}

// With helpers, the writer writes what it has staged while it waits for their checks, each piece a
// synced write with its own checkpoint (docs/storage.md, "Writing while the last signatures are
// checked"). Whether and where a batch is cut depends on timing, so the test takes whatever
// pieces it got and checks them: every event appended at the seq it was told, every checkpoint
// signed over the right root, and none at a size inside a piece. The writer alone never cuts.
TEST_P(ParallelAppendTest, ALargeBatchIsWrittenWholeInCheckpointedPieces) {
  testing::LedgerFixture& f = fixture;
  const uint64_t size_before = f.ledger->size();

  constexpr size_t kEvents = 700;  // several pieces of at least 256 (Ledger's kPieceEntriesMin)
  std::vector<SignedEvent> batch;
  for (size_t i = 0; i < kEvents; ++i) {
    batch.push_back(f.Apply(f.skarpnack, "L" + std::to_string(i), "skarpnack", Kr(1)));
  }
  auto outcomes = f.ledger->AppendBatch(batch);
  ASSERT_EQ(outcomes.size(), kEvents);
  for (size_t i = 0; i < kEvents; ++i) {
    ASSERT_TRUE(outcomes[i].ok()) << i << ": " << outcomes[i].status().ToString();
    ASSERT_EQ(outcomes[i]->seq, size_before + i);
  }
  const uint64_t size_after = f.ledger->size();
  ASSERT_EQ(size_after, size_before + kEvents);
  auto latest = f.ledger->LatestCheckpoint();
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  EXPECT_EQ(latest->size, size_after);
  f.ledger.reset();

  // VerifyLedger checks every stored checkpoint's signature and root against the entries.
  auto report = VerifyLedger(f.LedgerPath());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_TRUE(report->ok()) << report->first_problem;
  EXPECT_EQ(report->entries, size_after);
  std::vector<uint64_t> piece_ends;
  {
    RawDb raw(f.LedgerPath());
    for (const std::string& key : raw.Keys(RawDb::kCheckpoints)) {
      ASSERT_EQ(key.size(), 8u);
      uint64_t at = 0;
      for (char c : key) at = at << 8 | static_cast<uint8_t>(c);
      if (at > size_before) piece_ends.push_back(at);
    }
  }
  ASSERT_FALSE(piece_ends.empty());
  EXPECT_EQ(piece_ends.back(), size_after);
  if (GetParam() == 0) {
    EXPECT_EQ(piece_ends.size(), 1u) << "the writer alone writes once";
  }
  // At most: the pieces of 256 entries or more; one per chunk still being checked once every
  // chunk is taken (the writer waits for each, at most one per helper); the last write.
  EXPECT_LE(piece_ends.size(), kEvents / 256 + GetParam() + 1);
  std::printf("[ pieces   ] %u helpers: the batch of %zu was written in %zu pieces\n", GetParam(),
              kEvents, piece_ends.size());
}

// Ledger::CheckSignature checks a signature ahead of the append, outside the writer's lock (the
// server's I/O threads do). The check it records must never change an outcome: the events of the
// batch above, checked before it, get exactly the outcomes they get unchecked.
TEST_P(ParallelAppendTest, EventsCheckedAheadGetTheOutcomesOfUncheckedOnes) {
  testing::LedgerFixture& f = fixture;

  const SigningKey newcomer = SigningKey::Generate().value();
  std::vector<SignedEvent> events = MixedEvents(f, newcomer);
  SignedEvent not_an_event;
  not_an_event.event = {1, 2, 3};
  events.push_back(not_an_event);  // 6: bytes that do not decode
  events.push_back(events[0]);     // 7: event 0 again in the same batch
  std::vector<CheckedEvent> checked;
  for (const SignedEvent& e : events) checked.push_back(f.ledger->CheckSignature(e));
  const std::vector<bool> good = {true, false, true, false, true, true, false, true};
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(checked[i].signature_good(), good[i]) << i;
    EXPECT_EQ(checked[i].event().event, events[i].event) << i;
  }

  const uint64_t first = f.ledger->size();
  auto outcomes = f.ledger->AppendBatch(std::move(checked));
  ASSERT_EQ(outcomes.size(), events.size());
  ExpectMixedOutcomes(f, outcomes);  // 3 checked by the writer: no key when checked ahead
  ASSERT_FALSE(outcomes[6].ok());
  EXPECT_TRUE(outcomes[6].status().IsInvalidArgument()) << outcomes[6].status().ToString();
  ASSERT_FALSE(outcomes[7].ok());
  EXPECT_NE(outcomes[7].status().message().find("used twice in one batch"), std::string::npos)
      << outcomes[7].status().ToString();
  EXPECT_EQ(f.ledger->size(), first + 4);

  // A check made before its author was enrolled finds no key; the writer checks it and admits it.
  auto later = SigningKey::Generate().value();
  CheckedEvent early = f.ledger->CheckSignature(f.Apply(later, "P5", "farsta", Kr(1)));
  EXPECT_FALSE(early.signature_good());
  f.MustAppend(f.Enroll(f.admin, later, schema::Role::UNIT, "farsta"));
  std::vector<CheckedEvent> one;
  one.push_back(early);
  auto admitted = f.ledger->AppendBatch(std::move(one));
  ASSERT_TRUE(admitted[0].ok()) << admitted[0].status().ToString();
  // Checked after the enrolment was written, the same author's events are found good.
  EXPECT_TRUE(f.ledger->CheckSignature(f.Apply(later, "P6", "farsta", Kr(1))).signature_good());
  // And the retry of a written event, checked, is a duplicate as unchecked.
  one.clear();
  one.push_back(f.ledger->CheckSignature(events[0]));
  auto again = f.ledger->AppendBatch(std::move(one));
  ASSERT_TRUE(again[0].ok()) << again[0].status().ToString();
  EXPECT_TRUE(again[0]->duplicate);
  EXPECT_EQ(again[0]->seq, first);

  CloseAndVerify(f);
}

INSTANTIATE_TEST_SUITE_P(VerifyThreads, ParallelAppendTest, ::testing::Values(0u, 1u, 3u));

// Only the ledger makes a CheckedEvent, so no caller can claim a check it did not get.
static_assert(!std::is_default_constructible_v<CheckedEvent>);
static_assert(!std::is_constructible_v<CheckedEvent, SignedEvent, std::optional<PublicKeyBytes>>);
static_assert(std::is_same_v<decltype(std::declval<CheckedEvent>().event()), const SignedEvent&>);

// Checks run on any thread while the writer appends and enrols keys, which replaces the set of
// keys the checks read: each check keeps the set it started with alive, and every event checked
// is then written.
TEST(CheckSignatureTest, ChecksOnManyThreadsWhileTheWriterEnrolsAndAppends) {
  testing::LedgerFixture f;
  f.SetUp();
  ASSERT_FALSE(HasFailure());
  constexpr size_t kThreads = 4;
  constexpr size_t kEventsPerThread = 150;
  std::vector<std::vector<SignedEvent>> events(kThreads);
  for (size_t t = 0; t < kThreads; ++t) {
    for (size_t i = 0; i < kEventsPerThread; ++i) {
      events[t].push_back(f.Apply(f.skarpnack, "T" + std::to_string(t) + "-" + std::to_string(i),
                                  "skarpnack", Kr(1)));
    }
  }
  std::vector<std::vector<CheckedEvent>> checked(kThreads);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (const SignedEvent& e : events[t]) checked[t].push_back(f.ledger->CheckSignature(e));
    });
  }
  for (int k = 0; k < 20; ++k) {  // meanwhile: 20 enrolments, each a new set of keys
    auto key = SigningKey::Generate().value();
    f.MustAppend(f.Enroll(f.admin, key, schema::Role::UNIT, "farsta"));
  }
  for (auto& t : threads) t.join();
  for (size_t t = 0; t < kThreads; ++t) {
    ASSERT_EQ(checked[t].size(), kEventsPerThread);
    for (const CheckedEvent& c : checked[t]) EXPECT_TRUE(c.signature_good());
    auto outcomes = f.ledger->AppendBatch(std::move(checked[t]));
    for (const auto& o : outcomes) ASSERT_TRUE(o.ok()) << o.status().ToString();
  }
  CloseAndVerify(f);
}

}  // namespace
}  // namespace fouledger::reliability
