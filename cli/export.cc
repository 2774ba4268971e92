#include "export.h"

#include <capnp/serialize.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "format.h"
#include "ledger/merkle.h"
#include "ledger/proof_json.h"
#include "projections/audit.h"

namespace fouledger::cli {
namespace {

namespace fs = std::filesystem;

// The canonical layout of a schema::Entry that verify.sh relies on: root pointer (8 bytes), data
// section (seq, recordedAtMicros: 16), three pointers (24), then previousHash, event, signature
// in pre-order. ExportBundle refuses an entry that is laid out otherwise, rather than write a
// manifest verify.sh would reject.
constexpr size_t kPreviousHashOffset = 48;
constexpr size_t kEventOffset = 80;

// A message's bytes in word-aligned memory, so Cap'n Proto readers can point into them and the
// offset of a field is its address minus the base.
class AlignedBytes {
 public:
  explicit AlignedBytes(ByteView b) : words_(kj::heapArray<capnp::word>((b.size() + 7) / 8)) {
    std::memset(words_.begin(), 0, words_.size() * sizeof(capnp::word));
    std::memcpy(words_.begin(), b.data(), b.size());
    segments_[0] = words_.asPtr();
  }
  // Only for bytes DecodedEntry/DecodedEvent accepted (canonical, within limits): reading them
  // cannot throw.
  template <typename T>
  typename T::Reader Root() {
    reader_ = kj::heap<capnp::SegmentArrayMessageReader>(kj::arrayPtr(segments_, 1));
    return reader_->getRoot<T>();
  }
  size_t OffsetOf(capnp::Data::Reader field) const {
    return static_cast<size_t>(field.begin() - reinterpret_cast<const uint8_t*>(words_.begin()));
  }

 private:
  kj::Array<capnp::word> words_;
  kj::ArrayPtr<const capnp::word> segments_[1];
  kj::Own<capnp::SegmentArrayMessageReader> reader_;
};

struct EntryLayout {
  size_t previous_hash = 0, event = 0, event_size = 0, signature = 0;
  size_t author_in_event = 0;  // offset of authorKeyId inside the event bytes
};

Result<EntryLayout> LayoutOf(const DecodedEntry& e) {
  AlignedBytes entry_bytes(e.bytes());
  auto entry = entry_bytes.Root<schema::Entry>();
  EntryLayout l;
  l.previous_hash = entry_bytes.OffsetOf(entry.getPreviousHash());
  l.event = entry_bytes.OffsetOf(entry.getEvent());
  l.event_size = entry.getEvent().size();
  l.signature = entry_bytes.OffsetOf(entry.getSignature());
  AlignedBytes event_bytes(e.event().bytes());
  l.author_in_event = event_bytes.OffsetOf(event_bytes.Root<schema::Event>().getAuthorKeyId());
  const size_t padded = (l.event_size + 7) / 8 * 8;
  if (l.previous_hash != kPreviousHashOffset || l.event != kEventOffset ||
      l.signature != kEventOffset + padded || e.bytes().size() != l.signature + kSignatureBytes ||
      l.author_in_event + sizeof(Hash256) > l.event_size) {
    return Status::Corruption("entry " + std::to_string(e.seq()) +
                              " is not in the canonical layout verify.sh checks");
  }
  return l;
}

// A public key and where its raw bytes sit: in the event of entry `seq`, at `offset`.
struct KeyPlace {
  PublicKeyBytes key{};
  uint64_t seq = 0;
  size_t offset = 0;
};

Status WriteFile(const fs::path& path, const void* data, size_t size) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!f.flush()) return Status::IOError("cannot write " + path.string());
  return Status::Ok();
}
Status WriteFile(const fs::path& path, const std::string& text) {
  return WriteFile(path, text.data(), text.size());
}

std::string SeqName(uint64_t seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06llu", static_cast<unsigned long long>(seq));
  return buf;
}

Hash256 AuthorOf(const DecodedEntry& e) {
  Hash256 id{};
  const auto a = e.reader().getAuthorKeyId();
  if (a.size() == id.size()) std::copy(a.begin(), a.end(), id.begin());
  return id;
}

