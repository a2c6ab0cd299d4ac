#pragma once

// A list of changes to a public API, as a reviewer reads it: what was added
// (+), removed (-) or changed (~), and which changes break clients. The
// route-map diff (route_map_diff.h) and the GraphQL schema diff
// (schema_diff.h) both report in this form.
//
// Example output:
//   - GET /v1/users/{user_id} (demo.users.v1.UserService.GetUser)  BREAKING: removed
//   ~ User.email  BREAKING
//       type "String!" -> "String"
//   1 added, 1 removed, 1 changed (breaking)
//
// Pure; thread-safe.

#include <string>
#include <vector>

namespace protogate::routes {

struct ApiChange {
  enum class Kind { kAdded, kRemoved, kChanged };
  Kind kind = Kind::kChanged;
  std::string subject{};               // a route, a type or a field; the new one if any
  std::vector<std::string> details{};  // "body \"user\" -> \"*\""
  bool breaking = false;
};

struct ApiDiff {
  std::vector<ApiChange> changes;  // removed, then changed, then added; each sorted
  bool breaking() const;
  bool empty() const { return changes.empty(); }
  // One line per change (details indented below), and a summary line.
  std::string ToString() const;
};

}  // namespace protogate::routes
