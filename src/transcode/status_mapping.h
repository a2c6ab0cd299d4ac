#pragma once

// The one error model of the gateway: every error answer, the gateway's own
// and upstream ones, is an HTTP status plus the JSON body
//   {"code": <grpc code>, "message": "...", "details": [...]}
// (the proto3 JSON form of google.rpc.Status).
//
// Example:
//   HttpStatusFromGrpcCode(5)            -> 404
//   ErrorBody(5, "no such user", "[]")   -> {"code":5,"message":"no such user","details":[]}
//
// Pure functions; safe from any thread.

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "transcode/type_registry.h"

namespace protogate::transcode {

// The standard gRPC → HTTP mapping: INVALID_ARGUMENT, FAILED_PRECONDITION,
// OUT_OF_RANGE → 400; UNAUTHENTICATED → 401; PERMISSION_DENIED → 403;
// NOT_FOUND → 404; ALREADY_EXISTS, ABORTED → 409; RESOURCE_EXHAUSTED → 429;
// CANCELLED → 499; UNIMPLEMENTED → 501; UNAVAILABLE → 503;
// DEADLINE_EXCEEDED → 504; OK → 200; others → 500.
int HttpStatusFromGrpcCode(int grpc_code);

// The gRPC code a gateway-generated HTTP error carries (400 → 3, 404 → 5,
// 405 → 12, 408 → 4, 413 / 431 / 429 → 8, 502 / 503 → 14, 504 → 4, …).
int GrpcCodeFromHttpStatus(int http_status);

// `details_json` is a JSON array text ("[]" when none).
std::string ErrorBody(int grpc_code, absl::string_view message,
                      absl::string_view details_json = "[]");

// Renders the `details` of a serialized google.rpc.Status (the
// grpc-status-details-bin trailer) as a JSON array. Details whose types are
// known to `registry` or to the gateway (google.rpc error details) are
// rendered as proto3 JSON with "@type"; unknown ones as
// {"@type": url, "value": base64}. Undecodable bytes give "[]".
std::string DetailsJsonFromStatusBytes(absl::string_view status_bytes,
                                       const TypeRegistry* registry);

}  // namespace protogate::transcode