const char* kReadme =
    "fouledger audit bundle\n"
    "======================\n"
    "\n"
    "Check it with nothing but sh and OpenSSL 3:\n"
    "\n"
    "    sh verify.sh\n"
    "\n"
    "Exit 0 and a last line \"OK: the bundle verifies\" mean every author signature, the\n"
    "previous-hash chain, the Merkle root (or, for one year's bundle, every inclusion proof) and\n"
    "the checkpoint's signature hold. Then compare the checkpoint key id and root it prints with\n"
    "a checkpoint you obtained independently. Each problem is a \"FAIL:\" line.\n"
    "\n"
    "manifest.txt       what is here: scope, tree size, keys, entries and their byte offsets\n"
    "checkpoint.txt     the ledger's signed checkpoint (C2SP signed note)\n"
    "keys/ID.pem        public keys (ID = SHA-256 of the raw key, hex)\n"
    "entries/N.entry    each entry's exact stored bytes (the Merkle leaf)\n"
    "entries/N.event    the signed event bytes inside it; N.sig the signature; N.prev the\n"
    "                   previous entry's leaf hash; N.json the entry in readable form\n"
    "proofs/N.json      inclusion proof against the checkpoint (transparency-dev field names)\n"
    "proofs/N.path      the same proof's hashes, 32 raw bytes each, for verify.sh\n"
    "\n"
    "A step-by-step walk-through is in fouledger's docs/audit.md.\n";

}  // namespace

