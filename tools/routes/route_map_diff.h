#pragma once

// Compares two route maps (route_map.h) the way an API reviewer would.
//
// Routes are paired by HTTP method + path; a route left over on both sides
// is paired with one for the same gRPC method (a moved route). Breaking for
// clients: a removed route; a changed HTTP method or path; a changed body or
// response_body; a different gRPC method behind the same route. Not
// breaking: an added route; a changed upstream, auth policy or source line
// (reported as changes all the same).
//
// Example output:
//   - GET /v1/users/{user_id} (demo.users.v1.UserService.GetUser)      BREAKING: removed
//   + GET /v1/accounts/{id} (demo.users.v1.UserService.GetUser)
//   ~ POST /v1/users (demo.users.v1.UserService.CreateUser)           BREAKING: body "user" -> "*"
//
// Pure; thread-safe.

#include <vector>

#include "routes/api_diff.h"
#include "routes/route_map.h"

namespace protogate::routes {

ApiDiff DiffRouteMaps(const std::vector<RouteMapEntry>& old_map,
                      const std::vector<RouteMapEntry>& new_map);

}  // namespace protogate::routes
