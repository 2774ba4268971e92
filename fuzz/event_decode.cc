// Fuzz target: an event or an entry decoded from untrusted bytes (a request body, a stored value),
// then everything the ledger does with a decoded event before any key is involved. Nothing may
// crash, assert or leak; malformed input must come back as a Status.
#include <cstddef>
#include <cstdint>

#include "ledger/event.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto event = fouledger::DecodedEvent::Decode(data, size);
  if (event.ok()) {
    (void)fouledger::CheckEventShape(event->reader());
    (void)fouledger::ApplicationIdOf(event->reader());
    (void)fouledger::EventToJson(event->reader());
  }
  auto entry = fouledger::DecodedEntry::Decode(data, size);
  if (entry.ok()) {
    (void)entry->leaf_hash();
    (void)entry->effective_date();
    (void)fouledger::CheckEventShape(entry->reader());
    (void)fouledger::EventToJson(entry->reader());
  }
  return 0;
}
