#include "ledger/authority.h"

#include <algorithm>

#include "ledger/state_bytes.h"

namespace fouledger {
namespace {

using schema::Event;
using schema::Role;

std::string ShortKeyId(const Hash256& id) { return ToHex(id.data(), 8); }

// "a board key", "an admin key", "an office key".
std::string KeyOfRole(Role role) {
  const std::string name = RoleName(role);
  const bool vowel = role == Role::ADMIN || role == Role::AUDITOR || role == Role::OFFICE;
  return (vowel ? "an " : "a ") + name + " key";
}

Hash256 ToHash(capnp::Data::Reader d) {
  Hash256 h{};
  if (d.size() == h.size()) std::copy(d.begin(), d.end(), h.begin());
  return h;
}

std::vector<std::string> ToStrings(capnp::List<capnp::Text>::Reader list) {
  std::vector<std::string> out;
  for (auto t : list) out.emplace_back(t.cStr());
  return out;
}

bool KindIsBoundToApplication(EventKind kind) {
  return kind == Event::Body::APPLY || kind == Event::Body::DECIDE || kind == Event::Body::PAY ||
         kind == Event::Body::REPORT_SUBMIT || kind == Event::Body::REPORT_REVIEW ||
         kind == Event::Body::REPAY_NOTICE || kind == Event::Body::REPAY_RECEIVE;
}

}  // namespace

bool RoleMayWrite(Role role, EventKind kind) {
  switch (kind) {
    case Event::Body::GENESIS:
      return false;  // written once, by Ledger::Create, with the checkpoint key
    case Event::Body::KEY_ENROLL:
    case Event::Body::KEY_REVOKE:
    case Event::Body::UNIT_ADD:
      return role == Role::ADMIN;
    case Event::Body::YEAR_OPEN:
    case Event::Body::APPROPRIATE:
    case Event::Body::DECIDE:
      return role == Role::BOARD;
    case Event::Body::PAY:
    case Event::Body::REPORT_REVIEW:
    case Event::Body::REPAY_RECEIVE:
      return role == Role::OFFICE;
    case Event::Body::APPLY:
    case Event::Body::REPORT_SUBMIT:
    case Event::Body::REPAY_NOTICE:
      return role == Role::UNIT;
    case Event::Body::VOID_ENTRY:
      return false;  // decided by the kind of the entry voided; see Authority::CheckTarget
  }
  return false;
}

const KeyRecord* Authority::FindKey(const Hash256& key_id) const {
  auto it = keys_.find(key_id);
  return it == keys_.end() ? nullptr : &it->second;
}

PublicKeyBytes Authority::AuthorKeyOf(const DecodedEntry& entry) const {
  PublicKeyBytes key{};
  if (entry.kind() == Event::Body::GENESIS) {
    auto cp = entry.reader().getBody().getGenesis().getCheckpointPublicKey();
    std::copy(cp.begin(), cp.end(), key.begin());
    return key;
  }
  const KeyRecord* author = FindKey(ToHash(entry.reader().getAuthorKeyId()));
  assert(author != nullptr && "AuthorKeyOf an entry that did not pass Check");
  return author != nullptr ? author->public_key : key;
}

bool Authority::VerifyAuthorSignature(const DecodedEntry& entry) const {
  const ByteView event = entry.event().bytes();
  const SignatureBytes& signature = entry.signature();
  if (entry.kind() == Event::Body::GENESIS) {
    return VerifySignature(AuthorKeyOf(entry), event.data(), event.size(), signature.data(),
                           signature.size());
  }
  const KeyRecord* author = FindKey(ToHash(entry.reader().getAuthorKeyId()));
  return author != nullptr &&
         author->verifier.Verify(event.data(), event.size(), signature.data(), signature.size());
}

std::optional<uint64_t> Authority::SupersededBy(uint64_t seq) const {
  auto it = superseded_by_.find(seq);
  if (it == superseded_by_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Authority::UnitsOfEvent(Event::Reader event) const {
  auto body = event.getBody();
  if (body.isApply()) return ToStrings(body.getApply().getUnits());
  const std::string app = ApplicationIdOf(event);
  if (app.empty()) return {};
  auto it = application_units_.find(app);
  return it == application_units_.end() ? std::vector<std::string>{} : it->second;
}

Status Authority::CheckUnits(const KeyRecord& author, const std::vector<std::string>& units,
                             const std::string& what) const {
  if (author.role != Role::UNIT) return Status::Ok();
  for (const auto& u : units) {
    if (std::find(author.units.begin(), author.units.end(), u) != author.units.end()) {
      return Status::Ok();
    }
  }
  std::string mine;
  for (const auto& u : author.units) mine += (mine.empty() ? "" : ",") + u;
  std::string theirs;
  for (const auto& u : units) theirs += (theirs.empty() ? "" : ",") + u;
  return Status::Refused("a unit key acts only for its own units: this key is for " + mine + "; " +
                         what + " belongs to " + (theirs.empty() ? "no unit" : theirs));
}

Status Authority::CheckAuthor(const DecodedEntry& e, const KeyRecord** author) const {
  const Hash256 author_id = ToHash(e.reader().getAuthorKeyId());
  const KeyRecord* key = FindKey(author_id);
  if (key == nullptr) {
    return Status::Refused("author key " + ShortKeyId(author_id) + " is not enrolled");
  }
  if (key->revoked_seq) {
    return Status::Refused("author key " + ShortKeyId(author_id) + " was revoked at entry " +
                           std::to_string(*key->revoked_seq));
  }
  *author = key;
  return Status::Ok();
}

Status Authority::CheckTarget(const DecodedEntry& e, const KeyRecord& author,
                              uint64_t target) const {
  const std::string what = e.kind() == Event::Body::VOID_ENTRY ? "void" : "correction";
  if (target >= size_) {
    return Status::Refused(what + " names entry " + std::to_string(target) +
                           ", but the ledger has " + std::to_string(size_) + " entries");
  }
  if (auto by = SupersededBy(target)) {
    return Status::Refused("entry " + std::to_string(target) +
                           " was already replaced or voided by entry " + std::to_string(*by) +
                           "; a " + what + " must name the current entry");
  }
  const std::optional<EntryFacts> facts = FactsOf(target);
  if (!facts) {
    // Only after StartAfter, when the verifier did not load an entry the index says is needed.
    return Status::Refused("entry " + std::to_string(target) +
                           " is before the entries checked and was not loaded");
  }
  const EventKind target_kind = facts->kind;
  if (target_kind == Event::Body::GENESIS || target_kind == Event::Body::KEY_ENROLL ||
      target_kind == Event::Body::KEY_REVOKE || target_kind == Event::Body::VOID_ENTRY) {
    return Status::Refused(std::string("entry ") + std::to_string(target) + " (" +
                           EventKindName(target_kind) + ") cannot be corrected or voided" +
                           (target_kind == Event::Body::KEY_ENROLL
                                ? "; revoke the key and enroll the right one"
                                : ""));
  }
  if (e.kind() != Event::Body::VOID_ENTRY && e.kind() != target_kind) {
    return Status::Refused("a correction must be of the same kind as entry " +
                           std::to_string(target) + " (" + EventKindName(target_kind) + "), not " +
                           EventKindName(e.kind()));
  }
  if (!RoleMayWrite(author.role, target_kind)) {
    return Status::Refused(KeyOfRole(author.role) + " may not " + what + " entry " +
                           std::to_string(target) + ": only a role that may write " +
                           EventKindName(target_kind) + " entries may");
  }
  if (const uint32_t app_index = facts->application; app_index != 0) {
    const std::string& app = applications_[app_index - 1];
    const std::string new_app = ApplicationIdOf(e.reader());
    if (e.kind() != Event::Body::VOID_ENTRY && new_app != app) {
      return Status::Refused("a correction of entry " + std::to_string(target) +
                             " must be about the same application " + app + ", not " + new_app +
                             "; void it and write a new entry instead");
    }
    auto units = application_units_.find(app);
    if (units != application_units_.end()) {
      FOULEDGER_RETURN_IF_ERROR(CheckUnits(author, units->second, "application " + app));
    }
  }
  return Status::Ok();
}

Status Authority::Check(const DecodedEntry& e) const {
  auto event = e.reader();
  const EventKind kind = e.kind();
  if (e.seq() != size_) {
    return Status::Refused("entry " + std::to_string(e.seq()) + " is out of sequence; next is " +
                           std::to_string(size_));
  }
  if (kind == Event::Body::GENESIS || size_ == 0) {
    if (kind != Event::Body::GENESIS || size_ != 0) {
      return Status::Refused("only entry 0 is the genesis entry, and it must be one");
    }
    const auto g = event.getBody().getGenesis();
    PublicKeyBytes cp{};
    std::copy(g.getCheckpointPublicKey().begin(), g.getCheckpointPublicKey().end(), cp.begin());
    if (ToHash(event.getAuthorKeyId()) != KeyIdOf(cp)) {
      return Status::Refused("the genesis entry must be signed by the checkpoint key it names");
    }
    return Status::Ok();
  }

  const KeyRecord* author = nullptr;
  FOULEDGER_RETURN_IF_ERROR(CheckAuthor(e, &author));
  const bool is_void = kind == Event::Body::VOID_ENTRY;
  if (!is_void && !RoleMayWrite(author->role, kind)) {
    return Status::Refused(KeyOfRole(author->role) + " may not write " + EventKindName(kind) +
                           " entries");
  }
  std::optional<uint64_t> target;
  if (is_void) target = event.getBody().getVoidEntry().getSeq();
  if (event.getCorrection().isReplaces()) target = event.getCorrection().getReplaces().getSeq();
  if (target) FOULEDGER_RETURN_IF_ERROR(CheckTarget(e, *author, *target));

  auto body = event.getBody();
  switch (kind) {
    case Event::Body::KEY_ENROLL: {
      auto k = body.getKeyEnroll();
      PublicKeyBytes pk{};
      std::copy(k.getPublicKey().begin(), k.getPublicKey().end(), pk.begin());
      if (const KeyRecord* existing = FindKey(KeyIdOf(pk))) {
        return Status::Refused(
            "key " + ShortKeyId(KeyIdOf(pk)) + " is already enrolled (as " +
            RoleName(existing->role) + ", entry " + std::to_string(existing->enrolled_seq) +
            (existing->revoked_seq ? ", since revoked" : "") + "); a key is enrolled once");
      }
      if (pk == checkpoint_key_) {
        return Status::Refused("the ledger's checkpoint key cannot be enrolled for a role");
      }
      for (auto u : k.getUnits()) {
        if (!HasUnit(u))
          return Status::Refused(std::string("unit '") + u.cStr() + "' does not exist");
      }
      return Status::Ok();
    }
    case Event::Body::KEY_REVOKE: {
      const Hash256 id = ToHash(body.getKeyRevoke().getKeyId());
      const KeyRecord* key = FindKey(id);
      if (key == nullptr) return Status::Refused("key " + ShortKeyId(id) + " is not enrolled");
      if (key->revoked_seq) {
        return Status::Refused("key " + ShortKeyId(id) + " was already revoked at entry " +
                               std::to_string(*key->revoked_seq));
      }
      if (key->role == Role::ADMIN) {
        size_t active_admins = 0;
        for (const auto& [_, k] : keys_) active_admins += k.role == Role::ADMIN && !k.revoked_seq;
        if (active_admins <= 1) {
          return Status::Refused("key " + ShortKeyId(id) +
                                 " is the last active admin key; enroll another admin first");
        }
      }
      return Status::Ok();
    }
    case Event::Body::UNIT_ADD: {
      auto u = body.getUnitAdd();
      if (!target && HasUnit(u.getUnitId())) {
        return Status::Refused(std::string("unit '") + u.getUnitId().cStr() + "' already exists");
      }
      for (auto s : u.getSucceeds()) {
        if (!HasUnit(s)) {
          return Status::Refused(std::string("unit '") + s.cStr() + "' (succeeded) does not exist");
        }
      }
      return Status::Ok();
    }
    case Event::Body::APPLY: {
      auto a = body.getApply();
      const std::string id = a.getApplicationId();
      if (!target && application_units_.count(id)) {
        return Status::Refused("application " + id + " already exists");
      }
      for (auto u : a.getUnits()) {
        if (!HasUnit(u))
          return Status::Refused(std::string("unit '") + u.cStr() + "' does not exist");
      }
      return CheckUnits(*author, ToStrings(a.getUnits()), "application " + id);
    }
    case Event::Body::DECIDE:
    case Event::Body::PAY:
    case Event::Body::REPORT_SUBMIT:
    case Event::Body::REPORT_REVIEW:
    case Event::Body::REPAY_NOTICE:
    case Event::Body::REPAY_RECEIVE: {
      const std::string app = ApplicationIdOf(event);
      if (!application_units_.count(app)) {
        return Status::Refused("application " + app + " does not exist");
      }
      return CheckUnits(*author, UnitsOfEvent(event), "application " + app);
    }
    default:
      return Status::Ok();
  }
}

std::optional<Authority::EntryFacts> Authority::FactsOf(uint64_t seq) const {
  if (seq >= first_) {
    const uint64_t i = seq - first_;
    if (i >= kinds_.size()) return std::nullopt;
    return EntryFacts{kinds_[i], entry_application_[i]};
  }
  auto it = earlier_.find(seq);
  if (it == earlier_.end()) return std::nullopt;
  return it->second;
}

uint32_t Authority::InternApplication(const DecodedEntry& e) {
  if (!KindIsBoundToApplication(e.kind())) return 0;
  return applications_.Intern(ApplicationIdOf(e.reader())) + 1;
}

void Authority::Apply(const DecodedEntry& e) {
  assert(e.seq() == size_ && "entries are applied in sequence");
  kinds_.push_back(e.kind());
  ++size_;
  const uint32_t application = InternApplication(e);
  entry_application_.push_back(application);
  Fold(e);
}

void Authority::StartAfter(uint64_t size) {
  assert(size_ == 0 && first_ == 0 && "StartAfter on a fresh Authority");
  first_ = size;
  size_ = size;
}

void Authority::LoadEarlier(const DecodedEntry& e) {
  assert(e.seq() < first_ && "LoadEarlier takes entries before StartAfter's size");
  const uint32_t application = InternApplication(e);
  earlier_[e.seq()] = EntryFacts{e.kind(), application};
  Fold(e);
}

void Authority::Fold(const DecodedEntry& e) {
  auto event = e.reader();
  auto body = event.getBody();
  if (event.getCorrection().isReplaces()) {
    superseded_by_[event.getCorrection().getReplaces().getSeq()] = e.seq();
  }
  switch (e.kind()) {
    case Event::Body::GENESIS: {
      auto g = body.getGenesis();
      ledger_name_ = g.getLedgerName();
      std::copy(g.getCheckpointPublicKey().begin(), g.getCheckpointPublicKey().end(),
                checkpoint_key_.begin());
      KeyRecord admin;
      std::copy(g.getAdminPublicKey().begin(), g.getAdminPublicKey().end(),
                admin.public_key.begin());
      admin.verifier = SignatureVerifier(admin.public_key);
      admin.role = Role::ADMIN;
      admin.holder = "first admin (genesis)";
      keys_[KeyIdOf(admin.public_key)] = admin;
      break;
    }
    case Event::Body::KEY_ENROLL: {
      auto k = body.getKeyEnroll();
      KeyRecord rec;
      std::copy(k.getPublicKey().begin(), k.getPublicKey().end(), rec.public_key.begin());
      rec.verifier = SignatureVerifier(rec.public_key);
      rec.role = k.getRole();
      rec.units = ToStrings(k.getUnits());
      rec.holder = k.getHolder();
      rec.enrolled_seq = e.seq();
      keys_[KeyIdOf(rec.public_key)] = rec;
      break;
    }
    case Event::Body::KEY_REVOKE: {
      auto it = keys_.find(ToHash(body.getKeyRevoke().getKeyId()));
      if (it != keys_.end()) it->second.revoked_seq = e.seq();
      break;
    }
    case Event::Body::UNIT_ADD:
      units_.insert(body.getUnitAdd().getUnitId());
      break;
    case Event::Body::APPLY:
      application_units_[body.getApply().getApplicationId()] =
          ToStrings(body.getApply().getUnits());
      break;
    case Event::Body::VOID_ENTRY:
      superseded_by_[body.getVoidEntry().getSeq()] = e.seq();
      break;
    default:
      break;
  }
}

namespace {
constexpr const char* kAuthorityStateTag = "fouledger-authority-1";
constexpr uint16_t kLastEventKind = static_cast<uint16_t>(Event::Body::VOID_ENTRY);
constexpr uint16_t kLastRole = static_cast<uint16_t>(Role::AUDITOR);

}  // namespace

bool Authority::SaveState(std::string* out) const {
  if (first_ != 0 || !earlier_.empty()) return false;  // a partial Authority (verify --since)
  StateWriter w;
  w.String(kAuthorityStateTag);
  w.U64(size_);
  w.String(ledger_name_);
  w.Raw(checkpoint_key_.data(), checkpoint_key_.size());
  w.U64(keys_.size());
  for (const auto& [id, k] : keys_) {
    w.Raw(k.public_key.data(), k.public_key.size());
    w.U32(static_cast<uint32_t>(k.role));
    w.Strings(k.units);
    w.String(k.holder);
    w.U64(k.enrolled_seq);
    w.U8(k.revoked_seq ? 1 : 0);
    w.U64(k.revoked_seq.value_or(0));
  }
  w.U64(units_.size());
  for (const auto& u : units_) w.String(u);
  w.U64(application_units_.size());
  for (const auto& [app, units] : application_units_) {
    w.String(app);
    w.Strings(units);
  }
  w.Strings(applications_.ids());
  // kinds_ and entry_application_ have size_ elements each (the invariant Apply keeps).
  for (uint64_t i = 0; i < size_; ++i) {
    w.U8(static_cast<uint8_t>(kinds_[i]));
    w.U32(entry_application_[i]);
  }
  w.U64(superseded_by_.size());
  for (const auto& [target, by] : superseded_by_) {
    w.U64(target);
    w.U64(by);
  }
  *out = w.Take();
  return true;
}

Status Authority::LoadState(std::string_view bytes, uint64_t entries) {
  StateReader r(bytes, "the Authority's saved state");
  Authority a;
  std::string tag;
  if (!r.String(&tag)) return r.status();
  if (tag != kAuthorityStateTag) {
    return Status::Corruption("the Authority's saved state is tagged '" + tag.substr(0, 64) +
                              "', not '" + kAuthorityStateTag + "'");
  }
  if (!r.U64(&a.size_) || !r.String(&a.ledger_name_) ||
      !r.Raw(a.checkpoint_key_.data(), a.checkpoint_key_.size())) {
    return r.status();
  }
  if (a.size_ != entries) {
    return Status::Corruption("the Authority's saved state is of " + std::to_string(a.size_) +
                              " entries, not " + std::to_string(entries));
  }
  uint64_t n = 0;
  if (!r.Count(&n, 32 + 4 + 8 + 8 + 8 + 1 + 8)) return r.status();
  for (uint64_t i = 0; i < n; ++i) {
    KeyRecord k;
    uint32_t role = 0;
    uint8_t revoked = 0;
    uint64_t revoked_seq = 0;
    if (!r.Raw(k.public_key.data(), k.public_key.size()) || !r.U32(&role) || !r.Strings(&k.units) ||
        !r.String(&k.holder) || !r.U64(&k.enrolled_seq) || !r.U8(&revoked) ||
        !r.U64(&revoked_seq)) {
      return r.status();
    }
    if (role > kLastRole || revoked > 1 || k.enrolled_seq >= entries ||
        (revoked && revoked_seq >= entries)) {
      r.Fail("key record " + std::to_string(i) + " out of range");
      return r.status();
    }
    k.role = static_cast<Role>(role);
    if (revoked) k.revoked_seq = revoked_seq;
    k.verifier = SignatureVerifier(k.public_key);
    if (!a.keys_.emplace(KeyIdOf(k.public_key), std::move(k)).second) {
      r.Fail("a key saved twice");
      return r.status();
    }
  }
  if (!r.Count(&n, 8)) return r.status();
  for (uint64_t i = 0; i < n; ++i) {
    std::string u;
    if (!r.String(&u)) return r.status();
    a.units_.insert(std::move(u));
  }
  if (!r.Count(&n, 16)) return r.status();
  for (uint64_t i = 0; i < n; ++i) {
    std::string app;
    std::vector<std::string> units;
    if (!r.String(&app) || !r.Strings(&units)) return r.status();
    // Saved in key order: each goes at the end.
    a.application_units_.emplace_hint(a.application_units_.end(), std::move(app), std::move(units));
  }
  std::vector<std::string> applications;
  if (!r.Strings(&applications)) return r.status();
  if (!a.applications_.Assign(std::move(applications))) {
    r.Fail("an application saved twice");
    return r.status();
  }
  if (entries > r.remaining() / 5) {
    r.Fail("the facts of " + std::to_string(entries) + " entries");
    return r.status();
  }
  a.kinds_.reserve(static_cast<size_t>(entries));
  a.entry_application_.reserve(static_cast<size_t>(entries));
  for (uint64_t i = 0; i < entries; ++i) {
    uint8_t kind = 0;
    uint32_t app = 0;
    if (!r.U8(&kind) || !r.U32(&app)) return r.status();
    if (kind > kLastEventKind || app > a.applications_.size()) {
      r.Fail("the facts of entry " + std::to_string(i) + " out of range");
      return r.status();
    }
    a.kinds_.push_back(static_cast<EventKind>(kind));
    a.entry_application_.push_back(app);
  }
  if (!r.Count(&n, 16)) return r.status();
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t target = 0;
    uint64_t by = 0;
    if (!r.U64(&target) || !r.U64(&by)) return r.status();
    if (target >= by || by >= entries) {
      r.Fail("supersession " + std::to_string(target) + " -> " + std::to_string(by));
      return r.status();
    }
    a.superseded_by_.emplace_hint(a.superseded_by_.end(), target, by);
  }
  FOULEDGER_RETURN_IF_ERROR(r.Finish());
  *this = std::move(a);
  return Status::Ok();
}

}  // namespace fouledger
