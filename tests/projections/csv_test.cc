#include "projections/csv.h"

#include <gtest/gtest.h>

namespace fouledger::projections {
namespace {

TEST(CsvTest, QuotesSeparatorsAndLineBreaks) {
  auto t = CsvTable::Parse(
      "\xEF\xBB\xBFid;units;text\r\n"
      "1;\"a,b\";\"x; \"\"y\"\"\r\nz\"\r\n"
      "2;;\r\n");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->header(), (std::vector<std::string>{"id", "units", "text"}));
  ASSERT_EQ(t->size(), 2u);
  EXPECT_EQ(t->field(0, "units"), "a,b");
  EXPECT_EQ(t->field(0, "text"), "x; \"y\"\r\nz");
  EXPECT_EQ(t->field(1, "units"), "");
  EXPECT_EQ(t->field(1, "text"), "");
  EXPECT_EQ(t->line_of(1), 4u);
  EXPECT_EQ(SplitList(t->field(0, "units")), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(t->column("nope"), -1);
}

TEST(CsvTest, NoFinalNewlineAndEmptyLastField) {
  auto t = CsvTable::Parse("a;b\n1;");
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->size(), 1u);
  EXPECT_EQ(t->row(0), (std::vector<std::string>{"1", ""}));
}

TEST(CsvTest, Refusals) {
  EXPECT_EQ(CsvTable::Parse("a;b\n1;2;3\n").status().message(),
            "line 2: 3 fields, but the header has 2");
  EXPECT_EQ(CsvTable::Parse("a;b\n1;\"open\n").status().message(),
            "line 2: quoted field is never closed");
  EXPECT_TRUE(CsvTable::Parse("a;b\n1;x\"y\n").status().IsInvalidArgument());
  EXPECT_TRUE(CsvTable::Parse("a;b\n\"q\"x;1\n").status().IsInvalidArgument());
  EXPECT_TRUE(CsvTable::Parse("").status().IsInvalidArgument());
  EXPECT_TRUE(CsvTable::ReadFile("/nonexistent/file.csv").status().IsIOError());
}

}  // namespace
}  // namespace fouledger::projections
