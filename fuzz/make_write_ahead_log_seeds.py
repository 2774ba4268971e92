#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_write_ahead_log: write-ahead logs in RocksDB's format
(LevelDB's doc/log_format.md), whole and as a crash leaves them. Written independently of
ledger/src/write_ahead_log.cc, so WriteAheadLogTest checks that code against this one.
Run from the repository's root: fuzz/make_write_ahead_log_seeds.py"""
import random
import struct

BLOCK = 32768
HEADER = 7
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4

CRC_TABLE = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    CRC_TABLE.append(c)


def crc32c(data):
    c = 0xFFFFFFFF
    for x in data:
        c = CRC_TABLE[(c ^ x) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked(c):
    return ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def write(log, payload):
    """Appends one write as RocksDB's log::Writer::AddRecord does; returns where it began."""
    begin = None
    first = True
    while True:
        left = BLOCK - len(log) % BLOCK
        if left < HEADER:
            log += b"\0" * left
            left = BLOCK
        if begin is None:
            begin = len(log)
        fragment, payload = payload[: left - HEADER], payload[left - HEADER :]
        end = not payload
        kind = FULL if first and end else FIRST if first else LAST if end else MIDDLE
        log += struct.pack("<IHB", masked(crc32c(bytes([kind]) + fragment)), len(fragment), kind)
        log += fragment
        first = False
        if end:
            return begin


def noise(n):
    return bytes(random.randrange(256) for _ in range(n))


random.seed(1)
out = "fuzz/corpus/write_ahead_log/"
small = bytearray()
for n in (120, 340, 77):
    last = write(small, noise(n))
open(out + "whole-three-writes", "wb").write(small)
open(out + "cut-inside-last-write", "wb").write(small[:-40])
open(out + "cut-inside-header", "wb").write(small[: last + 3])
big = bytearray()
while len(big) < BLOCK - 300:
    write(big, noise(700))
write(big, noise(BLOCK - len(big) % BLOCK - HEADER - 3))  # ends 3 bytes before the block's end
padded = write(big, noise(900))  # after 3 bytes of padding
chain = write(big, noise(BLOCK))  # a FIRST and a LAST across the second block boundary
open(out + "padding-and-a-chain-across-blocks", "wb").write(big)
open(out + "chain-without-its-last", "wb").write(big[: 2 * BLOCK])
print(f"last small write at {last}; padded write at {padded}; chain at {chain}; size {len(big)}")
