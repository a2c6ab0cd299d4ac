#pragma once

#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace protogate::demo_services {

// One entry of a google.rpc.BadRequest detail.
struct FieldViolation {
  std::string field;
  std::string description;
};

// Builds a grpc::Status whose error details (sent as grpc-status-details-bin) are a
// serialized google.rpc.Status {code, message, details}; `details` holds one
// google.rpc.BadRequest when `violations` is non-empty, and nothing otherwise.
// `code` must not be OK (gRPC drops details from OK statuses).
//
// Example:
//   return StatusWithDetails(grpc::StatusCode::INVALID_ARGUMENT, "email is required",
//                            {{"user.email", "must not be empty"}});
grpc::Status StatusWithDetails(grpc::StatusCode code, absl::string_view message,
                               const std::vector<FieldViolation>& violations);

// INVALID_ARGUMENT naming one bad field: the most common use of the above.
grpc::Status InvalidField(absl::string_view field, absl::string_view message);

}  // namespace protogate::demo_services
