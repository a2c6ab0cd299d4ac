#include "config/clients_config.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "config/value_parsers.h"
#include "config/yaml_reader.h"

namespace protogate::config {
namespace {

constexpr absl::string_view kProfileKeys[] = {"name",   "match", "widen_unverified",
                                              "routes", "views", "graphql"};
constexpr absl::string_view kGraphqlKeys[] = {"introspection", "trusted_documents"};
constexpr absl::string_view kMatchKeys[] = {"client_ids", "header", "hosts", "path_prefix"};
constexpr absl::string_view kHeaderKeys[] = {"name", "values"};
constexpr absl::string_view kViewKeys[] = {"fields", "view", "rename"};

int LineOf(const YamlField& field) { return field.value.Mark().line + 1; }

absl::StatusOr<std::vector<std::string>> ReadStrings(const YamlReader& reader,
                                                     const YamlField& field, absl::string_view what,
                                                     std::vector<int>* lines = nullptr) {
  ASSIGN_OR_RETURN(const std::vector<YamlField> items, reader.ReadList(field, what));
  std::vector<std::string> out;
  for (const YamlField& item : items) {
    ASSIGN_OR_RETURN(std::string text, reader.ReadString(item));
    if (text.empty()) return reader.Error(item, absl::StrCat("empty ", what));
    out.push_back(std::move(text));
    if (lines != nullptr) lines->push_back(LineOf(item));
  }
  return out;
}

absl::Status ReadHeaderMatch(const YamlReader& reader, const YamlField& field,
                             ClientProfileConfig& profile) {
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(field, kHeaderKeys));
  const YamlField* name = map.Find("name");
  if (name == nullptr) return reader.Missing(field, "name", "a request header, e.g. x-client");
  ASSIGN_OR_RETURN(std::string text, reader.ReadString(*name));
  auto normalized = NormalizeForwardHeader(text);
  if (!normalized.ok()) return reader.Error(*name, normalized.status().message());
  profile.header = *std::move(normalized);
  const YamlField* values = map.Find("values");
  if (values == nullptr) return reader.Missing(field, "values", "the header's values, e.g. [ios]");
  ASSIGN_OR_RETURN(profile.header_values, ReadStrings(reader, *values, "header values"));
  if (profile.header_values.empty()) return reader.Error(*values, "at least one value");
  return absl::OkStatus();
}

absl::Status ReadMatch(const YamlReader& reader, const YamlField& field,
                       ClientProfileConfig& profile) {
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(field, kMatchKeys));
  if (const YamlField* f = map.Find("client_ids")) {
    ASSIGN_OR_RETURN(profile.client_ids, ReadStrings(reader, *f, "client ids"));
  }
  if (const YamlField* f = map.Find("header"))
    RETURN_IF_ERROR(ReadHeaderMatch(reader, *f, profile));
  if (const YamlField* f = map.Find("hosts")) {
    ASSIGN_OR_RETURN(profile.hosts, ReadStrings(reader, *f, "host names"));
    for (std::string& host : profile.hosts) absl::AsciiStrToLower(&host);
  }
  if (const YamlField* f = map.Find("path_prefix")) {
    ASSIGN_OR_RETURN(profile.path_prefix, reader.ReadString(*f));
    const std::string& prefix = profile.path_prefix;
    const bool valid = prefix.size() > 1 && prefix[0] == '/' && prefix.back() != '/' &&
                       prefix.find_first_of("?#{}*% ") == std::string::npos;
    if (!valid) {
      return reader.Error(*f, absl::StrCat("invalid path prefix ", QuoteForMessage(prefix),
                                           " (expected e.g. /mobile)"));
    }
  }
  return absl::OkStatus();
}

// `rename: {profile.display_name: name}`: field path → new member name.
absl::Status ReadRenames(const YamlReader& reader, const YamlField& field, ClientViewConfig& view) {
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadAnyMap(field));
  for (const YamlMap::Entry& entry : map.entries()) {
    ASSIGN_OR_RETURN(std::string name, reader.ReadString(entry.field));
    if (!IsIdentifier(name)) {
      return reader.Error(entry.field,
                          absl::StrCat("invalid member name ", QuoteForMessage(name), " for ",
                                       entry.key, " (letters, digits and _, e.g. id)"));
    }
    view.renames.push_back(
        {.path = entry.key, .name = std::move(name), .line = LineOf(entry.field)});
  }
  if (view.renames.empty()) return reader.Error(field, "rename: at least one field");
  return absl::OkStatus();
}

