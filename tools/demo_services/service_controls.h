#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "demo_services/call_recorder.h"
#include "demo_services/unary_reactor.h"

namespace protogate::demo_services {

// What the last call that records masks received (the users service's
// calls with a read mask, the orders' ListOrders, the catalog's GetProduct):
// its request's mask (paths joined by ",") and the x-protogate-field-mask
// metadata.
struct ReceivedMask {
  std::string method{};  // "GetUser"
  std::string read_mask{};
  std::string metadata{};
  bool metadata_present = false;
  std::string view{};  // the request's AIP-157 view by name; "" when unset
};

// The x-protogate-field-mask metadata of a call (and `read_mask`, the
// request's own mask, joined by ",").
ReceivedMask ReceivedMaskOf(const grpc::CallbackServerContext& context, std::string method,
                            std::string read_mask = "");

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

  // Records what a call received; with a log name set, also prints it on
  // stdout ("users GetUser read_mask=profile.region x-protogate-field-mask=...").
  void RecordMask(ReceivedMask mask);
  ReceivedMask last_mask() const;
  void set_mask_log(std::string service_name);

 private:
  CallRecorder recorder_;
  mutable absl::Mutex mask_mu_;
  ReceivedMask last_mask_ ABSL_GUARDED_BY(mask_mu_);
  std::string mask_log_ ABSL_GUARDED_BY(mask_mu_);  // "": no log
  std::atomic<int64_t> response_delay_ns_{0};
};

}  // namespace protogate::demo_services
