#pragma once

// One problem found while building the route map, in the compiler style
// reviewers and editors understand:
//
//   demo/users/v1/users.proto:15:5: error: GET /v1/users/{id}: variable "id" names no field
//       of demo.users.v1.GetUserRequest
//     hint: use one of its fields: user_id, name
//
// Plain value; thread-compatible.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace protogate::routes {

struct Diagnostic {
  std::string location;  // "file:line:col", "file:line" or "file"; may be empty
  std::string message;
  std::string hint;  // how to fix it; may be empty

  std::string ToString() const {
    std::string text = location.empty() ? "error: " : absl::StrCat(location, ": error: ");
    absl::StrAppend(&text, message);
    if (!hint.empty()) absl::StrAppend(&text, "\n  hint: ", hint);
    return text;
  }
};

using Diagnostics = std::vector<Diagnostic>;

}  // namespace protogate::routes
