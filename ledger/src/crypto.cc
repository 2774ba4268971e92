#include "ledger/crypto.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "whole_file.h"

namespace fouledger {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

Result<PublicKeyBytes> RawPublicKey(EVP_PKEY* key) {
  PublicKeyBytes raw{};
  size_t len = raw.size();
  if (EVP_PKEY_get_raw_public_key(key, raw.data(), &len) != 1 || len != raw.size()) {
    return Status::InvalidArgument("not an Ed25519 key");
  }
  return raw;
}

Result<std::string> ReadSmallFile(const std::string& path) {
  constexpr uintmax_t kKeyFileBytesMax = 64 * 1024;
  auto file = storage::ReadWholeFile(path, kKeyFileBytesMax);
  if (!file.ok()) return Status::NotFound(file.status().message());
  switch (file->outcome) {
    case storage::WholeFile::Outcome::kMissing:
      return Status::NotFound("cannot read " + path + ": " + std::strerror(ENOENT));
    case storage::WholeFile::Outcome::kTooLarge:
      return Status::InvalidArgument(path + " is too large for a key");
    case storage::WholeFile::Outcome::kRead:
      break;
  }
  return std::move(file->bytes);
}

// Writes `data` to a new file with `mode`, refusing to replace an existing file.
Status WriteNewFile(const std::string& path, const std::string& data, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) return Status::Refused(path + " already exists; not overwriting it");
    return Status::IOError("cannot create " + path + ": " + std::strerror(errno));
  }
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return Status::IOError("cannot write " + path + ": " + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  // A key that is announced but not on disk would orphan everything signed with it.
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return Status::IOError("cannot sync " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace

namespace {

// SHA-256 fetched from the default provider once. EVP_sha256() makes OpenSSL 3 look the
// algorithm up in its provider tables at every use, which cost more than hashing a short message
// (a Merkle node). Never freed: it lives as long as the process.
const EVP_MD* Sha256Algorithm() {
  static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

// One digest context per thread, re-initialised for each hash instead of allocated.
EVP_MD_CTX* ThreadDigestContext() {
  thread_local MdCtxPtr ctx(EVP_MD_CTX_new());
  return ctx.get();
}

}  // namespace

Hash256 Sha256(std::initializer_list<ByteView> pieces) {
  Hash256 out{};
  unsigned int len = 0;
  EVP_MD_CTX* ctx = ThreadDigestContext();
  bool ok = ctx != nullptr && Sha256Algorithm() != nullptr &&
            EVP_DigestInit_ex2(ctx, Sha256Algorithm(), nullptr) == 1;
  for (const ByteView& piece : pieces) {
    ok = ok && EVP_DigestUpdate(ctx, piece.data(), piece.size()) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(ctx, out.data(), &len) == 1;
  // The default provider's SHA-256 cannot fail short of memory exhaustion at the first use.
  assert(ok && len == out.size());
  (void)ok;
  return out;
}

Hash256 Sha256(const void* data, size_t size) {
  return Sha256({ByteView(static_cast<const uint8_t*>(data), size)});
}

std::string ToHex(const uint8_t* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    s[2 * i] = kDigits[data[i] >> 4];
    s[2 * i + 1] = kDigits[data[i] & 0xf];
  }
  return s;
}

Result<Bytes> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return Status::InvalidArgument("hex string has an odd length");
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Bytes out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Status::InvalidArgument("not a hex string");
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

std::string Base64Encode(const uint8_t* data, size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<size_t>(n));
  return out;
}

Result<Bytes> Base64Decode(std::string_view text) {
  auto bad = [] { return Status::InvalidArgument("not valid base64"); };
  if (text.size() % 4 != 0) return bad();
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    const bool pad_ok =
        c == '=' && i >= text.size() - 2 && (i == text.size() - 1 || text[text.size() - 1] == '=');
    if (!alnum && c != '+' && c != '/' && !pad_ok) return bad();
  }
  Bytes out(3 * text.size() / 4);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return bad();
  size_t len = static_cast<size_t>(n);
  // EVP_DecodeBlock counts padding as zero bytes.
  if (!text.empty() && text.back() == '=') --len;
  if (text.size() >= 2 && text[text.size() - 2] == '=') --len;
  out.resize(len);
  // Reject non-canonical encodings (stray bits in the last character), so one value has one text.
  if (Base64Encode(out) != text) return bad();
  return out;
}

SignatureVerifier::SignatureVerifier(const PublicKeyBytes& public_key) {
  EVP_PKEY* key =
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key.data(), public_key.size());
  if (key != nullptr)
    key_ = std::shared_ptr<void>(key, [](void* k) { EVP_PKEY_free(static_cast<EVP_PKEY*>(k)); });
}

