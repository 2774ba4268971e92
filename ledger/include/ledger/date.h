// Calendar dates and instants.
//
// A Date is a valid Gregorian calendar date, stored packed as YYYYMMDD (20210607) because that is
// how events carry it: sortable, readable in a hex dump, and unambiguous. An Instant is
// microseconds since the Unix epoch (UTC), used for the ledger's recorded-at clock.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "ledger/status.h"

namespace fouledger {

class Date {
 public:
  constexpr Date() = default;  // the "no date" value; valid() is false
  // Checks the calendar (month lengths, leap years); years 1900..2999.
  static Result<Date> FromPacked(uint32_t yyyymmdd);
  static Result<Date> FromYmd(int year, int month, int day);
  // "2021-06-07" only: ISO 8601 calendar date, extended format.
  static Result<Date> Parse(std::string_view text);

  constexpr bool valid() const { return packed_ != 0; }
  constexpr uint32_t packed() const { return packed_; }
  int year() const { return static_cast<int>(packed_ / 10000); }
  int month() const { return static_cast<int>(packed_ / 100 % 100); }
  int day() const { return static_cast<int>(packed_ % 100); }
  std::string ToString() const;  // "2021-06-07"; "" for the no-date value

  // Days since 1970-01-01, for arithmetic.
  int64_t DaysSinceEpoch() const;
  static Date FromDaysSinceEpoch(int64_t days);

  constexpr auto operator<=>(const Date&) const = default;

 private:
  constexpr explicit Date(uint32_t packed) : packed_(packed) {}
  uint32_t packed_ = 0;
};

// Microseconds since 1970-01-01T00:00:00Z.
struct Instant {
  int64_t micros = 0;
  constexpr auto operator<=>(const Instant&) const = default;

  // "2021-07-01T12:00:00.000000Z"
  std::string ToString() const;
  // RFC 3339 ("2021-07-01T12:00:00Z", "2021-07-01T14:00:00+02:00", fractional seconds allowed)
  // or a bare date, which means the end of that day in UTC (everything recorded on that day).
  static Result<Instant> Parse(std::string_view text);
  // The first instant of the given date, UTC.
  static Instant StartOf(Date d);
  // The calendar date (UTC) the instant falls on.
  Date ToDate() const;
};

// The source of "now". Created in main() and passed down, so tests can use a fake clock.
using Clock = std::function<Instant()>;
Clock SystemClock();

}  // namespace fouledger
