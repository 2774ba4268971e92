#include "ledger/ledger.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>

#include "keys.h"
#include "ledger/merkle.h"

namespace fouledger {
namespace {

namespace fs = std::filesystem;
using namespace storage;

enum FamilyIndex { kMeta = 0, kEntries, kIndex, kTree, kCheckpoints, kFamilyCount };

std::vector<rocksdb::ColumnFamilyDescriptor> FamilyDescriptors() {
  rocksdb::ColumnFamilyOptions cf;
  return {{kMetaFamily, cf},
          {kEntriesFamily, cf},
          {kIndexFamily, cf},
          {kTreeFamily, cf},
          {kCheckpointsFamily, cf}};
}

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  if (s.IsNotFound()) return Status::NotFound(what);
  if (s.IsCorruption()) return Status::Corruption(what + ": RocksDB: " + s.ToString());
  return Status::IOError(what + ": RocksDB: " + s.ToString());
}

Hash256 ToHash(const rocksdb::Slice& s) {
  Hash256 h{};
  std::copy(s.data(), s.data() + std::min(s.size(), h.size()), h.begin());
  return h;
}

}  // namespace

struct Ledger::Impl {
  LedgerOptions options;
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> families;
  std::optional<SigningKey> checkpoint_key;

  std::mutex write_mutex;  // one writer at a time; guards everything below
  Authority authority;
  CompactTree tree;
  Hash256 last_leaf_hash{};
  Instant last_recorded_at;
  Status poisoned;  // set when a write failed: state in memory may be ahead of the disk
  std::atomic<uint64_t> size{0};

  ~Impl() {
    for (auto* h : families) {
      if (db && h) db->DestroyColumnFamilyHandle(h);
    }
  }

  rocksdb::ColumnFamilyHandle* family(FamilyIndex i) const { return families[i]; }

  SubtreeReader TreeReader(const rocksdb::Snapshot* snapshot, uint64_t limit) const {
    return [this, snapshot, limit](SubtreeId id) -> Result<Hash256> {
      if (id.first_leaf() + id.leaf_count() > limit) {
        return Status::NotFound("subtree beyond the ledger's size");
      }
      rocksdb::ReadOptions ro;
      ro.snapshot = snapshot;
      std::string value;
      auto s = db->Get(ro, family(kTree), TreeKey(id.level, id.index), &value);
      if (!s.ok()) {
        return FromRocks(s,
                         "tree node " + std::to_string(id.level) + "/" + std::to_string(id.index));
      }
      if (value.size() != 32) {
        return Status::Corruption("tree node " + std::to_string(id.level) + "/" +
                                  std::to_string(id.index) + " is not 32 bytes");
      }
      return ToHash(value);
    };
  }

  Status OpenDb(bool create) {
    rocksdb::DBOptions db_options;
    db_options.create_if_missing = create;  // default false
    db_options.error_if_exists = create;    // Create never adopts an existing ledger
    db_options.create_missing_column_families = create;
    db_options.paranoid_checks = true;  // default true: refuse to open a damaged DB
    db_options.max_open_files = 256;    // default -1 (unlimited)
    rocksdb::DB* raw = nullptr;
    auto s = rocksdb::DB::Open(db_options, (fs::path(options.path) / kDbDirectory).string(),
                               FamilyDescriptors(), &families, &raw);
    if (!s.ok()) return FromRocks(s, "cannot open the ledger in " + options.path);
    db.reset(raw);
    return Status::Ok();
  }

  // Forgets the in-memory state and replays it from disk (after a refused all-or-nothing batch).
  Status Reload() {
    authority = Authority();
    tree = CompactTree();
    last_leaf_hash = Hash256{};
    last_recorded_at = Instant{};
    if (options.validator && !options.validator->Reset()) {
      poisoned = Status::IOError("the domain rules cannot be rolled back; reopen the ledger");
      return poisoned;
    }
    return Load();
  }

