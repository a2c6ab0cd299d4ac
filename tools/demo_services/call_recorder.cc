#include "demo_services/call_recorder.h"

namespace protogate::demo_services {

void CallRecorder::Enter() {
  total_calls_.fetch_add(1, std::memory_order_relaxed);
  const int64_t now = in_flight_.fetch_add(1, std::memory_order_relaxed) + 1;
  int64_t seen = max_in_flight_.load(std::memory_order_relaxed);
  while (now > seen &&
         !max_in_flight_.compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
  }
}

void CallRecorder::Exit() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }

CallStats CallRecorder::stats() const {
  CallStats stats;
  stats.total_calls = total_calls_.load(std::memory_order_relaxed);
  stats.in_flight = in_flight_.load(std::memory_order_relaxed);
  stats.max_in_flight = max_in_flight_.load(std::memory_order_relaxed);
  return stats;
}

void CallRecorder::Reset() {
  total_calls_.store(0, std::memory_order_relaxed);
  max_in_flight_.store(in_flight_.load(std::memory_order_relaxed), std::memory_order_relaxed);
}

}  // namespace protogate::demo_services
