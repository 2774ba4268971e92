// Swedish presentation helpers: collation of UTF-8 names.
//
// SwedishLess orders names as a Swedish reader expects: case-insensitively, with å, ä, ö after z
// (in that order), æ as ä, ø as ö, é/è/ê/ë as e, ü as y, and digits before letters. Spaces and
// punctuation sort before digits. Ties fall back to the raw bytes, so the order is total and
// deterministic. Invalid UTF-8 bytes sort after every letter but never crash.
#pragma once

#include <string_view>

namespace fouledger::projections {

bool SwedishLess(std::string_view a, std::string_view b);

struct SwedishOrder {
  bool operator()(std::string_view a, std::string_view b) const { return SwedishLess(a, b); }
};

}  // namespace fouledger::projections
