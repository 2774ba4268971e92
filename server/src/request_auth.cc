#include "server/request_auth.h"

#include <openssl/rand.h>

#include <cassert>

namespace fouledger::server {

std::string CanonicalRequest(std::string_view method, std::string_view target,
                             std::string_view timestamp, std::string_view nonce,
                             std::string_view body) {
  std::string out = "fouledger-request-v1\n";
  out.append(method).append("\n");
  out.append(target).append("\n");
  out.append(timestamp).append("\n");
  out.append(nonce).append("\n");
  out.append(ToHex(Sha256(body))).append("\n");
  return out;
}

std::string RequestTimestamp(Instant now) {
  // Instant::ToString gives "2026-11-23T10:15:00.123456Z"; whole seconds are enough here.
  const std::string full = now.ToString();
  return full.substr(0, 19) + "Z";
}

std::vector<std::pair<std::string, std::string>> SignRequest(const SigningKey& key, Instant now,
                                                             std::string_view method,
                                                             std::string_view target,
                                                             std::string_view body) {
  uint8_t random[16];
  const int ok = RAND_bytes(random, sizeof random);
  assert(ok == 1 && "OpenSSL's CSPRNG failed");
  (void)ok;
  const std::string nonce = ToHex(random, sizeof random);
  const std::string timestamp = RequestTimestamp(now);
  const SignatureBytes signature =
      key.Sign(CanonicalRequest(method, target, timestamp, nonce, body));
  return {{std::string(kKeyIdHeader), ToHex(key.key_id())},
          {std::string(kTimestampHeader), timestamp},
          {std::string(kNonceHeader), nonce},
          {std::string(kSignatureHeader), Base64Encode(signature)}};
}

}  // namespace fouledger::server
