#include "gateway/graphql_endpoint.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace protogate::gateway {
namespace {

namespace gpb = google::protobuf;

// "<config>:<line>: graphql.methods: <problem>"
absl::Status ConfigError(const config::GatewayConfig& config,
                         const config::GraphqlMethodConfig& method, absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat(config.source_path, ":", method.line, ": graphql.methods: ", problem));
}

std::chrono::milliseconds TimeoutOf(const config::UpstreamConfig& upstream,
                                    const gpb::MethodDescriptor& method) {
  auto it = upstream.method_timeouts.find(method.name());
  return it == upstream.method_timeouts.end() ? upstream.timeout : it->second;
}

// The exposed methods, in upstream and method order, with their overrides.
absl::StatusOr<std::vector<graphql::RootMethod>> RootMethods(
    const Snapshot& snapshot, const absl::flat_hash_set<const gpb::MethodDescriptor*>& gets) {
  const config::GatewayConfig& config = snapshot.config;
  std::vector<graphql::RootMethod> roots;
  absl::flat_hash_set<std::string> exposed;
  for (const config::UpstreamConfig& upstream : config.upstreams) {
    const gpb::ServiceDescriptor* service =
        snapshot.registry->pool().FindServiceByName(upstream.service);
    if (service == nullptr) continue;  // the snapshot has refused this already
    for (int i = 0; i < service->method_count(); ++i) {
      const gpb::MethodDescriptor* method = service->method(i);
      if (method->client_streaming() || method->server_streaming()) continue;
      exposed.insert(method->full_name());
      graphql::RootMethod root{.method = method, .has_get_binding = gets.contains(method)};
      auto it = config.graphql.methods.find(method->full_name());
      if (it != config.graphql.methods.end()) {
        if (it->second.hidden) continue;
        if (it->second.kind) {
          root.kind = *it->second.kind == config::GraphqlMethodConfig::Kind::kQuery
                          ? graphql::Operation::Type::kQuery
                          : graphql::Operation::Type::kMutation;
        }
        root.name = it->second.name;
      }
      roots.push_back(std::move(root));
    }
  }
  for (const auto& [name, method] : config.graphql.methods) {
    if (!exposed.contains(name)) {
      return ConfigError(config, method,
                         absl::StrCat(name, " is no unary method of a service under `upstreams:`"));
    }
  }
  return roots;
}

absl::StatusOr<GraphqlMethod> MethodCall(const Snapshot& snapshot,
                                         const gpb::MethodDescriptor& method) {
  const config::GatewayConfig& config = snapshot.config;
  const std::string& service = method.service()->full_name();
  const config::UpstreamConfig* upstream = nullptr;
  for (const config::UpstreamConfig& candidate : config.upstreams) {
    if (candidate.service == service) upstream = &candidate;
  }
  if (upstream == nullptr) return absl::InternalError(absl::StrCat(service, " has no upstream"));
  ASSIGN_OR_RETURN(
      transcode::RequestTranscoder request,
      transcode::RequestTranscoder::Create(snapshot.registry, *method.input_type(), "*",
                                           {.max_json_depth = config.transcoding.max_json_depth}));
  return GraphqlMethod{.service = service,
                       .method_path = absl::StrCat("/", service, "/", method.name()),
                       .timeout = TimeoutOf(*upstream, method),
                       .stub = snapshot.channels->StubFor(service),
                       .policy = &snapshot.auth->PolicyFor(method.full_name()),
                       .request = std::move(request)};
}

}  // namespace

absl::StatusOr<std::shared_ptr<const GraphqlEndpoint>> BuildGraphqlEndpoint(
    const Snapshot& snapshot,
    const absl::flat_hash_set<const gpb::MethodDescriptor*>& get_methods) {
  const config::GraphqlConfig& config = snapshot.config.graphql;
  ASSIGN_OR_RETURN(std::vector<graphql::RootMethod> roots, RootMethods(snapshot, get_methods));
  auto schema = graphql::Schema::Build(roots);
  if (!schema.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(snapshot.config.source_path, ": graphql: ", schema.status().message()));
  }
  auto endpoint = std::make_shared<GraphqlEndpoint>();
  endpoint->schema = *std::move(schema);
  auto values =
      std::make_shared<aggregate::ValuePrinter>(snapshot.registry, transcode::JsonOutputOptions{});
  std::vector<GatewayMetrics::CallName> calls;
  for (const graphql::SchemaType* root :
       {endpoint->schema->query(), endpoint->schema->mutation()}) {
    if (root == nullptr) continue;
    for (const graphql::SchemaField& field : root->fields) {
      ASSIGN_OR_RETURN(GraphqlMethod call, MethodCall(snapshot, *field.method));
      call.metrics_index = calls.size();
      calls.push_back({.call = field.name, .method_path = call.method_path});
      values->Prepare(*field.method->output_type());
      endpoint->methods.emplace(field.method, std::move(call));
    }
  }
  endpoint->values = std::move(values);
  endpoint->limits = {.max_tokens = config.max_tokens,
                      .max_depth = config.max_depth,
                      .max_aliases = config.max_aliases,
                      .max_root_fields = config.max_root_fields,
                      .introspection = config.introspection};
  endpoint->timeout = config.timeout;
  Route& route = endpoint->route;
  route.description = absl::StrCat("GraphQL (", config.path, ")");
  route.method_path = config.path;
  route.timeout = config.timeout;
  route.policy = &snapshot.auth->PolicyFor("");  // never consulted: see GraphqlEndpoint::route
  route.selector = absl::StrCat("graphql:", config.path);
  route.metrics = snapshot.metrics->ForCompositeRoute(route.selector, calls);
  return std::shared_ptr<const GraphqlEndpoint>(std::move(endpoint));
}

}  // namespace protogate::gateway
