#include "ledger/event.h"

#include <capnp/compat/json.h>
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>
#include <openssl/rand.h>

#include <cstring>
#include <type_traits>

#include "ledger/merkle.h"
#include "ledger/money.h"

namespace fouledger {
namespace {

using schema::Event;
using schema::Programme;
using schema::Role;

// Strict limits for the first read of untrusted bytes. Canonical messages cannot alias, so once a
// message passed isCanonical() under these limits it is re-read without a traversal limit (the
// limit is cumulative, and projections read fields many times).
capnp::ReaderOptions UntrustedReaderOptions() {
  capnp::ReaderOptions options;
  options.traversalLimitInWords = kEntryBytesMax / sizeof(capnp::word) * 2;
  options.nestingLimit = 8;  // Entry > Event > body > list > text is the deepest we define
  return options;
}

capnp::ReaderOptions TrustedReaderOptions() {
  capnp::ReaderOptions options;
  options.traversalLimitInWords = kj::maxValue;
  options.nestingLimit = 8;
  return options;
}

// One canonical message in word-aligned memory, and a reader over it.
struct AlignedMessage {
  kj::Array<capnp::word> words;  // our copy, or empty when reading another message's words
  std::shared_ptr<void> owner;   // keeps those other words alive
  kj::ArrayPtr<const capnp::word> segments[1];
  kj::Own<capnp::SegmentArrayMessageReader> reader;

  ByteView bytes() const {
    return ByteView(reinterpret_cast<const uint8_t*>(segments[0].begin()),
                    segments[0].size() * sizeof(capnp::word));
  }
};

// `owner`, if given, keeps `data` alive; word-aligned data is then read in place, not copied.
template <typename T>
Result<std::shared_ptr<AlignedMessage>> ReadCanonical(const uint8_t* data, size_t size,
                                                      size_t max_bytes, const char* what,
                                                      std::shared_ptr<void> owner = nullptr) {
  if (size == 0) return Status::Corruption(std::string(what) + " is empty");
  if (size > max_bytes) {
    return Status::Corruption(std::string(what) + " is " + std::to_string(size) +
                              " bytes, above the limit of " + std::to_string(max_bytes));
  }
  if (size % sizeof(capnp::word) != 0) {
    return Status::Corruption(std::string(what) + " is not a whole number of 8-byte words");
  }
  auto msg = std::make_shared<AlignedMessage>();
  Status shape;
  if (owner && reinterpret_cast<uintptr_t>(data) % alignof(capnp::word) == 0) {
    msg->owner = std::move(owner);
    msg->segments[0] =
        kj::arrayPtr(reinterpret_cast<const capnp::word*>(data), size / sizeof(capnp::word));
  } else {
    // RocksDB values are not 8-byte aligned and Cap'n Proto refuses unaligned data: copy.
    msg->words = kj::heapArray<capnp::word>(size / sizeof(capnp::word));
    std::memcpy(msg->words.begin(), data, size);
    msg->segments[0] = msg->words.asPtr();
  }
  // The one place untrusted Cap'n Proto is decoded: a kj::Exception here is malformed input.
  KJ_IF_MAYBE (e, kj::runCatchingExceptions([&] {
                 capnp::SegmentArrayMessageReader check(kj::arrayPtr(msg->segments, 1),
                                                        UntrustedReaderOptions());
                 if (!check.isCanonical()) {
                   KJ_FAIL_REQUIRE("not in canonical form (one segment, preorder, no padding)");
                 }
                 // Text fields are checked (NUL terminator, bounds) only when read, so read them
                 // all now: afterwards no reader of this message can throw.
                 if constexpr (std::is_same_v<T, Event>) {
                   shape = CheckEventShape(check.getRoot<Event>());
                 } else if constexpr (std::is_same_v<T, schema::Entry>) {
                   // A Data field whose pointer is of the wrong kind throws when read (found by
                   // fuzz_event_decode): read every one here, inside the catch.
                   auto entry = check.getRoot<schema::Entry>();
                   entry.getPreviousHash();
                   entry.getSignature();
                   entry.getEvent();
                 } else {
                   check.getRoot<T>();
                 }
               })) {
    return Status::Corruption(std::string(what) + " is not a canonical Cap'n Proto message: " +
                              e->getDescription().cStr());
  }
  if (!shape.ok())
    return Status::Corruption(std::string(what) + " is malformed: " + shape.message());
  msg->reader = kj::heap<capnp::SegmentArrayMessageReader>(kj::arrayPtr(msg->segments, 1),
                                                           TrustedReaderOptions());
  return msg;
}

Bytes ToBytes(kj::ArrayPtr<const capnp::word> words) {
  const auto bytes = words.asBytes();
  return Bytes(bytes.begin(), bytes.end());
}

bool IsValidUtf8(kj::StringPtr s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.begin());
  const auto* end = p + s.size();
  while (p < end) {
    const uint8_t c = *p;
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      n = 0;
      cp = c;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (static_cast<size_t>(end - p) <= n) return false;  // truncated sequence
    for (size_t i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = cp << 6 | (p[i] & 0x3F);
    }
    static constexpr uint32_t kMinForLength[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    if (cp < 0x20 && c != '\t' && c != '\n') return false;  // no control characters
    p += n + 1;
  }
  return true;
}

Status CheckText(const char* field, kj::StringPtr text, bool required) {
  if (required && text.size() == 0)
    return Status::InvalidArgument(std::string(field) + " is empty");
  if (text.size() > kTextBytesMax) {
    return Status::InvalidArgument(std::string(field) + " is longer than " +
                                   std::to_string(kTextBytesMax) + " bytes");
  }
  if (!IsValidUtf8(text)) {
    return Status::InvalidArgument(std::string(field) + " is not valid UTF-8 text");
  }
  return Status::Ok();
}

// Ids (applications, units, projects) appear in command lines, URLs and file names.
Status CheckId(const char* field, kj::StringPtr id) {
  if (id.size() == 0) return Status::InvalidArgument(std::string(field) + " is empty");
  if (id.size() > kIdBytesMax) {
    return Status::InvalidArgument(std::string(field) + " '" + id.cStr() + "' is longer than " +
                                   std::to_string(kIdBytesMax) + " characters");
  }
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) {
      return Status::InvalidArgument(std::string(field) + " '" + id.cStr() +
                                     "' may hold only letters a-z, digits, '-', '_' and '.'");
    }
  }
  return Status::Ok();
}

