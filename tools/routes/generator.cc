#include "routes/generator.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "config/gateway_config.h"
#include "gateway/graphql_schema.h"
#include "routes/client_api.h"
#include "routes/route_collector.h"
#include "routes/route_map.h"
#include "routes/route_map_diff.h"
#include "routes/schema_diff.h"
#include "routes/sdl_reader.h"
#include "transcode/type_registry.h"

namespace protogate::routes {
namespace {

std::optional<std::string> ReadIfExists(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<std::vector<RuleFileEntry>> LoadRules(const std::vector<std::string>& paths) {
  std::vector<RuleFileEntry> all;
  for (const std::string& path : paths) {
    auto rules = LoadRuleFile(path);
    if (!rules.ok()) return rules.status();
    all.insert(all.end(), rules->begin(), rules->end());
  }
  return all;
}

std::string FirstDifference(const std::string& before, const std::string& after) {
  std::vector<absl::string_view> a = absl::StrSplit(before, '\n');
  std::vector<absl::string_view> b = absl::StrSplit(after, '\n');
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    absl::string_view x = i < a.size() ? a[i] : "(end of file)";
    absl::string_view y = i < b.size() ? b[i] : "(end of file)";
    if (x != y) {
      return absl::StrCat("  first difference at line ", i + 1, ":\n    on disk:   ", x,
                          "\n    generated: ", y, "\n");
    }
  }
  return "";
}

std::string Explain(const GeneratedFile& file, const std::string& on_disk) {
  if (file.path.size() > 3 && file.path.substr(file.path.size() - 3) == ".pb") {
    return absl::StrCat("  ", on_disk.size(), " bytes on disk, ", file.contents.size(),
                        " bytes generated\n");
  }
  auto diff = DiffVersions(absl::EndsWith(file.path, ".graphql"), on_disk, file.path, file.contents,
                           "generated");
  if (diff.ok() && !diff->empty()) return diff->ToString();
  return FirstDifference(on_disk, file.contents);
}

// The schema the gateway serves with `config` over the generated set (to
// the callers `allowed` describes, when given: NotFound when they may use
// no root field).
absl::StatusOr<std::string> GraphqlSdl(const config::GatewayConfig& config,
                                       const transcode::TypeRegistry& registry,
                                       const std::vector<RouteEntry>& routes,
                                       const gateway::MethodFilter* allowed = nullptr) {
  absl::flat_hash_set<const google::protobuf::MethodDescriptor*> gets;
  for (const RouteEntry& route : routes) {
    if (route.http_method != "GET") continue;
    // The routes point into the compiler's pool; the schema into the registry's.
    gets.insert(registry.pool().FindMethodByName(route.method->full_name()));
  }
  auto schema = allowed != nullptr ? gateway::BuildGraphqlSchema(config, registry, gets, *allowed)
                                   : gateway::BuildGraphqlSchema(config, registry, gets);
  if (!schema.ok()) return schema.status();
  return absl::StrCat((*schema)->Sdl(), "\n");
}

}  // namespace

absl::StatusOr<ApiDiff> DiffVersions(bool schema, absl::string_view old_text,
                                     absl::string_view old_name, absl::string_view new_text,
                                     absl::string_view new_name) {
  if (schema) {
    ASSIGN_OR_RETURN(SdlSchema before, ReadSdl(old_text, old_name));
    ASSIGN_OR_RETURN(SdlSchema after, ReadSdl(new_text, new_name));
    return DiffSchemas(before, after);
  }
  ASSIGN_OR_RETURN(std::vector<RouteMapEntry> before, ParseRouteMap(old_text, old_name));
  ASSIGN_OR_RETURN(std::vector<RouteMapEntry> after, ParseRouteMap(new_text, new_name));
  return DiffRouteMaps(before, after);
}

absl::StatusOr<Generated> Generate(const GenerateOptions& options, Diagnostics& diagnostics) {
  const size_t before = diagnostics.size();
  std::optional<config::GatewayConfig> config;
  if (!options.config_path.empty()) {
    auto loaded = config::LoadGatewayConfig(options.config_path);
    if (!loaded.ok()) {
      diagnostics.push_back({"", std::string(loaded.status().message()),
                             "fix the gateway config, or leave out --config"});
    } else {
      config = *std::move(loaded);
    }
  }
  auto rules = LoadRules(options.rule_files);
  if (!rules.ok()) {
    diagnostics.push_back({"", std::string(rules.status().message()),
                           "fix the rule file (see tools/routes/README.md for its format)"});
  }
  auto protos = CompileProtosOrDiagnose(options.compile, diagnostics);
  if (!protos.ok() || diagnostics.size() > before) {
    return absl::InvalidArgumentError("nothing generated");
  }
  RouteSet routes = CollectRoutes(
      **protos, {.rules = *std::move(rules), .default_routes = options.default_routes},
      diagnostics);
  ValidateRoutes(routes.routes, config ? &*config : nullptr, diagnostics);
  if (diagnostics.size() > before) return absl::InvalidArgumentError("nothing generated");

  google::protobuf::FileDescriptorSet set = (*protos)->ToFileDescriptorSet();
  InjectRules(routes.injected, set);
  std::string descriptor_bytes = SerializeDeterministically(set);
  // The gateway must be able to load what we write; check it the same way.
  auto registry = transcode::TypeRegistry::FromDescriptorSet(descriptor_bytes);
  if (!registry.ok()) {
    diagnostics.push_back(
        {options.descriptor_set_path,
         absl::StrCat("the generated set does not load: ", registry.status().message()),
         "this is a bug in protogate-routes; please report it"});
    return absl::InternalError("nothing generated");
  }
  Generated generated;
  generated.route_count = routes.routes.size();
  generated.files.push_back({options.descriptor_set_path, std::move(descriptor_bytes)});
  // A config's client profiles are checked whenever it has some, and the
  // route map says which of them may call each route.
  std::shared_ptr<const views::ClientProfiles> profiles;
  if (config && !config->clients.profiles.empty()) {
    auto built = ClientProfilesOf(*config, routes.routes);
    if (!built.ok()) {
      diagnostics.push_back({"", std::string(built.status().message()),
                             "fix clients: in the gateway config (config/README.md, \"clients\")"});
      return absl::InvalidArgumentError("nothing generated");
    }
    profiles = *std::move(built);
  }
  generated.files.push_back(
      {options.route_map_path,
       RenderRouteMap(ToRouteMap(routes.routes, config ? &*config : nullptr, profiles.get()))});
  generated.files.push_back(
      {options.openapi_path,
       docs::RenderOpenApi(DocumentedRoutes(routes.routes), options.openapi)});
  if (config && config->graphql.enabled) {
    auto sdl = GraphqlSdl(*config, **registry, routes.routes);
    if (!sdl.ok()) {
      diagnostics.push_back({"", std::string(sdl.status().message()),
                             "fix graphql: in the gateway config (config/README.md, \"graphql\")"});
      return absl::InvalidArgumentError("nothing generated");
    }
    generated.files.push_back({options.schema_path, *std::move(sdl)});
  }
  for (const GenerateOptions::ClientDocument& document : options.client_openapi) {
    auto documented = config
                          ? ClientRoutes(*config, document.client, routes.routes)
                          : absl::InvalidArgumentError(absl::StrCat(
                                "--client=", document.client, ": client profiles need --config"));
    if (!documented.ok()) {
      diagnostics.push_back({"", std::string(documented.status().message()),
                             "fix clients: in the gateway config (config/README.md, \"clients\")"});
      return absl::InvalidArgumentError("nothing generated");
    }
    docs::OpenApiOptions openapi = options.openapi;
    openapi.title = absl::StrCat(openapi.title, " (", document.client, ")");
    generated.files.push_back({document.path, docs::RenderOpenApi(*documented, openapi)});
    if (!config->graphql.enabled || profiles == nullptr) continue;
    // The profile's own schema, beside the whole one.
    const views::ClientProfiles::Caller caller = *profiles->Named(document.client);
    const gateway::MethodFilter allowed = [&](const google::protobuf::MethodDescriptor& method) {
      return profiles->AllowsMethod(caller.profile, caller.verified, method.full_name());
    };
    auto sdl = GraphqlSdl(*config, **registry, routes.routes, &allowed);
    if (absl::IsNotFound(sdl.status())) continue;  // no GraphQL for this client
    if (!sdl.ok()) {
      diagnostics.push_back({"", std::string(sdl.status().message()),
                             "fix graphql: or clients: in the gateway config (config/README.md)"});
      return absl::InvalidArgumentError("nothing generated");
    }
    const std::string directory = std::filesystem::path(options.schema_path).parent_path().string();
    generated.files.push_back(
        {(std::filesystem::path(directory) / absl::StrCat("schema.", document.client, ".graphql"))
             .string(),
         *std::move(sdl)});
  }
  return generated;
}

absl::Status WriteGenerated(const Generated& generated) {
  namespace fs = std::filesystem;
  for (const GeneratedFile& file : generated.files) {
    std::error_code error;
    const fs::path parent = fs::path(file.path).parent_path();
    if (!parent.empty()) fs::create_directories(parent, error);
    const std::string temporary = file.path + ".tmp";
    {
      std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
      out << file.contents;
      if (!out.flush()) {
        return absl::PermissionDeniedError(
            absl::StrCat(temporary, ": cannot write: ", std::strerror(errno)));
      }
    }
    fs::rename(temporary, file.path, error);
    if (error) {
      return absl::PermissionDeniedError(
          absl::StrCat(file.path, ": cannot replace: ", error.message()));
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> StaleFiles(const Generated& generated) {
  std::vector<std::string> reports;
  for (const GeneratedFile& file : generated.files) {
    std::optional<std::string> on_disk = ReadIfExists(file.path);
    if (!on_disk) {
      reports.push_back(absl::StrCat(file.path, ": missing\n"));
    } else if (*on_disk != file.contents) {
      reports.push_back(absl::StrCat(file.path, ": stale\n", Explain(file, *on_disk)));
    }
  }
  return reports;
}

}  // namespace protogate::routes
