#include "demo_services/service_controls.h"

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

}  // namespace protogate::demo_services