Status CheckIdList(const char* field, capnp::List<capnp::Text>::Reader ids, bool required) {
  if (required && ids.size() == 0) return Status::InvalidArgument(std::string(field) + " is empty");
  if (ids.size() > kUnitsPerEventMax) {
    return Status::InvalidArgument(std::string(field) + " names more than " +
                                   std::to_string(kUnitsPerEventMax));
  }
  for (auto id : ids) FOULEDGER_RETURN_IF_ERROR(CheckId(field, id));
  for (size_t i = 0; i < ids.size(); ++i) {
    for (size_t j = i + 1; j < ids.size(); ++j) {
      if (ids[i] == ids[j]) {
        return Status::InvalidArgument(std::string(field) + " names '" + ids[i].cStr() + "' twice");
      }
    }
  }
  return Status::Ok();
}

Status CheckAmount(const char* field, int64_t ore) {
  if (ore < 0 || ore > Money::kOreMax) {
    return Status::InvalidArgument(std::string(field) + " " + std::to_string(ore) +
                                   " öre is outside 0.." +
                                   Money::FromOre(Money::kOreMax).ToSwedish());
  }
  return Status::Ok();
}

Status CheckDate(const char* field, uint32_t packed, bool required) {
  if (packed == 0) {
    return required ? Status::InvalidArgument(std::string(field) + " is missing") : Status::Ok();
  }
  auto d = Date::FromPacked(packed);
  if (!d.ok()) return d.status().WithContext(field);
  return Status::Ok();
}

Status CheckYear(uint16_t year) {
  if (year < 1900 || year > 2999) {
    return Status::InvalidArgument("year " + std::to_string(year) + " is outside 1900..2999");
  }
  return Status::Ok();
}

Status CheckProgramme(Programme p) {
  if (p != Programme::LUM && p != Programme::MUL) {
    return Status::InvalidArgument("programme must be LUM or MUL");
  }
  return Status::Ok();
}

Status CheckData(const char* field, capnp::Data::Reader d, size_t size, bool allow_empty) {
  if ((allow_empty && d.size() == 0) || d.size() == size) return Status::Ok();
  return Status::InvalidArgument(std::string(field) + " must be " + std::to_string(size) +
                                 " bytes, not " + std::to_string(d.size()));
}

