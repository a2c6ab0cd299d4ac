#pragma once

// Whether a path-template variable of a google.api.http rule can bind a
// field of the request message: the one rule the gateway (when it builds a
// snapshot) and protogate-routes (when it validates the protos) both apply,
// so that a route either loads everywhere or is refused everywhere with the
// same words, and never fails at request time.
//
// A variable names a field path by proto field names ("user.user_id"); every
// step but the last is a singular message field; the last is singular (not
// repeated, not a map) and takes a value from text: a scalar, an enum, or
// Timestamp, Duration, FieldMask or a wrapper (text_value.h).
//
// Example:
//   CheckPathVariable(*GetUserRequest, {"nope"})
//     -> {message: "variable {nope}: demo.users.v1.GetUserRequest has no field \"nope\"",
//         hint: "name one of its fields: user_id"}
//
// Pure; safe from any thread.

#include <optional>
#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"

namespace protogate::transcode {

struct PathVariableProblem {
  std::string message;  // "variable {a.b}: ..." without the route
  std::string hint;     // how to fix it
};

// nullopt when `field_path` binds a field of `request_type`.
std::optional<PathVariableProblem> CheckPathVariable(
    const google::protobuf::Descriptor& request_type, const std::vector<std::string>& field_path);

}  // namespace protogate::transcode
