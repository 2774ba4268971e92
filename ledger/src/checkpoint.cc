#include "ledger/checkpoint.h"

#include <string>

namespace fouledger {
namespace {

// The em dash that starts a signature line in the C2SP signed-note format.
constexpr std::string_view kSignatureLinePrefix = "\xE2\x80\x94 ";
constexpr size_t kNoteBytesMax = 4096;

std::array<uint8_t, 4> NoteKeyHash(std::string_view name, const PublicKeyBytes& public_key) {
  std::string buf(name);
  buf += '\n';
  buf += '\x01';  // signature type: Ed25519
  buf.append(reinterpret_cast<const char*>(public_key.data()), public_key.size());
  const Hash256 h = Sha256(buf);
  return {h[0], h[1], h[2], h[3]};
}

}  // namespace

Checkpoint SignCheckpoint(std::string_view origin, uint64_t size, const Hash256& root,
                          const SigningKey& key) {
  Checkpoint cp;
  cp.origin = std::string(origin);
  cp.size = size;
  cp.root = root;
  const std::string body =
      cp.origin + "\n" + std::to_string(size) + "\n" + Base64Encode(root) + "\n";
  const SignatureBytes sig = key.Sign(body);
  const auto key_hash = NoteKeyHash(origin, key.public_key());
  Bytes blob(key_hash.begin(), key_hash.end());
  blob.insert(blob.end(), sig.begin(), sig.end());
  cp.note =
      body + "\n" + std::string(kSignatureLinePrefix) + cp.origin + " " + Base64Encode(blob) + "\n";
  return cp;
}

Result<Checkpoint> ParseCheckpoint(std::string_view note, const PublicKeyBytes& public_key,
                                   std::string_view expected_origin) {
  auto bad = [](const std::string& why) { return Status::Corruption("checkpoint: " + why); };
  if (note.size() > kNoteBytesMax) return bad("note is larger than 4096 bytes");
  const size_t split = note.find("\n\n");
  if (split == std::string_view::npos) return bad("no blank line before the signatures");
  const std::string_view body = note.substr(0, split + 1);
  std::string_view sigs = note.substr(split + 2);

  // Body: origin, size, root (extension lines are allowed by C2SP; we write none).
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos < body.size();) {
    const size_t nl = body.find('\n', pos);
    lines.push_back(body.substr(pos, nl - pos));
    pos = nl + 1;
  }
  if (lines.size() < 3) return bad("body has fewer than three lines");
  Checkpoint cp;
  cp.origin = std::string(lines[0]);
  if (cp.origin.empty()) return bad("origin is empty");
  if (!expected_origin.empty() && cp.origin != expected_origin) {
    return bad("origin '" + cp.origin + "' is not '" + std::string(expected_origin) + "'");
  }
  if (lines[1].empty() || lines[1].size() > 20 || (lines[1].size() > 1 && lines[1][0] == '0')) {
    return bad("size is not a decimal number");
  }
  for (char c : lines[1]) {
    if (c < '0' || c > '9') return bad("size is not a decimal number");
    cp.size = cp.size * 10 + static_cast<uint64_t>(c - '0');
  }
  auto root = Base64Decode(lines[2]);
  if (!root.ok() || root->size() != 32) return bad("root is not 32 bytes of base64");
  std::copy(root->begin(), root->end(), cp.root.begin());

  // Signature lines: find one by our key.
  const auto key_hash = NoteKeyHash(cp.origin, public_key);
  bool found = false;
  while (!sigs.empty()) {
    const size_t nl = sigs.find('\n');
    if (nl == std::string_view::npos) return bad("signature line does not end in a newline");
    std::string_view line = sigs.substr(0, nl);
    sigs.remove_prefix(nl + 1);
    if (line.substr(0, kSignatureLinePrefix.size()) != kSignatureLinePrefix) {
      return bad("signature line does not start with an em dash");
    }
    line.remove_prefix(kSignatureLinePrefix.size());
    const size_t space = line.find(' ');
    if (space == std::string_view::npos) return bad("signature line has no key name");
    if (line.substr(0, space) != cp.origin) continue;  // another signer (a witness)
    auto blob = Base64Decode(line.substr(space + 1));
    if (!blob.ok() || blob->size() != 4 + kSignatureBytes) continue;
    if (!std::equal(key_hash.begin(), key_hash.end(), blob->begin())) continue;
    if (!VerifySignature(public_key, reinterpret_cast<const uint8_t*>(body.data()), body.size(),
                         blob->data() + 4, kSignatureBytes)) {
      return bad("signature by the ledger's checkpoint key does not verify");
    }
    found = true;
  }
  if (!found) return bad("no signature by the ledger's checkpoint key");
  cp.note = std::string(note);
  return cp;
}

}  // namespace fouledger
