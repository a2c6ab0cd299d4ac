#include "gateway/composite_routes.h"

#include "aggregate/composite_plan.h"
#include "common/status_macros.h"

namespace protogate::gateway {

aggregate::Json ToJson(const config::ConfigValue& value) {
  using Kind = config::ConfigValue::Kind;
  switch (value.kind) {
    case Kind::kNull:
      return nullptr;
    case Kind::kBool:
      return value.bool_value;
    case Kind::kInt:
      return value.int_value;
    case Kind::kDouble:
      return value.double_value;
    case Kind::kString:
      return value.string_value;
    case Kind::kList: {
      aggregate::Json list = aggregate::Json::array();
      for (const config::ConfigValue& item : value.items) list.push_back(ToJson(item));
      return list;
    }
    case Kind::kMap: {
      aggregate::Json map = aggregate::Json::object();
      for (const auto& [key, item] : value.entries) map[key] = ToJson(item);
      return map;
    }
  }
  return nullptr;
}

namespace {

aggregate::CallSpec CallSpecOf(const config::CompositeCallConfig& call) {
  aggregate::CallSpec spec{.name = call.name,
                           .where = call.where,
                           .method = call.method,
                           .request = ToJson(call.request),
                           .timeout = call.timeout,
                           .required = call.required,
                           .fallback = std::nullopt,
                           .for_each = call.for_each,
                           .distinct = call.distinct,
                           .concurrency = call.concurrency,
                           .batch = std::nullopt};
  if (call.fallback) spec.fallback = ToJson(*call.fallback);
  if (call.batch) {
    spec.batch = aggregate::BatchSpec{.method = call.batch->method,
                                      .request = ToJson(call.batch->request),
                                      .response = call.batch->response};
  }
  return spec;
}

aggregate::CompositeSpec SpecOf(const config::CompositeRouteConfig& route) {
  aggregate::CompositeSpec spec{.name = route.name,
                                .where = route.where,
                                .http_method = route.http_method,
                                .path_template = route.path,
                                .timeout = route.timeout,
                                .calls = {},
                                .response = std::nullopt};
  for (const config::CompositeCallConfig& call : route.calls)
    spec.calls.push_back(CallSpecOf(call));
  if (route.response) spec.response = ToJson(*route.response);
  return spec;
}

aggregate::PlanEnvironment EnvironmentOf(const Snapshot& snapshot) {
  const config::GatewayConfig& config = snapshot.config;
  aggregate::PlanEnvironment env;
  env.registry = snapshot.registry;
  env.output = {.use_proto_field_names = config.transcoding.use_proto_field_names,
                .emit_default_values = config.transcoding.emit_default_values,
                .enums_as_ints = config.transcoding.enums_as_ints};
  env.max_json_depth = config.transcoding.max_json_depth;
  for (const config::UpstreamConfig& upstream : config.upstreams) {
    env.upstreams[upstream.service] = {.stub = snapshot.channels->StubFor(upstream.service),
                                       .timeout = upstream.timeout,
                                       .method_timeouts = upstream.method_timeouts,
                                       .read_mask = upstream.read_mask.value_or("read_mask")};
  }
  return env;
}

}  // namespace

absl::Status AddCompositeRoutes(Snapshot& snapshot, routing::RouteTable::Builder& builder) {
  if (snapshot.config.composites.empty()) return absl::OkStatus();
  const aggregate::PlanEnvironment env = EnvironmentOf(snapshot);
  for (const config::CompositeRouteConfig& route : snapshot.config.composites) {
    auto plan = aggregate::CompositePlan::Build(SpecOf(route), env);
    if (!plan.ok()) return plan.status();  // it names the file, line and composite
    const aggregate::CompositePlan& p = **plan;
    const int id = static_cast<int>(snapshot.route_list.size());
    RETURN_IF_ERROR(builder.Add(p.http_method(), p.path_template(), id, p.description()));
    snapshot.route_list.push_back(Route{.description = p.description(),
                                        .service = "",
                                        .method_path = p.name(),
                                        .timeout = p.timeout(),
                                        .request = std::nullopt,
                                        .response = std::nullopt,
                                        .stub = nullptr,
                                        // `fields` is the gateway's unless the composite reads it.
                                        .partial = {.query_parameter = !p.ReadsQuery("fields")},
                                        .policy = &snapshot.auth->PolicyFor(p.name()),
                                        .selector = p.name(),
                                        .composite = *std::move(plan)});
  }
  return absl::OkStatus();
}

}  // namespace protogate::gateway
