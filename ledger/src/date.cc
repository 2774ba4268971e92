#include "ledger/date.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

namespace fouledger {
namespace {

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Howard Hinnant's days_from_civil / civil_from_days.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = static_cast<int>(yy + (*m <= 2));
}

bool ReadDigits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

}  // namespace

Result<Date> Date::FromYmd(int year, int month, int day) {
  if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, month)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
    return Status::InvalidArgument(std::string("date ") + buf + " is not a calendar date");
  }
  return Date(static_cast<uint32_t>(year * 10000 + month * 100 + day));
}

Result<Date> Date::FromPacked(uint32_t yyyymmdd) {
  return FromYmd(static_cast<int>(yyyymmdd / 10000), static_cast<int>(yyyymmdd / 100 % 100),
                 static_cast<int>(yyyymmdd % 100));
}

Result<Date> Date::Parse(std::string_view text) {
  int y, m, d;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !ReadDigits(text, 0, 4, &y) ||
      !ReadDigits(text, 5, 2, &m) || !ReadDigits(text, 8, 2, &d)) {
    return Status::InvalidArgument("date '" + std::string(text) +
                                   "' is not an ISO 8601 date (YYYY-MM-DD)");
  }
  return FromYmd(y, m, d);
}

std::string Date::ToString() const {
  if (!valid()) return "";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year(), month(), day());
  return buf;
}

int64_t Date::DaysSinceEpoch() const {
  return DaysFromCivil(year(), static_cast<unsigned>(month()), static_cast<unsigned>(day()));
}

Date Date::FromDaysSinceEpoch(int64_t days) {
  // Outside years 0000..9999 (a damaged or hostile recorded-at time): the invalid Date, rather
  // than overflowing the packed form.
  constexpr int64_t kFirstDay = -719528;  // 0000-01-01
  constexpr int64_t kLastDay = 2932896;   // 9999-12-31
  if (days < kFirstDay || days > kLastDay) return Date();
  int y, m, d;
  CivilFromDays(days, &y, &m, &d);
  return Date(static_cast<uint32_t>(y * 10000 + m * 100 + d));
}

std::string Instant::ToString() const {
  int64_t days = micros / kMicrosPerDay;
  int64_t rest = micros % kMicrosPerDay;
  if (rest < 0) {
    rest += kMicrosPerDay;
    --days;
  }
  const Date date = Date::FromDaysSinceEpoch(days);
  if (!date.valid()) return std::to_string(micros) + " µs after 1970 (outside years 0000-9999)";
  const int64_t secs = rest / kMicrosPerSecond;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02d.%06dZ", date.ToString().c_str(),
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60), static_cast<int>(rest % kMicrosPerSecond));
  return buf;
}

Instant Instant::StartOf(Date d) { return Instant{d.DaysSinceEpoch() * kMicrosPerDay}; }

Date Instant::ToDate() const {
  int64_t days = micros / kMicrosPerDay;
  if (micros % kMicrosPerDay < 0) --days;
  return Date::FromDaysSinceEpoch(days);
}

Result<Instant> Instant::Parse(std::string_view text) {
  const std::string original(text);
  auto bad = [&] {
    return Status::InvalidArgument("time '" + original +
                                   "' is neither a date (2021-07-01) nor an RFC 3339 time "
                                   "(2021-07-01T12:00:00Z)");
  };
  if (text.size() < 10) return bad();
  auto date = Date::Parse(text.substr(0, 10));
  if (!date.ok()) return bad();
  if (text.size() == 10) {
    // A bare date means "as known by the end of that day".
    return Instant{StartOf(*date).micros + kMicrosPerDay - 1};
  }
  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') return bad();
  int hh, mm, ss;
  if (!ReadDigits(text, 11, 2, &hh) || text.size() < 19 || text[13] != ':' ||
      !ReadDigits(text, 14, 2, &mm) || text[16] != ':' || !ReadDigits(text, 17, 2, &ss) ||
      hh > 23 || mm > 59 || ss > 60) {
    return bad();
  }
  size_t pos = 19;
  int64_t frac = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 6) frac = frac * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return bad();
    for (int i = digits; i < 6; ++i) frac *= 10;
  }
  int64_t offset_seconds = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh, om;
    if (!ReadDigits(text, pos + 1, 2, &oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !ReadDigits(text, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return bad();
    }
    offset_seconds = (oh * 3600 + om * 60) * (text[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != text.size()) return bad();
  const int64_t secs = std::min(ss, 59) + mm * 60 + hh * 3600 - offset_seconds;
  return Instant{StartOf(*date).micros + secs * kMicrosPerSecond + frac};
}

Clock SystemClock() {
  return [] {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return Instant{std::chrono::duration_cast<std::chrono::microseconds>(now).count()};
  };
}

}  // namespace fouledger
