#include "gateway/graphql_endpoint.h"

#include <fstream>
#include <iterator>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "aggregate/request_template.h"
#include "auth/token_cache.h"
#include "common/status_macros.h"
#include "gateway/composite_routes.h"
#include "nlohmann/json.hpp"

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

using ReadMask = std::pair<const gpb::FieldDescriptor*, const gpb::FieldDescriptor*>;

// The request's read mask field and the response field it is relative to:
// the method's `read_mask` (or graphql.read_mask) when the request has a
// google.protobuf.FieldMask field of that name. Named for the method and
// missing or of another type: a load error.
absl::StatusOr<ReadMask> ReadMaskOf(const config::GatewayConfig& config,
                                    const gpb::MethodDescriptor& method,
                                    const config::GraphqlMethodConfig* configured) {
  const bool explicit_name = configured != nullptr && configured->read_mask.has_value();
  const std::string& name = explicit_name ? *configured->read_mask : config.graphql.read_mask;
  if (name.empty()) return ReadMask{};
  const gpb::FieldDescriptor* mask = aggregate::FindField(*method.input_type(), name);
  const bool is_mask = mask != nullptr && !mask->is_repeated() && mask->message_type() != nullptr &&
                       mask->message_type()->full_name() == "google.protobuf.FieldMask";
  if (!is_mask) {
    if (!explicit_name) return ReadMask{};
    return ConfigError(config, *configured,
                       absl::StrCat(method.full_name(), ": read_mask: ", name,
                                    " is no google.protobuf.FieldMask field of ",
                                    method.input_type()->full_name()));
  }
  if (configured == nullptr || configured->read_mask_scope.empty()) return ReadMask{mask, nullptr};
  const gpb::FieldDescriptor* scope =
      aggregate::FindField(*method.output_type(), configured->read_mask_scope);
  if (scope == nullptr || scope->message_type() == nullptr || scope->is_map()) {
    return ConfigError(
        config, *configured,
        absl::StrCat(method.full_name(), ": read_mask_scope: ", configured->read_mask_scope,
                     " is no message field of ", method.output_type()->full_name()));
  }
  return ReadMask{mask, scope};
}

// "pkg.Service/Method" of a join, with an upstream to call.
absl::StatusOr<const gpb::MethodDescriptor*> JoinMethod(const Snapshot& snapshot,
                                                        const config::GraphqlJoinConfig& join,
                                                        const std::string& name) {
  auto problem = [&](absl::string_view text) {
    return absl::InvalidArgumentError(
        absl::StrCat(join.where, ": graphql.joins.", join.type, ".", join.field, ": ", text));
  };
  const size_t slash = name.find('/');
  const std::string service_name = name.substr(0, slash);
  const gpb::ServiceDescriptor* service = snapshot.registry->pool().FindServiceByName(service_name);
  const gpb::MethodDescriptor* method =
      service == nullptr ? nullptr : service->FindMethodByName(name.substr(slash + 1));
  if (method == nullptr) return problem(absl::StrCat("unknown method ", name));
  if (method->client_streaming() || method->server_streaming()) {
    return problem(absl::StrCat(name, " is a streaming method"));
  }
  for (const config::UpstreamConfig& upstream : snapshot.config.upstreams) {
    if (upstream.service == service_name) return method;
  }
  return problem(absl::StrCat(service_name, " has no upstream under `upstreams:`"));
}

absl::StatusOr<std::vector<graphql::JoinSpec>> JoinSpecs(const Snapshot& snapshot) {
  std::vector<graphql::JoinSpec> specs;
  for (const config::GraphqlJoinConfig& join : snapshot.config.graphql.joins) {
    graphql::JoinSpec spec{.type = join.type,
                           .field = join.field,
                           .where = join.where,
                           .description = join.description,
                           .request = ToJson(join.request),
                           .arguments = join.arguments,
                           .result = join.result};
    if (!join.method.empty()) {
      ASSIGN_OR_RETURN(spec.method, JoinMethod(snapshot, join, join.method));
    }
    if (join.batch) {
      ASSIGN_OR_RETURN(const gpb::MethodDescriptor* method,
                       JoinMethod(snapshot, join, join.batch->method));
      spec.batch = graphql::JoinBatchSpec{.method = method,
                                          .request = ToJson(join.batch->request),
                                          .key = join.batch->key,
                                          .response = join.batch->response,
                                          .match = join.batch->match,
                                          .max_keys = join.batch->max_keys};
    }
    specs.push_back(std::move(spec));
  }
  return specs;
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
      ASSIGN_OR_RETURN(
          std::tie(root.read_mask, root.read_mask_scope),
          ReadMaskOf(config, *method, it == config.graphql.methods.end() ? nullptr : &it->second));
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

std::string Sha256Hex(absl::string_view text) {
  return absl::BytesToHexString(auth::DigestOf(text));
}

// graphql.trusted_documents: {"<sha256 hex>" or "sha256:<hex>": "<document>"},
// each key the SHA-256 of its document.
absl::StatusOr<absl::flat_hash_map<std::string, std::string>> ReadTrustedDocuments(
    const std::string& path) {
  auto problem = [&](absl::string_view text) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": graphql.trusted_documents: ", text));
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) return problem("cannot read the file");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const nlohmann::json manifest = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!manifest.is_object()) {
    return problem("expected a JSON object {\"<sha256 hex>\": \"<document>\", ...}");
  }
  absl::flat_hash_map<std::string, std::string> documents;
  for (const auto& [key, document] : manifest.items()) {
    absl::string_view hash = key;
    absl::ConsumePrefix(&hash, "sha256:");
    if (!document.is_string()) return problem(absl::StrCat(key, ": the document is not a string"));
    const std::string actual = Sha256Hex(document.get_ref<const std::string&>());
    if (hash != actual) {
      return problem(absl::StrCat(key, ": is not the SHA-256 of its document (", actual, ")"));
    }
    documents.emplace(actual, document.get<std::string>());
  }
  return documents;
}

}  // namespace

