#include "ledger/interner.h"

#include <gtest/gtest.h>

#include <string>
#include <unordered_map>
#include <vector>

namespace fouledger {
namespace {

TEST(InternerTest, GivesIndicesInOrderOfFirstSightAndFindsThemAgain) {
  Interner ids;
  EXPECT_EQ(ids.Find("2021-LUM-01"), Interner::kNotFound);
  EXPECT_EQ(ids.Intern("2021-LUM-01"), 0u);
  EXPECT_EQ(ids.Intern("2021-MUL-01"), 1u);
  EXPECT_EQ(ids.Intern("2021-LUM-01"), 0u);
  EXPECT_EQ(ids.Intern(""), 2u);  // the empty string is an id like any other
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_EQ(ids.Find("2021-MUL-01"), 1u);
  EXPECT_EQ(ids.Find(""), 2u);
  EXPECT_EQ(ids.Find("2021-LUM-0"), Interner::kNotFound);
  EXPECT_EQ(ids[1], "2021-MUL-01");
  EXPECT_EQ(ids.ids(), (std::vector<std::string>{"2021-LUM-01", "2021-MUL-01", ""}));
}

// Through many growths of the table, against std::unordered_map as the reference.
TEST(InternerTest, AgreesWithAHashMapThroughGrowth) {
  Interner ids;
  std::unordered_map<std::string, uint32_t> reference;
  for (int i = 0; i < 50'000; ++i) {
    // Every third id comes back, so that both hits and new ids happen at every size.
    const std::string id = "G-" + std::to_string(i % 3 == 2 ? i / 7 : i);
    const auto expected =
        reference.try_emplace(id, static_cast<uint32_t>(reference.size())).first->second;
    ASSERT_EQ(ids.Intern(id), expected) << id;
  }
  ASSERT_EQ(ids.size(), reference.size());
  for (const auto& [id, index] : reference) {
    ASSERT_EQ(ids.Find(id), index) << id;
    ASSERT_EQ(ids[index], id);
  }
  EXPECT_EQ(ids.Find("G--1"), Interner::kNotFound);
}

TEST(InternerTest, AssignKeepsTheOrderAndRefusesAnIdTwice) {
  Interner ids;
  ids.Intern("old");
  ASSERT_TRUE(ids.Assign({"b", "a", "c"}));
  EXPECT_EQ(ids.Find("a"), 1u);
  EXPECT_EQ(ids.Find("old"), Interner::kNotFound);
  EXPECT_EQ(ids.Intern("d"), 3u);  // interning goes on after the assigned ids

  EXPECT_FALSE(ids.Assign({"x", "y", "x"}));
  EXPECT_EQ(ids.size(), 0u);
  EXPECT_EQ(ids.Find("x"), Interner::kNotFound);
  EXPECT_EQ(ids.Intern("x"), 0u);  // and it is usable again
}

}  // namespace
}  // namespace fouledger
