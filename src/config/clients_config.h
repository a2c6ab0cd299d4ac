#pragma once

// `clients:` — client profiles: how each kind of caller is recognised, which
// routes it may use and the response view it gets per method. Plain values;
// config/README.md documents them, views/client_profiles.h applies them.
//
// Example:
//   clients:
//     - name: mobile
//       match: {client_ids: [demo-mobile], path_prefix: /mobile}
//       routes: [demo.users.v1.UserService.GetUser, demo.orders.v1.*]
//       views:
//         demo.users.v1.UserService.GetUser: [user_id, "profile(display_name)"]
//         demo.orders.v1.OrderService.GetOrder:
//           fields: [order_id, total_cents]
//           rename: {total_cents: total}
//     - name: default
//       routes: [demo.catalog.v1.*]

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace protogate::config {

class YamlReader;  // config/yaml_reader.h
struct YamlField;

// The profile named this serves the callers no other profile recognises.
inline constexpr char kDefaultProfile[] = "default";

struct ClientViewConfig {
  std::string method{};               // "demo.users.v1.UserService.GetUser"
  std::vector<std::string> fields{};  // `fields` syntax, each entry one or more paths; empty: all
  int line = 0;
  // AIP-157: the value the request's `view` enum field gets unless the
  // caller sets it, as written ("BASIC" or "USER_VIEW_BASIC"); "" none.
  std::string view_enum{};
  int view_line = 0;
  // New member names in the answer: field path → name, in config order.
  struct Rename {
    std::string path;
    std::string name;
    int line = 0;
  };
  std::vector<Rename> renames{};
};

struct ClientProfileConfig {
  std::string name{};
  int line = 0;
  // Recognition, tried in this order: the authenticated identity's client
  // id, then (forgeable) a header value, the Host, a path prefix.
  std::vector<std::string> client_ids{};
  std::string header{};  // lowercase; "" none
  std::vector<std::string> header_values{};
  std::vector<std::string> hosts{};  // lowercase, without port
  std::string path_prefix{};         // "/mobile": served as the rest of the path
  // Callers recognised by a forgeable means get only the routes the default
  // profile also allows, unless this is set.
  bool widen_unverified = false;
  // Route selectors (method full names, `pkg.*`, composite names); unset:
  // every route.
  bool all_routes = true;
  std::vector<std::string> routes{};
  std::vector<int> route_lines{};
  std::vector<ClientViewConfig> views{};
  // `graphql.introspection`: whether this profile's callers may introspect
  // the GraphQL schema; unset: as `graphql.introspection` says.
  std::optional<bool> graphql_introspection{};
  // `graphql.trusted_documents`: the only GraphQL documents this profile's
  // callers may run (as `graphql.trusted_documents`, resolved next to the
  // config); "": as the endpoint says.
  std::string graphql_trusted_documents{};

  bool RecognisedByRequest() const {
    return !header.empty() || !hosts.empty() || !path_prefix.empty();
  }
};

struct ClientsConfig {
  std::vector<ClientProfileConfig> profiles{};  // in config order
};

// Reads the `clients:` list. Errors name the file and line: a missing or
// duplicate name, a non-default profile that recognises nobody, `default`
// with `match`, a path prefix that is not "/segment" (no trailing '/'), two
// profiles claiming the same client id, header value, host or prefix.
absl::StatusOr<ClientsConfig> ReadClientsConfig(const YamlReader& reader, const YamlField& field);

}  // namespace protogate::config