Status CheckBody(Event::Body::Reader body) {
  switch (body.which()) {
    case Event::Body::GENESIS: {
      auto g = body.getGenesis();
      FOULEDGER_RETURN_IF_ERROR(CheckText("ledger name", g.getLedgerName(), true));
      for (char c : g.getLedgerName()) {
        if (c == ' ' || c == '\n') {
          return Status::InvalidArgument("ledger name may not contain spaces");
        }
      }
      FOULEDGER_RETURN_IF_ERROR(CheckData("admin key", g.getAdminPublicKey(), 32, false));
      return CheckData("checkpoint key", g.getCheckpointPublicKey(), 32, false);
    }
    case Event::Body::KEY_ENROLL: {
      auto k = body.getKeyEnroll();
      FOULEDGER_RETURN_IF_ERROR(CheckData("public key", k.getPublicKey(), 32, false));
      if (k.getRole() == Role::UNSPECIFIED || static_cast<int>(k.getRole()) > 6) {
        return Status::InvalidArgument("role is missing or unknown");
      }
      FOULEDGER_RETURN_IF_ERROR(CheckIdList("units", k.getUnits(), k.getRole() == Role::UNIT));
      if (k.getRole() != Role::UNIT && k.getUnits().size() != 0) {
        return Status::InvalidArgument(std::string("a ") + RoleName(k.getRole()) +
                                       " key acts for no unit; --unit is for unit keys");
      }
      return CheckText("holder", k.getHolder(), false);
    }
    case Event::Body::KEY_REVOKE: {
      auto k = body.getKeyRevoke();
      FOULEDGER_RETURN_IF_ERROR(CheckData("key id", k.getKeyId(), 32, false));
      return CheckText("reason", k.getReason(), true);
    }
    case Event::Body::UNIT_ADD: {
      auto u = body.getUnitAdd();
      FOULEDGER_RETURN_IF_ERROR(CheckId("unit id", u.getUnitId()));
      FOULEDGER_RETURN_IF_ERROR(CheckText("unit name", u.getName(), true));
      FOULEDGER_RETURN_IF_ERROR(CheckDate("valid from", u.getValidFrom(), false));
      return CheckIdList("succeeds", u.getSucceeds(), false);
    }
    case Event::Body::YEAR_OPEN: {
      auto y = body.getYearOpen();
      FOULEDGER_RETURN_IF_ERROR(CheckYear(y.getYear()));
      FOULEDGER_RETURN_IF_ERROR(CheckProgramme(y.getProgramme()));
      FOULEDGER_RETURN_IF_ERROR(CheckAmount("cap", y.getCapOre()));
      if (y.getCapOre() == 0) return Status::InvalidArgument("cap must be above 0 kr");
      if (y.getMaxPerUnit() == 0) return Status::InvalidArgument("max per unit must be at least 1");
      FOULEDGER_RETURN_IF_ERROR(CheckDate("window start", y.getWindowFrom(), true));
      FOULEDGER_RETURN_IF_ERROR(CheckDate("window end", y.getWindowTo(), true));
      if (y.getWindowTo() < y.getWindowFrom()) {
        return Status::InvalidArgument(
            "application window ends (" + Date::FromPacked(y.getWindowTo())->ToString() +
            ") before it starts (" + Date::FromPacked(y.getWindowFrom())->ToString() + ")");
      }
      FOULEDGER_RETURN_IF_ERROR(CheckDate("notice deadline", y.getNoticeBy(), false));
      FOULEDGER_RETURN_IF_ERROR(CheckText("criteria", y.getCriteria(), false));
      if (y.getReportsForYear() != 0) FOULEDGER_RETURN_IF_ERROR(CheckYear(y.getReportsForYear()));
      return CheckDate("reports by", y.getReportsBy(), false);
    }
    case Event::Body::APPROPRIATE: {
      auto a = body.getAppropriate();
      FOULEDGER_RETURN_IF_ERROR(CheckYear(a.getYear()));
      FOULEDGER_RETURN_IF_ERROR(CheckProgramme(a.getProgramme()));
      FOULEDGER_RETURN_IF_ERROR(CheckAmount("amount", a.getAmountOre()));
      return CheckText("case", a.getCaseNumber(), false);
    }
    case Event::Body::APPLY: {
      auto a = body.getApply();
      FOULEDGER_RETURN_IF_ERROR(CheckId("application id", a.getApplicationId()));
      FOULEDGER_RETURN_IF_ERROR(CheckYear(a.getYear()));
      FOULEDGER_RETURN_IF_ERROR(CheckProgramme(a.getProgramme()));
      FOULEDGER_RETURN_IF_ERROR(CheckIdList("units", a.getUnits(), true));
      FOULEDGER_RETURN_IF_ERROR(CheckId("project id", a.getProjectId()));
      FOULEDGER_RETURN_IF_ERROR(CheckText("title", a.getTitle(), true));
      FOULEDGER_RETURN_IF_ERROR(CheckAmount("amount", a.getAmountOre()));
      if (a.getAmountOre() == 0)
        return Status::InvalidArgument("an application must ask for more than 0 kr");
      return CheckText("purpose", a.getPurpose(), false);
    }
    case Event::Body::DECIDE: {
      auto d = body.getDecide();
      FOULEDGER_RETURN_IF_ERROR(CheckId("application id", d.getApplicationId()));
      FOULEDGER_RETURN_IF_ERROR(CheckAmount("granted", d.getGrantedOre()));
      FOULEDGER_RETURN_IF_ERROR(CheckText("reason", d.getReason(), true));
      FOULEDGER_RETURN_IF_ERROR(CheckText("case", d.getCaseNumber(), false));
      return CheckText("override", d.getOverride(), false);
    }
    case Event::Body::PAY: {
      auto p = body.getPay();
      FOULEDGER_RETURN_IF_ERROR(CheckId("grant", p.getApplicationId()));
      FOULEDGER_RETURN_IF_ERROR(CheckAmount("amount", p.getAmountOre()));
      if (p.getAmountOre() == 0) return Status::InvalidArgument("a payout must be above 0 kr");
      return CheckText("voucher", p.getVoucher(), false);
    }
    case Event::Body::REPORT_SUBMIT: {
      auto r = body.getReportSubmit();
      FOULEDGER_RETURN_IF_ERROR(CheckId("grant", r.getApplicationId()));
      FOULEDGER_RETURN_IF_ERROR(CheckAmount("spent", r.getSpentOre()));
      FOULEDGER_RETURN_IF_ERROR(CheckData("document SHA-256", r.getDocumentSha256(), 32, true));
      return CheckText("document name", r.getDocumentName(), false);
    }
    case Event::Body::REPORT_REVIEW: {
      auto r = body.getReportReview();
      FOULEDGER_RETURN_IF_ERROR(CheckId("grant", r.getApplicationId()));
      if (!r.getApproved() && r.getReason().size() == 0) {
        return Status::InvalidArgument("a returned report needs a reason");
      }
      return CheckText("reason", r.getReason(), false);
    }
    case Event::Body::REPAY_NOTICE: {
      auto r = body.getRepayNotice();
      FOULEDGER_RETURN_IF_ERROR(CheckId("grant", r.getApplicationId()));
      FOULEDGER_RETURN_IF_ERROR(CheckAmount("amount", r.getAmountOre()));
      if (r.getAmountOre() == 0)
        return Status::InvalidArgument("a repayment notice must be above 0 kr");
      return Status::Ok();
    }
    case Event::Body::REPAY_RECEIVE: {
      auto r = body.getRepayReceive();
      FOULEDGER_RETURN_IF_ERROR(CheckId("grant", r.getApplicationId()));
      FOULEDGER_RETURN_IF_ERROR(CheckAmount("amount", r.getAmountOre()));
      if (r.getAmountOre() == 0) return Status::InvalidArgument("a repayment must be above 0 kr");
      return CheckText("voucher", r.getVoucher(), false);
    }
    case Event::Body::VOID_ENTRY:
      return CheckText("reason", body.getVoidEntry().getReason(), true);
  }
  return Status::InvalidArgument("unknown event kind " + std::to_string(body.which()));
}

}  // namespace

