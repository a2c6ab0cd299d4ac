#pragma once

// Shared by the aggregate unit tests: the demo descriptor set, an
// environment where every demo service has an upstream (without channels),
// and specs built from JSON text so a test reads like the config it mirrors.

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "aggregate/composite_plan.h"
#include "gtest/gtest.h"

namespace protogate::aggregate {

inline std::shared_ptr<const transcode::TypeRegistry> DemoRegistry() {
  static const auto* const kRegistry = [] {
    std::ifstream in(PROTOGATE_DEMO_DESCRIPTORS, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    auto registry = transcode::TypeRegistry::FromDescriptorSet(bytes.str());
    return new std::shared_ptr<const transcode::TypeRegistry>(registry.ok() ? *registry : nullptr);
  }();
  return *kRegistry;
}

inline PlanEnvironment DemoEnvironment() {
  PlanEnvironment env;
  env.registry = DemoRegistry();
  for (const char* service : {"demo.users.v1.UserService", "demo.orders.v1.OrderService",
                              "demo.catalog.v1.CatalogService"}) {
    env.upstreams[service] = UpstreamInfo{
        .stub = nullptr, .timeout = std::chrono::milliseconds(5000), .method_timeouts = {}};
  }
  return env;
}

// `calls` is a JSON object: name -> {method, request, required, fallback,
// for_each, distinct, concurrency, timeout_ms, batch}.
inline CompositeSpec SpecFromJson(const std::string& path, const std::string& calls_json,
                                  const std::string& response_json = "") {
  CompositeSpec spec;
  spec.where = "test.yaml:1:3";
  spec.http_method = "GET";
  spec.path_template = path;
  const Json calls = Json::parse(calls_json);
  for (auto it = calls.begin(); it != calls.end(); ++it) {
    const Json& c = *it;
    CallSpec call;
    call.name = it.key();
    call.where = "test.yaml:4:7";
    call.method = c.value("method", "");
    if (c.contains("request")) call.request = c["request"];
    call.required = c.value("required", true);
    if (c.contains("fallback")) call.fallback = c["fallback"];
    call.for_each = c.value("for_each", "");
    call.distinct = c.value("distinct", false);
    call.concurrency = c.value("concurrency", 0);
    if (c.contains("timeout_ms")) {
      call.timeout = std::chrono::milliseconds(c["timeout_ms"].get<int>());
    }
    if (c.contains("batch")) {
      call.batch = BatchSpec{.method = c["batch"]["method"],
                             .request = c["batch"].value("request", Json::object()),
                             .response = c["batch"]["response"]};
    }
    spec.calls.push_back(std::move(call));
  }
  if (!response_json.empty()) spec.response = Json::parse(response_json);
  return spec;
}

// The dashboard of the README: a user, their orders, a product per order.
inline constexpr char kDashboardCalls[] = R"({
  "user": {"method": "demo.users.v1.UserService/GetUser",
           "request": {"user_id": "$path.user_id"}},
  "orders": {"method": "demo.orders.v1.OrderService/ListOrders",
             "request": {"user_id": "$path.user_id", "page_size": "$query.limit"},
             "required": false, "fallback": {"orders": []}},
  "products": {"method": "demo.catalog.v1.CatalogService/GetProduct",
               "for_each": "$orders.orders[*].items[0].product_id",
               "request": {"product_id": "$item"}, "concurrency": 2}
})";

}  // namespace protogate::aggregate
