#include "write_ahead_log.h"

#include <algorithm>
#include <boost/crc.hpp>
#include <cstdint>
#include <filesystem>

#include "keys.h"
#include "whole_file.h"

namespace fouledger::storage {
namespace {

namespace fs = std::filesystem;

// RocksDB's log format (db/log_format.h), as the ledger's options write it: no recycled logs
// (recycle_log_file_num 0) and no compressed ones (wal_compression none), so every header is the
// 7-byte legacy one and every type one of these four.
constexpr size_t kBlockSize = 32768;
constexpr size_t kHeaderSize = 7;  // checksum (4, little-endian), length (2, little-endian), type
enum RecordType : uint8_t { kFull = 1, kFirst = 2, kMiddle = 3, kLast = 4 };

// CRC32C (Castagnoli), reflected, as RocksDB's crc32c::Value computes it.
using Crc32c = boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true>;

// RocksDB stores a rotated, offset CRC (crc32c::Mask), so that a CRC over bytes holding CRCs
// does not degrade.
uint32_t Masked(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

uint32_t LittleEndian(const uint8_t* p, size_t bytes) {
  uint32_t v = 0;
  for (size_t i = bytes; i-- > 0;) v = v << 8 | p[i];
  return v;
}

// A log larger than this is not one the ledger wrote (SetWriterOptions keeps the logs' total
// under kWriteAheadLogBytesMax; a single write is at most a batch of the ledger's size limits).
constexpr uint64_t kLogBytesMax = 4 * kWriteAheadLogBytesMax;

}  // namespace

LogTail CheckLogBytes(std::string_view log) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(log.data());
  const size_t size = log.size();
  LogTail tail;
  auto damage = [&](size_t at, const std::string& what) {
    tail.damage = "byte " + std::to_string(at) + ": " + what;
    return tail;
  };
  auto cut_from = [&](size_t at) {
    const size_t cut = size - at;
    tail.cut_short =
        std::to_string(cut) + (cut == 1 ? " byte" : " bytes") + " from byte " + std::to_string(at);
    return tail;
  };
  // Where the write being read began, while its chain has had a FIRST and no LAST yet.
  // (A sentinel rather than std::optional: GCC 12 warns, wrongly, that the optional's value may
  // be read uninitialised.)
  constexpr size_t kNoOpenWrite = SIZE_MAX;
  size_t open_write = kNoOpenWrite;
  // What a cut at `at` drops: from there, or from the start of the write it belongs to.
  auto cut_at = [&](size_t at) { return cut_from(open_write != kNoOpenWrite ? open_write : at); };
  size_t at = 0;
  while (at < size) {
    const size_t block_left = kBlockSize - at % kBlockSize;
    const size_t file_left = size - at;
    if (block_left < kHeaderSize) {
      // Padding the writer put before a record in the next block; RocksDB skips it unread.
      if (file_left > block_left) {
        at += block_left;
        continue;
      }
      return cut_at(at);
    }
    if (std::all_of(bytes + at, bytes + size, [](uint8_t b) { return b == 0; })) {
      return cut_at(at);  // space given to the file, never written
    }
    if (file_left < kHeaderSize) return cut_at(at);
    const uint32_t stored_crc = LittleEndian(bytes + at, 4);
    const size_t length = LittleEndian(bytes + at + 4, 2);
    const uint8_t type = bytes[at + 6];
    if (type < kFull || type > kLast) {
      return damage(at, "a record of type " + std::to_string(type) + ", which no ledger writes");
    }
    if (kHeaderSize + length > block_left) {
      return damage(at, "a record of " + std::to_string(length) +
                            " bytes runs past the end of its 32 KiB block");
    }
    const uint8_t* payload = bytes + at + kHeaderSize;
    Crc32c crc;
    crc.process_byte(type);
    if (kHeaderSize + length > file_left) {
      // Cut short, unless the length was changed on a whole record: then a prefix of the bytes
      // that are there matches the checksum. (A write cut short matches by chance with
      // probability about 2^-32 per byte present.)
      const size_t present = file_left - kHeaderSize;
      for (size_t n = 0; n <= present; ++n) {
        if (Masked(crc.checksum()) == stored_crc) {
          return damage(at, "a record says it has " + std::to_string(length) +
                                " bytes, more than the file holds, but its first " +
                                std::to_string(n) + " match its checksum: its length was changed");
        }
        if (n < present) crc.process_byte(payload[n]);
      }
      return cut_at(at);
    }
    crc.process_bytes(payload, length);
    if (Masked(crc.checksum()) != stored_crc) return damage(at, "checksum mismatch");
    switch (type) {
      case kFull:
      case kFirst:
        if (open_write != kNoOpenWrite) {
          return damage(
              at, "a write begins inside the write begun at byte " + std::to_string(open_write));
        }
        if (type == kFirst) open_write = at;
        break;
      case kMiddle:
      case kLast:
        if (open_write == kNoOpenWrite) {
          return damage(at, "the rest of a write that was never begun");
        }
        if (type == kLast) open_write = kNoOpenWrite;
        break;
    }
    at += kHeaderSize + length;
  }
  if (open_write != kNoOpenWrite) return cut_from(open_write);  // a chain without its LAST
  return tail;
}

namespace {

// Every write-ahead log in `db_dir`, in file-name order, checked. The first damage found wins;
// otherwise every write cut short is listed. A log RocksDB deletes meanwhile (an obsolete one,
// while a writer runs) is skipped.
Result<LogTail> CheckWriteAheadLogs(const std::string& db_dir) {
  LogTail all;
  std::error_code ec;
  if (!fs::exists(db_dir, ec)) return all;  // a ledger being created
  std::vector<fs::path> logs;
  for (const auto& file : fs::directory_iterator(db_dir, ec)) {
    if (file.path().extension() == ".log") logs.push_back(file.path());
  }
  if (ec) return Status::IOError("cannot list " + db_dir + ": " + ec.message());
  std::sort(logs.begin(), logs.end());
  for (const fs::path& log : logs) {
    const std::string name = log.filename().string();
    // A running writer may have removed the log since the listing, or added bytes since its
    // size was taken: those are checked next time.
    auto file = ReadWholeFile(log.string(), kLogBytesMax);
    if (!file.ok()) return file.status();
    if (file->outcome == WholeFile::Outcome::kMissing) continue;
    if (file->outcome == WholeFile::Outcome::kTooLarge) {
      all.damage =
          name + ": " + std::to_string(file->size) + " bytes, more than any log the ledger writes";
      return all;
    }
    const LogTail tail = CheckLogBytes(file->bytes);
    if (!tail.damage.empty()) {
      all.damage = name + " " + tail.damage;
      return all;
    }
    if (!tail.cut_short.empty()) {
      all.cut_short += (all.cut_short.empty() ? "" : ", ") + name + ": " + tail.cut_short;
    }
  }
  return all;
}

}  // namespace

rocksdb::Status OpenLedgerDb(rocksdb::DBOptions options, const std::string& db_dir, bool read_only,
                             std::vector<rocksdb::ColumnFamilyHandle*>* families, rocksdb::DB** db,
                             std::string* cut_short) {
  cut_short->clear();
  for (int attempt = 1;; ++attempt) {
    // Before RocksDB reads the logs: it refuses some damage, but takes other damage for the
    // log's end and drops what follows without a word (a record's type changed to a
    // recycled-log type; a length changed to run past the end, under the tolerant mode).
    auto logs = CheckWriteAheadLogs(db_dir);
    if (!logs.ok()) return rocksdb::Status::IOError(logs.status().message());
    if (!logs->damage.empty()) {
      return rocksdb::Status::Corruption("write-ahead log " + logs->damage);
    }
    // Every record before a write cut short is whole, so the tolerant mode drops only that
    // write. Without one, strict: a log damaged after the check still refuses to open.
    options.wal_recovery_mode = logs->cut_short.empty()
                                    ? rocksdb::WALRecoveryMode::kAbsoluteConsistency
                                    : rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
    families->clear();
    *db = nullptr;
    const rocksdb::Status s =
        read_only ? rocksdb::DB::OpenForReadOnly(options, db_dir, FamilyDescriptors(), families, db)
                  : rocksdb::DB::Open(options, db_dir, FamilyDescriptors(), families, db);
    if (s.ok()) *cut_short = logs->cut_short;
    // A read-only open beside a running writer can meet a write begun after the check: check
    // again, once.
    if (s.ok() || !s.IsCorruption() || !logs->cut_short.empty() || attempt == 2) return s;
  }
}

}  // namespace fouledger::storage
