#pragma once

// Composite routes for end-to-end tests, written as a user writes them (the
// `composites:` section of gateway.yaml) and read by the real config loader.
//
// Example:
//   GatewayUnderTest gw(WithComposites(kDemoDashboard));
//   gw.Call({.target = "/v1/dashboard/1"});

#include <functional>
#include <string>
#include <vector>

#include "config/gateway_config.h"
#include "gtest/gtest.h"

namespace protogate::test {

// A user's dashboard over the demo services: the user, their orders
// (optional) and each ordered product.
inline constexpr char kDemoDashboard[] = R"(composites:
  - name: dashboard
    get: /v1/dashboard/{user_id}
    timeout: 5s
    calls:
      user:
        method: demo.users.v1.UserService/GetUser
        request: {user_id: $path.user_id}
      orders:
        method: demo.orders.v1.OrderService/ListOrders
        request: {user_id: $path.user_id, page_size: $query.limit}
        required: false
        fallback: {orders: []}
      products:
        method: demo.catalog.v1.CatalogService/GetProduct
        for_each: $orders.orders[*].items[0].product_id
        request: {product_id: $item}
        concurrency: 3
    response:
      user: $user
      orders: $orders.orders
      products: $products
      $drop: [user.email]
)";

// The composites of a YAML snippet (a `composites:` section).
inline std::vector<config::CompositeRouteConfig> ParseComposites(const std::string& yaml) {
  auto parsed = config::ParseGatewayConfig(
      "descriptors: d.pb\nupstreams:\n  - service: a.B\n    addresses: [h:1]\n" + yaml, "e2e.yaml");
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? parsed->composites : std::vector<config::CompositeRouteConfig>{};
}

// A GatewayUnderTest adjustment that installs them.
inline std::function<void(config::GatewayConfig&)> WithComposites(const std::string& yaml) {
  auto composites = ParseComposites(yaml);
  return [composites](config::GatewayConfig& config) { config.composites = composites; };
}

}  // namespace protogate::test
