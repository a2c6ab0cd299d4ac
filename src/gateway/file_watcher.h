#pragma once

// Watches files by polling (mtime, ctime, size, inode — no inotify, so it
// works the same on every file system, bind mounts and ConfigMap symlink
// swaps included) and calls back when they changed.
//
// A change is reported once the files have held still for one more poll, so
// a file being written is not read half-way; a write that lands after the
// callback read it is seen on a later poll. The file list is asked for again
// after every callback, since a new config may name other files.
//
// Example:
//   FileWatcher watcher(std::chrono::seconds(1), [&] { return Paths(config); },
//                       [&] { gateway.Reload(); });
//   watcher.Start();
//   ...
//   watcher.Stop();   // joins; the callback is not running afterwards
//
// Thread-safety: Start/Stop from one controlling thread; the callbacks run
// on the watcher's own thread (never an event loop).

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace protogate::gateway {

class FileWatcher {
 public:
  using PathsFn = std::function<std::vector<std::string>()>;
  using ChangeFn = std::function<void()>;

  FileWatcher(std::chrono::milliseconds interval, PathsFn paths, ChangeFn on_change);
  ~FileWatcher();  // Stop()

  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  void Start();
  void Stop();  // idempotent

  // What the watcher compares: one line per path (a missing file included).
  static std::string Fingerprint(const std::vector<std::string>& paths);

 private:
  void Run(std::vector<std::string> paths, std::string loaded);
  bool WaitForStop();  // one interval; true when stopping

  const std::chrono::milliseconds interval_;
  const PathsFn paths_;
  const ChangeFn on_change_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace protogate::gateway
