#include "gateway/snapshot.h"

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "gateway/composite_routes.h"
#include "gateway/graphql_endpoint.h"
#include "gateway/route_loader.h"
#include "gateway/server_resources.h"
#include "google/protobuf/descriptor.pb.h"
#include "transcode/field_mask.h"
#include "transcode/http_body.h"
#include "transcode/path_variable.h"
#include "upstream/reflection_client.h"

namespace protogate::gateway {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read descriptor set ", path));
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// Each upstream's first address stands for all: instances of one service are
// expected to serve the same protos.
absl::StatusOr<std::string> FetchByReflection(const config::GatewayConfig& config) {
  std::vector<upstream::ReflectionTarget> targets;
  for (const auto& upstream : config.upstreams) {
    targets.push_back({.service = upstream.service,
                       .address = upstream.addresses.front(),
                       .timeout = upstream.timeout});
  }
  auto set = upstream::FetchDescriptorSet(targets);
  if (!set.ok()) {
    return absl::Status(set.status().code(),
                        absl::StrCat(config.source_path,
                                     ": descriptor_source: reflection: ", set.status().message()));
  }
  return set;
}

// The serialized FileDescriptorSet, from wherever the config says.
absl::StatusOr<std::string> LoadDescriptorSet(const config::GatewayConfig& config) {
  if (config.descriptor_source == config::DescriptorSource::kReflection) {
    return FetchByReflection(config);
  }
  return ReadFile(config.descriptors);
}

// How errors about the descriptors name where they came from.
std::string DescriptorOrigin(const config::GatewayConfig& config) {
  if (config.descriptor_source == config::DescriptorSource::kReflection) {
    return "the descriptors fetched by server reflection";
  }
  return config.descriptors;
}

std::vector<std::string> FileNames(const std::string& descriptor_set) {
  google::protobuf::FileDescriptorSet set;
  std::vector<std::string> names;
  if (!set.ParseFromString(descriptor_set)) return names;
  for (const auto& file : set.file()) names.push_back(file.name());
  return names;
}

// A stream lasts much longer than a call: its own default deadline.
std::chrono::milliseconds TimeoutFor(const config::UpstreamConfig& upstream,
                                     const google::protobuf::MethodDescriptor& method,
                                     const config::StreamingConfig& streaming) {
  auto it = upstream.method_timeouts.find(method.name());
  if (it != upstream.method_timeouts.end()) return it->second;
  const bool streams = method.server_streaming() || method.client_streaming();
  return streams ? streaming.timeout : upstream.timeout;
}

const config::UpstreamConfig* FindUpstream(const config::GatewayConfig& config,
                                           const std::string& service) {
  for (const auto& upstream : config.upstreams) {
    if (upstream.service == service) return &upstream;
  }
  return nullptr;
}

absl::Status CheckUpstreamsExist(const config::GatewayConfig& config,
                                 const transcode::TypeRegistry& registry) {
  for (const auto& upstream : config.upstreams) {
    if (registry.pool().FindServiceByName(upstream.service) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(config.source_path, ": upstream service ", upstream.service,
                       " is not in the descriptor set ", DescriptorOrigin(config),
                       " (check the name, or regenerate the descriptor set)"));
    }
  }
  return absl::OkStatus();
}

// Where a client's `fields` applies on the route, and the request field its
// read mask goes to. InvalidArgument when the upstream's `read_mask` names a
// field that is not a google.protobuf.FieldMask.
absl::StatusOr<PartialResponse> MakePartialResponse(const RouteSpec& spec,
                                                    const config::UpstreamConfig& upstream,
                                                    const transcode::ResponseTranscoder& response) {
  const google::protobuf::Descriptor& input = *spec.method->input_type();
  PartialResponse partial{.type = response.selectable_type(),
                          .query_parameter = input.FindFieldByName("fields") == nullptr};
  if (const google::protobuf::FieldDescriptor* body = response.body_field()) {
    partial.mask_prefix = absl::StrCat(body->name(), ".");
  }
  const std::string name = upstream.read_mask.value_or("read_mask");
  const google::protobuf::FieldDescriptor* mask =
      name.empty() ? nullptr : input.FindFieldByName(name);
  if (mask == nullptr) return partial;
  if (transcode::IsFieldMask(*mask)) {
    partial.read_mask = mask;
  } else if (upstream.read_mask.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        spec.Describe(), ": read_mask: ", input.full_name(), ".", name,
        " is not a google.protobuf.FieldMask (set the upstream's read_mask: \"\" for none)"));
  }
  return partial;
}

