#include "routes/route_map.h"

#include <algorithm>
#include <optional>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "auth/policy.h"
#include "transcode/field_selection.h"

namespace protogate::routes {
namespace {

// "server", "client" or "bidi" for a streaming method; "" for a unary one.
std::string StreamKind(const google::protobuf::MethodDescriptor& method) {
  if (method.client_streaming() && method.server_streaming()) return "bidi";
  if (method.client_streaming()) return "client";
  return method.server_streaming() ? "server" : "";
}

using Json = nlohmann::ordered_json;

const config::UpstreamConfig* FindUpstream(const config::GatewayConfig& config,
                                           const std::string& service) {
  for (const auto& upstream : config.upstreams) {
    if (upstream.service == service) return &upstream;
  }
  return nullptr;
}

std::vector<std::string> ConfiguredAuthenticators(const config::AuthConfig& auth) {
  std::vector<std::string> names;
  if (auth.has_jwt) names.push_back("jwt");
  if (auth.has_api_keys) names.push_back("api_key");
  if (auth.has_external) names.push_back("external");
  return names;
}

Json PolicyJson(const auth::Policy& policy) {
  Json out;
  out["policy"] = policy.selector.empty() ? "default" : policy.selector;
  switch (policy.kind) {
    case auth::Policy::Kind::kPublic:
      out["kind"] = "public";
      break;
    case auth::Policy::Kind::kDeny:
      out["kind"] = "deny";
      break;
    case auth::Policy::Kind::kAuthenticated:
      out["kind"] = "authenticated";
      break;
  }
  if (!policy.is_public()) out["authenticators"] = policy.authenticators;
  if (!policy.scopes.empty()) out["scopes"] = policy.scopes;
  if (!policy.claims.empty()) out["claims"] = policy.claims;
  return out;
}

absl::StatusOr<std::string> StringField(const nlohmann::json& item, const char* key,
                                        absl::string_view where) {
  auto it = item.find(key);
  if (it == item.end() || !it->is_string()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": \"", key, "\" is missing or not a string"));
  }
  return it->get<std::string>();
}

// The profiles that may call route `id`, "default" first, each as its usual
// caller is served.
// The name of the `view` enum value a profile sets (AIP-157), "" for none.
std::string ViewEnumName(const google::protobuf::MethodDescriptor& method,
                         const views::RequestView& view) {
  if (view.field_number == 0) return "";
  const google::protobuf::FieldDescriptor* field =
      method.input_type()->FindFieldByNumber(view.field_number);
  const google::protobuf::EnumValueDescriptor* value =
      field != nullptr && field->enum_type() != nullptr
          ? field->enum_type()->FindValueByNumber(view.value)
          : nullptr;
  return value != nullptr ? value->name() : absl::StrCat(view.value);
}

std::vector<RouteMapEntry::Client> ClientsOf(const views::ClientProfiles& profiles, int id,
                                             const google::protobuf::MethodDescriptor& method) {
  std::vector<std::string> names = {"default"};
  for (int p = 0; p < profiles.size(); ++p) {
    if (profiles.Name(p) != "default") names.push_back(profiles.Name(p));
  }
  std::vector<RouteMapEntry::Client> clients;
  for (const std::string& name : names) {
    const views::ClientProfiles::Caller caller = *profiles.Named(name);
    if (!profiles.Allows(caller.profile, caller.verified, id)) continue;
    RouteMapEntry::Client client{.name = name};
    if (auto view = profiles.View(caller.profile, id)) client.view = transcode::ProtoPaths(*view);
    client.view_enum = ViewEnumName(method, profiles.ViewEnum(caller.profile, id));
    if (auto renames = profiles.Renames(caller.profile, id)) {
      for (transcode::FieldRename& rename : transcode::RenamePaths(*renames)) {
        client.renames.emplace_back(std::move(rename.path), std::move(rename.name));
      }
    }
    clients.push_back(std::move(client));
  }
  return clients;
}

}  // namespace

std::vector<RouteMapEntry> ToRouteMap(const std::vector<RouteEntry>& routes,
                                      const config::GatewayConfig* config,
                                      const views::ClientProfiles* profiles) {
  std::optional<auth::PolicySet> policies;
  if (config != nullptr && config->auth.enabled) {
    policies = auth::PolicySet::FromConfig(config->auth, ConfiguredAuthenticators(config->auth));
  }
  std::vector<RouteMapEntry> entries;
  for (size_t i = 0; i < routes.size(); ++i) {
    const RouteEntry& route = routes[i];
    RouteMapEntry entry{.http_method = route.http_method,
                        .path = route.path_template,
                        .grpc_service = route.method->service()->full_name(),
                        .grpc_method = route.method->name(),
                        .body = route.body,
                        .response_body = route.response_body,
                        .stream = StreamKind(*route.method),
                        .source = route.source};
    if (config != nullptr) {
      if (const auto* upstream = FindUpstream(*config, entry.grpc_service)) {
        entry.upstream = upstream->addresses;
      }
    }
    if (policies) entry.auth = PolicyJson(policies->Resolve(route.method->full_name()));
    if (profiles != nullptr && !profiles->empty()) {
      entry.clients = ClientsOf(*profiles, static_cast<int>(i), *route.method);
    }
    entries.push_back(std::move(entry));
  }
  std::sort(entries.begin(), entries.end(), [](const RouteMapEntry& a, const RouteMapEntry& b) {
    return std::tie(a.path, a.http_method, a.grpc_service, a.grpc_method) <
           std::tie(b.path, b.http_method, b.grpc_service, b.grpc_method);
  });
  return entries;
}