const char* EventKindName(EventKind kind) {
  switch (kind) {
    case Event::Body::GENESIS:
      return "genesis";
    case Event::Body::KEY_ENROLL:
      return "key-enroll";
    case Event::Body::KEY_REVOKE:
      return "key-revoke";
    case Event::Body::UNIT_ADD:
      return "unit-add";
    case Event::Body::YEAR_OPEN:
      return "year-open";
    case Event::Body::APPROPRIATE:
      return "appropriate";
    case Event::Body::APPLY:
      return "apply";
    case Event::Body::DECIDE:
      return "decide";
    case Event::Body::PAY:
      return "pay";
    case Event::Body::REPORT_SUBMIT:
      return "report-submit";
    case Event::Body::REPORT_REVIEW:
      return "report-review";
    case Event::Body::REPAY_NOTICE:
      return "repay-notice";
    case Event::Body::REPAY_RECEIVE:
      return "repay-receive";
    case Event::Body::VOID_ENTRY:
      return "void";
  }
  return "unknown";
}

const char* ProgrammeName(Programme p) {
  switch (p) {
    case Programme::LUM:
      return "LUM";
    case Programme::MUL:
      return "MUL";
    case Programme::UNSPECIFIED:
      break;
  }
  return "?";
}

const char* RoleName(Role r) {
  switch (r) {
    case Role::ADMIN:
      return "admin";
    case Role::BOARD:
      return "board";
    case Role::OFFICE:
      return "office";
    case Role::UNIT:
      return "unit";
    case Role::CONTROLLER:
      return "controller";
    case Role::AUDITOR:
      return "auditor";
    case Role::UNSPECIFIED:
      break;
  }
  return "?";
}

