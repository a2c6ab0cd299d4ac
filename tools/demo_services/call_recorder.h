#pragma once

#include <atomic>
#include <cstdint>

namespace protogate::demo_services {

// A snapshot of one service's call counters.
struct CallStats {
  int64_t total_calls = 0;    // calls started since construction or the last Reset()
  int64_t in_flight = 0;      // calls started and not yet done
  int64_t max_in_flight = 0;  // highest overlap observed since the last Reset()
};

// Counts the calls of one service: how many started, how many are in flight, and
// the highest overlap seen. A call is in flight from its handler's start until its
// answer (or its cancellation) is handed to gRPC, so a delayed answer counts for its
// whole delay — which is what aggregation tests need to see whether the gateway
// fanned out concurrently.
//
// Thread-safe and lock-free (relaxed atomics): cheap enough for a benchmark backend.
// Reset() while calls are in flight keeps the in-flight count exact.
class CallRecorder {
 public:
  CallRecorder() = default;
  CallRecorder(const CallRecorder&) = delete;
  CallRecorder& operator=(const CallRecorder&) = delete;

  // Called when a call starts; each Enter() must be matched by one Exit().
  void Enter();
  void Exit();

  CallStats stats() const;

  // Zeroes total_calls and lowers max_in_flight to the current in_flight.
  void Reset();

 private:
  std::atomic<int64_t> total_calls_{0};
  std::atomic<int64_t> in_flight_{0};
  std::atomic<int64_t> max_in_flight_{0};
};

}  // namespace protogate::demo_services
