#include "demo_services/service_controls.h"

#include <utility>

namespace protogate::demo_services {

UnaryReactor* ServiceControls::StartCall() {
  return UnaryReactor::Create(&recorder_, response_delay());
}

void ServiceControls::set_response_delay(absl::Duration delay) {
  response_delay_ns_.store(absl::ToInt64Nanoseconds(delay), std::memory_order_relaxed);
}

absl::Duration ServiceControls::response_delay() const {
  return absl::Nanoseconds(response_delay_ns_.load(std::memory_order_relaxed));
}

void ServiceControls::RecordMask(ReceivedMask mask) {
  absl::MutexLock lock(&mask_mu_);
  last_mask_ = std::move(mask);
}

ReceivedMask ServiceControls::last_mask() const {
  absl::MutexLock lock(&mask_mu_);
  return last_mask_;
}

}  // namespace protogate::demo_services
