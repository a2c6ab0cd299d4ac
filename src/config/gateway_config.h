#pragma once

// The gateway's configuration: plain values, loaded from YAML.
//
// Example (config/gateway.yaml):
//   listen: 0.0.0.0:8080
//   descriptors: ../gen/demo_descriptor_set.pb   # relative to this file
//   upstreams:
//     - service: demo.users.v1.UserService
//       addresses: [127.0.0.1:50051]
//       timeout: 5s
//
// Every error names the file, line and column, and the field:
//   "config/gateway.yaml:7:5: upstreams[0].timeout: invalid duration "5 s" (e.g. 250ms, 5s, 1m)"
//
// The full schema, its defaults and the value formats are in config/README.md.
// Unknown keys are errors. A loaded GatewayConfig is a plain value: copy it,
// share it read-only between threads.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "config/auth_config.h"
#include "config/clients_config.h"
#include "config/composite_config.h"
#include "config/graphql_config.h"
#include "config/reload_config.h"

namespace protogate::config {

struct UpstreamConfig {
  std::string service;                 // fully qualified gRPC service name
  std::vector<std::string> addresses;  // host:port; several are balanced round-robin
  std::chrono::milliseconds timeout{5000};
  // Per-method overrides, keyed by the method's simple name ("GetUser").
  std::map<std::string, std::chrono::milliseconds> method_timeouts;
  // Send the caller's own Authorization header along with the stamped token
  // (only for services that must see it; by default they get the stamp only).
  bool forward_authorization = false;
  // The request field (a google.protobuf.FieldMask) the gateway fills from a
  // client's `fields`; unset: "read_mask" where the method has one; "": none.
  std::optional<std::string> read_mask{};
};

struct LimitsConfig {
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 4 * 1024 * 1024;
  std::chrono::milliseconds read_timeout{15000};
  std::chrono::milliseconds idle_timeout{60000};
  int max_connections = 10000;  // open client connections; more are refused with 503
};

struct TranscodingConfig {
  bool reject_unknown_query_parameters = false;
  bool ignore_unknown_json_fields = false;
  bool use_proto_field_names = false;
  bool emit_default_values = false;
  bool enums_as_ints = false;
  // Arrays and objects open at once in a request body; deeper is a 400.
  int max_json_depth = 64;
};

// How a server stream's messages are framed for an HTTP client that does not
// choose by Accept. Indexed like kStreamFormatNames.
enum class StreamFormat { kNdjson, kSse, kJsonArray };
inline constexpr absl::string_view kStreamFormatNames[] = {"ndjson", "sse", "json"};

struct StreamingConfig {
  StreamFormat default_format = StreamFormat::kNdjson;
  // The deadline of a server stream, unless its upstream's method_timeouts
  // names the method.
  std::chrono::milliseconds timeout{3600 * 1000};
  // An event stream with nothing to say for this long gets a comment line,
  // so that clients and proxies keep it open; 0: never.
  std::chrono::milliseconds heartbeat{15000};
  // A stream whose service sends nothing for this long is ended with an
  // error and its call cancelled; 0: never.
  std::chrono::milliseconds idle_timeout{300000};
  // The whole body of a client-streaming call (each of its messages is
  // bounded by limits.max_body_bytes). Read when the server starts.
  size_t max_upload_bytes = size_t{1} << 30;
  // Frames a WebSocket client may send per second; more closes it (1008).
  // 0: no limit.
  int max_messages_per_second = 100;
};

inline constexpr int kMaxJsonDepthLimit = 1000;  // the largest max_json_depth accepted

// Where the descriptors (and with them the routes) come from.
enum class DescriptorSource {
  kFile,        // the FileDescriptorSet named by `descriptors:`
  kReflection,  // each upstream's gRPC server reflection, fetched at load and reload
};

// `openapi:`: the calling client's own OpenAPI, served by the gateway. Off
// unless the section is present.
struct OpenApiConfig {
  bool enabled = false;
  std::string path = "/openapi.json";
  std::string title = "protogate API";
  std::string version = "1";
};

struct GatewayConfig {
  std::string source_path;  // the file this was loaded from (set by LoadGatewayConfig only)
  std::string listen_host = "0.0.0.0";  // IPv6 without brackets: "::1"
  int listen_port = 8080;               // 0..65535; 0 = any free port
  int threads = 0;                      // event loops; 0 = one per core
  DescriptorSource descriptor_source = DescriptorSource::kFile;
  // Path of the FileDescriptorSet, resolved against the config's folder;
  // required with kFile, unused (may be empty) with kReflection.
  std::string descriptors;
  LimitsConfig limits;
  std::chrono::milliseconds drain_timeout{10000};
  TranscodingConfig transcoding;
  StreamingConfig streaming;
  // Request headers forwarded to upstreams as gRPC metadata (lowercase).
  std::vector<std::string> forward_headers = {"authorization", "x-request-id", "traceparent",
                                              "tracestate"};
  // Metadata keys (lowercase) only the gateway may set, like x-protogate-*:
  // no client can send them under any spelling. Never in forward_headers.
  std::vector<std::string> reserved_metadata;
  std::vector<UpstreamConfig> upstreams;
  std::string log_level = "info";  // debug, info, warn, error
  bool access_log = true;
  AuthConfig auth;                               // `auth:`; absent means every route is public
  std::vector<CompositeRouteConfig> composites;  // `composites:`, in file order
  ReloadConfig reload;                           // `reload:` (watching the files)
  AdminConfig admin;                             // `admin_listen:`
  GraphqlConfig graphql;                         // `graphql:`; absent means no GraphQL endpoint
  ClientsConfig clients;                         // `clients:`; absent: one API for everyone
  OpenApiConfig openapi;                         // `openapi:`; absent: not served
};

// Parses YAML text; `source_name` is used in error messages and to resolve
// relative paths. InvalidArgument "<file>:<line>:<col>: <field>: <problem>".
// No I/O, never throws, thread-safe. Leaves `source_path` empty.
absl::StatusOr<GatewayConfig> ParseGatewayConfig(absl::string_view yaml_text,
                                                 absl::string_view source_name);

// Reads and parses a file; `path` is the source name. NotFound when the file
// does not exist, InvalidArgument when it cannot be read or parsed.
absl::StatusOr<GatewayConfig> LoadGatewayConfig(const std::string& path);

}  // namespace protogate::config
