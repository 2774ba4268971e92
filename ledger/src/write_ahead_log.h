// Opening the ledger's RocksDB after a crash: what a process killed inside a write leaves at the
// end of a write-ahead log, told apart from damage, and the one way every opener (the ledger,
// verify, the snapshot check) opens the database. Private to ledger/ (docs/reliability.md,
// "A write cut short").
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <string>
#include <string_view>
#include <vector>

#include "ledger/status.h"

namespace fouledger::storage {

// What the end of one write-ahead log holds. RocksDB's log format is LevelDB's
// (doc/log_format.md): 32 KiB blocks of physical records, each a 7-byte header (masked CRC32C of
// the type and payload, 2-byte length, type) and its payload, never crossing a block; a write is
// one FULL record or a FIRST, MIDDLE..., LAST chain; a block's last bytes, when fewer than a
// header, are padding.
struct LogTail {
  // Non-empty when the log ends in a write cut short: "312 bytes from byte 3933". Such a write
  // was never acknowledged (an append is acknowledged after its sync): its header or payload
  // stops at the end of the file, its chain has no LAST, or the rest is zero bytes.
  std::string cut_short;
  // Non-empty when a record is damaged: "byte 5: ...". A record whose bytes all exist and do not
  // match its checksum is damage even at the end. So is a length that runs past the end of the
  // file when a prefix of the bytes there matches the checksum: the length was changed, and
  // the record was whole (that would otherwise pass for a write cut short).
  std::string damage;
};
LogTail CheckLogBytes(std::string_view log);

// Opens the database at `db_dir` with `options` (read-only or to write) and the ledger's
// families. Strict first (kAbsoluteConsistency: a damaged log record refuses to open, where
// RocksDB's default would drop every record after it, acknowledged ones included). When that
// open reports corruption and every write-ahead log is whole but for a write cut short at its
// end, opens again with kTolerateCorruptedTailRecords, which drops exactly those writes, and
// says so in `*cut_short` ("000024.log: 312 bytes from byte 3933"). Anything else is refused with
// RocksDB's words and, when a log record is damaged, the first one.
rocksdb::Status OpenLedgerDb(rocksdb::DBOptions options, const std::string& db_dir, bool read_only,
                             std::vector<rocksdb::ColumnFamilyHandle*>* families, rocksdb::DB** db,
                             std::string* cut_short);

}  // namespace fouledger::storage
