#include <gtest/gtest.h>

#include "ledger/date.h"
#include "ledger/money.h"

namespace fouledger {
namespace {

TEST(Money, ParsesWhatPeopleWrite) {
  EXPECT_EQ(Money::Parse("500000").value().ore(), 50000000);
  EXPECT_EQ(Money::Parse("500 000").value().ore(), 50000000);
  EXPECT_EQ(Money::Parse("23 030").value().ore(), 2303000);
  EXPECT_EQ(Money::Parse("1234,50").value().ore(), 123450);
  EXPECT_EQ(Money::Parse("1234.5").value().ore(), 123450);
  EXPECT_EQ(Money::Parse("1\xC2\xA0"
                         "234,05")
                .value()
                .ore(),
            123405);  // no-break space
  EXPECT_EQ(Money::Parse("3 705 000 kr").value().ore(), 370500000);
  EXPECT_EQ(Money::Parse("0").value().ore(), 0);
}

TEST(Money, RefusesWhatIsNotMoney) {
  for (const char* bad :
       {"", "-5", "1,234", "12,345", "abc", "1 2a", "1,", ",5", "1e5", "99999999999999"}) {
    EXPECT_FALSE(Money::Parse(bad).ok()) << bad;
  }
  EXPECT_NE(Money::Parse("1,234").status().message().find("more than two decimals"),
            std::string::npos);
}

TEST(Money, FormatsTheSwedishWay) {
  EXPECT_EQ(Money::FromKronor(3705000).ToSwedish(), "3 705 000 kr");
  EXPECT_EQ(Money::FromOre(123450).ToSwedish(), "1 234,50 kr");
  EXPECT_EQ(Money::FromKronor(0).ToSwedish(), "0 kr");
  EXPECT_EQ(Money::FromKronor(3705000).ToDecimal(), "3705000.00");
  EXPECT_EQ(Money::FromOre(5).ToDecimalComma(), "0,05");
}

TEST(Date, ParsesAndValidatesCalendarDates) {
  EXPECT_EQ(Date::Parse("2021-06-07").value().packed(), 20210607u);
  EXPECT_TRUE(Date::Parse("2020-02-29").ok());
  EXPECT_FALSE(Date::Parse("2021-02-29").ok());
  EXPECT_FALSE(Date::Parse("2021-13-01").ok());
  EXPECT_FALSE(Date::Parse("2021-6-7").ok());
  EXPECT_FALSE(Date::FromPacked(20210631).ok());
  EXPECT_EQ(Date::FromDaysSinceEpoch(Date::Parse("2022-06-06")->DaysSinceEpoch()).ToString(),
            "2022-06-06");
}

TEST(Instant, ParsesRfc3339AndDates) {
  const Instant t = Instant::Parse("2021-07-01T12:00:00Z").value();
  EXPECT_EQ(t.ToString(), "2021-07-01T12:00:00.000000Z");
  EXPECT_EQ(Instant::Parse("2021-07-01T14:00:00+02:00").value(), t);
  EXPECT_EQ(Instant::Parse("2021-07-01T12:00:00.5Z").value().micros, t.micros + 500000);
  // A bare date means the end of that day: everything recorded on it.
  EXPECT_EQ(Instant::Parse("2021-07-01").value().ToString(), "2021-07-01T23:59:59.999999Z");
  EXPECT_FALSE(Instant::Parse("2021-07-01T25:00:00Z").ok());
  EXPECT_FALSE(Instant::Parse("2021-07-01T12:00:00").ok()) << "a time needs its offset";
  EXPECT_EQ(t.ToDate().ToString(), "2021-07-01");
}

}  // namespace
}  // namespace fouledger
