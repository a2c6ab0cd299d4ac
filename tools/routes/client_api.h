#pragma once

// One client profile's share of the published API (`protogate-routes
// --client=NAME`): the routes the profile may use and its view of each
// answer, for that profile's own OpenAPI. The profiles come from the gateway
// config's `clients:` and are built against the routes the gateway would
// serve (the protos' and the composites'), so a selector or view the gateway
// would refuse is refused here with the same file:line.
//
// Which caller is described: a profile with `client_ids` as its
// authenticated callers see it (never capped); a profile recognised only by a
// header, Host or path prefix as those callers see it (within the `default`
// profile's routes unless `widen_unverified`). "default" names the callers
// no profile claims, whether or not the config defines that profile.
//
// Example:
//   ASSIGN_OR_RETURN(auto documented, ClientRoutes(config, "mobile", routes));
//   docs::RenderOpenApi(documented, options);
//
// Pure; the routes' descriptors must outlive the result.

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "config/gateway_config.h"
#include "docs/openapi.h"
#include "routes/route_collector.h"
#include "views/client_profiles.h"

namespace protogate::routes {

// The config's client profiles built over `routes` (route id i is routes[i],
// the config's composites after them), as the gateway builds them: a
// selector or view it would refuse is an error with the config's file:line.
absl::StatusOr<std::shared_ptr<const views::ClientProfiles>> ClientProfilesOf(
    const config::GatewayConfig& config, const std::vector<RouteEntry>& routes);

// The routes as the OpenAPI renderer takes them, each with its whole answer.
std::vector<docs::OpenApiRoute> DocumentedRoutes(const std::vector<RouteEntry>& routes);

// The profile's routes, in the input's order, each with the profile's view
// of its answer. InvalidArgument naming the known profiles when `client` is
// not one, or with the config's file:line when its profiles do not fit the
// routes.
absl::StatusOr<std::vector<docs::OpenApiRoute>> ClientRoutes(const config::GatewayConfig& config,
                                                             absl::string_view client,
                                                             const std::vector<RouteEntry>& routes);

}  // namespace protogate::routes
