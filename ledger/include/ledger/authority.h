// Authority: who may write what, folded from the entries themselves.
//
// It knows the enrolled keys (role, units, revocation), the units, and which units own each
// application, and checks a candidate entry against the ledger-level rules:
//   - the author key is enrolled and not revoked, and its role may write this kind of event
//     (admin: keys and units; board: year rules, appropriations, decisions; office: payouts,
//     report reviews, repayments received; unit: applications, report submissions, repayment
//     notices, for its own units only; controller and auditor: nothing);
//   - corrections and voids name an existing, still current entry of a kind its author may write.
// Domain rules (caps, windows, money) are not here: they live in projections/ and are plugged in
// through Ledger's AppendValidator. Verification replays the same Authority, so a check made at
// append is made again, the same way, by `verify`. Not thread-safe; the Ledger serializes it.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/event.h"
#include "ledger/interner.h"
#include "ledger/status.h"

namespace fouledger {

struct KeyRecord {
  PublicKeyBytes public_key{};
  SignatureVerifier verifier;  // for public_key, built once at enrolment
  schema::Role role = schema::Role::UNSPECIFIED;
  std::vector<std::string> units;  // for unit keys
  std::string holder;
  uint64_t enrolled_seq = 0;
  std::optional<uint64_t> revoked_seq;
};

bool RoleMayWrite(schema::Role role, EventKind kind);

class Authority {
 public:
  // Ledger-level checks of `candidate`, which would get sequence number `seq`. Does not check the
  // signature (the caller does, with the key this returns through FindKey).
  Status Check(const DecodedEntry& candidate) const;
  // Folds an entry that passed Check (or is already in the ledger) into the state.
  void Apply(const DecodedEntry& entry);

  // An auditor's second visit (verify --since) checks only the entries after a prefix their
  // checkpoint vouches for, and must not replay the prefix: StartAfter(n) makes an empty Authority
  // stand at size n, and LoadEarlier feeds it just the earlier entries the new ones can depend on
  // (the genesis, every key and unit entry, the applications they name, the entries they correct
  // or void and what already superseded those; found through the ledger's authority index,
  // docs/storage.md), in increasing seq order. Check then answers for the new entries exactly as
  // an Authority that replayed everything; asking it about an earlier entry that was not loaded
  // is a refusal naming that entry, never a silent pass.
  void StartAfter(uint64_t size);
  void LoadEarlier(const DecodedEntry& entry);

  // The state in bytes, for the ledger's snapshot (docs/storage.md), and back. SaveState is for
  // an Authority that applied every entry from 0 (false after StartAfter). LoadState replaces the
  // state with the one saved after `entries` entries; the bytes are untrusted: on any
  // inconsistency it returns Corruption and leaves this Authority as it was.
  bool SaveState(std::string* out) const;
  Status LoadState(std::string_view bytes, uint64_t entries);

  const KeyRecord* FindKey(const Hash256& key_id) const;
  // The public key that must have signed `entry`, which passed Check: the enrolled author's key,
  // or for the genesis entry the checkpoint key it names.
  PublicKeyBytes AuthorKeyOf(const DecodedEntry& entry) const;
  // Whether `entry` (which passed Check) carries a good signature by AuthorKeyOf(entry); uses the
  // enrolled key's SignatureVerifier.
  bool VerifyAuthorSignature(const DecodedEntry& entry) const;
  const std::map<Hash256, KeyRecord>& keys() const { return keys_; }
  bool HasUnit(const std::string& unit_id) const { return units_.count(unit_id) != 0; }
  const PublicKeyBytes& checkpoint_public_key() const { return checkpoint_key_; }
  const std::string& ledger_name() const { return ledger_name_; }
  // The entry that replaced or voided `seq`, if any.
  std::optional<uint64_t> SupersededBy(uint64_t seq) const;

 private:
  Status CheckAuthor(const DecodedEntry& e, const KeyRecord** author) const;
  Status CheckUnits(const KeyRecord& author, const std::vector<std::string>& units,
                    const std::string& what) const;
  Status CheckTarget(const DecodedEntry& e, const KeyRecord& author, uint64_t target) const;
  std::vector<std::string> UnitsOfEvent(schema::Event::Reader event) const;
  // What Check needs to know of any earlier entry: its kind and its application (1 + index in
  // applications_, 0 for none).
  struct EntryFacts {
    EventKind kind;
    uint32_t application;
  };
  std::optional<EntryFacts> FactsOf(uint64_t seq) const;
  uint32_t InternApplication(const DecodedEntry& e);
  // The keys, units, application owners and supersessions `e` changes.
  void Fold(const DecodedEntry& e);

  std::string ledger_name_;
  PublicKeyBytes checkpoint_key_{};
  std::map<Hash256, KeyRecord> keys_;
  std::set<std::string> units_;
  std::map<std::string, std::vector<std::string>> application_units_;
  std::vector<EventKind> kinds_;  // kind of every entry, by seq - first_
  // The application of each entry, by seq - first_: 1 + its index in applications_, 0 for none.
  // Interned, because a replay of a million entries must not build a million strings and nodes.
  std::vector<uint32_t> entry_application_;
  // After StartAfter(n): first_ = n, and the facts of the earlier entries that were loaded.
  uint64_t first_ = 0;
  std::unordered_map<uint64_t, EntryFacts> earlier_;
  Interner applications_;
  std::map<uint64_t, uint64_t> superseded_by_;
  uint64_t size_ = 0;
};

}  // namespace fouledger
