// Money: an amount of Swedish kronor held as integer öre. Never floating point.
//
// Parse accepts what people write in the seeds and in Excel: "500000", "500 000", "23 030",
// "1234,50", "1 234,5" (space, no-break space or narrow no-break space as thousands separator,
// comma or dot for the decimal part, at most two decimals). Amounts are never negative.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/status.h"

namespace fouledger {

class Money {
 public:
  // Ten billion kronor: far above any grant budget, far below int64 overflow even when summed
  // over millions of entries.
  static constexpr int64_t kOreMax = int64_t{1'000'000'000'000};
  static_assert(kOreMax < INT64_MAX / 1'000'000, "sums of a million maximal amounts must fit");

  constexpr Money() = default;
  static constexpr Money FromOre(int64_t ore) { return Money(ore); }
  static constexpr Money FromKronor(int64_t kronor) { return Money(kronor * 100); }

  // Parses kronor as written by people (see above). Refuses negatives, more than two decimals,
  // stray characters and amounts above kOreMax.
  static Result<Money> Parse(std::string_view text);

  constexpr int64_t ore() const { return ore_; }

  // "3 705 000 kr", "1 234,50 kr": the Swedish way, for tables.
  std::string ToSwedish() const;
  // "3705000.00": for JSON and programs.
  std::string ToDecimal() const;
  // "3705000,00": decimal comma without grouping, for Swedish Excel CSV.
  std::string ToDecimalComma() const;

  constexpr Money operator+(Money o) const { return Money(ore_ + o.ore_); }
  constexpr Money operator-(Money o) const { return Money(ore_ - o.ore_); }
  Money& operator+=(Money o) {
    ore_ += o.ore_;
    return *this;
  }
  Money& operator-=(Money o) {
    ore_ -= o.ore_;
    return *this;
  }
  constexpr auto operator<=>(const Money&) const = default;

 private:
  constexpr explicit Money(int64_t ore) : ore_(ore) {}
  int64_t ore_ = 0;
};

}  // namespace fouledger
