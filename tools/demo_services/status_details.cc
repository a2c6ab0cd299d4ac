#include "demo_services/status_details.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace protogate::demo_services {

grpc::Status StatusWithDetails(grpc::StatusCode code, absl::string_view message,
                               const std::vector<FieldViolation>& violations) {
  google::rpc::Status status;
  status.set_code(static_cast<int>(code));
  status.set_message(std::string(message));
  if (!violations.empty()) {
    google::rpc::BadRequest bad_request;
    for (const FieldViolation& violation : violations) {
      auto* entry = bad_request.add_field_violations();
      entry->set_field(violation.field);
      entry->set_description(violation.description);
    }
    status.add_details()->PackFrom(bad_request);
  }
  return grpc::Status(code, std::string(message), status.SerializeAsString());
}

grpc::Status InvalidField(absl::string_view field, absl::string_view message) {
  return StatusWithDetails(grpc::StatusCode::INVALID_ARGUMENT, message,
                           {{std::string(field), std::string(message)}});
}

}  // namespace protogate::demo_services