  // Replays every stored entry into the in-memory state.
  Status Load() {
    std::string format;
    auto s = db->Get(rocksdb::ReadOptions(), family(kMeta), kFormatKey, &format);
    if (!s.ok() || format != kFormat) {
      return Status::Corruption(options.path + " is not a fouledger ledger (format marker '" +
                                format + "')");
    }
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions(), family(kEntries)));
    uint64_t expected = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      uint64_t seq = 0;
      if (!DecodeU64(it->key(), &seq) || seq != expected) {
        return Status::Corruption("entry " + std::to_string(expected) +
                                  ": sequence is not contiguous");
      }
      auto entry = DecodedEntry::Decode(reinterpret_cast<const uint8_t*>(it->value().data()),
                                        it->value().size());
      if (!entry.ok()) return entry.status().WithContext("entry " + std::to_string(seq));
      if (entry->seq() != seq) {
        return Status::Corruption("entry " + std::to_string(seq) + ": stored under the wrong key");
      }
      authority.Apply(*entry);
      if (options.validator) options.validator->Apply(*entry);
      last_leaf_hash = entry->leaf_hash();
      last_recorded_at = entry->recorded_at();
      ++expected;
    }
    if (!it->status().ok()) return FromRocks(it->status(), "reading entries");
    auto loaded = CompactTree::Load(TreeReader(nullptr, expected), expected);
    if (!loaded.ok()) return loaded.status().WithContext("loading the Merkle tree");
    tree = std::move(loaded).value();
    size.store(expected);

    const fs::path key_path = fs::path(options.path) / kCheckpointKeyFile;
    if (!checkpoint_key && fs::exists(key_path)) {
      auto key = SigningKey::LoadPem(key_path.string());
      if (!key.ok()) return key.status();
      if (expected > 0 && key->public_key() != authority.checkpoint_public_key()) {
        return Status::Corruption(key_path.string() +
                                  " is not the checkpoint key named in the genesis entry");
      }
      checkpoint_key.emplace(std::move(key).value());
    }
    return Status::Ok();
  }

  Result<AppendOutcome> Duplicate(uint64_t seq, const SignedEvent& event) const {
    std::string value;
    auto s = db->Get(rocksdb::ReadOptions(), family(kEntries), EncodeU64(seq), &value);
    if (!s.ok()) return FromRocks(s, "entry " + std::to_string(seq));
    auto entry = DecodedEntry::Decode(reinterpret_cast<const uint8_t*>(value.data()), value.size());
    if (!entry.ok()) return entry.status().WithContext("entry " + std::to_string(seq));
    if (entry->event().bytes() != event.event) {
      return Status::Refused("client event id was already used by entry " + std::to_string(seq) +
                             " for a different event");
    }
    return AppendOutcome{seq, entry->recorded_at(), entry->leaf_hash(), true};
  }

  // Every check for one candidate; on success the candidate is folded into the state.
  Result<AppendOutcome> Admit(const SignedEvent& event, rocksdb::WriteBatch* batch,
                              std::map<Bytes, uint64_t>* batch_ids) {
    auto decoded = DecodedEvent::Decode(event.event.data(), event.event.size());
    if (!decoded.ok()) return Status::InvalidArgument(decoded.status().message());
    FOULEDGER_RETURN_IF_ERROR(CheckEventShape(decoded->reader()));

    auto client_id = decoded->reader().getClientEventId();
    const Bytes client_key(client_id.begin(), client_id.end());
    if (auto it = batch_ids->find(client_key); it != batch_ids->end()) {
      return Status::Refused("client event id is used twice in one batch (entry " +
                             std::to_string(it->second) + ")");
    }
    std::string existing;
    auto s = db->Get(rocksdb::ReadOptions(), family(kIndex),
                     ClientIdKey(client_id.begin(), client_id.size()), &existing);
    if (s.ok()) {
      uint64_t seq = 0;
      if (!DecodeU64(existing, &seq)) return Status::Corruption("client event id index is damaged");
      return Duplicate(seq, event);
    }
    if (!s.IsNotFound()) return FromRocks(s, "client event id index");

    const uint64_t seq = tree.size();
    const Instant now = options.clock();
    const Instant recorded_at = std::max(now, last_recorded_at);  // never decreasing
    const Bytes entry_bytes = EncodeEntry(seq, recorded_at, last_leaf_hash, event);
    auto entry = DecodedEntry::Decode(entry_bytes);
    // We just encoded it from a decoded event: failing to decode is a bug of ours.
    assert(entry.ok());
    if (!entry.ok()) return entry.status();

    FOULEDGER_RETURN_IF_ERROR(authority.Check(*entry));
    const PublicKeyBytes author_key = authority.AuthorKeyOf(*entry);
    if (!VerifySignature(author_key, event.event.data(), event.event.size(), event.signature.data(),
                         event.signature.size())) {
      return Status::Refused("signature does not verify with author key " +
                             ToHex(KeyIdOf(author_key).data(), 8));
    }
    if (options.validator) FOULEDGER_RETURN_IF_ERROR(options.validator->Check(*entry));

    // Admitted: fold into the state and stage the writes.
    authority.Apply(*entry);
    if (options.validator) options.validator->Apply(*entry);
    const Hash256 leaf = entry->leaf_hash();
    batch->Put(
        family(kEntries), EncodeU64(seq),
        rocksdb::Slice(reinterpret_cast<const char*>(entry_bytes.data()), entry_bytes.size()));
    batch->Put(family(kIndex), ClientIdKey(client_key.data(), client_key.size()), EncodeU64(seq));
    tree.Append(leaf, [&](const CompactTree::NewNode& node) {
      batch->Put(family(kTree), TreeKey(node.id.level, node.id.index),
                 rocksdb::Slice(reinterpret_cast<const char*>(node.hash.data()), 32));
    });
    (*batch_ids)[client_key] = seq;
    last_leaf_hash = leaf;
    last_recorded_at = recorded_at;
    return AppendOutcome{seq, recorded_at, leaf, false};
  }
  // Checks and writes `events`; the caller holds write_mutex.
  std::vector<Result<AppendOutcome>> AppendLocked(const std::vector<SignedEvent>& events) {
    Impl& m = *this;
    std::vector<Result<AppendOutcome>> outcomes;
    outcomes.reserve(events.size());
    if (!m.poisoned.ok()) {
      for (size_t i = 0; i < events.size(); ++i) outcomes.emplace_back(m.poisoned);
      return outcomes;
    }
    if (!m.checkpoint_key) {
      for (size_t i = 0; i < events.size(); ++i) {
        outcomes.emplace_back(Status::IOError("the checkpoint key (" + m.options.path + "/" +
                                              kCheckpointKeyFile + ") is missing; cannot append"));
      }
      return outcomes;
    }
    const uint64_t size_before = m.tree.size();
    rocksdb::WriteBatch batch;
    std::map<Bytes, uint64_t> batch_ids;
    for (const SignedEvent& e : events) outcomes.push_back(m.Admit(e, &batch, &batch_ids));
    const uint64_t size_after = m.tree.size();
    if (size_after == size_before) return outcomes;  // nothing new (refusals or retries only)

    // Invariant: the batch extends the log by exactly the admitted entries, contiguously.
    assert(size_after - size_before == batch_ids.size());
    const Checkpoint cp =
        SignCheckpoint(m.authority.ledger_name(), size_after, m.tree.Root(), *m.checkpoint_key);
    batch.Put(m.family(kCheckpoints), EncodeU64(size_after), cp.note);

    rocksdb::WriteOptions wo;
    wo.sync = true;  // an acknowledged event must survive power loss
    auto s = m.db->Write(wo, &batch);
    if (!s.ok()) {
      // The in-memory state already holds the batch; only a reopen can make it match the disk.
      m.poisoned = FromRocks(s, "writing entries " + std::to_string(size_before) + ".." +
                                    std::to_string(size_after - 1) + " (reopen the ledger)");
      for (auto& o : outcomes) {
        if (o.ok() && !o->duplicate) o = m.poisoned;
      }
      return outcomes;
    }
    m.size.store(size_after);
    return outcomes;
  }
};

