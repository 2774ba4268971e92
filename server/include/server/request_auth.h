// Signed read requests: how a client proves that a read comes from an enrolled key, and why a
// captured request cannot be replayed. Both the client (cli/client.cc) and the server use these,
// so there is one definition of the signed bytes (docs/api.md, "Signed reads").
//
// A signed request carries four headers:
//   X-Fouledger-Key-Id     hex SHA-256 of the raw Ed25519 public key (the ledger's key id)
//   X-Fouledger-Timestamp  RFC 3339 UTC, e.g. 2026-11-23T10:15:00Z; within ±kClockSkewMax of the
//                          server's clock
//   X-Fouledger-Nonce      32 to 64 lower-case hex digits, never reused by this key within the
//                          window (the server remembers each for twice the window)
//   X-Fouledger-Signature  base64 Ed25519 signature over CanonicalRequest(...)
// The canonical request is these lines, each ending in "\n":
//   fouledger-request-v1
//   <METHOD>
//   <request target exactly as sent: path and query>
//   <timestamp header text>
//   <nonce header text>
//   <hex SHA-256 of the body>
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/date.h"

namespace fouledger::server {

inline constexpr std::string_view kKeyIdHeader = "X-Fouledger-Key-Id";
inline constexpr std::string_view kTimestampHeader = "X-Fouledger-Timestamp";
inline constexpr std::string_view kNonceHeader = "X-Fouledger-Nonce";
inline constexpr std::string_view kSignatureHeader = "X-Fouledger-Signature";

// How far a request's timestamp may be from the server's clock, either way.
inline constexpr std::chrono::seconds kClockSkewMax{300};
inline constexpr size_t kNonceHexMin = 32;  // 128 bits
inline constexpr size_t kNonceHexMax = 64;
// Nonces remembered at once (about 100 bytes each). When full of unexpired nonces, signed reads
// are refused with 503 until some expire: a bound on memory, not a way around the check.
inline constexpr size_t kNoncesRememberedMax = 1 << 18;

std::string CanonicalRequest(std::string_view method, std::string_view target,
                             std::string_view timestamp, std::string_view nonce,
                             std::string_view body);

// The four headers for a request signed by `key` at `now`, with a fresh random nonce.
std::vector<std::pair<std::string, std::string>> SignRequest(const SigningKey& key, Instant now,
                                                             std::string_view method,
                                                             std::string_view target,
                                                             std::string_view body);

// The bytes a key signs to start a browser session (docs/web.md): `fouledger login` signs the
// server's one-time challenge (hex) with them.
inline std::string LoginMessage(std::string_view challenge_hex) {
  return "fouledger-login-v1\n" + std::string(challenge_hex) + "\n";
}

// "2026-11-23T10:15:00Z": the timestamp format clients send (whole seconds, UTC).
std::string RequestTimestamp(Instant now);

}  // namespace fouledger::server
