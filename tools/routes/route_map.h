#pragma once

// route_map.json: the reviewable list of every public route, one entry per
// binding, sorted by path, then HTTP method, then gRPC method — so a change
// to the protos shows up in a pull request as a small, readable diff.
//
// Example entry:
//   {
//     "http_method": "GET",
//     "path": "/v1/users/{user_id}",
//     "grpc_service": "demo.users.v1.UserService",
//     "grpc_method": "GetUser",
//     "body": "",
//     "response_body": "",
//     "upstream": ["127.0.0.1:50051"],          // only with a gateway config
//     "auth": {"policy": "default", "kind": "public"},  // only when the config has `auth:`
//     "clients": [{"name": "default"},                  // only when the config has `clients:`
//                 {"name": "mobile", "view": ["user_id", "profile.display_name"],
//                  "renames": {"profile.display_name": "name"}}],
//     "source": "demo/users/v1/users.proto:15:5"
//   }
//
// `clients` lists the client profiles that may call the route, as each one's
// usual caller is served (routes/client_api.h), with the proto paths of the
// profile's view of the answer (none: the whole answer), the AIP-157 `view`
// it sets on the request ("view_enum") and the members it renames.
//
// Pure; thread-safe.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "config/gateway_config.h"
#include "nlohmann/json.hpp"
#include "routes/route_collector.h"
#include "views/client_profiles.h"

namespace protogate::routes {

struct RouteMapEntry {
  std::string http_method;
  std::string path;
  std::string grpc_service;
  std::string grpc_method;  // simple name
  std::string body;
  std::string response_body;
  std::string stream{};                 // "server", "client" or "bidi"; "" for a unary method
  std::vector<std::string> upstream{};  // empty: unknown
  nlohmann::ordered_json auth{};        // null: unknown
  struct Client {
    std::string name;
    std::vector<std::string> view{};  // proto paths; empty: the whole answer
    // AIP-157: the request's `view` value the profile sets ("USER_VIEW_BASIC"); "" none.
    std::string view_enum{};
    // The profile's new member names: proto path → name, in field order.
    std::vector<std::pair<std::string, std::string>> renames{};
  };
  std::vector<Client> clients{};  // empty: no client profiles known
  std::string source{};

  std::string Key() const { return http_method + " " + path; }
  std::string GrpcFullName() const { return grpc_service + "." + grpc_method; }
};

// `config` may be null: upstream and auth are then left out. `profiles`
// (built over `routes`, route id i being routes[i]; may be null) fill
// `clients`.
std::vector<RouteMapEntry> ToRouteMap(const std::vector<RouteEntry>& routes,
                                      const config::GatewayConfig* config,
                                      const views::ClientProfiles* profiles = nullptr);

// Pretty-printed (2 spaces), keys in the order above, ending with a newline.
std::string RenderRouteMap(const std::vector<RouteMapEntry>& entries);

// Reads what RenderRouteMap wrote; InvalidArgument "<source>: ..." otherwise.
absl::StatusOr<std::vector<RouteMapEntry>> ParseRouteMap(absl::string_view json_text,
                                                         absl::string_view source_name);

}  // namespace protogate::routes
