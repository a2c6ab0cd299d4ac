#pragma once

// The current Snapshot, swapped atomically on reload.
//
// Readers take a shared_ptr copy per request and keep it to the end of that
// request, so a reload never changes a request mid-flight.
// Thread-safe.

#include <atomic>
#include <memory>

#include "gateway/snapshot.h"

namespace protogate::gateway {

class SnapshotHolder {
 public:
  std::shared_ptr<const Snapshot> Get() const { return current_.load(std::memory_order_acquire); }
  void Set(std::shared_ptr<const Snapshot> snapshot) {
    current_.store(std::move(snapshot), std::memory_order_release);
  }

 private:
  std::atomic<std::shared_ptr<const Snapshot>> current_;
};

}  // namespace protogate::gateway
