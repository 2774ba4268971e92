// Fuzz target: the CSV reader (seed tables, Excel exports) on untrusted text, with each of the
// separators fouledger accepts, then the row accessors.
#include "projections/csv.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (char separator : {';', ','}) {
    auto table = fouledger::projections::CsvTable::Parse(text, separator);
    if (!table.ok()) continue;
    for (size_t i = 0; i < table->size(); ++i) {
      (void)table->line_of(i);
      if (!table->header().empty()) {
        (void)fouledger::projections::SplitList(table->field(i, table->header().front()));
      }
    }
  }
  return 0;
}