std::string RenderRouteMap(const std::vector<RouteMapEntry>& entries) {
  Json list = Json::array();
  for (const RouteMapEntry& entry : entries) {
    Json item;
    item["http_method"] = entry.http_method;
    item["path"] = entry.path;
    item["grpc_service"] = entry.grpc_service;
    item["grpc_method"] = entry.grpc_method;
    item["body"] = entry.body;
    item["response_body"] = entry.response_body;
    if (!entry.stream.empty()) item["stream"] = entry.stream;
    if (!entry.upstream.empty()) item["upstream"] = entry.upstream;
    if (!entry.auth.is_null()) item["auth"] = entry.auth;
    if (!entry.clients.empty()) {
      Json clients = Json::array();
      for (const RouteMapEntry::Client& client : entry.clients) {
        Json c{{"name", client.name}};
        if (!client.view.empty()) c["view"] = client.view;
        if (!client.view_enum.empty()) c["view_enum"] = client.view_enum;
        if (!client.renames.empty()) {
          Json renames = Json::object();
          for (const auto& [path, name] : client.renames) renames[path] = name;
          c["renames"] = std::move(renames);
        }
        clients.push_back(std::move(c));
      }
      item["clients"] = std::move(clients);
    }
    item["source"] = entry.source;
    list.push_back(std::move(item));
  }
  Json root;
  root["routes"] = std::move(list);
  return root.dump(2) + "\n";
}

absl::StatusOr<std::vector<RouteMapEntry>> ParseRouteMap(absl::string_view json_text,
                                                         absl::string_view source_name) {
  const Json root = Json::parse(json_text.begin(), json_text.end(), nullptr, false);
  if (root.is_discarded() || !root.is_object() || !root.contains("routes") ||
      !root["routes"].is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source_name, ": not a route map (expected {\"routes\": [...]})"));
  }
  std::vector<RouteMapEntry> entries;
  int index = 0;
  for (const auto& item : root["routes"]) {
    const std::string where = absl::StrCat(source_name, ": routes[", index++, "]");
    if (!item.is_object()) return absl::InvalidArgumentError(where + ": not an object");
    RouteMapEntry entry;
    for (auto [key, field] :
         {std::pair{"http_method", &entry.http_method}, std::pair{"path", &entry.path},
          std::pair{"grpc_service", &entry.grpc_service},
          std::pair{"grpc_method", &entry.grpc_method}, std::pair{"body", &entry.body},
          std::pair{"response_body", &entry.response_body}}) {
      auto value = StringField(item, key, where);
      if (!value.ok()) return value.status();
      *field = *std::move(value);
    }
    if (item.contains("source") && item["source"].is_string()) entry.source = item["source"];
    if (item.contains("stream") && item["stream"].is_string()) entry.stream = item["stream"];
    if (item.contains("upstream") && item["upstream"].is_array()) {
      for (const auto& address : item["upstream"]) {
        if (address.is_string()) entry.upstream.push_back(address.get<std::string>());
      }
    }
    if (item.contains("auth")) entry.auth = item["auth"];
    if (item.contains("clients") && item["clients"].is_array()) {
      for (const auto& client : item["clients"]) {
        if (!client.is_object() || !client.contains("name") || !client["name"].is_string()) {
          return absl::InvalidArgumentError(where + ": clients: expected {\"name\": ...} entries");
        }
        RouteMapEntry::Client read{.name = client["name"]};
        if (client.contains("view") && client["view"].is_array()) {
          for (const auto& path : client["view"]) {
            if (path.is_string()) read.view.push_back(path.get<std::string>());
          }
        }
        if (client.contains("view_enum") && client["view_enum"].is_string()) {
          read.view_enum = client["view_enum"].get<std::string>();
        }
        if (client.contains("renames") && client["renames"].is_object()) {
          for (const auto& [path, name] : client["renames"].items()) {
            if (name.is_string()) read.renames.emplace_back(path, name.get<std::string>());
          }
        }
        entry.clients.push_back(std::move(read));
      }
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace protogate::routes
