#include "config/composite_config.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "config/value_parsers.h"
#include "config/yaml_reader.h"

namespace protogate::config {
namespace {

using std::chrono::milliseconds;

constexpr absl::string_view kRouteKeys[] = {"name",  "get",    "put",     "post",  "delete",
                                            "patch", "custom", "timeout", "calls", "response"};
constexpr absl::string_view kMethodKeys[] = {"get", "put", "post", "delete", "patch", "custom"};
constexpr absl::string_view kCustomKeys[] = {"kind", "path"};
constexpr absl::string_view kCallKeys[] = {"method",      "request",  "timeout",
                                           "required",    "fallback", "for_each",
                                           "concurrency", "distinct", "batch"};
constexpr absl::string_view kBatchKeys[] = {"method", "request", "response"};
constexpr milliseconds kMinTimeout{1};
constexpr int kMaxConcurrency = 64;

// YAML 1.2 core schema for plain scalars; quoted ones are always strings.
ConfigValue ScalarValue(const YAML::Node& node) {
  ConfigValue value;
  const std::string& text = node.Scalar();
  if (node.Tag() != "!") {
    if (text == "null" || text == "~" || text.empty()) return value;
    if (text == "true" || text == "false") {
      value.kind = ConfigValue::Kind::kBool;
      value.bool_value = text == "true";
      return value;
    }
    if (absl::SimpleAtoi(text, &value.int_value)) {
      value.kind = ConfigValue::Kind::kInt;
      return value;
    }
    const bool numeric = !text.empty() && (absl::ascii_isdigit(text[0]) || text[0] == '-' ||
                                           text[0] == '+' || text[0] == '.');
    if (numeric && absl::SimpleAtod(text, &value.double_value)) {
      value.kind = ConfigValue::Kind::kDouble;
      return value;
    }
  }
  value.kind = ConfigValue::Kind::kString;
  value.string_value = text;
  return value;
}

absl::StatusOr<ConfigValue> ReadValue(const YamlReader& reader, const YamlField& field) {
  const YAML::Node& node = field.value;
  if (!node.IsDefined() || node.IsNull()) return ConfigValue();
  if (node.IsScalar()) return ScalarValue(node);
  ConfigValue value;
  if (node.IsSequence()) {
    value.kind = ConfigValue::Kind::kList;
    ASSIGN_OR_RETURN(const std::vector<YamlField> items, reader.ReadList(field, "values"));
    for (const YamlField& item : items) {
      ASSIGN_OR_RETURN(ConfigValue element, ReadValue(reader, item));
      value.items.push_back(std::move(element));
    }
    return value;
  }
  value.kind = ConfigValue::Kind::kMap;
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadAnyMap(field));
  for (const YamlMap::Entry& entry : map.entries()) {
    ASSIGN_OR_RETURN(ConfigValue element, ReadValue(reader, entry.field));
    value.entries.push_back({entry.key, std::move(element)});
  }
  return value;
}

}  // namespace

absl::StatusOr<ConfigValue> ReadMapValue(const YamlReader& reader, const YamlField& field,
                                         absl::string_view hint) {
  if (!field.value.IsNull() && !field.value.IsMap()) {
    return reader.Error(field, absl::StrCat("expected a mapping (", hint, ")"));
  }
  ASSIGN_OR_RETURN(ConfigValue value, ReadValue(reader, field));
  if (value.kind == ConfigValue::Kind::kNull) value = ConfigValue::EmptyMap();
  return value;
}

absl::StatusOr<std::string> ReadNonEmpty(const YamlReader& reader, const YamlField& field,
                                         absl::string_view example) {
  ASSIGN_OR_RETURN(std::string text, reader.ReadString(field));
  if (text.empty()) return reader.Error(field, absl::StrCat("empty value (e.g. ", example, ")"));
  return text;
}

