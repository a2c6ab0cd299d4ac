#pragma once

// Internal to transcode: converts protobuf 3.21's own util::Status (not yet
// absl::Status in this release) into absl::Status with the same code and
// message. Pure; safe from any thread.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/stubs/status.h"

namespace protogate::transcode {

inline absl::Status ToAbslStatus(const google::protobuf::util::Status& status) {
  if (status.ok()) return absl::OkStatus();
  // Both enums use the canonical gRPC code numbers.
  return absl::Status(static_cast<absl::StatusCode>(status.code()),
                      absl::string_view(status.message().data(), status.message().size()));
}

}  // namespace protogate::transcode
