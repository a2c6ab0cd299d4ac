#include "config/composite_config.h"

#include <string>

#include "absl/strings/match.h"
#include "config/gateway_config.h"
#include "gtest/gtest.h"

namespace protogate::config {
namespace {

constexpr char kSource[] = "gw.yaml";

// Four lines of a minimal config; the composites start at line 5.
std::string WithComposites(const std::string& composites) {
  return "descriptors: d.pb\nupstreams:\n  - service: a.B\n    addresses: [h:1]\n" + composites;
}

std::vector<CompositeRouteConfig> ParseOk(const std::string& composites) {
  auto config = ParseGatewayConfig(WithComposites(composites), kSource);
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? config->composites : std::vector<CompositeRouteConfig>{};
}

::testing::AssertionResult FailsWith(const std::string& composites, absl::string_view fragment) {
  auto config = ParseGatewayConfig(WithComposites(composites), kSource);
  if (config.ok()) return ::testing::AssertionFailure() << "parsed";
  if (absl::StrContains(config.status().message(), fragment)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "\"" << config.status().message() << "\" lacks \"" << fragment << "\"";
}

constexpr char kDashboard[] = R"(composites:
  - name: dashboard
    get: /v1/dashboard/{user_id}
    timeout: 2s
    calls:
      user:
        method: demo.users.v1.UserService/GetUser
        request: {user_id: $path.user_id}
        timeout: 500ms
      orders:
        method: demo.orders.v1.OrderService/ListOrders
        request: {user_id: "$path.user_id", page_size: 5, status: ~, note: "7"}
        required: false
        fallback: {orders: []}
      products:
        method: demo.catalog.v1.CatalogService/GetProduct
        for_each: $orders.orders[*].items[0].product_id
        distinct: true
        request: {product_id: $item}
        concurrency: 3
    response:
      user: $user
      orders: $orders.orders
      $drop: [user.email]
)";

TEST(CompositeConfigTest, ReadsACompleteComposite) {
  auto composites = ParseOk(kDashboard);
  ASSERT_EQ(composites.size(), 1u);
  const CompositeRouteConfig& route = composites[0];
  EXPECT_EQ(route.name, "dashboard");
  EXPECT_EQ(route.where, "gw.yaml:6:5");
  EXPECT_EQ(route.http_method, "GET");
  EXPECT_EQ(route.path, "/v1/dashboard/{user_id}");
  EXPECT_EQ(route.timeout, std::chrono::milliseconds(2000));
  ASSERT_EQ(route.calls.size(), 3u);
  EXPECT_EQ(route.calls[0].name, "user");
  EXPECT_EQ(route.calls[0].where, "gw.yaml:10:7");
  EXPECT_EQ(route.calls[0].timeout, std::chrono::milliseconds(500));
  EXPECT_TRUE(route.calls[0].required);
  EXPECT_FALSE(route.calls[1].required);
  ASSERT_TRUE(route.calls[1].fallback.has_value());
  EXPECT_EQ(route.calls[1].fallback->entries[0].first, "orders");
  EXPECT_EQ(route.calls[1].fallback->entries[0].second.kind, ConfigValue::Kind::kList);
  EXPECT_EQ(route.calls[2].for_each, "$orders.orders[*].items[0].product_id");
  EXPECT_TRUE(route.calls[2].distinct);
  EXPECT_EQ(route.calls[2].concurrency, 3);
  ASSERT_TRUE(route.response.has_value());
  EXPECT_EQ(route.response->entries[2].first, "$drop");
}

TEST(CompositeConfigTest, ScalarsKeepTheirYamlTypes) {
  auto composites = ParseOk(kDashboard);
  ASSERT_EQ(composites.size(), 1u);
  const auto& entries = composites[0].calls[1].request.entries;
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].second.kind, ConfigValue::Kind::kString);
  EXPECT_EQ(entries[0].second.string_value, "$path.user_id");
  EXPECT_EQ(entries[1].second.kind, ConfigValue::Kind::kInt);
  EXPECT_EQ(entries[1].second.int_value, 5);
  EXPECT_EQ(entries[2].second.kind, ConfigValue::Kind::kNull);
  EXPECT_EQ(entries[3].second.kind, ConfigValue::Kind::kString);  // quoted "7"
}