absl::Status ResolveDocument(const GraphqlEndpoint& endpoint, graphql::GraphqlRequest& request) {
  if (!endpoint.trusted_only) {
    if (!request.query.empty()) return absl::OkStatus();
    return absl::InvalidArgumentError(
        "this gateway has no trusted documents to look a documentId up in: send the query");
  }
  if (request.query.empty()) {
    auto it = endpoint.trusted.find(request.document_id);
    if (it == endpoint.trusted.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("no trusted document sha256:", request.document_id));
    }
    request.query = it->second;
    return absl::OkStatus();
  }
  const std::string hash = Sha256Hex(request.query);
  if (!request.document_id.empty() && request.document_id != hash) {
    return absl::InvalidArgumentError(
        absl::StrCat("the query is not the document sha256:", request.document_id));
  }
  if (!endpoint.trusted.contains(hash)) {
    return absl::PermissionDeniedError(
        absl::StrCat("this gateway runs trusted documents only, and the query (sha256:", hash,
                     ") is not one of them"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const GraphqlEndpoint>> BuildGraphqlEndpoint(
    const Snapshot& snapshot,
    const absl::flat_hash_set<const gpb::MethodDescriptor*>& get_methods) {
  const config::GraphqlConfig& config = snapshot.config.graphql;
  ASSIGN_OR_RETURN(std::vector<graphql::RootMethod> roots, RootMethods(snapshot, get_methods));
  ASSIGN_OR_RETURN(std::vector<graphql::JoinSpec> joins, JoinSpecs(snapshot));
  auto schema = graphql::Schema::Build(roots, joins, snapshot.registry.get());
  if (!schema.ok()) {
    // Join errors start with their own position.
    const bool placed = absl::StartsWith(schema.status().message(), snapshot.config.source_path);
    return absl::InvalidArgumentError(
        placed
            ? std::string(schema.status().message())
            : absl::StrCat(snapshot.config.source_path, ": graphql: ", schema.status().message()));
  }
  auto endpoint = std::make_shared<GraphqlEndpoint>();
  endpoint->schema = *std::move(schema);
  auto values =
      std::make_shared<aggregate::ValuePrinter>(snapshot.registry, transcode::JsonOutputOptions{});
  std::vector<GatewayMetrics::CallName> calls;
  // Each method once, named for its first field (a root field, or a join:
  // "Order.user").
  auto add_method = [&](const gpb::MethodDescriptor& method,
                        const std::string& name) -> absl::Status {
    if (endpoint->methods.contains(&method)) return absl::OkStatus();
    ASSIGN_OR_RETURN(GraphqlMethod call, MethodCall(snapshot, method));
    call.metrics_index = calls.size();
    calls.push_back({.call = name, .method_path = call.method_path});
    values->Prepare(*method.output_type());
    endpoint->methods.emplace(&method, std::move(call));
    return absl::OkStatus();
  };
  for (const auto& type : endpoint->schema->types()) {
    if (type->kind != graphql::SchemaType::Kind::kObject) continue;
    for (const graphql::SchemaField& field : type->fields) {
      if (field.method != nullptr) RETURN_IF_ERROR(add_method(*field.method, field.name));
      if (field.join != nullptr)
        RETURN_IF_ERROR(add_method(field.join->called(), field.join->name));
    }
  }
  endpoint->values = std::move(values);
  endpoint->limits = {.max_tokens = config.max_tokens,
                      .max_depth = config.max_depth,
                      .max_aliases = config.max_aliases,
                      .max_root_fields = config.max_root_fields,
                      .introspection = config.introspection,
                      .max_calls = config.max_calls,
                      .join_concurrency = config.join_concurrency};
  endpoint->timeout = config.timeout;
  endpoint->documents =
      std::make_shared<graphql::DocumentCache>(static_cast<size_t>(config.plan_cache_size));
  if (!config.trusted_documents.empty()) {
    ASSIGN_OR_RETURN(endpoint->trusted, ReadTrustedDocuments(config.trusted_documents));
    endpoint->trusted_only = true;
  }
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