Ledger::Ledger(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Ledger::~Ledger() = default;

Result<std::unique_ptr<Ledger>> Ledger::Create(const LedgerOptions& options,
                                               const std::string& ledger_name,
                                               const PublicKeyBytes& admin_key) {
  if (!options.clock) return Status::InvalidArgument("a ledger needs a clock");
  const fs::path dir(options.path);
  std::error_code ec;
  if (fs::exists(dir / kDbDirectory, ec) || fs::exists(dir / kCheckpointKeyFile, ec)) {
    return Status::Refused("a ledger already exists in " + options.path);
  }
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create " + options.path + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);  // the checkpoint key lives here

  auto key = SigningKey::Generate();
  if (!key.ok()) return key.status();
  FOULEDGER_RETURN_IF_ERROR(key->SavePem((dir / kCheckpointKeyFile).string()));

  auto impl = std::make_unique<Impl>();
  impl->options = options;
  FOULEDGER_RETURN_IF_ERROR(impl->OpenDb(/*create=*/true));
  rocksdb::WriteOptions wo;
  wo.sync = true;  // the format marker must be durable before any entry
  auto s = impl->db->Put(wo, impl->family(kMeta), kFormatKey, kFormat);
  if (!s.ok()) return FromRocks(s, "writing the format marker");
  impl->checkpoint_key.emplace(std::move(key).value());

  EventBuilder genesis_event(options.clock().ToDate());
  auto genesis = genesis_event.body().initGenesis();
  genesis.setLedgerName(ledger_name);
  genesis.setAdminPublicKey(kj::arrayPtr(admin_key.data(), admin_key.size()));
  const auto& cp_key = impl->checkpoint_key->public_key();
  genesis.setCheckpointPublicKey(kj::arrayPtr(cp_key.data(), cp_key.size()));
  auto signed_event = genesis_event.Sign(*impl->checkpoint_key);
  if (!signed_event.ok()) return signed_event.status();

  std::unique_ptr<Ledger> ledger(new Ledger(std::move(impl)));
  auto outcome = ledger->Append(*signed_event);
  if (!outcome.ok()) return outcome.status().WithContext("writing the genesis entry");
  return ledger;
}

Result<std::unique_ptr<Ledger>> Ledger::Open(const LedgerOptions& options) {
  if (!options.clock) return Status::InvalidArgument("a ledger needs a clock");
  if (!fs::exists(fs::path(options.path) / kDbDirectory)) {
    return Status::NotFound("no ledger in " + options.path + " (create one with fouledger init)");
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  FOULEDGER_RETURN_IF_ERROR(impl->OpenDb(/*create=*/false));
  FOULEDGER_RETURN_IF_ERROR(impl->Load());
  return std::unique_ptr<Ledger>(new Ledger(std::move(impl)));
}

Result<AppendOutcome> Ledger::Append(const SignedEvent& event) {
  auto outcomes = AppendBatch({event});
  return std::move(outcomes.front());
}

std::vector<Result<AppendOutcome>> Ledger::AppendBatch(const std::vector<SignedEvent>& events) {
  std::lock_guard<std::mutex> lock(impl_->write_mutex);
  return impl_->AppendLocked(events);
}

Result<std::vector<AppendOutcome>> Ledger::AppendAll(const std::vector<SignedEvent>& events) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.write_mutex);  // held from the dry run to the write
  if (!m.poisoned.ok()) return m.poisoned;
  const auto where = [&](size_t i) {
    return "event " + std::to_string(i + 1) + " of " + std::to_string(events.size());
  };
  // Dry run: every check, nothing written.
  rocksdb::WriteBatch scratch;
  std::map<Bytes, uint64_t> batch_ids;
  Status refused;
  for (size_t i = 0; i < events.size() && refused.ok(); ++i) {
    auto o = m.Admit(events[i], &scratch, &batch_ids);
    if (!o.ok()) refused = o.status().WithContext(where(i));
  }
  // The dry run folded the admitted events into memory; bring the state back to the disk's.
  FOULEDGER_RETURN_IF_ERROR(m.Reload());
  if (!refused.ok()) return refused;
  // Under the same lock and on the same state, the checks give the same answers: write them all.
  std::vector<AppendOutcome> out;
  auto outcomes = m.AppendLocked(events);
  for (size_t i = 0; i < outcomes.size(); ++i) {
    if (!outcomes[i].ok()) return outcomes[i].status().WithContext(where(i));
    out.push_back(*outcomes[i]);
  }
  return out;
}