TEST(CompositeConfigTest, CustomMethodsAndBatches) {
  auto composites = ParseOk(R"(composites:
  - custom: {kind: search, path: /v1/things}
    calls:
      things:
        for_each: $query.id
        batch: {method: a.B/Many, request: {ids: $items}, response: things}
)");
  ASSERT_EQ(composites.size(), 1u);
  EXPECT_EQ(composites[0].http_method, "SEARCH");
  EXPECT_EQ(composites[0].timeout, std::chrono::milliseconds(5000));
  ASSERT_TRUE(composites[0].calls[0].batch.has_value());
  EXPECT_EQ(composites[0].calls[0].batch->method, "a.B/Many");
  EXPECT_EQ(composites[0].calls[0].batch->response, "things");
  EXPECT_TRUE(composites[0].calls[0].method.empty());
}

TEST(CompositeConfigTest, AnAbsentSectionMeansNone) {
  EXPECT_TRUE(ParseOk("").empty());
  EXPECT_TRUE(ParseOk("composites:\n").empty());
}

TEST(CompositeConfigTest, Errors) {
  EXPECT_TRUE(FailsWith("composites:\n  - calls: {a: {method: a.B/C}}\n",
                        "gw.yaml:6:5: composites[0].get: missing required key"));
  EXPECT_TRUE(FailsWith("composites:\n  - get: /a\n    post: /b\n    calls: {a: {method: a.B/C}}\n",
                        "gw.yaml:7:11: composites[0].post: a composite has one HTTP method"));
  EXPECT_TRUE(FailsWith("composites:\n  - get: /a\n", "composites[0].calls: missing required key"));
  EXPECT_TRUE(FailsWith("composites:\n  - get: /a\n    calls: {}\n", "at least one call"));
  EXPECT_TRUE(FailsWith("composites:\n  - get: /a\n    calls: {a: {method: GetUser}}\n",
                        "composites[0].calls.a.method: invalid method \"GetUser\""));
  EXPECT_TRUE(FailsWith("composites:\n  - get: /a\n    calls: {a: {request: {}}}\n",
                        "composites[0].calls.a.method: missing required key"));
  EXPECT_TRUE(FailsWith("composites:\n  - get: /a\n    calls: {a: {method: a.B/C, retries: 3}}\n",
                        "unknown key \"retries\""));
  EXPECT_TRUE(FailsWith("composites:\n  - get: /a\n    calls: {a: {method: a.B/C, timeout: 5}}\n",
                        "composites[0].calls.a.timeout"));
  EXPECT_TRUE(
      FailsWith("composites:\n  - get: /a\n    calls: {a: {method: a.B/C, required: maybe}}\n",
                "composites[0].calls.a.required"));
  EXPECT_TRUE(
      FailsWith("composites:\n  - get: /a\n    calls: {a: {method: a.B/C, concurrency: 0}}\n",
                "composites[0].calls.a.concurrency"));
  EXPECT_TRUE(FailsWith("composites:\n  - get: /a\n    calls: {a: {method: a.B/C, request: [1]}}\n",
                        "composites[0].calls.a.request: expected a mapping"));
  EXPECT_TRUE(FailsWith("composites:\n  - get: /a\n    calls: {a-b: {method: a.B/C}}\n",
                        "invalid call name \"a-b\""));
  EXPECT_TRUE(FailsWith(
      "composites:\n  - get: /a\n    calls: {a: {method: a.B/C, batch: {method: a.B/D}}}\n",
      "composites[0].calls.a.batch.response: missing required key"));
  EXPECT_TRUE(
      FailsWith("composites:\n  - name: x\n    get: /a\n    calls: {a: {method: a.B/C}}\n"
                "  - name: x\n    get: /b\n    calls: {a: {method: a.B/C}}\n",
                "duplicate composite name \"x\""));
  EXPECT_TRUE(FailsWith("composites: {get: /a}\n", "composites: expected a list"));
}

}  // namespace
}  // namespace protogate::config