Result<Programme> ParseProgramme(std::string_view text) {
  if (text == "LUM" || text == "lum") return Programme::LUM;
  if (text == "MUL" || text == "mul") return Programme::MUL;
  return Status::InvalidArgument("programme '" + std::string(text) + "' is not LUM or MUL");
}

Result<Role> ParseRole(std::string_view text) {
  for (Role r :
       {Role::ADMIN, Role::BOARD, Role::OFFICE, Role::UNIT, Role::CONTROLLER, Role::AUDITOR}) {
    if (text == RoleName(r)) return r;
  }
  return Status::InvalidArgument("role '" + std::string(text) +
                                 "' is not one of admin, board, office, unit, controller, auditor");
}

Status CheckEventShape(Event::Reader event) {
  FOULEDGER_RETURN_IF_ERROR(
      CheckData("client event id", event.getClientEventId(), kClientEventIdBytes, false));
  FOULEDGER_RETURN_IF_ERROR(CheckData("author key id", event.getAuthorKeyId(), 32, false));
  FOULEDGER_RETURN_IF_ERROR(CheckDate("effective date", event.getEffectiveDate(), true));
  if (event.getCorrection().isReplaces()) {
    if (event.getBody().isGenesis() || event.getBody().isVoidEntry()) {
      return Status::InvalidArgument(std::string("a ") + EventKindName(event.getBody().which()) +
                                     " entry cannot be a correction");
    }
    FOULEDGER_RETURN_IF_ERROR(
        CheckText("correction reason", event.getCorrection().getReplaces().getReason(), true));
  }
  return CheckBody(event.getBody());
}

Result<SignedEvent> SignEvent(Event::Reader event, const SigningKey& key) {
  FOULEDGER_RETURN_IF_ERROR(CheckEventShape(event));
  const Hash256 key_id = key.key_id();
  auto author = event.getAuthorKeyId();
  if (author.size() != key_id.size() || !std::equal(key_id.begin(), key_id.end(), author.begin())) {
    return Status::InvalidArgument("the event's author key id is not the signing key's");
  }
  SignedEvent out;
  out.event = ToBytes(capnp::canonicalize(event));
  if (out.event.size() > kEventBytesMax) {
    return Status::InvalidArgument("event is " + std::to_string(out.event.size()) +
                                   " bytes, above the limit of " + std::to_string(kEventBytesMax));
  }
  out.signature = key.Sign(out.event.data(), out.event.size());
  return out;
}

Bytes NewClientEventId() {
  Bytes id(kClientEventIdBytes);
  const int ok = RAND_bytes(id.data(), static_cast<int>(id.size()));
  assert(ok == 1 && "OpenSSL's CSPRNG failed");
  (void)ok;
  return id;
}

EventBuilder::EventBuilder(Date effective_date)
    : message_(std::make_shared<capnp::MallocMessageBuilder>()),
      event_(static_cast<capnp::MallocMessageBuilder*>(message_.get())->initRoot<Event>()) {
  event_.setEffectiveDate(effective_date.packed());
  const Bytes id = NewClientEventId();
  event_.setClientEventId(kj::arrayPtr(id.data(), id.size()));
  event_.getCorrection().setNone();
}

Event::Body::Builder EventBuilder::body() { return event_.getBody(); }

EventBuilder& EventBuilder::Corrects(uint64_t seq, const std::string& reason) {
  auto c = event_.getCorrection().initReplaces();
  c.setSeq(seq);
  c.setReason(reason);
  return *this;
}

