#pragma once

// openapi.json: an OpenAPI 3.1 description of the public API, derived from
// the routes and the messages' descriptors the way the gateway transcodes:
//
// - one path per template: "/v1/{name=users/*}/profile" becomes
//   "/v1/{name}/profile" with a path parameter `name` whose schema carries
//   the pattern "^users/[^/]+$"; nested variables keep their field path as the
//   name ("{user.user_id}"); a `**` variable is documented as matching several
//   segments; a custom verb stays in the path ("/v1/{name}:cancel");
// - query parameters for every field not bound by the path or the body,
//   nested with dots (lowerCamel JSON names), repeated ones as arrays, maps of
//   scalars as deepObject, enums by name;
// - request and response schemas from the messages, with proto3 JSON names and
//   the well-known types in their JSON forms (Timestamp: date-time string,
//   Duration: string, 64-bit integers: strings, bytes: base64, Struct: object,
//   Value: any, Any: object with "@type", wrappers: nullable scalars, Empty: {});
// - the error model {code, message, details} as one shared component, the
//   default response of every operation;
// - leading proto comments as summaries and descriptions.
//
// HTTP methods OpenAPI has no field for (custom kinds such as PURGE) are
// written as "x-<kind>" operations. Deterministic output; pure; thread-safe.

#include <memory>
#include <string>
#include <vector>

#include "routes/route_collector.h"
#include "transcode/field_selection.h"

namespace protogate::routes {

struct OpenApiOptions {
  std::string title = "protogate API";
  std::string version = "1";
};

// Routes must have passed ValidateRoutes. Pretty-printed, ending with a newline.
// `views[i]` (when given and not null) is the part of routes[i]'s answer a
// client gets (a client profile's view, routes/client_api.h): that response
// schema lists only the selected fields, inline, since the shared component
// describes the whole message.
std::string RenderOpenApi(
    const std::vector<RouteEntry>& routes, const OpenApiOptions& options,
    const std::vector<std::shared_ptr<const transcode::FieldSelection>>& views = {});

}  // namespace protogate::routes