uint64_t Ledger::size() const { return impl_->size.load(); }

Result<Bytes> Ledger::ReadEntryBytes(uint64_t seq) const {
  if (seq >= size()) {
    return Status::NotFound("entry " + std::to_string(seq) + " (the ledger has " +
                            std::to_string(size()) + " entries)");
  }
  std::string value;
  auto s = impl_->db->Get(rocksdb::ReadOptions(), impl_->family(kEntries), EncodeU64(seq), &value);
  if (!s.ok()) return FromRocks(s, "entry " + std::to_string(seq));
  return Bytes(value.begin(), value.end());
}

Result<DecodedEntry> Ledger::ReadEntry(uint64_t seq) const {
  auto bytes = ReadEntryBytes(seq);
  if (!bytes.ok()) return bytes.status();
  auto entry = DecodedEntry::Decode(*bytes);
  if (!entry.ok()) return entry.status().WithContext("entry " + std::to_string(seq));
  return entry;
}

Status Ledger::ForEachEntry(uint64_t from, uint64_t to,
                            const std::function<Status(const DecodedEntry&)>& fn) const {
  to = std::min(to, size());
  if (from >= to) return Status::Ok();
  const rocksdb::Snapshot* snapshot = impl_->db->GetSnapshot();
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->family(kEntries)));
  Status result;
  uint64_t expected = from;
  for (it->Seek(EncodeU64(from)); it->Valid() && expected < to; it->Next(), ++expected) {
    uint64_t seq = 0;
    if (!DecodeU64(it->key(), &seq) || seq != expected) {
      result = Status::Corruption("entry " + std::to_string(expected) + " is missing");
      break;
    }
    auto entry = DecodedEntry::Decode(reinterpret_cast<const uint8_t*>(it->value().data()),
                                      it->value().size());
    if (!entry.ok()) {
      result = entry.status().WithContext("entry " + std::to_string(seq));
      break;
    }
    result = fn(*entry);
    if (!result.ok()) break;
  }
  if (result.ok() && !it->status().ok()) result = FromRocks(it->status(), "reading entries");
  if (result.ok() && expected < to) {
    result = Status::Corruption("entry " + std::to_string(expected) + " is missing");
  }
  it.reset();
  impl_->db->ReleaseSnapshot(snapshot);
  return result;
}