namespace {

// Per thread, a verification context for each of the last few keys checked on it, initialised
// once. EVP_DigestVerifyInit looks the algorithm up in the provider's tables and builds the
// provider's context at every call, about 5 % of an Ed25519 check; an initialised Ed25519 context
// checks any number of messages one-shot (`openssl speed` measures it so). A slot holds its key, so
// the key's address cannot be taken by another key while the slot names it.
struct VerifyContextSlot {
  std::shared_ptr<void> key;  // EVP_PKEY
  MdCtxPtr ctx;
};
constexpr size_t kVerifyContextSlots = 8;  // a batch has few authors; more just re-initialise

}  // namespace

bool SignatureVerifier::Verify(const uint8_t* message, size_t size, const uint8_t* signature,
                               size_t signature_size) const {
  if (!key_ || signature_size != kSignatureBytes) return false;
  thread_local std::array<VerifyContextSlot, kVerifyContextSlots> slots;
  thread_local size_t next_slot = 0;
  VerifyContextSlot* slot = nullptr;
  for (auto& s : slots) {
    if (s.key == key_) slot = &s;
  }
  if (slot == nullptr) {
    slot = &slots[next_slot++ % slots.size()];
    slot->key.reset();
    slot->ctx.reset(EVP_MD_CTX_new());
    if (!slot->ctx || EVP_DigestVerifyInit(slot->ctx.get(), nullptr, nullptr, nullptr,
                                           static_cast<EVP_PKEY*>(key_.get())) != 1) {
      slot->ctx.reset();
      return false;
    }
    slot->key = key_;
  }
  const bool good =
      EVP_DigestVerify(slot->ctx.get(), signature, signature_size, message, size) == 1;
  if (!good) {
    // A refused check leaves nothing behind for the next one: the next starts a fresh context.
    slot->key.reset();
    slot->ctx.reset();
  }
  return good;
}

bool VerifySignature(const PublicKeyBytes& public_key, const uint8_t* message, size_t size,
                     const uint8_t* signature, size_t signature_size) {
  return SignatureVerifier(public_key).Verify(message, size, signature, signature_size);
}

struct SigningKey::Impl {
  PkeyPtr key;
};

SigningKey::SigningKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  auto raw = RawPublicKey(impl_->key.get());
  assert(raw.ok());
  public_key_ = *raw;
}
SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;
SigningKey::~SigningKey() = default;

Result<SigningKey> SigningKey::Generate() {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) return Status::IOError("OpenSSL could not generate an Ed25519 key");
  auto impl = std::make_unique<Impl>();
  impl->key = std::move(key);
  return SigningKey(std::move(impl));
}

Result<SigningKey> SigningKey::LoadPem(const std::string& path) {
  auto text = ReadSmallFile(path);
  if (!text.ok()) return text.status();
  BioPtr bio(BIO_new_mem_buf(text->data(), static_cast<int>(text->size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key || EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return Status::InvalidArgument(path + " is not an Ed25519 private key in PEM");
  }
  auto impl = std::make_unique<Impl>();
  impl->key = std::move(key);
  return SigningKey(std::move(impl));
}

Status SigningKey::SavePem(const std::string& path) const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(bio.get(), impl_->key.get(), nullptr, nullptr, 0, nullptr,
                               nullptr) != 1) {
    return Status::IOError("OpenSSL could not encode the private key");
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return WriteNewFile(path, std::string(data, static_cast<size_t>(len)), 0600);
}

SignatureBytes SigningKey::Sign(const uint8_t* message, size_t size) const {
  SignatureBytes sig{};
  size_t len = sig.size();
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const bool ok =
      ctx && EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->key.get()) == 1 &&
      EVP_DigestSign(ctx.get(), sig.data(), &len, message, size) == 1 && len == sig.size();
  // Ed25519 signing with a valid key cannot fail short of memory exhaustion.
  assert(ok);
  (void)ok;
  return sig;
}

Result<PublicKeyBytes> ParsePublicKeyPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key || EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return Status::InvalidArgument("not an Ed25519 public key in PEM");
  }
  return RawPublicKey(key.get());
}

Result<PublicKeyBytes> LoadPublicKeyPem(const std::string& path) {
  auto text = ReadSmallFile(path);
  if (!text.ok()) return text.status();
  auto key = ParsePublicKeyPem(*text);
  if (!key.ok()) return Status::InvalidArgument(path + " is " + key.status().message());
  return key;
}

std::string PublicKeyToPem(const PublicKeyBytes& public_key) {
  PkeyPtr key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key.data(), public_key.size()));
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(bio.get(), key.get());
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

Status SavePublicKeyPem(const PublicKeyBytes& public_key, const std::string& path) {
  return WriteNewFile(path, PublicKeyToPem(public_key), 0644);
}

}  // namespace fouledger
