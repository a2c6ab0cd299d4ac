#pragma once

// `graphql:` — the GraphQL endpoint over the published protos (off unless
// the section is present). Plain values; config/README.md documents them.
//
// Example:
//   graphql:
//     path: /graphql
//     introspection: true
//     max_depth: 15
//     methods:
//       demo.users.v1.UserService.DeleteUser: {hidden: true}
//       demo.catalog.v1.CatalogService.SearchProducts: {name: products}
//       demo.orders.v1.OrderService.Quote: {kind: query}
//     joins:
//       Order.user:
//         method: demo.users.v1.UserService/GetUser
//         request: {user_id: $parent.user_id}

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "config/composite_config.h"

namespace protogate::config {

class YamlReader;  // config/yaml_reader.h
struct YamlField;

// How one method is exposed; every field optional.
struct GraphqlMethodConfig {
  enum class Kind { kQuery, kMutation };
  std::optional<Kind> kind{};  // unset: by its binding / idempotency_level
  std::string name{};          // "": the derived root-field name
  bool hidden = false;         // not a root field at all
  // Selection pushdown: the request's FieldMask field the gateway fills
  // (unset: graphql.read_mask; "": none), and the response field the paths
  // are relative to ("": the response).
  std::optional<std::string> read_mask{};
  std::string read_mask_scope{};
  int line = 0;  // where it is configured, for load errors
};

// A join field's batch: one call for the keys of all the parents.
struct GraphqlJoinBatchConfig {
  std::string method{};                           // "pkg.Service/Method"
  ConfigValue request = ConfigValue::EmptyMap();  // "$keys": the distinct keys
  std::string key{};                              // "$parent.product_id"
  std::string response{};                         // the results' repeated field
  std::string match{};                            // the result field equal to a key
  int max_keys = 100;
};

// `graphql.joins`, one entry: a field of an object type another method
// resolves (graphql/join.h has the semantics).
struct GraphqlJoinConfig {
  std::string type{};   // "Order"
  std::string field{};  // "user"
  std::string where{};  // "<file>:<line>:<col>"
  std::string description{};
  std::string method{};  // "pkg.Service/Method"; "" with batch
  ConfigValue request = ConfigValue::EmptyMap();
  std::vector<std::pair<std::string, std::string>> arguments{};  // name, GraphQL type
  std::string result{};
  std::optional<GraphqlJoinBatchConfig> batch{};
};

struct GraphqlConfig {
  bool enabled = false;  // the section is present
  std::string path = "/graphql";
  bool introspection = true;  // __schema and __type
  // Bounds on one document (a request over any of them is refused before
  // any call): nesting of selection sets, response keys that are aliases,
  // root fields of the operation, lexical tokens.
  int max_depth = 15;
  int max_aliases = 30;
  int max_root_fields = 20;
  int max_tokens = 20000;
  // The whole request's budget; each call gets min(this, its method's timeout).
  std::chrono::milliseconds timeout{10000};
  // Keyed by the method's full name ("demo.users.v1.UserService.GetUser").
  std::map<std::string, GraphqlMethodConfig> methods{};
  // Internal calls one request may make (root and join fields), and join
  // calls in flight at once.
  int max_calls = 50;
  int join_concurrency = 8;
  // The request field name that means "read mask" on every method (a
  // google.protobuf.FieldMask); "" turns pushdown off unless a method says.
  std::string read_mask = "read_mask";
  std::vector<GraphqlJoinConfig> joins{};  // in file order
  // Documents held parsed and validated, by their text (0: none).
  int plan_cache_size = 500;
  // A JSON file {"<sha256 hex>": "<document>", ...}: when set, only these
  // documents run (resolved next to the config file; "": any document).
  std::string trusted_documents{};
};

// `graphql:` mapping; errors "<file>:<line>:<col>: graphql.<key>: <problem>".
// `source_name` is the config file's path (relative paths are next to it).
absl::StatusOr<GraphqlConfig> ReadGraphqlConfig(const YamlReader& reader, const YamlField& field,
                                                absl::string_view source_name);

}  // namespace protogate::config
