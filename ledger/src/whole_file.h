// Reading a whole file the ledger keeps beside its database (the snapshot, a write-ahead log, a
// key), into memory or mapped, with a limit on its size checked before anything is read: these
// files are untrusted, and a file grown by mistake or on purpose must not make a reader allocate
// without bound. Private to ledger/.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/status.h"

namespace fouledger::storage {

struct WholeFile {
  enum class Outcome { kRead, kMissing, kTooLarge };
  Outcome outcome = Outcome::kMissing;
  uintmax_t size = 0;  // the file's size when read or too large
  std::string bytes;   // kRead only
};

// The bytes of `path` if it exists and is at most `max_bytes` long; kMissing if there is no such
// file (it may have been removed between a listing and this call); kTooLarge, with its size, if
// it is longer. IOError ("cannot read PATH: why") when it exists and cannot be read whole. Bytes a
// writer appends after the size is taken are not read.
Result<WholeFile> ReadWholeFile(const std::string& path, uintmax_t max_bytes);

// A whole file mapped read-only into memory, for the snapshot: read into a string, its ~100 MB
// were allocated, zeroed, copied and page-faulted in at every open (docs/storage.md, "Snapshot").
// The file must not shrink while mapped (reading past its new end raises SIGBUS): the ledger
// never truncates a snapshot, it renames a new file over it, which leaves the mapped one whole.
class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  WholeFile::Outcome outcome() const { return outcome_; }
  uintmax_t size() const { return size_; }  // when mapped or too large
  std::string_view bytes() const {          // kRead only; valid while this lives
    return {static_cast<const char*>(data_), data_ ? static_cast<size_t>(size_) : 0};
  }

 private:
  friend Result<MappedFile> MapWholeFile(const std::string& path, uintmax_t max_bytes);
  WholeFile::Outcome outcome_ = WholeFile::Outcome::kMissing;
  uintmax_t size_ = 0;
  void* data_ = nullptr;  // null for an empty file
};

// ReadWholeFile's outcomes and errors, with the bytes mapped instead of read.
Result<MappedFile> MapWholeFile(const std::string& path, uintmax_t max_bytes);

}  // namespace fouledger::storage