Result<ExportSummary> ExportBundle(const Ledger& ledger, const projections::Engine& engine,
                                   const ExportOptions& options) {
  const fs::path out(options.out_dir);
  std::error_code ec;
  if (options.out_dir.empty()) return Status::InvalidArgument("--out: no directory given");
  if (fs::exists(out, ec) && !(fs::is_directory(out, ec) && fs::is_empty(out, ec))) {
    return Status::InvalidArgument("--out: " + options.out_dir +
                                   " exists and is not an empty directory; nothing was written");
  }
  auto cp = ledger.LatestCheckpoint();
  if (!cp.ok()) return cp.status();
  const uint64_t size = cp->size;
  const Authority& authority = ledger.authority();

  // Where every key's raw bytes sit, and who revoked whom: one pass over the key entries.
  std::map<Hash256, KeyPlace> places;
  std::map<Hash256, std::vector<uint64_t>> revocations;
  Hash256 checkpoint_key_id{};
  FOULEDGER_RETURN_IF_ERROR(ledger.ForEachEntry(0, size, [&](const DecodedEntry& e) {
    const auto kind = e.kind();
    if (kind != schema::Event::Body::GENESIS && kind != schema::Event::Body::KEY_ENROLL &&
        kind != schema::Event::Body::KEY_REVOKE) {
      return Status::Ok();
    }
    AlignedBytes event_bytes(e.event().bytes());
    auto body = event_bytes.Root<schema::Event>().getBody();
    auto place = [&](capnp::Data::Reader raw) {
      KeyPlace p;
      if (raw.size() != p.key.size()) return Hash256{};
      std::copy(raw.begin(), raw.end(), p.key.begin());
      p.seq = e.seq();
      p.offset = event_bytes.OffsetOf(raw);
      const Hash256 id = KeyIdOf(p.key);
      places.emplace(id, p);  // the first place a key appears is where it was enrolled
      return id;
    };
    if (kind == schema::Event::Body::GENESIS) {
      place(body.getGenesis().getAdminPublicKey());
      checkpoint_key_id = place(body.getGenesis().getCheckpointPublicKey());
      if (places[checkpoint_key_id].offset + kPublicKeyBytes != e.event().bytes().size()) {
        return Status::Corruption(
            "entry 0: the checkpoint key is not the genesis event's last field");
      }
    } else if (kind == schema::Event::Body::KEY_ENROLL) {
      place(body.getKeyEnroll().getPublicKey());
    } else {
      Hash256 id{};
      const auto raw = body.getKeyRevoke().getKeyId();
      if (raw.size() == id.size()) std::copy(raw.begin(), raw.end(), id.begin());
      revocations[id].push_back(e.seq());
    }
    return Status::Ok();
  }));
  if (!places.count(checkpoint_key_id)) {
    return Status::Corruption("the ledger has no genesis entry naming a checkpoint key");
  }

  // Which entries go in.
  std::set<uint64_t> chosen;
  if (!options.year) {
    for (uint64_t s = 0; s < size; ++s) chosen.insert(s);
  } else {
    projections::Records records;
    for (uint64_t s = 0; s < size; ++s) {
      if (const auto* r = engine.FindRecord(s)) records.push_back(r);
    }
    const auto about = projections::EntriesAboutYear(records, *options.year);
    if (about.empty()) {
      return Status::NotFound("no entries about funding year " + std::to_string(*options.year));
    }
    chosen.insert(about.begin(), about.end());
    chosen.insert(0);  // the genesis entry names the checkpoint key
    // Every author's enrolment and revocations, whose authors need theirs: until nothing is new.
    for (bool grew = true; grew;) {
      grew = false;
      for (uint64_t s : std::vector<uint64_t>(chosen.begin(), chosen.end())) {
        const auto* r = engine.FindRecord(s);
        if (r == nullptr) continue;
        const auto need = [&](uint64_t n) { grew |= chosen.insert(n).second; };
        if (auto p = places.find(r->author_key_id); p != places.end()) need(p->second.seq);
        if (auto v = revocations.find(r->author_key_id); v != revocations.end()) {
          for (uint64_t n : v->second) need(n);
        }
      }
    }
  }

  fs::create_directories(out / "entries", ec);
  if (!ec) fs::create_directories(out / "keys", ec);
  if (!ec) fs::create_directories(out / "proofs", ec);
  if (ec) return Status::IOError("cannot create " + options.out_dir + ": " + ec.message());

  std::string manifest = "fouledger-audit-bundle 1\n";
  manifest += options.year ? "scope year " + std::to_string(*options.year) + "\n" : "scope full\n";
  manifest += "tree-size " + std::to_string(size) + "\n";
  manifest += "checkpoint-key " + ToHex(checkpoint_key_id) + "\n";
  std::string entry_lines;
  std::set<Hash256> authors = {checkpoint_key_id};
  ExportSummary summary;
  summary.tree_size = size;
  for (uint64_t seq : chosen) {
    auto entry = ledger.ReadEntry(seq);
    if (!entry.ok()) return entry.status();
    auto layout = LayoutOf(*entry);
    if (!layout.ok()) return layout.status();
    const Hash256 author = AuthorOf(*entry);
    if (!places.count(author)) {
      return Status::Corruption("entry " + std::to_string(seq) + ": author key " +
                                ShortKeyId(author) + " is enrolled by no entry");
    }
    authors.insert(author);
    const fs::path base = out / "entries" / SeqName(seq);
    const ByteView bytes = entry->bytes();
    const ByteView event = entry->event().bytes();
    FOULEDGER_RETURN_IF_ERROR(WriteFile(base.string() + ".entry", bytes.data(), bytes.size()));
    FOULEDGER_RETURN_IF_ERROR(WriteFile(base.string() + ".event", event.data(), event.size()));
    FOULEDGER_RETURN_IF_ERROR(
        WriteFile(base.string() + ".sig", entry->signature().data(), entry->signature().size()));
    FOULEDGER_RETURN_IF_ERROR(WriteFile(base.string() + ".prev", entry->previous_hash().data(),
                                        entry->previous_hash().size()));
    FOULEDGER_RETURN_IF_ERROR(
        WriteFile(base.string() + ".json", EntryJson(*entry, &authority).dump(2) + "\n"));

    auto proof = ledger.InclusionProof(seq, size);
    if (!proof.ok()) return proof.status();
    const Hash256 leaf = entry->leaf_hash();
    // Checked here too: a bundle with a wrong proof would only waste the auditor's time.
    FOULEDGER_RETURN_IF_ERROR(VerifyInclusion(leaf, seq, size, *proof, cp->root));
    const fs::path proof_base = out / "proofs" / SeqName(seq);
    FOULEDGER_RETURN_IF_ERROR(
        WriteFile(proof_base.string() + ".json",
                  InclusionProofToJson({seq, size, cp->root, leaf, *proof}, cp->note) + "\n"));
    std::string path;
    for (const auto& h : *proof) path.append(reinterpret_cast<const char*>(h.data()), h.size());
    FOULEDGER_RETURN_IF_ERROR(WriteFile(proof_base.string() + ".path", path));

    entry_lines += "entry " + std::to_string(seq) + " " + ToHex(author) + " " +
                   std::to_string(bytes.size()) + " " + std::to_string(layout->previous_hash) +
                   " " + std::to_string(layout->event) + " " + std::to_string(layout->event_size) +
                   " " + std::to_string(layout->signature) + " " +
                   std::to_string(layout->author_in_event) + "\n";
    ++summary.entries;
  }
  if (!options.year) {
    for (const auto& [id, place] : places) authors.insert(id);  // the whole ledger: every key
  }
  for (const Hash256& id : authors) {
    const KeyPlace& p = places.at(id);
    FOULEDGER_RETURN_IF_ERROR(
        WriteFile(out / "keys" / (ToHex(id) + ".pem"), PublicKeyToPem(p.key)));
    manifest +=
        "key " + ToHex(id) + " " + std::to_string(p.seq) + " " + std::to_string(p.offset) + "\n";
    ++summary.keys;
  }
  manifest += entry_lines;
  FOULEDGER_RETURN_IF_ERROR(WriteFile(out / "manifest.txt", manifest));
  FOULEDGER_RETURN_IF_ERROR(WriteFile(out / "checkpoint.txt", cp->note));
  FOULEDGER_RETURN_IF_ERROR(WriteFile(out / "README.txt", std::string(kReadme)));
  FOULEDGER_RETURN_IF_ERROR(WriteFile(out / "verify.sh", std::string(VerifyScript())));
  ::chmod((out / "verify.sh").c_str(), 0755);
  return summary;
}

}  // namespace fouledger::cli
