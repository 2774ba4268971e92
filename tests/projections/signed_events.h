// Test helpers for the Engine behind a real Ledger: a temporary directory and signed events built
// with a body filler, as the CLI and the server would send them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "ledger/crypto.h"
#include "ledger/event.h"

namespace fouledger::projections::testing {

// A fresh directory under the system's temporary directory, removed with everything in it.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "fouledger-projections-");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

using BodyFill = std::function<void(schema::Event::Body::Builder)>;

// An event dated `date` whose body `fill` writes, signed by `key`; with `corrects`, it replaces
// that entry (reason "rättelse"). Expects the signing to succeed.
SignedEvent Sign(const SigningKey& key, const std::string& date, const BodyFill& fill,
                 std::optional<uint64_t> corrects = std::nullopt);

}  // namespace fouledger::projections::testing
