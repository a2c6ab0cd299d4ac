#pragma once

// The `composites:` section of the gateway config: public routes answered by
// several internal gRPC calls. Plain values; config/README.md ("composites")
// documents every key, the reference syntax and the response shape.
//
// Example:
//   composites:
//     - get: /v1/dashboard/{user_id}
//       timeout: 2s
//       calls:
//         user:   {method: demo.users.v1.UserService/GetUser, request: {user_id: $path.user_id}}
//         orders: {method: demo.orders.v1.OrderService/ListOrders,
//                  request: {user_id: $path.user_id}, required: false}
//       response: {user: $user, orders: $orders.orders}
//
// This loader checks the shape (keys, kinds, durations, one HTTP method per
// route); what needs the descriptors (methods, fields, types, references,
// cycles) is checked when the gateway builds its snapshot, and those errors
// name the position kept in `where`.
//
// A loaded CompositeRouteConfig is a plain value: copy it, share it read-only.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace protogate::config {

class YamlReader;  // config/yaml_reader.h, kept out of this plain-values header
struct YamlField;

// A YAML value kept as written: request templates, fallbacks and the
// response shape. Quoted scalars are strings; plain ones are null, true /
// false, integers, numbers or strings, as YAML 1.2 reads them.
struct ConfigEntry;

struct ConfigValue {
  enum class Kind { kNull, kBool, kInt, kDouble, kString, kList, kMap };
  Kind kind = Kind::kNull;
  bool bool_value = false;
  int64_t int_value = 0;
  double double_value = 0;
  std::string string_value;
  std::vector<ConfigValue> items;    // kList
  std::vector<ConfigEntry> entries;  // kMap, in file order

  static ConfigValue EmptyMap();
};

// One key of a map value. A named struct rather than std::pair: libstdc++'s
// completeness checks on pair<string, ConfigValue> fail under clang while
// ConfigValue is being defined.
struct ConfigEntry {
  std::string first;
  ConfigValue second;
};

inline ConfigValue ConfigValue::EmptyMap() {
  ConfigValue value;
  value.kind = Kind::kMap;
  return value;
}

struct CompositeBatchConfig {
  std::string method;                             // "pkg.Service/Method"
  ConfigValue request = ConfigValue::EmptyMap();  // "$items" is the for_each list
  std::string response;  // field path of the list of results in the batch response
};

struct CompositeCallConfig {
  std::string name;
  std::string where;   // "<file>:<line>:<col>" of the call's key
  std::string method;  // "pkg.Service/Method"
  ConfigValue request = ConfigValue::EmptyMap();
  std::optional<std::chrono::milliseconds> timeout;
  bool required = true;
  std::optional<ConfigValue> fallback;
  std::string for_each;
  bool distinct = false;
  int concurrency = 0;  // 0: the default
  std::optional<CompositeBatchConfig> batch;
};

struct CompositeRouteConfig {
  std::string name;         // optional; the route's name for auth policies
  std::string where;        // "<file>:<line>:<col>" of the list item
  std::string http_method;  // "GET", … or the custom kind, upper case
  std::string path;         // google.api.http template
  std::chrono::milliseconds timeout{5000};
  std::vector<CompositeCallConfig> calls;  // file order
  std::optional<ConfigValue> response;
};

// Reads the `composites:` list; `where` is the reader's position. Errors are
// InvalidArgument "<file>:<line>:<col>: composites[0].calls.user.<field>:
// <problem>". Never throws on its own; yaml-cpp exceptions are handled by
// ParseGatewayConfig.
absl::StatusOr<std::vector<CompositeRouteConfig>> ReadCompositesConfig(const YamlReader& reader,
                                                                       const YamlField& field);

// Readers the sections with request templates share (composites,
// graphql.joins); errors carry the field's position.
// A mapping kept as written (null reads as an empty mapping); `hint` says
// what the mapping is for in the error.
absl::StatusOr<ConfigValue> ReadMapValue(const YamlReader& reader, const YamlField& field,
                                         absl::string_view hint);
// A string that is not empty (`example` shows one in the error).
absl::StatusOr<std::string> ReadNonEmpty(const YamlReader& reader, const YamlField& field,
                                         absl::string_view example);
// "<package.Service>/<Method>".
absl::StatusOr<std::string> ReadMethodName(const YamlReader& reader, const YamlField& field);

}  // namespace protogate::config
