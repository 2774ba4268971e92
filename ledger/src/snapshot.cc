#include "ledger/snapshot.h"

#include <fcntl.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "ledger/authority.h"
#include "ledger/state_bytes.h"
#include "whole_file.h"

namespace fouledger {
namespace {

namespace fs = std::filesystem;

Status WriteAll(int fd, const std::string& bytes, const std::string& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::IOError("cannot write " + path + ": " + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

std::string EncodeSnapshot(const Snapshot& s) {
  StateWriter w;
  w.Raw(kSnapshotMagic, sizeof kSnapshotMagic);
  w.U32(kSnapshotVersion);
  w.U64(s.entries);
  w.Raw(s.last_leaf_hash.data(), s.last_leaf_hash.size());
  w.Raw(s.root.data(), s.root.size());
  w.String(s.authority_state);
  w.U8(s.has_validator_state ? 1 : 0);
  w.String(s.has_validator_state ? s.validator_state : std::string());
  const Hash256 sum = Sha256(w.bytes());
  w.Raw(sum.data(), sum.size());
  return w.Take();
}

namespace {

bool HasMagic(std::string_view bytes) {
  return bytes.size() >= sizeof kSnapshotMagic + 32 &&
         std::memcmp(bytes.data(), kSnapshotMagic, sizeof kSnapshotMagic) == 0;
}

}  // namespace

bool SnapshotChecksumMatches(std::string_view bytes) {
  if (bytes.size() < sizeof kSnapshotMagic + 32) return false;
  const std::string_view body = bytes.substr(0, bytes.size() - 32);
  const Hash256 sum = Sha256(body);
  return std::memcmp(sum.data(), bytes.data() + body.size(), sum.size()) == 0;
}

Result<SnapshotView> ParseSnapshot(std::string_view bytes) {
  if (!HasMagic(bytes)) return Status::Corruption("not a fouledger snapshot (no magic)");
  const std::string_view body = bytes.substr(0, bytes.size() - 32);
  StateReader r(body.substr(sizeof kSnapshotMagic), "the snapshot");
  SnapshotView s;
  uint32_t version = 0;
  if (!r.U32(&version)) return r.status();
  if (version != kSnapshotVersion) {
    return Status::Corruption("snapshot format version " + std::to_string(version) + ", not " +
                              std::to_string(kSnapshotVersion));
  }
  uint8_t has_validator = 0;
  if (!r.U64(&s.entries) || !r.Raw(s.last_leaf_hash.data(), s.last_leaf_hash.size()) ||
      !r.Raw(s.root.data(), s.root.size()) || !r.StringView(&s.authority_state) ||
      !r.U8(&has_validator) || !r.StringView(&s.validator_state)) {
    return r.status();
  }
  FOULEDGER_RETURN_IF_ERROR(r.Finish());
  if (has_validator > 1) return Status::Corruption("the snapshot's validator flag is not 0 or 1");
  if (s.entries == 0) return Status::Corruption("the snapshot covers no entries");
  s.has_validator_state = has_validator == 1;
  return s;
}

Result<Snapshot> DecodeSnapshot(std::string_view bytes, SnapshotParts parts) {
  // The checksum before any field: a damaged file is named as such, not by a field it garbled.
  if (HasMagic(bytes) && !SnapshotChecksumMatches(bytes)) {
    return Status::Corruption("the snapshot's SHA-256 does not match its contents");
  }
  auto view = ParseSnapshot(bytes);
  if (!view.ok()) return view.status();
  Snapshot s;
  s.entries = view->entries;
  s.last_leaf_hash = view->last_leaf_hash;
  s.root = view->root;
  s.authority_state = view->authority_state;
  s.has_validator_state = view->has_validator_state;
  if (parts == SnapshotParts::kAll) s.validator_state = view->validator_state;
  return s;
}

Result<std::optional<Snapshot>> ReadSnapshot(const std::string& ledger_path, SnapshotParts parts) {
  const fs::path path = fs::path(ledger_path) / kSnapshotFile;
  auto file = storage::MapWholeFile(path.string(), kSnapshotBytesMax);
  if (!file.ok()) return file.status();
  if (file->outcome() == storage::WholeFile::Outcome::kMissing) return std::optional<Snapshot>();
  if (file->outcome() == storage::WholeFile::Outcome::kTooLarge) {
    return Status::Corruption(path.string() + " is " + std::to_string(file->size()) +
                              " bytes, more than any snapshot");
  }
  auto decoded = DecodeSnapshot(file->bytes(), parts);
  if (!decoded.ok()) return decoded.status().WithContext(path.string());
  return std::optional<Snapshot>(std::move(decoded).value());
}

Status WriteSnapshot(const std::string& ledger_path, const Snapshot& snapshot) {
  const fs::path dir(ledger_path);
  const std::string tmp = (dir / kSnapshotTmpFile).string();
  const std::string final_path = (dir / kSnapshotFile).string();
  const std::string bytes = EncodeSnapshot(snapshot);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot create " + tmp + ": " + std::strerror(errno));
  Status s = WriteAll(fd, bytes, tmp);
  if (s.ok() && ::fsync(fd) != 0) {
    s = Status::IOError("cannot fsync " + tmp + ": " + std::strerror(errno));
  }
  ::close(fd);
  if (s.ok() && ::rename(tmp.c_str(), final_path.c_str()) != 0) {
    s = Status::IOError("cannot rename " + tmp + " to " + final_path + ": " + std::strerror(errno));
  }
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Status::IOError("cannot open " + dir.string() + ": " + std::strerror(errno));
  const int rc = ::fsync(dfd);
  ::close(dfd);
  if (rc != 0) return Status::IOError("cannot fsync " + dir.string() + ": " + std::strerror(errno));
  return Status::Ok();
}

Status CheckSnapshotAgainstReplay(const Snapshot& snap, const std::string& where,
                                  const Hash256& leaf, const Hash256& root,
                                  const Authority& authority, const AppendValidator* validator) {
  const std::string n = std::to_string(snap.entries);
  if (leaf != snap.last_leaf_hash) {
    return Status::Corruption(where + ": the leaf hash of entry " +
                              std::to_string(snap.entries - 1) + " is not the stored entry's" +
                              " (deleting the snapshot is safe)");
  }
  if (root != snap.root) {
    return Status::Corruption(where + ": the Merkle root at size " + n +
                              " is not the entries' (deleting the snapshot is safe)");
  }
  std::string state;
  if (!authority.SaveState(&state) || state != snap.authority_state) {
    return Status::Corruption(where + ": the Authority's state after " + n +
                              " entries differs from a full replay's (deleting the snapshot is"
                              " safe)");
  }
  if (validator && snap.has_validator_state) {
    state.clear();
    if (!validator->SaveState(&state) || state != snap.validator_state) {
      return Status::Corruption(where + ": the validator's (domain rules') state after " + n +
                                " entries differs from a full replay's (deleting the snapshot is"
                                " safe)");
    }
  }
  return Status::Ok();
}

}  // namespace fouledger
