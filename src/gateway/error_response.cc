#include "gateway/error_response.h"

#include <string>

#include "transcode/status_mapping.h"

namespace protogate::gateway {
namespace {

http::Response JsonError(int http_status, int grpc_code, absl::string_view message,
                         absl::string_view details_json) {
  http::Response response;
  response.status = http_status;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = transcode::ErrorBody(grpc_code, message, details_json);
  return response;
}

}  // namespace

http::Response ErrorResponse(const absl::Status& status, absl::string_view details_json) {
  int code = static_cast<int>(status.code());
  return JsonError(transcode::HttpStatusFromGrpcCode(code), code, status.message(), details_json);
}

http::Response HttpErrorResponse(int http_status, absl::string_view message) {
  return JsonError(http_status, transcode::GrpcCodeFromHttpStatus(http_status), message, "[]");
}

}  // namespace protogate::gateway