absl::StatusOr<Route> MakeRoute(const RouteSpec& spec, const Snapshot& snapshot) {
  const google::protobuf::MethodDescriptor& method = *spec.method;
  const std::string& service = method.service()->full_name();
  const config::UpstreamConfig* upstream = FindUpstream(snapshot.config, service);
  if (upstream == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(spec.Describe(), ": service ", service, " has HTTP routes but no upstream in ",
                     snapshot.config.source_path, " (add it under `upstreams:`)"));
  }
  const config::TranscodingConfig& t = snapshot.config.transcoding;
  transcode::RequestOptions request_options{
      .reject_unknown_query_parameters = t.reject_unknown_query_parameters,
      .ignore_unknown_json_fields = t.ignore_unknown_json_fields,
      .max_json_depth = t.max_json_depth};
  transcode::JsonOutputOptions output_options{.use_proto_field_names = t.use_proto_field_names,
                                              .emit_default_values = t.emit_default_values,
                                              .enums_as_ints = t.enums_as_ints};
  // Each message of a streamed request is a whole JSON object unless the
  // rule maps it to a field (a WebSocket's GET rule has no body).
  const std::string body = method.client_streaming() && spec.body.empty() ? "*" : spec.body;
  auto request = transcode::RequestTranscoder::Create(snapshot.registry, *method.input_type(), body,
                                                      request_options);
  if (!request.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(spec.Describe(), ": body: ", request.status().message()));
  }
  auto response = transcode::ResponseTranscoder::Create(snapshot.registry, *method.output_type(),
                                                        spec.response_body, output_options);
  if (!response.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(spec.Describe(), ": response_body: ", response.status().message()));
  }
  ASSIGN_OR_RETURN(PartialResponse partial, MakePartialResponse(spec, *upstream, *response));
  return Route{.description = spec.Describe(),
               .service = service,
               .method_path = absl::StrCat("/", service, "/", method.name()),
               .timeout = TimeoutFor(*upstream, method, snapshot.config.streaming),
               .request = *std::move(request),
               .response = *std::move(response),
               .stub = snapshot.channels->StubFor(service),
               .partial = std::move(partial),
               .policy = &snapshot.auth->PolicyFor(method.full_name()),
               .selector = method.full_name(),
               .composite = nullptr,
               .method = &method,
               .server_streaming = method.server_streaming(),
               .client_streaming = method.client_streaming(),
               .raw_response = spec.response_body.empty() &&
                               transcode::IsHttpBody(method.output_type()) &&
                               !(method.server_streaming() && method.client_streaming())};
}

absl::Status AddRoutes(const std::vector<RouteSpec>& specs, Snapshot& snapshot) {
  routing::RouteTable::Builder builder;
  for (const RouteSpec& spec : specs) {
    auto tmpl = routing::HttpTemplate::Parse(spec.path_template);
    if (!tmpl.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(spec.Describe(), ": path template: ", tmpl.status().message()));
    }
    for (const routing::TemplateVariable& variable : tmpl->variables()) {
      if (auto problem =
              transcode::CheckPathVariable(*spec.method->input_type(), variable.field_path)) {
        return absl::InvalidArgumentError(
            absl::StrCat(spec.Describe(), ": ", problem->message, " (", problem->hint, ")"));
      }
    }
    ASSIGN_OR_RETURN(Route route, MakeRoute(spec, snapshot));
    int id = static_cast<int>(snapshot.route_list.size());
    RETURN_IF_ERROR(builder.Add(spec.http_method, *tmpl, id, spec.Describe()));
    snapshot.client_streaming = snapshot.client_streaming || route.client_streaming;
    snapshot.route_list.push_back(std::move(route));
  }
  RETURN_IF_ERROR(AddCompositeRoutes(snapshot, builder));
  ASSIGN_OR_RETURN(snapshot.routes, std::move(builder).Build());
  return absl::OkStatus();
}

std::vector<upstream::ChannelSpec> ChannelSpecs(const config::GatewayConfig& config) {
  std::vector<upstream::ChannelSpec> specs;
  for (const auto& upstream : config.upstreams) {
    specs.push_back({upstream.service, upstream.addresses});
  }
  return specs;
}

absl::StatusOr<std::shared_ptr<const views::ClientProfiles>> BuildClientProfiles(
    const Snapshot& snapshot) {
  std::vector<views::RouteFacts> facts;
  for (const Route& route : snapshot.route_list) {
    facts.push_back({.selector = route.selector,
                     .view_type = route.composite ? nullptr : route.partial.type,
                     .request_type = route.method ? route.method->input_type() : nullptr,
                     .response = route.response ? &*route.response : nullptr,
                     .composite = route.composite != nullptr,
                     .plan = route.composite.get()});
  }
  return views::ClientProfiles::Build(snapshot.config.clients, snapshot.config.source_path, facts);
}

