#include "gateway/graphql_schema.h"

#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "aggregate/request_template.h"
#include "common/status_macros.h"
#include "gateway/composite_routes.h"
#include "transcode/field_mask.h"

namespace protogate::gateway {
namespace {

namespace gpb = google::protobuf;

// "<config>:<line>: graphql.methods: <problem>"
absl::Status ConfigError(const config::GatewayConfig& config,
                         const config::GraphqlMethodConfig& method, absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat(config.source_path, ":", method.line, ": graphql.methods: ", problem));
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
  if (mask == nullptr || !transcode::IsFieldMask(*mask)) {
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
absl::StatusOr<const gpb::MethodDescriptor*> JoinMethod(const config::GatewayConfig& config,
                                                        const gpb::DescriptorPool& pool,
                                                        const config::GraphqlJoinConfig& join,
                                                        const std::string& name) {
  auto problem = [&](absl::string_view text) {
    return absl::InvalidArgumentError(
        absl::StrCat(join.where, ": graphql.joins.", join.type, ".", join.field, ": ", text));
  };
  const size_t slash = name.find('/');
  const std::string service_name = name.substr(0, slash);
  const gpb::ServiceDescriptor* service = pool.FindServiceByName(service_name);
  const gpb::MethodDescriptor* method =
      service == nullptr ? nullptr : service->FindMethodByName(name.substr(slash + 1));
  if (method == nullptr) return problem(absl::StrCat("unknown method ", name));
  if (method->client_streaming() || method->server_streaming()) {
    return problem(absl::StrCat(name, " is a streaming method"));
  }
  for (const config::UpstreamConfig& upstream : config.upstreams) {
    if (upstream.service == service_name) return method;
  }
  return problem(absl::StrCat(service_name, " has no upstream under `upstreams:`"));
}

absl::StatusOr<std::vector<graphql::JoinSpec>> JoinSpecs(const config::GatewayConfig& config,
                                                         const gpb::DescriptorPool& pool,
                                                         const MethodFilter* allowed) {
  std::vector<graphql::JoinSpec> specs;
  for (const config::GraphqlJoinConfig& join : config.graphql.joins) {
    graphql::JoinSpec spec{.type = join.type,
                           .field = join.field,
                           .where = join.where,
                           .description = join.description,
                           .request = ToJson(join.request),
                           .arguments = join.arguments,
                           .result = join.result};
    if (!join.method.empty()) {
      ASSIGN_OR_RETURN(spec.method, JoinMethod(config, pool, join, join.method));
    }
    if (join.batch) {
      ASSIGN_OR_RETURN(const gpb::MethodDescriptor* method,
                       JoinMethod(config, pool, join, join.batch->method));
      spec.batch = graphql::JoinBatchSpec{.method = method,
                                          .request = ToJson(join.batch->request),
                                          .key = join.batch->key,
                                          .response = join.batch->response,
                                          .match = join.batch->match,
                                          .max_keys = join.batch->max_keys};
    }
    const gpb::MethodDescriptor* called = spec.batch ? spec.batch->method : spec.method;
    if (allowed != nullptr) {
      if (called != nullptr && !(*allowed)(*called)) continue;
      spec.skip_without_type = true;
    }
    if (called != nullptr) {
      auto configured = config.graphql.methods.find(called->full_name());
      ASSIGN_OR_RETURN(
          std::tie(spec.read_mask, spec.read_mask_scope),
          ReadMaskOf(config, *called,
                     configured == config.graphql.methods.end() ? nullptr : &configured->second));
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

// The exposed methods, in upstream and method order, with their overrides.
absl::StatusOr<std::vector<graphql::RootMethod>> RootMethods(
    const config::GatewayConfig& config, const gpb::DescriptorPool& pool,
    const absl::flat_hash_set<const gpb::MethodDescriptor*>& gets, const MethodFilter* allowed) {
  std::vector<graphql::RootMethod> roots;
  absl::flat_hash_set<std::string> exposed;
  for (const config::UpstreamConfig& upstream : config.upstreams) {
    const gpb::ServiceDescriptor* service = pool.FindServiceByName(upstream.service);
    if (service == nullptr) continue;  // refused with the upstreams already
    for (int i = 0; i < service->method_count(); ++i) {
      const gpb::MethodDescriptor* method = service->method(i);
      if (method->client_streaming() || method->server_streaming()) continue;
      exposed.insert(method->full_name());
      if (allowed != nullptr && !(*allowed)(*method)) continue;
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

absl::StatusOr<std::shared_ptr<const graphql::Schema>> Build(
    const config::GatewayConfig& config, const transcode::TypeRegistry& registry,
    const absl::flat_hash_set<const gpb::MethodDescriptor*>& get_methods,
    const MethodFilter* allowed) {
  ASSIGN_OR_RETURN(std::vector<graphql::RootMethod> roots,
                   RootMethods(config, registry.pool(), get_methods, allowed));
  ASSIGN_OR_RETURN(std::vector<graphql::JoinSpec> joins,
                   JoinSpecs(config, registry.pool(), allowed));
  auto schema = graphql::Schema::Build(roots, joins, &registry);
  if (schema.ok()) return schema;
  // A caller who may use no query has no schema: GraphQL needs a Query type.
  if (allowed != nullptr && absl::IsFailedPrecondition(schema.status())) {
    return absl::NotFoundError(schema.status().message());
  }
  // Join errors start with their own position.
  if (absl::StartsWith(schema.status().message(), config.source_path)) return schema.status();
  return absl::InvalidArgumentError(
      absl::StrCat(config.source_path, ": graphql: ", schema.status().message()));
}

}  // namespace

absl::StatusOr<std::shared_ptr<const graphql::Schema>> BuildGraphqlSchema(
    const config::GatewayConfig& config, const transcode::TypeRegistry& registry,
    const absl::flat_hash_set<const gpb::MethodDescriptor*>& get_methods) {
  return Build(config, registry, get_methods, nullptr);
}

absl::StatusOr<std::shared_ptr<const graphql::Schema>> BuildGraphqlSchema(
    const config::GatewayConfig& config, const transcode::TypeRegistry& registry,
    const absl::flat_hash_set<const gpb::MethodDescriptor*>& get_methods,
    const MethodFilter& allowed) {
  return Build(config, registry, get_methods, &allowed);
}

}  // namespace protogate::gateway
