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

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace protogate::config {

class YamlReader;  // config/yaml_reader.h
struct YamlField;

// How one method is exposed; every field optional.
struct GraphqlMethodConfig {
  enum class Kind { kQuery, kMutation };
  std::optional<Kind> kind{};  // unset: by its binding / idempotency_level
  std::string name{};          // "": the derived root-field name
  bool hidden = false;         // not a root field at all
  int line = 0;                // where it is configured, for load errors
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
};

// `graphql:` mapping; errors "<file>:<line>:<col>: graphql.<key>: <problem>".
absl::StatusOr<GraphqlConfig> ReadGraphqlConfig(const YamlReader& reader, const YamlField& field);

}  // namespace protogate::config