// Requests by profile, when there are profiles.
std::shared_ptr<ClientMetrics> ClientMetricsFor(const Snapshot& snapshot) {
  if (snapshot.clients->empty()) return nullptr;
  std::vector<std::string> clients;
  for (int profile = views::kUnrecognised; profile < snapshot.clients->size(); ++profile) {
    clients.push_back(snapshot.clients->Name(profile));
  }
  std::vector<std::string> routes;
  for (const Route& route : snapshot.route_list) routes.push_back(route.selector);
  return snapshot.metrics->ForClients(std::move(clients), std::move(routes));
}

std::shared_ptr<RouteMetrics> MetricsFor(const Route& route, GatewayMetrics& metrics) {
  if (route.composite == nullptr) return metrics.ForUnaryRoute(route.selector, route.method_path);
  std::vector<GatewayMetrics::CallName> calls;
  for (const aggregate::PlanCall& call : route.composite->calls()) {
    calls.push_back({.call = call.name, .method_path = call.method_path});
  }
  return metrics.ForCompositeRoute(route.selector, calls);
}

// The API document's path must be its own: a route or endpoint there would
// never be reached.
absl::Status CheckDocumentPath(const Snapshot& snapshot) {
  const config::GatewayConfig& config = snapshot.config;
  const std::string& path = config.openapi.path;
  std::string taken;
  if (std::vector<std::string> methods = snapshot.routes.AllowedMethods(path); !methods.empty()) {
    taken = absl::StrCat("routes ", absl::StrJoin(methods, ", "), " ", path);
  } else if (config.graphql.enabled && config.graphql.path == path) {
    taken = "the GraphQL endpoint";
  } else if (path == "/healthz" || path == "/readyz" || path == auth::kJwksPath) {
    taken = "the gateway's own endpoint";
  }
  if (taken.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(config.source_path, ": openapi.path: ", path,
                                                 " is already taken by ", taken,
                                                 " (choose another path for the API document)"));
}

// Route id i is specs[i] (composites come after the specs' routes and are
// not documented yet).
absl::StatusOr<std::shared_ptr<const views::ClientDocuments>> BuildDocuments(
    const Snapshot& snapshot, const std::vector<RouteSpec>& specs) {
  RETURN_IF_ERROR(CheckDocumentPath(snapshot));
  std::vector<docs::OpenApiRoute> routes;
  for (const RouteSpec& spec : specs) routes.push_back(docs::DocumentedRoute(spec));
  const config::OpenApiConfig& openapi = snapshot.config.openapi;
  return std::make_shared<const views::ClientDocuments>(
      snapshot.clients, std::move(routes),
      docs::OpenApiOptions{.title = openapi.title, .version = openapi.version});
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Snapshot>> BuildSnapshot(
    const config::GatewayConfig& config, const Snapshot* previous,
    std::shared_ptr<GatewayMetrics> metrics, auth::AuthEngine::Options auth_options,
    ServerResources* resources) {
  if (resources != nullptr) auth_options.resources = resources;
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->metrics = std::move(metrics);
  snapshot->config = config;
  ASSIGN_OR_RETURN(std::string descriptor_set, LoadDescriptorSet(config));
  auto registry = transcode::TypeRegistry::FromDescriptorSet(descriptor_set);
  if (!registry.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(DescriptorOrigin(config), ": ", registry.status().message()));
  }
  snapshot->registry = *std::move(registry);
  RETURN_IF_ERROR(CheckUpstreamsExist(config, *snapshot->registry));
  ASSIGN_OR_RETURN(snapshot->channels,
                   upstream::ChannelPool::Create(ChannelSpecs(config), resources));
  ASSIGN_OR_RETURN(std::vector<RouteSpec> specs,
                   LoadRouteSpecs(snapshot->registry->pool(), FileNames(descriptor_set)));
  ASSIGN_OR_RETURN(snapshot->auth,
                   auth::AuthEngine::Create(config.auth, previous ? previous->auth.get() : nullptr,
                                            std::move(auth_options)));
  RETURN_IF_ERROR(AddRoutes(specs, *snapshot));
  for (Route& route : snapshot->route_list) route.metrics = MetricsFor(route, *snapshot->metrics);
  ASSIGN_OR_RETURN(snapshot->clients, BuildClientProfiles(*snapshot));
  snapshot->client_metrics = ClientMetricsFor(*snapshot);
  if (config.graphql.enabled) {
    absl::flat_hash_set<const google::protobuf::MethodDescriptor*> gets;
    for (const RouteSpec& spec : specs) {
      if (spec.http_method == "GET") gets.insert(spec.method);
    }
    ASSIGN_OR_RETURN(snapshot->graphql, BuildGraphqlEndpoint(*snapshot, gets));
  }
  if (config.openapi.enabled) {
    ASSIGN_OR_RETURN(snapshot->documents, BuildDocuments(*snapshot, specs));
  }
  return std::shared_ptr<const Snapshot>(std::move(snapshot));
}

}  // namespace protogate::gateway
