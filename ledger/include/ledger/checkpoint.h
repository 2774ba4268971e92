// Checkpoints: signed statements "the ledger named ORIGIN had SIZE entries with Merkle root ROOT",
// in the C2SP tlog-checkpoint signed-note format, so existing transparency-log tools can read them:
//
//   <origin>\n<size>\n<base64 root>\n\n— <origin> <base64(key hash[4] || Ed25519 signature[64])>\n
//
// The signature covers the three body lines including the last newline. The key hash is the first
// four bytes of SHA-256(origin || "\n" || 0x01 || raw public key) (C2SP signed-note, Ed25519).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/crypto.h"
#include "ledger/status.h"

namespace fouledger {

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash256 root{};
  std::string note;  // the full signed note text
};

// Writes and signs the note.
Checkpoint SignCheckpoint(std::string_view origin, uint64_t size, const Hash256& root,
                          const SigningKey& key);
// Parses a note and checks its signature against `public_key` (and the origin, when non-empty).
// Corruption when anything does not hold.
Result<Checkpoint> ParseCheckpoint(std::string_view note, const PublicKeyBytes& public_key,
                                   std::string_view expected_origin = {});

}  // namespace fouledger