// `{fields: [...], view: BASIC, rename: {...}}`: the fields, the AIP-157
// view, the renames, or any of them together.
absl::Status ReadLongView(const YamlReader& reader, const YamlField& field,
                          ClientViewConfig& view) {
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(field, kViewKeys));
  if (const YamlField* f = map.Find("fields")) {
    ASSIGN_OR_RETURN(view.fields, ReadStrings(reader, *f, "field paths"));
    if (view.fields.empty()) return reader.Error(*f, "a view needs at least one field");
  }
  if (const YamlField* f = map.Find("view")) {
    ASSIGN_OR_RETURN(view.view_enum, reader.ReadString(*f));
    view.view_line = LineOf(*f);
    if (!IsIdentifier(view.view_enum)) {
      return reader.Error(*f, absl::StrCat("invalid view ", QuoteForMessage(view.view_enum),
                                           " (an enum value of the request's `view` field, "
                                           "e.g. BASIC)"));
    }
  }
  if (const YamlField* f = map.Find("rename")) RETURN_IF_ERROR(ReadRenames(reader, *f, view));
  if (view.fields.empty() && view.view_enum.empty() && view.renames.empty()) {
    return reader.Missing(field, "fields", "the fields the profile gets, a `view` or `rename`");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ClientViewConfig>> ReadViews(const YamlReader& reader,
                                                        const YamlField& field) {
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadAnyMap(field));
  std::vector<ClientViewConfig> views;
  for (const YamlMap::Entry& entry : map.entries()) {
    if (!IsDottedIdentifier(entry.key)) {
      return reader.Error(entry.field,
                          absl::StrCat("invalid method ", QuoteForMessage(entry.key),
                                       " (expected e.g. demo.users.v1.UserService.GetUser)"));
    }
    ClientViewConfig view{.method = entry.key, .line = LineOf(entry.field)};
    if (entry.field.value.IsMap()) {
      RETURN_IF_ERROR(ReadLongView(reader, entry.field, view));
    } else {
      ASSIGN_OR_RETURN(view.fields, ReadStrings(reader, entry.field, "field paths"));
      if (view.fields.empty()) return reader.Error(entry.field, "a view needs at least one field");
    }
    views.push_back(std::move(view));
  }
  return views;
}

absl::StatusOr<ClientProfileConfig> ReadProfile(const YamlReader& reader, const YamlField& field) {
  ClientProfileConfig profile{.line = LineOf(field)};
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(field, kProfileKeys));
  const YamlField* name = map.Find("name");
  if (name == nullptr) return reader.Missing(field, "name", "e.g. mobile");
  ASSIGN_OR_RETURN(profile.name, reader.ReadString(*name));
  if (!IsIdentifier(profile.name)) {
    return reader.Error(*name, absl::StrCat("invalid profile name ", QuoteForMessage(profile.name),
                                            " (letters, digits, _)"));
  }
  const YamlField* match = map.Find("match");
  if (match != nullptr) RETURN_IF_ERROR(ReadMatch(reader, *match, profile));
  const bool recognises = !profile.client_ids.empty() || profile.RecognisedByRequest();
  if (profile.name == kDefaultProfile && match != nullptr) {
    return reader.Error(*match,
                        "the default profile serves the callers no other one recognises: "
                        "it has no `match`");
  }
  if (profile.name != kDefaultProfile && !recognises) {
    return reader.Missing(field, "match",
                          "how its callers are recognised: client_ids, header, hosts or "
                          "path_prefix");
  }
  if (const YamlField* f = map.Find("widen_unverified")) {
    ASSIGN_OR_RETURN(profile.widen_unverified, reader.ReadBool(*f));
  }
  if (const YamlField* f = map.Find("routes")) {
    profile.all_routes = false;
    ASSIGN_OR_RETURN(profile.routes,
                     ReadStrings(reader, *f, "route selectors", &profile.route_lines));
  }
  if (const YamlField* f = map.Find("views")) {
    ASSIGN_OR_RETURN(profile.views, ReadViews(reader, *f));
  }
  if (const YamlField* f = map.Find("graphql")) {
    ASSIGN_OR_RETURN(const YamlMap graphql, reader.ReadMap(*f, kGraphqlKeys));
    if (const YamlField* introspection = graphql.Find("introspection")) {
      ASSIGN_OR_RETURN(bool on, reader.ReadBool(*introspection));
      profile.graphql_introspection = on;
    }
    if (const YamlField* trusted = graphql.Find("trusted_documents")) {
      ASSIGN_OR_RETURN(std::string path, reader.ReadString(*trusted));
      if (path.empty()) return reader.Error(*trusted, "expected a file, e.g. mobile.trusted.json");
      profile.graphql_trusted_documents = ResolveNextTo(reader.source_name(), path);
    }
  }
  return profile;
}

// One recognition key (a client id, "header:value", a host, a prefix)
// claimed by two profiles would make the first one win silently.
absl::Status CheckUnique(const YamlReader& reader, const YamlField& item,
                         const ClientProfileConfig& profile,
                         std::map<std::string, std::string>& claimed) {
  std::vector<std::string> keys;
  for (const std::string& id : profile.client_ids) keys.push_back("client id " + id);
  for (const std::string& value : profile.header_values) {
    keys.push_back(absl::StrCat("header ", profile.header, ": ", value));
  }
  for (const std::string& host : profile.hosts) keys.push_back("host " + host);
  if (!profile.path_prefix.empty()) keys.push_back("path prefix " + profile.path_prefix);
  for (const std::string& key : keys) {
    auto [it, inserted] = claimed.emplace(key, profile.name);
    if (!inserted) {
      return reader.Error(item, absl::StrCat(key, " already recognises profile ", it->second));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ClientsConfig> ReadClientsConfig(const YamlReader& reader, const YamlField& field) {
  ClientsConfig clients;
  ASSIGN_OR_RETURN(const std::vector<YamlField> items, reader.ReadList(field, "client profiles"));
  std::map<std::string, int> names;
  std::map<std::string, std::string> claimed;
  for (const YamlField& item : items) {
    ASSIGN_OR_RETURN(ClientProfileConfig profile, ReadProfile(reader, item));
    if (auto [it, inserted] = names.emplace(profile.name, profile.line); !inserted) {
      return reader.Error(
          item, absl::StrCat("profile ", profile.name, " is already defined at line ", it->second));
    }
    RETURN_IF_ERROR(CheckUnique(reader, item, profile, claimed));
    clients.profiles.push_back(std::move(profile));
  }
  return clients;
}

}  // namespace protogate::config
