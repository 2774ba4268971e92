#include "ledger/money.h"

#include <string>

namespace fouledger {
namespace {

// Thousands separators people and Excel write: space, no-break space (U+00A0) and narrow
// no-break space (U+202F). Returns the separator's length in bytes at `pos`, or 0.
size_t SeparatorAt(std::string_view s, size_t pos) {
  if (s[pos] == ' ' || s[pos] == '\'') return 1;
  if (s.substr(pos, 2) == "\xC2\xA0") return 2;
  if (s.substr(pos, 3) == "\xE2\x80\xAF") return 3;
  return 0;
}

std::string GroupThousands(int64_t kronor, std::string_view separator) {
  std::string digits = std::to_string(kronor);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += separator;
    out += digits[i];
  }
  return out;
}

}  // namespace

Result<Money> Money::Parse(std::string_view text) {
  const std::string original(text);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.size() >= 2 && text.substr(text.size() - 2) == "kr") {
    text.remove_suffix(2);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  }
  if (text.empty()) return Status::InvalidArgument("amount is empty");
  if (text.front() == '-') {
    return Status::InvalidArgument("amount '" + original + "' is negative");
  }
  int64_t kronor = 0;
  int64_t ore = 0;
  int decimals = -1;  // -1: before the decimal mark
  size_t digits = 0;
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      if (decimals < 0) {
        kronor = kronor * 10 + (c - '0');
        if (kronor > kOreMax / 100) {
          return Status::InvalidArgument("amount '" + original + "' is above the limit of " +
                                         FromOre(kOreMax).ToSwedish());
        }
      } else {
        if (++decimals > 2) {
          return Status::InvalidArgument("amount '" + original + "' has more than two decimals");
        }
        ore = ore * 10 + (c - '0');
      }
      ++digits;
      ++i;
    } else if ((c == ',' || c == '.') && decimals < 0 && digits > 0) {
      decimals = 0;
      ++i;
    } else if (size_t n = SeparatorAt(text, i); n > 0 && decimals < 0 && digits > 0) {
      i += n;
    } else {
      return Status::InvalidArgument("amount '" + original +
                                     "' is not a number of kronor (write 500000, 500 000 or "
                                     "1234,50)");
    }
  }
  if (decimals == 0) {
    return Status::InvalidArgument("amount '" + original + "' ends in a decimal mark");
  }
  if (decimals == 1) ore *= 10;
  const int64_t total = kronor * 100 + ore;
  if (total > kOreMax) {
    return Status::InvalidArgument("amount '" + original + "' is above the limit of " +
                                   FromOre(kOreMax).ToSwedish());
  }
  return FromOre(total);
}

std::string Money::ToSwedish() const {
  const bool negative = ore_ < 0;
  const int64_t abs = negative ? -ore_ : ore_;
  std::string s = (negative ? "−" : "") + GroupThousands(abs / 100, " ");
  if (abs % 100 != 0) {
    const int64_t cents = abs % 100;
    s += ',';
    s += static_cast<char>('0' + cents / 10);
    s += static_cast<char>('0' + cents % 10);
  }
  return s + " kr";
}

std::string Money::ToDecimal() const {
  const bool negative = ore_ < 0;
  const int64_t abs = negative ? -ore_ : ore_;
  std::string s = (negative ? "-" : "") + std::to_string(abs / 100) + ".";
  s += static_cast<char>('0' + abs % 100 / 10);
  s += static_cast<char>('0' + abs % 10);
  return s;
}

std::string Money::ToDecimalComma() const {
  std::string s = ToDecimal();
  s[s.size() - 3] = ',';
  return s;
}

}  // namespace fouledger
