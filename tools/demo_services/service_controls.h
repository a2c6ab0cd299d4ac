#pragma once

#include <atomic>
#include <cstdint>

#include "absl/time/time.h"
#include "demo_services/call_recorder.h"
#include "demo_services/unary_reactor.h"

namespace protogate::demo_services {

// What tests and the demo server can observe and steer on one service: its call
// counters and an injected latency added to every answer (zero by default), e.g.
// to make concurrent fan-out visible in max_in_flight or to trip a deadline.
//
// Thread-safe; every call of the service shares one instance, which must outlive
// the service's server.
class ServiceControls {
 public:
  ServiceControls() = default;
  ServiceControls(const ServiceControls&) = delete;
  ServiceControls& operator=(const ServiceControls&) = delete;

  // The reactor for a new call, counted in recorder() until it is done.
  UnaryReactor* StartCall();

  CallRecorder& recorder() { return recorder_; }
  CallStats stats() const { return recorder_.stats(); }

  void set_response_delay(absl::Duration delay);
  absl::Duration response_delay() const;

 private:
  CallRecorder recorder_;
  std::atomic<int64_t> response_delay_ns_{0};
};

}  // namespace protogate::demo_services
