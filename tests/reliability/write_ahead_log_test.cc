// CheckLogBytes (ledger/src/write_ahead_log.h) on logs written by an independent writer,
// fuzz/make_write_ahead_log_seeds.py (the fuzz target's seeds): whole logs, the ways a crash cuts
// a write short, and damage, each with the byte it names. The tamper sweeps check the same on the
// logs RocksDB writes.
#include "write_ahead_log.h"

#include <gtest/gtest.h>

#include <boost/crc.hpp>
#include <string>

#include "test_util.h"

namespace fouledger::storage {
namespace {

std::string Seed(const std::string& name) {
  return testing::ReadFile(std::string(FOULEDGER_FUZZ_CORPUS) + "/write_ahead_log/" + name);
}

// Where the generator says its writes begin (it prints them).
constexpr size_t kLastSmallWrite = 474;  // whole-three-writes: 0, 127, 474; 558 bytes
constexpr size_t kPaddedWrite = 32768;   // after 3 bytes of padding at the end of block 0
constexpr size_t kChain = 33675;         // a FIRST there, its LAST at 65536

std::string Damage(std::string_view log) {
  const LogTail tail = CheckLogBytes(log);
  EXPECT_EQ(tail.cut_short, "");
  return tail.damage;
}
std::string Cut(std::string_view log) {
  const LogTail tail = CheckLogBytes(log);
  EXPECT_EQ(tail.damage, "");
  return tail.cut_short;
}

// Gives the record at `at` another type and a checksum that matches it, as a writer would have.
void Retype(std::string* log, size_t at, uint8_t type) {
  const auto length = static_cast<size_t>(static_cast<uint8_t>((*log)[at + 4]) |
                                          static_cast<uint8_t>((*log)[at + 5]) << 8);
  boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> crc;
  crc.process_byte(type);
  crc.process_bytes(log->data() + at + 7, length);
  const uint32_t c = crc.checksum();
  const uint32_t masked = ((c >> 15) | (c << 17)) + 0xa282ead8u;
  for (int i = 0; i < 4; ++i) (*log)[at + i] = static_cast<char>(masked >> (8 * i));
  (*log)[at + 6] = static_cast<char>(type);
}

TEST(WriteAheadLogTest, WholeLogsHaveNothingToSay) {
  for (const char* name : {"whole-three-writes", "padding-and-a-chain-across-blocks"}) {
    const LogTail tail = CheckLogBytes(Seed(name));
    EXPECT_EQ(tail.cut_short, "") << name;
    EXPECT_EQ(tail.damage, "") << name;
  }
  EXPECT_EQ(Cut(""), "");
}

TEST(WriteAheadLogTest, AWriteCutShortIsNamedFromWhereItBegan) {
  EXPECT_EQ(Cut(Seed("cut-inside-last-write")), "44 bytes from byte 474");
  EXPECT_EQ(Cut(Seed("cut-inside-header")), "3 bytes from byte 474");
  // A FIRST with no LAST: the whole chain goes, from its FIRST.
  EXPECT_EQ(Cut(Seed("chain-without-its-last")), "31861 bytes from byte 33675");
  const std::string padded = Seed("padding-and-a-chain-across-blocks");
  // Cut inside the padding, and inside the header after it.
  EXPECT_EQ(Cut(padded.substr(0, kPaddedWrite - 1)), "2 bytes from byte 32765");
  EXPECT_EQ(Cut(padded.substr(0, kPaddedWrite + 2)), "2 bytes from byte 32768");
  // Cut inside the chain's LAST.
  EXPECT_EQ(Cut(padded.substr(0, 65536 + 100)),
            std::to_string(65636 - kChain) + " bytes from byte " + std::to_string(kChain));
  // Space given to the file and never written.
  const std::string whole = Seed("whole-three-writes");
  EXPECT_EQ(Cut(whole + std::string(100, '\0')), "100 bytes from byte 558");
  EXPECT_EQ(Cut(whole.substr(0, 557)), "83 bytes from byte 474");
  EXPECT_EQ(Cut(whole.substr(0, kLastSmallWrite + 1)), "1 byte from byte 474");
}

TEST(WriteAheadLogTest, DamageIsNamedByItsByte) {
  const std::string whole = Seed("whole-three-writes");
  std::string changed = whole;
  changed[300] ^= 1;  // a payload byte of the second record
  EXPECT_EQ(Damage(changed), "byte 127: checksum mismatch");
  changed = whole;
  changed[127 + 6] = 5;  // the FULL of a recycled log, which RocksDB takes for the log's end
  EXPECT_EQ(Damage(changed), "byte 127: a record of type 5, which no ledger writes");
  changed = whole;
  changed[kLastSmallWrite + 4] = 0x00;  // length 0x7000: past the end of the file
  changed[kLastSmallWrite + 5] = 0x70;
  EXPECT_EQ(Damage(changed),
            "byte 474: a record says it has 28672 bytes, more than the file holds, but its first "
            "77 match its checksum: its length was changed");
  changed = whole;
  changed[4] = static_cast<char>(0xff);  // length 0xffxx: past its block
  changed[5] = static_cast<char>(0xff);
  EXPECT_EQ(Damage(changed),
            "byte 0: a record of 65535 bytes runs past the end of its 32 KiB block");

  const std::string padded = Seed("padding-and-a-chain-across-blocks");
  changed = padded;
  Retype(&changed, 65536, 2);  // the chain's LAST made a FIRST
  EXPECT_EQ(Damage(changed), "byte 65536: a write begins inside the write begun at byte 33675");
  changed = padded;
  Retype(&changed, kChain, 4);  // the chain's FIRST made a LAST
  EXPECT_EQ(Damage(changed), "byte 33675: the rest of a write that was never begun");
}

}  // namespace
}  // namespace fouledger::storage
