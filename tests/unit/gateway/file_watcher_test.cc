// FileWatcher: reports a settled change once, follows the file list, stops.

#include "gateway/file_watcher.h"

#include <filesystem>
#include <fstream>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace protogate::gateway {
namespace {

const absl::Duration kBound = absl::Seconds(60);  // a hang bound, not a timing assertion

class Counter {
 public:
  void Add() {
    absl::MutexLock lock(&mu_);
    ++count_;
  }
  // Waits until the count exceeds `seen`; returns the count.
  int WaitAbove(int seen, absl::Duration bound = kBound) {
    absl::MutexLock lock(&mu_);
    auto above = [this, seen]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return count_ > seen; };
    mu_.AwaitWithTimeout(absl::Condition(&above), bound);
    return count_;
  }
  int Get() {
    absl::MutexLock lock(&mu_);
    return count_;
  }

 private:
  absl::Mutex mu_;
  int count_ ABSL_GUARDED_BY(mu_) = 0;
};

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid())))
      .string();
}

void Replace(const std::string& path, const std::string& contents) {
  std::ofstream(path + ".tmp") << contents;
  std::filesystem::rename(path + ".tmp", path);
}

TEST(FileWatcherTest, FingerprintChangesWithContentsAndMissingFiles) {
  const std::string path = TempPath("fw_fingerprint");
  std::filesystem::remove(path);
  const std::string missing = FileWatcher::Fingerprint({path});
  EXPECT_NE(missing.find("missing"), std::string::npos);
  Replace(path, "a");
  const std::string one = FileWatcher::Fingerprint({path});
  EXPECT_NE(one, missing);
  Replace(path, "a");  // same bytes, a new file
  EXPECT_NE(FileWatcher::Fingerprint({path}), one);
  std::filesystem::remove(path);
}

TEST(FileWatcherTest, ReportsEachChangeOnceAndStops) {
  const std::string path = TempPath("fw_changes");
  Replace(path, "first");
  Counter changes;
  FileWatcher watcher(
      std::chrono::milliseconds(10), [&] { return std::vector<std::string>{path}; },
      [&] { changes.Add(); });
  watcher.Start();
  Replace(path, "second");
  EXPECT_EQ(changes.WaitAbove(0), 1);
  std::filesystem::remove(path);
  EXPECT_EQ(changes.WaitAbove(1), 2);  // a file that disappears is a change too
  watcher.Stop();
  const int after_stop = changes.Get();
  Replace(path, "third");
  watcher.Stop();  // idempotent; no callback runs after Stop
  EXPECT_EQ(changes.Get(), after_stop);
  std::filesystem::remove(path);
}

TEST(FileWatcherTest, FollowsTheFileListAfterAChange) {
  const std::string config = TempPath("fw_config");
  const std::string other = TempPath("fw_other");
  Replace(config, "a");
  Replace(other, "x");
  absl::Mutex mu;
  std::vector<std::string> files = {config};
  Counter changes;
  FileWatcher watcher(
      std::chrono::milliseconds(10),
      [&] {
        absl::MutexLock lock(&mu);
        return files;
      },
      [&] {
        {
          absl::MutexLock lock(&mu);
          files = {config, other};
        }
        changes.Add();
      });
  watcher.Start();
  Replace(other, "y");  // not watched yet
  Replace(config, "b");
  EXPECT_EQ(changes.WaitAbove(0), 1);
  // Watched from the watcher's next look at the list on: a write that comes
  // before that look is its starting point, so write until one is seen.
  int seen = 1;
  for (int i = 0; i < 100 && seen == 1; ++i) {
    Replace(other, "z" + std::to_string(i));
    seen = changes.WaitAbove(1, absl::Milliseconds(500));
  }
  EXPECT_EQ(seen, 2);
  watcher.Stop();
  std::filesystem::remove(config);
  std::filesystem::remove(other);
}

}  // namespace
}  // namespace protogate::gateway
