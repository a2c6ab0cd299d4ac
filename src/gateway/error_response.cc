#include "gateway/error_response.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "auth/auth_engine.h"
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

http::Response MethodNotAllowedResponse(absl::string_view method, absl::string_view path,
                                        absl::string_view allowed) {
  http::Response response = HttpErrorResponse(
      405, absl::StrCat("method ", method, " is not allowed on ", path, "; allowed: ", allowed));
  response.headers.emplace_back("Allow", std::string(allowed));
  return response;
}

http::Response AuthErrorResponse(const absl::Status& status) {
  http::Response response = ErrorResponse(status);
  if (auto challenge = auth::ChallengeFor(status)) {
    response.headers.emplace_back("WWW-Authenticate", *std::move(challenge));
  }
  return response;
}

}  // namespace protogate::gateway
