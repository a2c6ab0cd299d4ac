#pragma once

// What the admin endpoint says about reloads: the generation of the serving
// snapshot, when it was loaded, the last attempt and its error.
//
// Example:
//   status.RecordLoaded(absl::Now(), /*is_reload=*/true);   // generation + 1
//   status.RecordRefused(absl::Now(), "gateway.yaml:3:1: ..."); // old one keeps serving
//   ReloadStatus::View v = status.WaitForAttemptAfter(seen, absl::Seconds(30));
//
// Thread-safe: written by whichever thread reloads (signal, watcher, test),
// read by the admin listener's event loop.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace protogate::gateway {

class ReloadStatus {
 public:
  struct View {
    int64_t generation = 0;  // 1 for the snapshot built at start
    absl::Time loaded_at = absl::InfinitePast();
    int64_t attempts = 0;                            // reloads tried since start, good or bad
    absl::Time last_attempt = absl::InfinitePast();  // InfinitePast: none yet
    std::optional<std::string> last_error;           // of the last attempt; nullopt if it worked
  };

  void RecordLoaded(absl::Time now, bool is_reload) {
    absl::MutexLock lock(&mu_);
    ++view_.generation;
    view_.loaded_at = now;
    if (!is_reload) return;
    ++view_.attempts;
    view_.last_attempt = now;
    view_.last_error.reset();
  }

  void RecordRefused(absl::Time now, std::string error) {
    absl::MutexLock lock(&mu_);
    ++view_.attempts;
    view_.last_attempt = now;
    view_.last_error = std::move(error);
  }

  View Get() const {
    absl::MutexLock lock(&mu_);
    return view_;
  }

  // Blocks until more than `seen` attempts were made, or `timeout` passed;
  // returns the state then. For callers that wait for a watcher's reload.
  View WaitForAttemptAfter(int64_t seen, absl::Duration timeout) const {
    absl::MutexLock lock(&mu_);
    auto done = [this, seen]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return view_.attempts > seen; };
    mu_.AwaitWithTimeout(absl::Condition(&done), timeout);
    return view_;
  }

 private:
  mutable absl::Mutex mu_;
  View view_ ABSL_GUARDED_BY(mu_);
};

}  // namespace protogate::gateway
