// Reading a whole file the ledger keeps beside its database (the snapshot, a write-ahead log, a
// key), with a limit on its size checked before anything is read: these files are untrusted, and
// a file grown by mistake or on purpose must not make a reader allocate without bound. Private to
// ledger/.
#pragma once

#include <cstdint>
#include <string>

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

}  // namespace fouledger::storage
