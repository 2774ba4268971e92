#include "record_store.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fouledger::projections::internal {
namespace {

// Records across several chunks keep their addresses and contents while more are added, and
// the strings they own are freed with the store (the sanitizer build checks the leaks).
TEST(RecordStoreTest, RecordsStayWhereTheyAreAcrossChunks) {
  const size_t n = 2 * RecordStore::kPerChunk + 10;
  std::vector<const Record*> addresses;
  {
    RecordStore records;
    EXPECT_TRUE(records.empty());
    for (size_t i = 0; i < n; ++i) {
      Record r;
      r.seq = i;
      Application a;
      a.application_id = "G-" + std::to_string(i);
      a.title = "a title long enough to live on the heap, number " + std::to_string(i);
      a.units = {"farsta"};
      r.body = std::move(a);
      const Record& added = records.Add(std::move(r));
      addresses.push_back(&added);
      ASSERT_EQ(&records.back(), &added);
    }
    ASSERT_EQ(records.size(), n);
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(&records[i], addresses[i]) << i;
      ASSERT_EQ(records[i].seq, i);
      const auto& a = std::get<Application>(records[i].body);
      ASSERT_EQ(a.application_id, "G-" + std::to_string(i));
      ASSERT_EQ(a.title, "a title long enough to live on the heap, number " + std::to_string(i));
    }
  }
}

}  // namespace
}  // namespace fouledger::projections::internal
