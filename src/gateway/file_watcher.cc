#include "gateway/file_watcher.h"

#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace protogate::gateway {

FileWatcher::FileWatcher(std::chrono::milliseconds interval, PathsFn paths, ChangeFn on_change)
    : interval_(interval), paths_(std::move(paths)), on_change_(std::move(on_change)) {}

FileWatcher::~FileWatcher() { Stop(); }

// The first fingerprint is taken here, not on the thread, so a change made
// right after Start() returns is never mistaken for the starting state.
void FileWatcher::Start() {
  std::vector<std::string> paths = paths_();
  std::string loaded = Fingerprint(paths);
  thread_ = std::thread([this, paths = std::move(paths), loaded = std::move(loaded)]() mutable {
    Run(std::move(paths), std::move(loaded));
  });
}

void FileWatcher::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

std::string FileWatcher::Fingerprint(const std::vector<std::string>& paths) {
  std::string out;
  for (const std::string& path : paths) {
    struct stat info {};
    // stat() follows symlinks: a swapped link target counts as a change.
    if (::stat(path.c_str(), &info) != 0) {
      absl::StrAppend(&out, path, " missing\n");
      continue;
    }
    // ctime and the inode catch same-size rewrites within one mtime tick and
    // files replaced by rename.
    absl::StrAppend(&out, path, " ", info.st_size, " ", info.st_mtim.tv_sec, ".",
                    info.st_mtim.tv_nsec, " ", info.st_ctim.tv_sec, ".", info.st_ctim.tv_nsec, " ",
                    info.st_ino, "\n");
  }
  return out;
}

bool FileWatcher::WaitForStop() {
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::FromChrono(interval_));
}

void FileWatcher::Run(std::vector<std::string> paths, std::string loaded) {
  std::string previous = loaded;
  while (!WaitForStop()) {
    const std::string now = Fingerprint(paths);
    const bool settled = now == previous;
    previous = now;
    if (now == loaded || !settled) continue;
    on_change_();
    std::vector<std::string> next = paths_();
    // Same files: remember what we saw before the callback, so a write that
    // raced with it still differs on the next poll.
    loaded = next == paths ? now : Fingerprint(next);
    paths = std::move(next);
    previous = loaded;
  }
}

}  // namespace protogate::gateway