EventBuilder& EventBuilder::SetClientEventId(const Bytes& id) {
  event_.setClientEventId(kj::arrayPtr(id.data(), id.size()));
  return *this;
}

Result<SignedEvent> EventBuilder::Sign(const SigningKey& key) {
  const Hash256 id = key.key_id();
  event_.setAuthorKeyId(kj::arrayPtr(id.data(), id.size()));
  return SignEvent(event_.asReader(), key);
}

Result<DecodedEvent> DecodedEvent::Decode(const uint8_t* data, size_t size) {
  auto msg = ReadCanonical<Event>(data, size, kEventBytesMax, "event");
  if (!msg.ok()) return msg.status();
  DecodedEvent out;
  out.bytes_ = (*msg)->bytes();
  out.storage_ = *msg;
  return out;
}

Event::Reader DecodedEvent::reader() const {
  assert(storage_ && "reader() of an empty DecodedEvent");
  return static_cast<AlignedMessage*>(storage_.get())->reader->getRoot<Event>();
}

Result<DecodedEntry> DecodedEntry::Decode(const uint8_t* data, size_t size) {
  auto msg = ReadCanonical<schema::Entry>(data, size, kEntryBytesMax, "entry");
  if (!msg.ok()) return msg.status();
  auto entry = (*msg)->reader->getRoot<schema::Entry>();
  DecodedEntry out;
  out.seq_ = entry.getSeq();
  out.recorded_at_ = Instant{entry.getRecordedAtMicros()};
  auto prev = entry.getPreviousHash();
  if (prev.size() != 32) return Status::Corruption("previous hash is not 32 bytes");
  std::copy(prev.begin(), prev.end(), out.previous_hash_.begin());
  auto sig = entry.getSignature();
  if (sig.size() != kSignatureBytes) return Status::Corruption("signature is not 64 bytes");
  std::copy(sig.begin(), sig.end(), out.signature_.begin());
  // The event is a Data field of the entry, word-aligned inside the entry's aligned copy: read it
  // in place (its own canonical and shape checks still run).
  auto event_bytes = entry.getEvent();
  auto event =
      ReadCanonical<Event>(event_bytes.begin(), event_bytes.size(), kEventBytesMax, "event", *msg);
  if (!event.ok()) return event.status();
  out.event_.bytes_ = (*event)->bytes();
  out.event_.storage_ = *event;
  out.bytes_ = (*msg)->bytes();
  out.storage_ = *msg;
  return out;
}

Date DecodedEntry::effective_date() const {
  auto d = Date::FromPacked(reader().getEffectiveDate());
  return d.ok() ? *d : Date();  // shape-checked at decode, so always valid here
}

Hash256 DecodedEntry::leaf_hash() const { return LeafHash(bytes_.data(), bytes_.size()); }

Bytes EncodeEntry(uint64_t seq, Instant recorded_at, const Hash256& previous_hash,
                  const SignedEvent& event) {
  capnp::MallocMessageBuilder builder;
  auto entry = builder.initRoot<schema::Entry>();
  entry.setSeq(seq);
  entry.setRecordedAtMicros(recorded_at.micros);
  entry.setPreviousHash(kj::arrayPtr(previous_hash.data(), previous_hash.size()));
  entry.setEvent(kj::arrayPtr(event.event.data(), event.event.size()));
  entry.setSignature(kj::arrayPtr(event.signature.data(), event.signature.size()));
  return ToBytes(capnp::canonicalize(entry.asReader()));
}

std::string ApplicationIdOf(Event::Reader event) {
  auto body = event.getBody();
  switch (body.which()) {
    case Event::Body::APPLY:
      return body.getApply().getApplicationId();
    case Event::Body::DECIDE:
      return body.getDecide().getApplicationId();
    case Event::Body::PAY:
      return body.getPay().getApplicationId();
    case Event::Body::REPORT_SUBMIT:
      return body.getReportSubmit().getApplicationId();
    case Event::Body::REPORT_REVIEW:
      return body.getReportReview().getApplicationId();
    case Event::Body::REPAY_NOTICE:
      return body.getRepayNotice().getApplicationId();
    case Event::Body::REPAY_RECEIVE:
      return body.getRepayReceive().getApplicationId();
    default:
      return "";
  }
}

std::string EventToJson(Event::Reader event) {
  capnp::JsonCodec codec;
  codec.handleByAnnotation<Event>();
  kj::String text = codec.encode(event);
  return std::string(text.cStr(), text.size());
}

}  // namespace fouledger
