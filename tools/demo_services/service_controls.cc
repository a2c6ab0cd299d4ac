#include "demo_services/service_controls.h"

#include <cstdio>
#include <utility>

namespace protogate::demo_services {

ReceivedMask ReceivedMaskOf(const grpc::CallbackServerContext& context, std::string method,
                            std::string read_mask) {
  ReceivedMask received{.method = std::move(method), .read_mask = std::move(read_mask)};
  const auto& metadata = context.client_metadata();
  if (auto it = metadata.find("x-protogate-field-mask"); it != metadata.end()) {
    received.metadata = std::string(it->second.data(), it->second.size());
    received.metadata_present = true;
  }
  return received;
}

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
  if (!mask_log_.empty()) {
    std::printf("%s %s read_mask=%s x-protogate-field-mask=%s%s%s\n", mask_log_.c_str(),
                mask.method.c_str(), mask.read_mask.empty() ? "-" : mask.read_mask.c_str(),
                mask.metadata_present ? mask.metadata.c_str() : "-",
                mask.view.empty() ? "" : " view=", mask.view.c_str());
    std::fflush(stdout);
  }
  last_mask_ = std::move(mask);
}

void ServiceControls::set_mask_log(std::string service_name) {
  absl::MutexLock lock(&mask_mu_);
  mask_log_ = std::move(service_name);
}

ReceivedMask ServiceControls::last_mask() const {
  absl::MutexLock lock(&mask_mu_);
  return last_mask_;
}

}  // namespace protogate::demo_services
