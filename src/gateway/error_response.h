#pragma once

// Renders every error the gateway answers in the one error model:
// HTTP status + {"code": <grpc code>, "message": "...", "details": [...]}.
//
// Example:
//   ErrorResponse(absl::NotFoundError("no route for GET /nope"))
//     -> 404, {"code":5,"message":"no route for GET /nope","details":[]}
//
// Pure functions; safe from any thread.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "http/message.h"

namespace protogate::gateway {

// From a status: the HTTP status is the standard mapping of its code.
http::Response ErrorResponse(const absl::Status& status, absl::string_view details_json = "[]");

// For errors defined by an HTTP status (405, 408, 413, 431, …): the gRPC code
// is derived from the HTTP status.
http::Response HttpErrorResponse(int http_status, absl::string_view message);

// 405 for `method` on `path`, with the Allow header: `allowed` is the
// methods the path has, comma-separated ("GET, HEAD").
http::Response MethodNotAllowedResponse(absl::string_view method, absl::string_view path,
                                        absl::string_view allowed);

// Credentials refused: ErrorResponse plus the WWW-Authenticate challenge the
// status calls for (auth::ChallengeFor).
http::Response AuthErrorResponse(const absl::Status& status);

}  // namespace protogate::gateway
