#pragma once

// The whole `protogate-routes` run, in memory: compile the protos, gather and
// check the routes, and render the three outputs (descriptor set with the
// rules injected, route_map.json, openapi.json, schema.graphql when the
// config exposes GraphQL, and one OpenAPI per client profile asked for). Writing them, or comparing
// them with what is on disk (--check), is separate so both share one path.
//
// Example:
//   Diagnostics problems;
//   auto generated = Generate(options, problems);     // problems: file:line:col + hint
//   if (generated.ok()) RETURN_IF_ERROR(WriteGenerated(*generated));
//
// Thread-compatible (the protobuf Importer is not thread-safe).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "docs/openapi.h"
#include "routes/api_diff.h"
#include "routes/diagnostic.h"
#include "routes/proto_compiler.h"

namespace protogate::routes {

struct GenerateOptions {
  CompileOptions compile;
  std::vector<std::string> rule_files;
  bool default_routes = false;
  std::string config_path;  // empty: no upstream/auth information or checks
  std::string descriptor_set_path = "gen/descriptor_set.pb";
  std::string route_map_path = "gen/route_map.json";
  std::string openapi_path = "gen/openapi.json";
  // Written when the config has a `graphql:` section: the GraphQL schema
  // the gateway serves over these protos, as SDL.
  std::string schema_path = "gen/schema.graphql";
  docs::OpenApiOptions openapi;
  // One OpenAPI per client profile of the config (routes/client_api.h).
  struct ClientDocument {
    std::string client;  // a profile's name, or "default"
    std::string path;    // "gen/openapi.mobile.json"
  };
  std::vector<ClientDocument> client_openapi;
};

struct GeneratedFile {
  std::string path;
  std::string contents;
};

struct Generated {
  // Descriptor set, route map, OpenAPI, GraphQL schema, the clients' OpenAPIs.
  std::vector<GeneratedFile> files;
  size_t route_count = 0;
};

// InvalidArgument when `diagnostics` gained any problem (all are reported,
// not only the first).
absl::StatusOr<Generated> Generate(const GenerateOptions& options, Diagnostics& diagnostics);

// Creates missing folders; each file is written to a temporary name and
// renamed, so a gateway watching it never reads half a file.
absl::Status WriteGenerated(const Generated& generated);

// The diff of two versions of a generated file: two route maps, or two
// GraphQL schemas when `schema`. The first parse error, with its source name.
absl::StatusOr<ApiDiff> DiffVersions(bool schema, absl::string_view old_text,
                                     absl::string_view old_name, absl::string_view new_text,
                                     absl::string_view new_name);

// One report per file whose bytes on disk differ from `generated` (empty:
// all current). A stale route map is explained as a route diff, a stale
// GraphQL schema as a schema diff.
std::vector<std::string> StaleFiles(const Generated& generated);

}  // namespace protogate::routes