Result<Hash256> Ledger::RootAt(uint64_t tree_size) const {
  if (tree_size > size()) {
    return Status::InvalidArgument("size " + std::to_string(tree_size) +
                                   " is beyond the ledger's " + std::to_string(size()) +
                                   " entries");
  }
  return fouledger::RootAt(impl_->TreeReader(nullptr, tree_size), tree_size);
}

Result<std::vector<Hash256>> Ledger::InclusionProof(uint64_t index, uint64_t tree_size) const {
  if (tree_size > size()) {
    return Status::InvalidArgument("size " + std::to_string(tree_size) +
                                   " is beyond the ledger's " + std::to_string(size()) +
                                   " entries");
  }
  return fouledger::InclusionProof(impl_->TreeReader(nullptr, tree_size), index, tree_size);
}

Result<std::vector<Hash256>> Ledger::ConsistencyProof(uint64_t size1, uint64_t size2) const {
  if (size2 > size()) {
    return Status::InvalidArgument("size " + std::to_string(size2) + " is beyond the ledger's " +
                                   std::to_string(size()) + " entries");
  }
  return fouledger::ConsistencyProof(impl_->TreeReader(nullptr, size2), size1, size2);
}

Result<Checkpoint> Ledger::LatestCheckpoint() const {
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->family(kCheckpoints)));
  it->SeekToLast();
  if (!it->Valid()) return Status::NotFound("the ledger has no checkpoint yet");
  return ParseCheckpoint(it->value().ToString(), impl_->authority.checkpoint_public_key(),
                         impl_->authority.ledger_name());
}

std::optional<uint64_t> Ledger::FindClientEventId(const Bytes& client_event_id) const {
  std::string value;
  auto s = impl_->db->Get(rocksdb::ReadOptions(), impl_->family(kIndex),
                          ClientIdKey(client_event_id.data(), client_event_id.size()), &value);
  uint64_t seq = 0;
  if (!s.ok() || !DecodeU64(value, &seq)) return std::nullopt;
  return seq;
}

const Authority& Ledger::authority() const { return impl_->authority; }
const std::string& Ledger::path() const { return impl_->options.path; }

}  // namespace fouledger
