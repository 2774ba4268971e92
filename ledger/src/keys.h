// Private helpers shared by ledger.cc and verify.cc: the RocksDB layout (docs/storage.md).
#pragma once

#include <rocksdb/slice.h>

#include <cstdint>
#include <string>

namespace fouledger::storage {

// Column families, in the order they are opened.
inline constexpr const char* kMetaFamily = "default";     // "format" -> kFormat
inline constexpr const char* kEntriesFamily = "entries";  // seq (u64 BE) -> Entry bytes
inline constexpr const char* kIndexFamily = "index";      // 'c' + client event id -> seq (u64 BE)
inline constexpr const char* kTreeFamily = "tree";        // level (u8) + index (u64 BE) -> hash
inline constexpr const char* kCheckpointsFamily = "checkpoints";  // size (u64 BE) -> signed note
inline constexpr const char* kFormatKey = "format";
inline constexpr const char* kFormat = "fouledger-ledger-1";
inline constexpr const char* kDbDirectory = "db";
inline constexpr const char* kCheckpointKeyFile = "checkpoint.key";

inline std::string EncodeU64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i) {
    s[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return s;
}

inline bool DecodeU64(const rocksdb::Slice& s, uint64_t* v) {
  if (s.size() != 8) return false;
  uint64_t out = 0;
  for (size_t i = 0; i < 8; ++i) out = out << 8 | static_cast<uint8_t>(s[i]);
  *v = out;
  return true;
}

inline std::string TreeKey(uint8_t level, uint64_t index) {
  return std::string(1, static_cast<char>(level)) + EncodeU64(index);
}

inline std::string ClientIdKey(const uint8_t* id, size_t size) {
  return "c" + std::string(reinterpret_cast<const char*>(id), size);
}

}  // namespace fouledger::storage
