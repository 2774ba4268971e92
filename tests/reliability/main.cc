// The reliability test binary. Run with --crash-writer it is the writer process of a crash trial
// (crash_test.cc): a fresh process, not a fork of the test, so RocksDB starts clean in it.
#include <gtest/gtest.h>

#include <cstring>

namespace fouledger::reliability {
int CrashWriterMain(int argc, char** argv);
}

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--crash-writer") == 0) {
    return fouledger::reliability::CrashWriterMain(argc, argv);
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
