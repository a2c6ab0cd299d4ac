#pragma once

// A GraphQL error as the response carries it (GraphQL spec, October 2021,
// §7.1.2): a message, the document locations it concerns, and, for an error
// raised while executing, the response path of the field and extensions.
// Validation and request errors have locations only; field errors have a
// path (keys and list indices) and the gRPC status in extensions.
//
// Example:
//   Error{.message = "Cannot query field \"nme\" on type \"User\".",
//         .locations = {{.line = 1, .column = 9}}}
//
// Plain values; safe to copy between threads.

#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "graphql/document.h"

namespace protogate::graphql {

using PathElement = std::variant<std::string, int>;  // a response key or a list index

struct Error {
  std::string message{};
  std::vector<Location> locations{};
  std::vector<PathElement> path{};
  // The JSON members of "extensions" without braces (`"code":"NOT_FOUND",...`);
  // "" for none.
  std::string extensions{};
};

// A failed gRPC call as the error of the field it answers: the status
// message (its code's name when empty) at the field's location and path,
// extensions {"code":"NOT_FOUND","grpcStatus":5,"details":[...]} with
// `details` the google.rpc.Status details as a JSON array ("" for none).
Error CallError(const absl::Status& status, const std::string& details, Location location,
                std::vector<PathElement> path);

}  // namespace protogate::graphql
