#include "config/graphql_config.h"

#include "absl/strings/match.h"
#include "common/status_macros.h"
#include "config/composite_config.h"
#include "config/value_parsers.h"
#include "config/yaml_reader.h"

namespace protogate::config {
namespace {

using std::chrono::milliseconds;

constexpr absl::string_view kGraphqlKeys[] = {
    "path",       "introspection", "max_depth",       "max_aliases",      "max_root_fields",
    "max_tokens", "timeout",       "methods",         "max_calls",        "join_concurrency",
    "read_mask",  "joins",         "plan_cache_size", "trusted_documents"};
constexpr absl::string_view kMethodKeys[] = {"kind", "name", "hidden", "read_mask",
                                             "read_mask_scope"};
constexpr absl::string_view kJoinKeys[] = {"method", "request",     "arguments",
                                           "result", "description", "batch"};
constexpr absl::string_view kJoinBatchKeys[] = {"method",   "request", "key",
                                                "response", "match",   "max_keys"};
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
  if (const YamlField* f = map.Find("read_mask")) {
    ASSIGN_OR_RETURN(method.read_mask, reader.ReadString(*f));
  }
  if (const YamlField* f = map.Find("read_mask_scope")) {
    ASSIGN_OR_RETURN(method.read_mask_scope, reader.ReadString(*f));
  }
  return method;
}

absl::StatusOr<GraphqlJoinBatchConfig> ReadJoinBatch(const YamlReader& reader,
                                                     const YamlField& field) {
  GraphqlJoinBatchConfig batch;
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(field, kJoinBatchKeys));
  struct Required {
    const char* key;
    std::string* out;
    const char* example;
  };
  for (const Required& required : {Required{"key", &batch.key, "$parent.product_id"},
                                   Required{"response", &batch.response, "products"},
                                   Required{"match", &batch.match, "product_id"}}) {
    const YamlField* f = map.Find(required.key);
    if (f == nullptr) return reader.Missing(field, required.key, required.example);
    ASSIGN_OR_RETURN(*required.out, ReadNonEmpty(reader, *f, required.example));
  }
  const YamlField* method = map.Find("method");
  if (method == nullptr) {
    return reader.Missing(field, "method", "demo.catalog.v1.CatalogService/BatchGetProducts");
  }
  ASSIGN_OR_RETURN(batch.method, ReadMethodName(reader, *method));
  if (const YamlField* f = map.Find("request")) {
    ASSIGN_OR_RETURN(batch.request,
                     ReadMapValue(reader, *f, "request fields, e.g. {product_ids: $keys}"));
  }
  if (const YamlField* f = map.Find("max_keys")) {
    ASSIGN_OR_RETURN(batch.max_keys, reader.ReadInt(*f, 1, 10000));
  }
  return batch;
}

absl::StatusOr<GraphqlJoinConfig> ReadJoin(const YamlReader& reader, const YamlMap::Entry& entry) {
  GraphqlJoinConfig join;
  join.where = reader.Where(entry.field.key);
  const size_t dot = entry.key.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == entry.key.size() ||
      entry.key.find('.', dot + 1) != std::string::npos) {
    return reader.Error(entry.field, "expected <Type>.<field>, e.g. Order.user");
  }
  join.type = entry.key.substr(0, dot);
  join.field = entry.key.substr(dot + 1);
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(entry.field, kJoinKeys));
  if (const YamlField* f = map.Find("method")) {
    ASSIGN_OR_RETURN(join.method, ReadMethodName(reader, *f));
  }
  if (const YamlField* f = map.Find("request")) {
    ASSIGN_OR_RETURN(join.request,
                     ReadMapValue(reader, *f, "request fields, e.g. {user_id: $parent.user_id}"));
  }
  if (const YamlField* f = map.Find("arguments")) {
    ASSIGN_OR_RETURN(const YamlMap arguments, reader.ReadAnyMap(*f));
    for (const YamlMap::Entry& argument : arguments.entries()) {
      ASSIGN_OR_RETURN(std::string type, ReadNonEmpty(reader, argument.field, "Int"));
      join.arguments.emplace_back(argument.key, std::move(type));
    }
  }
  if (const YamlField* f = map.Find("result")) {
    ASSIGN_OR_RETURN(join.result, ReadNonEmpty(reader, *f, "orders"));
  }
  if (const YamlField* f = map.Find("description")) {
    ASSIGN_OR_RETURN(join.description, reader.ReadString(*f));
  }
  if (const YamlField* f = map.Find("batch")) {
    ASSIGN_OR_RETURN(join.batch, ReadJoinBatch(reader, *f));
  }
  if (join.method.empty() == !join.batch.has_value()) {
    return reader.Error(entry.field,
                        "set method (one call per parent) or batch (one call for all), not both");
  }
  return join;
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

absl::StatusOr<GraphqlConfig> ReadGraphqlConfig(const YamlReader& reader, const YamlField& field,
                                                absl::string_view source_name) {
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
  if (const YamlField* f = map.Find("max_calls")) {
    ASSIGN_OR_RETURN(graphql.max_calls, reader.ReadInt(*f, 1, 10000));
  }
  if (const YamlField* f = map.Find("join_concurrency")) {
    ASSIGN_OR_RETURN(graphql.join_concurrency, reader.ReadInt(*f, 1, 256));
  }
  if (const YamlField* f = map.Find("read_mask")) {
    ASSIGN_OR_RETURN(graphql.read_mask, reader.ReadString(*f));
  }
  if (const YamlField* f = map.Find("plan_cache_size")) {
    ASSIGN_OR_RETURN(graphql.plan_cache_size, reader.ReadInt(*f, 0, 100000));
  }
  if (const YamlField* f = map.Find("trusted_documents")) {
    ASSIGN_OR_RETURN(std::string path, ReadNonEmpty(reader, *f, "trusted_documents.json"));
    graphql.trusted_documents = ResolveNextTo(source_name, path);
  }
  if (const YamlField* f = map.Find("joins")) {
    ASSIGN_OR_RETURN(const YamlMap joins, reader.ReadAnyMap(*f));
    for (const YamlMap::Entry& entry : joins.entries()) {
      ASSIGN_OR_RETURN(GraphqlJoinConfig join, ReadJoin(reader, entry));
      graphql.joins.push_back(std::move(join));
    }
  }
  return graphql;
}

}  // namespace protogate::config
