#include "projections/csv.h"

#include <fstream>
#include <sstream>

namespace fouledger::projections {
namespace {

std::string Line(size_t line) { return "line " + std::to_string(line); }

}  // namespace

Result<CsvTable> CsvTable::Parse(std::string_view text, char separator) {
  if (text.size() > kCsvBytesMax) {
    return Status::InvalidArgument("CSV is " + std::to_string(text.size()) +
                                   " bytes, more than the limit of " +
                                   std::to_string(kCsvBytesMax));
  }
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // Excel's UTF-8 BOM

  CsvTable table;
  std::vector<std::string> row;
  std::string field;
  size_t line = 1;
  size_t row_line = 1;
  size_t i = 0;
  bool any_row = false;

  // Ends a row: the first becomes the header; the others must match it in width.
  auto finish_row = [&]() -> Status {
    row.push_back(std::move(field));
    field.clear();
    if (row.size() > kCsvFieldsMax) {
      return Status::InvalidArgument(Line(row_line) + ": more than " +
                                     std::to_string(kCsvFieldsMax) + " fields");
    }
    if (!any_row) {
      table.header_ = std::move(row);
      any_row = true;
    } else if (row.size() == 1 && row[0].empty()) {
      // A blank line (typically the last one): nothing to keep.
    } else {
      if (row.size() != table.header_.size()) {
        return Status::InvalidArgument(Line(row_line) + ": " + std::to_string(row.size()) +
                                       " fields, but the header has " +
                                       std::to_string(table.header_.size()));
      }
      if (table.rows_.size() >= kCsvRowsMax) {
        return Status::InvalidArgument("more than " + std::to_string(kCsvRowsMax) + " rows");
      }
      table.rows_.push_back(std::move(row));
      table.lines_.push_back(row_line);
    }
    row.clear();
    return Status::Ok();
  };

  while (i < text.size()) {
    const char c = text[i];
    if (c == '"' && field.empty()) {
      // A quoted field: runs to the closing quote; "" is one quote; may span lines.
      const size_t opened_at = line;
      ++i;
      for (;;) {
        if (i >= text.size()) {
          return Status::InvalidArgument(Line(opened_at) + ": quoted field is never closed");
        }
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (text[i] == '\n') ++line;
        field += text[i++];
      }
      if (i < text.size() && text[i] != separator && text[i] != '\n' && text[i] != '\r') {
        return Status::InvalidArgument(Line(line) + ": text after a closing quote");
      }
      continue;
    }
    if (c == '"') {
      return Status::InvalidArgument(Line(line) + ": a quote inside an unquoted field");
    }
    if (c == separator) {
      row.push_back(std::move(field));
      field.clear();
      ++i;
      continue;
    }
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      ++i;
      continue;
    }
    if (c == '\n') {
      FOULEDGER_RETURN_IF_ERROR(finish_row());
      ++line;
      row_line = line;
      ++i;
      continue;
    }
    field += c;
    ++i;
  }
  if (!field.empty() || !row.empty()) FOULEDGER_RETURN_IF_ERROR(finish_row());
  if (!any_row) return Status::InvalidArgument("CSV is empty: no header row");
  return table;
}

Result<CsvTable> CsvTable::ReadFile(const std::string& path, char separator) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot open " + path);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status::IOError("cannot read " + path);
  auto table = Parse(buffer.str(), separator);
  if (!table.ok()) return table.status().WithContext(path);
  return table;
}

int CsvTable::column(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

const std::string& CsvTable::field(size_t i, std::string_view name) const {
  static const std::string kEmpty;
  const int c = column(name);
  return c < 0 ? kEmpty : rows_[i][static_cast<size_t>(c)];
}

std::vector<std::string> SplitList(std::string_view field, char separator) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= field.size()) {
    size_t end = field.find(separator, start);
    if (end == std::string_view::npos) end = field.size();
    std::string_view item = field.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    start = end + 1;
  }
  return out;
}

}  // namespace fouledger::projections
