// Hashing and Ed25519 signatures (OpenSSL 3 EVP), the only cryptography fouledger uses.
//
// Keys live in PEM files: the private key as PKCS#8 ("-----BEGIN PRIVATE KEY-----", mode 0600),
// the public key as SubjectPublicKeyInfo ("-----BEGIN PUBLIC KEY-----"). Inside the ledger a
// public key is its 32 raw bytes, and a key is named by its key id: SHA-256 of those bytes.
// All functions are thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/status.h"

namespace fouledger {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;  // bytes owned by someone else (Bytes converts to it)
using Hash256 = std::array<uint8_t, 32>;

inline constexpr size_t kPublicKeyBytes = 32;
inline constexpr size_t kSignatureBytes = 64;
using PublicKeyBytes = std::array<uint8_t, kPublicKeyBytes>;
using SignatureBytes = std::array<uint8_t, kSignatureBytes>;

Hash256 Sha256(const void* data, size_t size);
// SHA-256 of the pieces one after another, without copying them together (a Merkle leaf: a prefix
// byte and the entry).
Hash256 Sha256(std::initializer_list<ByteView> pieces);
inline Hash256 Sha256(std::string_view s) { return Sha256(s.data(), s.size()); }
inline Hash256 Sha256(const Bytes& b) { return Sha256(b.data(), b.size()); }

std::string ToHex(const uint8_t* data, size_t size);
template <size_t N>
std::string ToHex(const std::array<uint8_t, N>& a) {
  return ToHex(a.data(), a.size());
}
inline std::string ToHex(const Bytes& b) { return ToHex(b.data(), b.size()); }
Result<Bytes> FromHex(std::string_view hex);

std::string Base64Encode(const uint8_t* data, size_t size);
inline std::string Base64Encode(ByteView b) { return Base64Encode(b.data(), b.size()); }
template <size_t N>
std::string Base64Encode(const std::array<uint8_t, N>& a) {
  return Base64Encode(a.data(), a.size());
}
// Strict standard base64 with padding; refuses anything else.
Result<Bytes> Base64Decode(std::string_view text);

// The key id: SHA-256 of the raw public key.
inline Hash256 KeyIdOf(const PublicKeyBytes& public_key) {
  return Sha256(public_key.data(), public_key.size());
}

// Checks an Ed25519 signature (RFC 8032, as OpenSSL implements it: non-canonical S and small-order
// points are refused). Returns false for any malformed input; never throws.
bool VerifySignature(const PublicKeyBytes& public_key, const uint8_t* message, size_t size,
                     const uint8_t* signature, size_t signature_size);

// An Ed25519 public key ready to check signatures: OpenSSL's key object is built once here, where
// VerifySignature builds one per call, and each thread keeps an initialised context for the last
// few keys it checked with (crypto.cc). Copies share the key object; Verify may run on several
// threads at once. A default-constructed Verifier accepts nothing.
class SignatureVerifier {
 public:
  SignatureVerifier() = default;
  explicit SignatureVerifier(const PublicKeyBytes& public_key);
  bool Verify(const uint8_t* message, size_t size, const uint8_t* signature,
              size_t signature_size) const;

 private:
  std::shared_ptr<void> key_;  // EVP_PKEY
};

// A private Ed25519 key. Movable, not copyable; the key material is freed with the object.
class SigningKey {
 public:
  static Result<SigningKey> Generate();
  static Result<SigningKey> LoadPem(const std::string& path);
  // Writes the private key to `path` with mode 0600 (refuses to overwrite an existing file).
  Status SavePem(const std::string& path) const;

  const PublicKeyBytes& public_key() const { return public_key_; }
  Hash256 key_id() const { return KeyIdOf(public_key_); }
  SignatureBytes Sign(const uint8_t* message, size_t size) const;
  SignatureBytes Sign(std::string_view m) const {
    return Sign(reinterpret_cast<const uint8_t*>(m.data()), m.size());
  }

  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;
  ~SigningKey();

 private:
  struct Impl;
  explicit SigningKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  PublicKeyBytes public_key_{};
};

// Public keys as PEM files.
Result<PublicKeyBytes> LoadPublicKeyPem(const std::string& path);
Result<PublicKeyBytes> ParsePublicKeyPem(std::string_view pem);
std::string PublicKeyToPem(const PublicKeyBytes& public_key);
Status SavePublicKeyPem(const PublicKeyBytes& public_key, const std::string& path);

}  // namespace fouledger