absl::StatusOr<std::string> ReadMethodName(const YamlReader& reader, const YamlField& field) {
  ASSIGN_OR_RETURN(std::string method, reader.ReadString(field));
  const size_t slash = method.find('/');
  if (slash == std::string::npos || !IsDottedIdentifier(method.substr(0, slash)) ||
      !IsIdentifier(method.substr(slash + 1))) {
    return reader.Error(field, absl::StrCat("invalid method ", QuoteForMessage(method),
                                            " (expected <package.Service>/<Method>, e.g. "
                                            "demo.users.v1.UserService/GetUser)"));
  }
  return method;
}

namespace {

absl::StatusOr<CompositeBatchConfig> ReadBatch(const YamlReader& reader, const YamlField& field) {
  CompositeBatchConfig batch;
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(field, kBatchKeys));
  const YamlField* method = map.Find("method");
  if (method == nullptr) return reader.Missing(field, "method", "the batch method");
  ASSIGN_OR_RETURN(batch.method, ReadMethodName(reader, *method));
  if (const YamlField* f = map.Find("request")) {
    ASSIGN_OR_RETURN(batch.request, ReadMapValue(reader, *f, "request fields, e.g. {ids: $items}"));
  }
  const YamlField* response = map.Find("response");
  if (response == nullptr) {
    return reader.Missing(field, "response",
                          "the response field holding the results, e.g. products");
  }
  ASSIGN_OR_RETURN(batch.response, ReadNonEmpty(reader, *response, "products"));
  return batch;
}

absl::Status ReadCallOptions(const YamlReader& reader, const YamlMap& map,
                             CompositeCallConfig& call) {
  if (const YamlField* f = map.Find("timeout")) {
    ASSIGN_OR_RETURN(call.timeout, reader.ReadDuration(*f, kMinTimeout));
  }
  if (const YamlField* f = map.Find("required")) {
    ASSIGN_OR_RETURN(call.required, reader.ReadBool(*f));
  }
  if (const YamlField* f = map.Find("fallback")) {
    ASSIGN_OR_RETURN(call.fallback, ReadValue(reader, *f));
  }
  if (const YamlField* f = map.Find("for_each")) {
    ASSIGN_OR_RETURN(call.for_each, ReadNonEmpty(reader, *f, "$orders.orders[*].order_id"));
  }
  if (const YamlField* f = map.Find("distinct")) {
    ASSIGN_OR_RETURN(call.distinct, reader.ReadBool(*f));
  }
  if (const YamlField* f = map.Find("concurrency")) {
    ASSIGN_OR_RETURN(call.concurrency, reader.ReadInt(*f, 1, kMaxConcurrency));
  }
  if (const YamlField* f = map.Find("batch")) {
    ASSIGN_OR_RETURN(call.batch, ReadBatch(reader, *f));
  }
  return absl::OkStatus();
}

absl::StatusOr<CompositeCallConfig> ReadCall(const YamlReader& reader,
                                             const YamlMap::Entry& entry) {
  CompositeCallConfig call;
  call.name = entry.key;
  call.where = reader.Where(entry.field.key);
  const YamlField& field = entry.field;
  if (!IsIdentifier(call.name)) {
    return reader.Error(YamlField{field.key, field.key, field.path},
                        absl::StrCat("invalid call name ", QuoteForMessage(call.name),
                                     " (expected an identifier, e.g. user)"));
  }
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(field, kCallKeys));
  const YamlField* method = map.Find("method");
  if (method == nullptr && map.Find("batch") == nullptr) {
    return reader.Missing(field, "method", "e.g. demo.users.v1.UserService/GetUser");
  }
  if (method != nullptr) {
    ASSIGN_OR_RETURN(call.method, ReadMethodName(reader, *method));
  }
  if (const YamlField* f = map.Find("request")) {
    ASSIGN_OR_RETURN(call.request,
                     ReadMapValue(reader, *f, "request fields, e.g. {user_id: $path.user_id}"));
  }
  RETURN_IF_ERROR(ReadCallOptions(reader, map, call));
  return call;
}

