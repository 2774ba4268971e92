#include "ledger/crypto.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "test_util.h"

namespace fouledger {
namespace {

TEST(Sha256, KnownAnswer) {
  EXPECT_EQ(ToHex(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(ToHex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Base64, RoundTripAndStrictness) {
  const Bytes data = {0x00, 0xff, 0x10, 0x20};
  EXPECT_EQ(Base64Encode(data), "AP8QIA==");
  EXPECT_EQ(Base64Decode("AP8QIA==").value(), data);
  EXPECT_FALSE(Base64Decode("AP8QIA=").ok());   // bad length
  EXPECT_FALSE(Base64Decode("AP8QIB==").ok());  // stray bits: not the canonical encoding
  EXPECT_FALSE(Base64Decode("AP8Q IA=").ok());
  EXPECT_TRUE(Base64Decode("").ok());
}

TEST(Hex, RoundTrip) {
  EXPECT_EQ(FromHex("00ff10").value(), (Bytes{0x00, 0xff, 0x10}));
  EXPECT_FALSE(FromHex("0g").ok());
  EXPECT_FALSE(FromHex("abc").ok());
}

TEST(Ed25519, SignVerifyAndPemRoundTrip) {
  testing::TempDir dir;
  auto key = SigningKey::Generate().value();
  const auto sig = key.Sign("meddelande");
  EXPECT_TRUE(VerifySignature(key.public_key(), reinterpret_cast<const uint8_t*>("meddelande"), 10,
                              sig.data(), sig.size()));
  EXPECT_FALSE(VerifySignature(key.public_key(), reinterpret_cast<const uint8_t*>("meddelandE"), 10,
                               sig.data(), sig.size()));
  ASSERT_TRUE(key.SavePem(dir.Sub("k.pem")).ok());
  EXPECT_EQ(std::filesystem::status(dir.Sub("k.pem")).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_TRUE(key.SavePem(dir.Sub("k.pem")).IsRefused()) << "never overwrite a key file";
  auto loaded = SigningKey::LoadPem(dir.Sub("k.pem"));
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->public_key(), key.public_key());
  ASSERT_TRUE(SavePublicKeyPem(key.public_key(), dir.Sub("k.pub")).ok());
  EXPECT_EQ(LoadPublicKeyPem(dir.Sub("k.pub")).value(), key.public_key());
  EXPECT_FALSE(LoadPublicKeyPem(dir.Sub("k.pem")).ok()) << "a private key is not a public key";
}

// Wycheproof's Ed25519 verification vectors: every valid one verifies, every invalid one fails,
// both through VerifySignature (a new key object each time) and through one SignatureVerifier per
// group's key, which checks the group's vectors in turn with the context it keeps per thread:
// valid and invalid ones interleaved, so a context reused after a refusal would show here.
TEST(Ed25519, WycheproofVectors) {
  std::ifstream in(std::string(FOULEDGER_TEST_DATA) + "/ed25519/wycheproof_ed25519_test.json");
  ASSERT_TRUE(in) << "test vectors missing";
  const auto doc = nlohmann::json::parse(in);
  int valid = 0, invalid = 0;
  for (const auto& group : doc["testGroups"]) {
    const Bytes pk_bytes = FromHex(group["publicKey"]["pk"].get<std::string>()).value();
    ASSERT_EQ(pk_bytes.size(), 32u);
    PublicKeyBytes pk{};
    std::copy(pk_bytes.begin(), pk_bytes.end(), pk.begin());
    const SignatureVerifier verifier(pk);
    for (const auto& t : group["tests"]) {
      const Bytes msg = FromHex(t["msg"].get<std::string>()).value();
      auto sig = FromHex(t["sig"].get<std::string>());
      const bool ok =
          sig.ok() && VerifySignature(pk, msg.data(), msg.size(), sig->data(), sig->size());
      const bool ok_reused =
          sig.ok() && verifier.Verify(msg.data(), msg.size(), sig->data(), sig->size());
      EXPECT_EQ(ok, ok_reused) << "tcId " << t["tcId"];
      const std::string want = t["result"];
      if (want == "valid") {
        EXPECT_TRUE(ok) << "tcId " << t["tcId"];
        ++valid;
      } else if (want == "invalid") {
        EXPECT_FALSE(ok) << "tcId " << t["tcId"] << " " << t["comment"];
        ++invalid;
      }
    }
  }
  EXPECT_EQ(valid, 88);
  EXPECT_EQ(invalid, 63);
}

// One verifier, one thread: good and forged signatures over different messages in any order get
// the answer a fresh key object gives, and several keys in turn (more than the contexts kept per
// thread) do not mix.
TEST(Ed25519, AVerifierReusedForManyMessagesAndKeysAnswersAsAFreshOne) {
  std::vector<SigningKey> keys;
  std::vector<SignatureVerifier> verifiers;
  for (int k = 0; k < 11; ++k) {
    keys.push_back(SigningKey::Generate().value());
    verifiers.emplace_back(keys.back().public_key());
  }
  for (int round = 0; round < 3; ++round) {
    for (size_t k = 0; k < keys.size(); ++k) {
      for (int m = 0; m < 4; ++m) {
        const std::string message = "meddelande " + std::to_string(round * 100 + m);
        const auto* bytes = reinterpret_cast<const uint8_t*>(message.data());
        SignatureBytes sig = keys[k].Sign(message);
        if (m == 2) sig[5] ^= 0x40;  // forged
        const SignatureVerifier& other = verifiers[(k + 1) % keys.size()];
        EXPECT_EQ(verifiers[k].Verify(bytes, message.size(), sig.data(), sig.size()), m != 2);
        EXPECT_FALSE(other.Verify(bytes, message.size(), sig.data(), sig.size()))
            << "another key's context";
      }
    }
  }
}

}  // namespace
}  // namespace fouledger
