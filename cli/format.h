// Presentation helpers shared by the CLI commands: one-line summaries of events, key ids.
#pragma once

#include <memory>
#include <string>

#include "ledger/authority.h"
#include "ledger/event.h"
#include "ledger/ledger.h"

namespace fouledger::cli {

// "apply 2021-LUM-01 LUM 2021 farsta: Våga anmäla våga vittna, asks 500 000 kr"
std::string SummarizeEvent(schema::Event::Reader event);
// First 16 hex digits of a key id: enough to tell keys apart in a table.
std::string ShortKeyId(capnp::Data::Reader key_id);
std::string ShortKeyId(const Hash256& key_id);
// "unit:farsta", "board", or "checkpoint key" for the genesis author.
std::string DescribeAuthor(const Authority& authority, capnp::Data::Reader key_id);

}  // namespace fouledger::cli
