// Csv: a reader for the semicolon-separated files of data/seeds/ and Swedish Excel exports.
//
// RFC 4180 quoting ("..." around a field holding the separator, a quote or a line break; "" for an
// embedded quote), a header row first, LF or CRLF line ends, a UTF-8 byte order mark tolerated and
// dropped. Every row must have as many fields as the header. Input is untrusted: sizes are limited
// and every failure is InvalidArgument naming the line. Fields are returned exactly as written
// (no trimming, no number parsing: use Money::Parse and Date::Parse on them).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/status.h"

namespace fouledger::projections {

inline constexpr size_t kCsvBytesMax = 64 * 1024 * 1024;  // a whole file
inline constexpr size_t kCsvFieldsMax = 256;              // per row
inline constexpr size_t kCsvRowsMax = 1'000'000;

class CsvTable {
 public:
  // Parses `text`; `separator` is ';' for the seeds.
  static Result<CsvTable> Parse(std::string_view text, char separator = ';');
  static Result<CsvTable> ReadFile(const std::string& path, char separator = ';');

  const std::vector<std::string>& header() const { return header_; }
  size_t size() const { return rows_.size(); }
  const std::vector<std::string>& row(size_t i) const { return rows_[i]; }
  // 1-based line number where row i starts in the file (for error messages).
  size_t line_of(size_t i) const { return lines_[i]; }
  // Index of the column named `name`, or -1.
  int column(std::string_view name) const;
  // The field of row i in column `name`; "" if there is no such column.
  const std::string& field(size_t i, std::string_view name) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<size_t> lines_;
};

// Splits a field holding a comma-separated list ("rinkeby-kista,spanga-tensta"); trims spaces and
// drops empty items.
std::vector<std::string> SplitList(std::string_view field, char separator = ',');

}  // namespace fouledger::projections
