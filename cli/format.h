// Presentation helpers shared by the CLI commands: one-line summaries of events, key ids.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "ledger/authority.h"
#include "ledger/event.h"
#include "ledger/ledger.h"

namespace fouledger::cli {

// "apply 2021-LUM-01 LUM 2021 farsta: Våga anmäla våga vittna, asks 500 000 kr"
std::string SummarizeEvent(schema::Event::Reader event);
// One entry as JSON (the form of `log --json`, of an export's entries/NNNNNN.json and of the
// server's GET /v1/entries): seq, times, kind, author, hashes, signature, a summary and the event
// in Cap'n Proto's JSON form. With an Authority also the author's role and supersededBy (when a
// later entry replaced or voided it); the server passes none, as it reads without the writer lock.
nlohmann::json EntryJson(const DecodedEntry& e, const Authority* authority);

// The inclusion proof of entry `seq` in the tree of `size` entries, as a third party checks it
// (proof_json.h fields), plus `entry` (the stored bytes in base64: leafHash = SHA-256(0x00 ||
// entry)) and, when `size` is the latest checkpoint's, `checkpoint` (its signed note).
Result<nlohmann::json> InclusionProofJson(const Ledger& ledger, uint64_t seq, uint64_t size,
                                          const Checkpoint& latest);
// First 16 hex digits of a key id: enough to tell keys apart in a table.
std::string ShortKeyId(capnp::Data::Reader key_id);
std::string ShortKeyId(const Hash256& key_id);
// "unit:farsta", "board", or "checkpoint key" for the genesis author.
std::string DescribeAuthor(const Authority& authority, capnp::Data::Reader key_id);

}  // namespace fouledger::cli
