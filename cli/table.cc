#include "table.h"

#include <cassert>
#include <nlohmann/json.hpp>

namespace fouledger::cli {
namespace {

// Display width of UTF-8 text: code points, not bytes (Swedish letters are two bytes).
size_t Width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string Join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

std::string Text(const Cell& c, OutputFormat f) {
  struct Visitor {
    OutputFormat f;
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(Money m) const {
      switch (f) {
        case OutputFormat::kText:
          return m.ToSwedish();
        case OutputFormat::kCsvExcel:
          return m.ToDecimalComma();
        default:
          return m.ToDecimal();
      }
    }
    std::string operator()(int64_t v) const { return std::to_string(v); }
    std::string operator()(bool b) const {
      if (f == OutputFormat::kText) return b ? "ja" : "nej";
      return b ? "true" : "false";
    }
    std::string operator()(const std::vector<std::string>& v) const {
      return Join(v, f == OutputFormat::kText ? "; " : " | ");
    }
  };
  return std::visit(Visitor{f}, c);
}

nlohmann::json Json(const Cell& c) {
  struct Visitor {
    nlohmann::json operator()(const std::string& s) const { return s; }
    nlohmann::json operator()(Money m) const { return m.ToDecimal(); }
    nlohmann::json operator()(int64_t v) const { return v; }
    nlohmann::json operator()(bool b) const { return b; }
    nlohmann::json operator()(const std::vector<std::string>& v) const { return v; }
  };
  return std::visit(Visitor{}, c);
}

}  // namespace

void Table::AddRow(std::vector<Cell> row) {
  assert(row.size() == columns_.size() && "a row has one cell per column");
  rows_.push_back(std::move(row));
}

std::string CsvField(const std::string& text, char separator) {
  if (text.find_first_of(std::string(1, separator) + "\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void Table::Write(std::ostream& out, OutputFormat format) const {
  switch (format) {
    case OutputFormat::kJson: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& row : rows_) {
        nlohmann::json obj = nlohmann::json::object();
        for (size_t i = 0; i < columns_.size(); ++i) obj[columns_[i].key] = Json(row[i]);
        arr.push_back(obj);
      }
      out << arr.dump(2) << "\n";
      return;
    }
    case OutputFormat::kCsvExcel:
    case OutputFormat::kCsvRfc4180: {
      const bool excel = format == OutputFormat::kCsvExcel;
      const char sep = excel ? ';' : ',';
      if (excel) out << "\xEF\xBB\xBF";  // BOM: Excel then reads UTF-8 (å, ä, ö) correctly
      const char* eol = "\r\n";          // RFC 4180 line ends; Excel accepts them too
      for (size_t i = 0; i < columns_.size(); ++i) {
        out << (i ? std::string(1, sep) : "") << CsvField(columns_[i].key, sep);
      }
      out << eol;
      for (const auto& row : rows_) {
        for (size_t i = 0; i < columns_.size(); ++i) {
          out << (i ? std::string(1, sep) : "") << CsvField(Text(row[i], format), sep);
        }
        out << eol;
      }
      return;
    }
    case OutputFormat::kText: {
      std::vector<size_t> widths;
      for (const auto& c : columns_) widths.push_back(Width(c.label));
      std::vector<std::vector<std::string>> texts;
      for (const auto& row : rows_) {
        texts.emplace_back();
        for (size_t i = 0; i < columns_.size(); ++i) {
          texts.back().push_back(Text(row[i], format));
          widths[i] = std::max(widths[i], Width(texts.back().back()));
        }
      }
      auto line = [&](const std::vector<std::string>& cells) {
        std::string s;
        for (size_t i = 0; i < cells.size(); ++i) {
          const std::string pad(widths[i] - Width(cells[i]), ' ');
          if (i) s += "  ";
          s += columns_[i].numeric ? pad + cells[i] : cells[i] + (i + 1 < cells.size() ? pad : "");
        }
        out << s << "\n";
      };
      std::vector<std::string> labels;
      for (const auto& c : columns_) labels.push_back(c.label);
      line(labels);
      size_t total = 0;
      for (size_t w : widths) total += w + 2;
      out << std::string(total > 2 ? total - 2 : 0, '-') << "\n";
      for (const auto& t : texts) line(t);
      return;
    }
  }
}

}  // namespace fouledger::cli
