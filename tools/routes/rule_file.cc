#include "routes/rule_file.h"

#include <exception>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "config/value_parsers.h"
#include "config/yaml_reader.h"

namespace protogate::routes {
namespace {

using config::YamlField;
using config::YamlMap;
using config::YamlReader;

constexpr absl::string_view kTopKeys[] = {"type", "config_version", "name", "title", "http"};
constexpr absl::string_view kHttpKeys[] = {"rules", "fully_decode_reserved_expansion"};
constexpr absl::string_view kRuleKeys[] = {
    "selector", "get",    "put",  "post",          "delete",
    "patch",    "custom", "body", "response_body", "additional_bindings"};
constexpr absl::string_view kBindingKeys[] = {"get",   "put",    "post", "delete",
                                              "patch", "custom", "body", "response_body"};
constexpr absl::string_view kCustomKeys[] = {"kind", "path"};
constexpr absl::string_view kPatternKeys[] = {"get", "put", "post", "delete", "patch", "custom"};

std::string Position(absl::string_view source, const YamlField& field) {
  const YAML::Mark mark = field.value.Mark();
  return absl::StrCat(source, ":", mark.line + 1, ":", mark.column + 1);
}

absl::Status ReadPattern(const YamlReader& reader, const YamlField& field, const YamlMap& map,
                         google::api::HttpRule& rule) {
  const YamlField* pattern = nullptr;
  absl::string_view pattern_key;
  for (absl::string_view key : kPatternKeys) {
    const YamlField* f = map.Find(key);
    if (f == nullptr) continue;
    if (pattern != nullptr) {
      return reader.Error(*f, absl::StrCat("a rule has one pattern, but it also sets ", pattern_key,
                                           " (move one to additional_bindings)"));
    }
    pattern = f;
    pattern_key = key;
  }
  if (pattern == nullptr) {
    return reader.Error(field,
                        "the rule has no pattern (set one of get, put, post, delete, patch, "
                        "custom, e.g. get: /v1/things/{id})");
  }
  if (pattern_key == "custom") {
    ASSIGN_OR_RETURN(const YamlMap custom, reader.ReadMap(*pattern, kCustomKeys));
    const YamlField* kind = custom.Find("kind");
    const YamlField* path = custom.Find("path");
    if (kind == nullptr) return reader.Missing(*pattern, "kind", "the HTTP method, e.g. PURGE");
    if (path == nullptr) return reader.Missing(*pattern, "path", "a path template");
    ASSIGN_OR_RETURN(*rule.mutable_custom()->mutable_kind(), reader.ReadString(*kind));
    ASSIGN_OR_RETURN(*rule.mutable_custom()->mutable_path(), reader.ReadString(*path));
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(std::string path, reader.ReadString(*pattern));
  if (pattern_key == "get") rule.set_get(path);
  if (pattern_key == "put") rule.set_put(path);
  if (pattern_key == "post") rule.set_post(path);
  if (pattern_key == "delete") rule.set_delete_(path);
  if (pattern_key == "patch") rule.set_patch(path);
  return absl::OkStatus();
}

absl::StatusOr<google::api::HttpRule> ReadBinding(const YamlReader& reader, const YamlField& field,
                                                  absl::Span<const absl::string_view> keys) {
  google::api::HttpRule rule;
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(field, keys));
  RETURN_IF_ERROR(ReadPattern(reader, field, map, rule));
  if (const YamlField* f = map.Find("body")) {
    ASSIGN_OR_RETURN(*rule.mutable_body(), reader.ReadString(*f));
  }
  if (const YamlField* f = map.Find("response_body")) {
    ASSIGN_OR_RETURN(*rule.mutable_response_body(), reader.ReadString(*f));
  }
  if (const YamlField* f = map.Find("additional_bindings")) {
    ASSIGN_OR_RETURN(const std::vector<YamlField> items,
                     reader.ReadList(*f, "additional bindings"));
    for (const YamlField& item : items) {
      ASSIGN_OR_RETURN(*rule.add_additional_bindings(), ReadBinding(reader, item, kBindingKeys));
    }
  }
  return rule;
}

absl::StatusOr<RuleFileEntry> ReadRule(const YamlReader& reader, const YamlField& field,
                                       absl::string_view source_name) {
  RuleFileEntry entry;
  entry.location = Position(source_name, field);
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(field, kRuleKeys));
  const YamlField* selector = map.Find("selector");
  if (selector == nullptr) {
    return reader.Missing(field, "selector", "the method's full name, e.g. pkg.Service.Method");
  }
  ASSIGN_OR_RETURN(entry.selector, reader.ReadString(*selector));
  if (!config::IsDottedIdentifier(entry.selector)) {
    return reader.Error(*selector,
                        absl::StrCat("invalid selector ", config::QuoteForMessage(entry.selector),
                                     " (expected a full method name, e.g. pkg.Service.Method; "
                                     "wildcards are not supported)"));
  }
  ASSIGN_OR_RETURN(entry.rule, ReadBinding(reader, field, kRuleKeys));
  return entry;
}

absl::StatusOr<std::vector<RuleFileEntry>> Parse(absl::string_view yaml_text,
                                                 absl::string_view source_name) {
  const YamlReader reader(source_name);
  ASSIGN_OR_RETURN(const YamlField root, reader.ParseDocument(yaml_text));
  ASSIGN_OR_RETURN(const YamlMap top, reader.ReadMap(root, kTopKeys));
  const YamlField* http = top.Find("http");
  if (http == nullptr) return reader.Missing(root, "http", "http: {rules: [...]}");
  ASSIGN_OR_RETURN(const YamlMap http_map, reader.ReadMap(*http, kHttpKeys));
  std::vector<RuleFileEntry> entries;
  const YamlField* rules = http_map.Find("rules");
  if (rules == nullptr) return entries;
  ASSIGN_OR_RETURN(const std::vector<YamlField> items, reader.ReadList(*rules, "rules"));
  for (const YamlField& item : items) {
    ASSIGN_OR_RETURN(RuleFileEntry entry, ReadRule(reader, item, source_name));
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace

absl::StatusOr<std::vector<RuleFileEntry>> ParseRuleFile(absl::string_view yaml_text,
                                                         absl::string_view source_name) {
  // yaml-cpp reports through exceptions; none may escape our API.
  try {
    return Parse(yaml_text, source_name);
  } catch (const YAML::Exception& e) {
    return YamlReader(source_name).ErrorAt(e.mark, "", absl::StrCat("invalid YAML: ", e.msg));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(source_name, ": rule file reader failed: ", e.what()));
  }
}

absl::StatusOr<std::vector<RuleFileEntry>> LoadRuleFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read the rule file"));
  std::ostringstream text;
  text << in.rdbuf();
  return ParseRuleFile(text.str(), path);
}

}  // namespace protogate::routes
