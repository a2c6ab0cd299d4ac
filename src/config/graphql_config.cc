#include "config/graphql_config.h"

#include "absl/strings/match.h"
#include "common/status_macros.h"
#include "config/yaml_reader.h"

namespace protogate::config {
namespace {

using std::chrono::milliseconds;

constexpr absl::string_view kGraphqlKeys[] = {"path",        "introspection",   "max_depth",
                                              "max_aliases", "max_root_fields", "max_tokens",
                                              "timeout",     "methods"};
constexpr absl::string_view kMethodKeys[] = {"kind", "name", "hidden"};
constexpr absl::string_view kKinds[] = {"query", "mutation"};

absl::StatusOr<GraphqlMethodConfig> ReadMethod(const YamlReader& reader, const YamlField& field) {
  GraphqlMethodConfig method;
  method.line = field.value.Mark().line + 1;
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(field, kMethodKeys));
  if (const YamlField* f = map.Find("kind")) {
    ASSIGN_OR_RETURN(size_t kind, reader.ReadChoice(*f, kKinds));
    method.kind =
        kind == 0 ? GraphqlMethodConfig::Kind::kQuery : GraphqlMethodConfig::Kind::kMutation;
  }
  if (const YamlField* f = map.Find("name")) {
    ASSIGN_OR_RETURN(method.name, reader.ReadString(*f));
    // The schema checks the name is a GraphQL name, naming the method.
  }
  if (const YamlField* f = map.Find("hidden")) {
    ASSIGN_OR_RETURN(method.hidden, reader.ReadBool(*f));
  }
  return method;
}

absl::StatusOr<std::map<std::string, GraphqlMethodConfig>> ReadMethods(const YamlReader& reader,
                                                                       const YamlField& field) {
  std::map<std::string, GraphqlMethodConfig> methods;
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadAnyMap(field));
  for (const YamlMap::Entry& entry : map.entries()) {
    if (entry.key.find('.') == std::string::npos) {
      return reader.Error(entry.field,
                          "expected a method's full name, e.g. "
                          "demo.users.v1.UserService.GetUser");
    }
    ASSIGN_OR_RETURN(methods[entry.key], ReadMethod(reader, entry.field));
  }
  return methods;
}

}  // namespace

absl::StatusOr<GraphqlConfig> ReadGraphqlConfig(const YamlReader& reader, const YamlField& field) {
  GraphqlConfig graphql;
  graphql.enabled = true;
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(field, kGraphqlKeys));
  if (const YamlField* f = map.Find("path")) {
    ASSIGN_OR_RETURN(graphql.path, reader.ReadString(*f));
    if (!absl::StartsWith(graphql.path, "/") ||
        graphql.path.find_first_of("?#{} ") != std::string::npos) {
      return reader.Error(*f, "expected an absolute path without query or template, e.g. /graphql");
    }
  }
  if (const YamlField* f = map.Find("introspection")) {
    ASSIGN_OR_RETURN(graphql.introspection, reader.ReadBool(*f));
  }
  if (const YamlField* f = map.Find("max_depth")) {
    ASSIGN_OR_RETURN(graphql.max_depth, reader.ReadInt(*f, 1, 64));
  }
  if (const YamlField* f = map.Find("max_aliases")) {
    ASSIGN_OR_RETURN(graphql.max_aliases, reader.ReadInt(*f, 0, 10000));
  }
  if (const YamlField* f = map.Find("max_root_fields")) {
    ASSIGN_OR_RETURN(graphql.max_root_fields, reader.ReadInt(*f, 1, 1000));
  }
  if (const YamlField* f = map.Find("max_tokens")) {
    ASSIGN_OR_RETURN(graphql.max_tokens, reader.ReadInt(*f, 100, 1'000'000));
  }
  if (const YamlField* f = map.Find("timeout")) {
    ASSIGN_OR_RETURN(graphql.timeout, reader.ReadDuration(*f, milliseconds(1)));
  }
  if (const YamlField* f = map.Find("methods")) {
    ASSIGN_OR_RETURN(graphql.methods, ReadMethods(reader, *f));
  }
  return graphql;
}

}  // namespace protogate::config
