// Events and entries: building, signing, decoding and checking the shape of the Cap'n Proto
// messages defined in ledger/schema/event.capnp (documented field by field in docs/events.md).
//
// Use: build an Event with capnp::MallocMessageBuilder, then SignEvent() to get its canonical
// bytes and signature; hand the SignedEvent to Ledger::Append. To read, DecodeEntry() or
// DecodeEvent() copy untrusted bytes into aligned storage, refuse non-canonical or oversized
// messages, and give a typed reader. Nothing here throws.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ledger/crypto.h"
#include "ledger/date.h"
#include "ledger/schema/event.capnp.h"
#include "ledger/status.h"

namespace fouledger {

// Limits on everything that comes from outside.
inline constexpr size_t kEventBytesMax = 64 * 1024;
inline constexpr size_t kEntryBytesMax = kEventBytesMax + 512;  // + seq, time, hash, signature
inline constexpr size_t kTextBytesMax = 8 * 1024;               // any one text field
inline constexpr size_t kIdBytesMax = 64;                       // application, unit, project ids
inline constexpr size_t kUnitsPerEventMax = 8;
inline constexpr size_t kClientEventIdBytes = 16;
static_assert(kTextBytesMax * 4 < kEventBytesMax, "an event's few texts must fit in it");

using EventKind = schema::Event::Body::Which;
const char* EventKindName(EventKind kind);                        // "apply", "key-enroll", ...
const char* ProgrammeName(schema::Programme p);                   // "LUM", "MUL"
const char* RoleName(schema::Role r);                             // "admin", "board", ...
Result<schema::Programme> ParseProgramme(std::string_view text);  // "LUM"/"lum"/"MUL"/"mul"
Result<schema::Role> ParseRole(std::string_view text);

// An event as its author hands it to the ledger.
struct SignedEvent {
  Bytes event;  // canonical Cap'n Proto bytes of a schema::Event
  SignatureBytes signature{};
};

// Canonicalizes `event` and signs the canonical bytes. Fails only if the event's shape is wrong
// (see CheckEventShape) or the author key id does not match `key`.
Result<SignedEvent> SignEvent(schema::Event::Reader event, const SigningKey& key);

// 16 random bytes from OpenSSL's CSPRNG, for Event.clientEventId.
Bytes NewClientEventId();

// Builds and signs one event; the one way the CLI, the import, the demo and the tests write events.
//   EventBuilder b(date);
//   auto pay = b.body().initPay();  pay.setApplicationId("2021-LUM-02");  pay.setAmountOre(...);
//   auto signed_event = b.Sign(key);
// A random client event id is chosen unless one is set (a retry must reuse the same id).
class EventBuilder {
 public:
  explicit EventBuilder(Date effective_date);
  schema::Event::Body::Builder body();
  // Makes the event a correction that replaces entry `seq`.
  EventBuilder& Corrects(uint64_t seq, const std::string& reason);
  EventBuilder& SetClientEventId(const Bytes& id);
  Result<SignedEvent> Sign(const SigningKey& key);

 private:
  std::shared_ptr<void> message_;  // the capnp::MallocMessageBuilder
  schema::Event::Builder event_;
};

// A decoded message over word-aligned bytes it keeps alive: its own copy, or (inside a
// DecodedEntry) the entry's copy, so that decoding an entry copies its bytes once.
class DecodedEvent {
 public:
  // Refuses (Corruption) bytes that are not exactly one canonical schema::Event within limits.
  static Result<DecodedEvent> Decode(const uint8_t* data, size_t size);
  schema::Event::Reader reader() const;
  ByteView bytes() const { return bytes_; }  // valid while this DecodedEvent (or a copy) lives

 private:
  friend class DecodedEntry;
  ByteView bytes_;
  std::shared_ptr<void> storage_;  // aligned words + the capnp reader over them
};

class DecodedEntry {
 public:
  static Result<DecodedEntry> Decode(const uint8_t* data, size_t size);
  static Result<DecodedEntry> Decode(const Bytes& b) { return Decode(b.data(), b.size()); }

  uint64_t seq() const { return seq_; }
  Instant recorded_at() const { return recorded_at_; }
  const Hash256& previous_hash() const { return previous_hash_; }
  const DecodedEvent& event() const { return event_; }
  schema::Event::Reader reader() const { return event_.reader(); }
  EventKind kind() const { return event_.reader().getBody().which(); }
  Date effective_date() const;
  const SignatureBytes& signature() const { return signature_; }
  // The stored canonical Entry bytes; valid while this DecodedEntry (or a copy) lives.
  ByteView bytes() const { return bytes_; }
  Hash256 leaf_hash() const;

 private:
  uint64_t seq_ = 0;
  Instant recorded_at_;
  Hash256 previous_hash_{};
  SignatureBytes signature_{};
  DecodedEvent event_;
  ByteView bytes_;
  std::shared_ptr<void> storage_;  // the entry's aligned words, which event_ points into
};

// The canonical bytes of an Entry.
Bytes EncodeEntry(uint64_t seq, Instant recorded_at, const Hash256& previous_hash,
                  const SignedEvent& event);

// Checks everything about an event that needs no ledger state: sizes, a valid effective date,
// amounts in 0..Money::kOreMax, a known programme and role, required ids present. Returns
// InvalidArgument naming the field.
Status CheckEventShape(schema::Event::Reader event);

// The application an event is about ("" for events about no application).
std::string ApplicationIdOf(schema::Event::Reader event);

// The event as one JSON object (Cap'n Proto's JSON codec; Data fields in hex, 64-bit integers as
// strings). For `log --json` and exports.
std::string EventToJson(schema::Event::Reader event);

}  // namespace fouledger
