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
// One entry as JSON (the form of `log --json` and of an export's entries/NNNNNN.json): seq, times,
// kind, author and role, hashes, signature, a summary, the event in Cap'n Proto's JSON form, and
// supersededBy when a later entry replaced or voided it.
nlohmann::json EntryJson(const DecodedEntry& e, const Authority& authority);
// First 16 hex digits of a key id: enough to tell keys apart in a table.
std::string ShortKeyId(capnp::Data::Reader key_id);
std::string ShortKeyId(const Hash256& key_id);
// "unit:farsta", "board", or "checkpoint key" for the genesis author.
std::string DescribeAuthor(const Authority& authority, capnp::Data::Reader key_id);

}  // namespace fouledger::cli
