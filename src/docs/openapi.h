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
// - the gateway's partial responses: a `fields` query parameter (unless the
//   request has a field of that name) and an X-Fields header on every route
//   whose answer is a message a selection can narrow;
// - the error model {code, message, details} as one shared component, the
//   default response of every operation;
// - leading proto comments as summaries and descriptions.
//
// HTTP methods OpenAPI has no field for (custom kinds such as PURGE) are
// written as "x-<kind>" operations. Deterministic output; pure; thread-safe.

#include <memory>
#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "transcode/field_renames.h"
#include "transcode/field_selection.h"

namespace protogate::docs {

// One HTTP binding of a method, as google.api.http gives it.
struct OpenApiRoute {
  std::string http_method;    // "GET", or a custom kind upper-cased
  std::string path_template;  // as written
  std::string body;           // "", "*" or a top-level field
  std::string response_body;  // "" or a top-level field
  const google::protobuf::MethodDescriptor* method = nullptr;
  // The part of the answer a client gets (a client profile's view): the
  // response schema then lists only the selected fields, inline, since the
  // shared component describes the whole message. Null: all of it.
  std::shared_ptr<const transcode::FieldSelection> view = nullptr;
  // The profile's new member names in the answer; null: none.
  std::shared_ptr<const transcode::FieldRenames> renames = nullptr;
};

// The binding of any route record that names these fields as OpenApiRoute
// does (the gateway's and the CLI's), with its whole answer.
template <typename Route>
OpenApiRoute DocumentedRoute(const Route& route) {
  return {.http_method = route.http_method,
          .path_template = route.path_template,
          .body = route.body,
          .response_body = route.response_body,
          .method = route.method};
}

struct OpenApiOptions {
  std::string title = "protogate API";
  std::string version = "1";
};

// Routes whose template does not parse are left out (the CLI's checks and
// the gateway's load report them). Pretty-printed, ending with a newline.
std::string RenderOpenApi(const std::vector<OpenApiRoute>& routes, const OpenApiOptions& options);

}  // namespace protogate::docs
