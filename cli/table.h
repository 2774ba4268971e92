// Table: one result set written four ways, so every query command offers the same formats:
//   text     aligned columns for people, money as "3 705 000 kr"
//   json     an array of objects; keys are the projection's field names, money "3705000.00"
//   csv      what Swedish Excel opens cleanly: UTF-8 BOM, ';', decimal comma, header row
//   rfc4180  plain comma/dot CSV for programs
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "ledger/money.h"

namespace fouledger::cli {

enum class OutputFormat { kText, kJson, kCsvExcel, kCsvRfc4180 };

struct Column {
  std::string key;       // JSON field and CSV header for programs ("granted")
  std::string label;     // header for people ("Beviljat")
  bool numeric = false;  // right-aligned in text
};

using Cell = std::variant<std::string, Money, int64_t, bool, std::vector<std::string>>;

class Table {
 public:
  explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}
  void AddRow(std::vector<Cell> row);
  void Write(std::ostream& out, OutputFormat format) const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<Cell>> rows_;
};

// CSV quoting per RFC 4180 for one field.
std::string CsvField(const std::string& text, char separator);

}  // namespace fouledger::cli
