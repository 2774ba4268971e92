#include "signed_events.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "fixture.h"

namespace fouledger::projections::testing {

TempDir::TempDir(const std::string& prefix) {
  std::random_device rd;
  path_ = (std::filesystem::temp_directory_path() /
           (prefix + std::to_string(rd()) + std::to_string(rd())))
              .string();
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

SignedEvent Sign(const SigningKey& key, const std::string& date, const BodyFill& fill,
                 std::optional<uint64_t> corrects) {
  capnp::MallocMessageBuilder message;
  auto e = message.initRoot<schema::Event>();
  const Bytes id = NewClientEventId();
  e.setClientEventId(kj::arrayPtr(id.data(), id.size()));
  e.setEffectiveDate(D(date).packed());
  const Hash256 key_id = key.key_id();
  e.setAuthorKeyId(kj::arrayPtr(key_id.data(), key_id.size()));
  if (corrects) {
    auto c = e.getCorrection().initReplaces();
    c.setSeq(*corrects);
    c.setReason("rättelse");
  } else {
    e.getCorrection().setNone();
  }
  fill(e.getBody());
  auto signed_event = SignEvent(e.asReader(), key);
  EXPECT_TRUE(signed_event.ok()) << signed_event.status().ToString();
  return std::move(signed_event).value();
}

}  // namespace fouledger::projections::testing
