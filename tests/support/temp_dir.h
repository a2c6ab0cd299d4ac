// A scratch directory private to this test process.
//
// ctest runs every test case as its own process, several at once; a fixed
// directory name would let two cases overwrite each other's files (one case's
// key set replacing another's between write and load). The process id keeps
// them apart. The directory is removed when the process exits.

#ifndef PROTOGATE_TESTS_SUPPORT_TEMP_DIR_H_
#define PROTOGATE_TESTS_SUPPORT_TEMP_DIR_H_

#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "gtest/gtest.h"

namespace protogate::test {

inline std::filesystem::path ProcessTempDir(const std::string& name) {
  // Owns the directories made by this process; removes them at exit.
  struct Removal {
    std::vector<std::filesystem::path> dirs;
    ~Removal() {
      std::error_code ignored;
      for (const auto& dir : dirs) std::filesystem::remove_all(dir, ignored);
    }
  };
  static Removal removal;
  const auto dir =
      std::filesystem::path(::testing::TempDir()) / (name + "_" + std::to_string(::getpid()));
  if (std::filesystem::create_directories(dir)) removal.dirs.push_back(dir);
  return dir;
}

}  // namespace protogate::test

#endif  // PROTOGATE_TESTS_SUPPORT_TEMP_DIR_H_