absl::StatusOr<std::vector<CompositeCallConfig>> ReadCalls(const YamlReader& reader,
                                                           const YamlField& field) {
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadAnyMap(field));
  if (map.entries().empty()) {
    return reader.Error(field, "at least one call is required (name: {method: ..., request: ...})");
  }
  std::vector<CompositeCallConfig> calls;
  for (const YamlMap::Entry& entry : map.entries()) {
    ASSIGN_OR_RETURN(CompositeCallConfig call, ReadCall(reader, entry));
    calls.push_back(std::move(call));
  }
  return calls;
}

absl::Status ReadHttpRule(const YamlReader& reader, const YamlField& item, const YamlMap& map,
                          CompositeRouteConfig& route) {
  const YamlField* rule = nullptr;
  absl::string_view kind;
  for (absl::string_view key : kMethodKeys) {
    const YamlField* f = map.Find(key);
    if (f == nullptr) continue;
    if (rule != nullptr) {
      return reader.Error(
          *f, absl::StrCat("a composite has one HTTP method; \"", kind, "\" is already set"));
    }
    rule = f;
    kind = key;
  }
  if (rule == nullptr) {
    return reader.Missing(item, "get",
                          "one of get, put, post, delete, patch or custom: {kind, path}");
  }
  if (kind != "custom") {
    route.http_method = absl::AsciiStrToUpper(kind);
    ASSIGN_OR_RETURN(route.path, ReadNonEmpty(reader, *rule, "/v1/dashboard/{user_id}"));
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(const YamlMap custom, reader.ReadMap(*rule, kCustomKeys));
  const YamlField* custom_kind = custom.Find("kind");
  const YamlField* path = custom.Find("path");
  if (custom_kind == nullptr) return reader.Missing(*rule, "kind", "the HTTP method, e.g. SEARCH");
  if (path == nullptr) return reader.Missing(*rule, "path", "the path template");
  ASSIGN_OR_RETURN(std::string method, ReadNonEmpty(reader, *custom_kind, "SEARCH"));
  route.http_method = absl::AsciiStrToUpper(method);
  ASSIGN_OR_RETURN(route.path, ReadNonEmpty(reader, *path, "/v1/dashboard/{user_id}"));
  return absl::OkStatus();
}

absl::StatusOr<CompositeRouteConfig> ReadRoute(const YamlReader& reader, const YamlField& item) {
  CompositeRouteConfig route;
  route.where = reader.Where(item.value);
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(item, kRouteKeys));
  if (const YamlField* f = map.Find("name")) {
    ASSIGN_OR_RETURN(route.name, ReadNonEmpty(reader, *f, "dashboard"));
  }
  RETURN_IF_ERROR(ReadHttpRule(reader, item, map, route));
  if (const YamlField* f = map.Find("timeout")) {
    ASSIGN_OR_RETURN(route.timeout, reader.ReadDuration(*f, kMinTimeout));
  }
  const YamlField* calls = map.Find("calls");
  if (calls == nullptr) return reader.Missing(item, "calls", "a mapping of call name to call");
  ASSIGN_OR_RETURN(route.calls, ReadCalls(reader, *calls));
  if (const YamlField* f = map.Find("response")) {
    ASSIGN_OR_RETURN(route.response, ReadMapValue(reader, *f, "the response shape"));
  }
  return route;
}

}  // namespace

absl::StatusOr<std::vector<CompositeRouteConfig>> ReadCompositesConfig(const YamlReader& reader,
                                                                       const YamlField& field) {
  if (field.value.IsNull()) return std::vector<CompositeRouteConfig>();
  ASSIGN_OR_RETURN(const std::vector<YamlField> items, reader.ReadList(field, "composites"));
  std::vector<CompositeRouteConfig> routes;
  std::set<std::string> names;
  for (const YamlField& item : items) {
    ASSIGN_OR_RETURN(CompositeRouteConfig route, ReadRoute(reader, item));
    if (!route.name.empty() && !names.insert(route.name).second) {
      ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(item, kRouteKeys));
      return reader.Error(*map.Find("name"),
                          absl::StrCat("duplicate composite name ", QuoteForMessage(route.name)));
    }
    routes.push_back(std::move(route));
  }
  return routes;
}

}  // namespace protogate::config
