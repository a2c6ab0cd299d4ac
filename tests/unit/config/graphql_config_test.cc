#include "config/graphql_config.h"

#include <string>

#include "absl/strings/match.h"
#include "config/gateway_config.h"
#include "gtest/gtest.h"

namespace protogate::config {
namespace {

constexpr char kSource[] = "gw.yaml";

// Four lines of a minimal config; the graphql section starts at line 5.
std::string WithGraphql(const std::string& graphql) {
  return "descriptors: d.pb\nupstreams:\n  - service: a.B\n    addresses: [h:1]\n" + graphql;
}

GraphqlConfig ParseOk(const std::string& graphql) {
  auto config = ParseGatewayConfig(WithGraphql(graphql), kSource);
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? config->graphql : GraphqlConfig{};
}

::testing::AssertionResult FailsWith(const std::string& graphql, absl::string_view fragment) {
  auto config = ParseGatewayConfig(WithGraphql(graphql), kSource);
  if (config.ok()) return ::testing::AssertionFailure() << "parsed";
  if (absl::StrContains(config.status().message(), fragment)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "\"" << config.status().message() << "\" lacks \"" << fragment << "\"";
}

TEST(GraphqlConfigTest, DefaultsWhenTheSectionIsEmpty) {
  GraphqlConfig graphql = ParseOk("graphql:\n");
  EXPECT_TRUE(graphql.enabled);
  EXPECT_EQ(graphql.path, "/graphql");
  EXPECT_EQ(graphql.max_calls, 50);
  EXPECT_EQ(graphql.join_concurrency, 8);
  EXPECT_EQ(graphql.read_mask, "read_mask");
  EXPECT_TRUE(graphql.joins.empty());
}

TEST(GraphqlConfigTest, JoinsAreReadInFileOrderWithTheirPositions) {
  GraphqlConfig graphql = ParseOk(R"(graphql:
  max_calls: 20
  join_concurrency: 2
  read_mask: ""
  methods:
    demo.catalog.v1.CatalogService.SearchProducts: {read_mask: fields, read_mask_scope: products}
  joins:
    User.orders:
      description: Latest orders.
      method: demo.orders.v1.OrderService/ListOrders
      request: {user_id: $parent.user_id, page_size: $args.first}
      arguments: {first: Int, after: String}
      result: orders
    LineItem.product:
      batch:
        method: demo.catalog.v1.CatalogService/BatchGetProducts
        request: {product_ids: $keys}
        key: $parent.product_id
        response: products
        match: product_id
        max_keys: 25
)");
  EXPECT_EQ(graphql.max_calls, 20);
  EXPECT_EQ(graphql.join_concurrency, 2);
  EXPECT_EQ(graphql.read_mask, "");
  const GraphqlMethodConfig& search =
      graphql.methods.at("demo.catalog.v1.CatalogService.SearchProducts");
  EXPECT_EQ(search.read_mask, "fields");
  EXPECT_EQ(search.read_mask_scope, "products");
  ASSERT_EQ(graphql.joins.size(), 2u);
  const GraphqlJoinConfig& orders = graphql.joins[0];
  EXPECT_EQ(orders.type, "User");
  EXPECT_EQ(orders.field, "orders");
  EXPECT_EQ(orders.where, "gw.yaml:12:5");
  EXPECT_EQ(orders.description, "Latest orders.");
  EXPECT_EQ(orders.method, "demo.orders.v1.OrderService/ListOrders");
  ASSERT_EQ(orders.request.entries.size(), 2u);
  EXPECT_EQ(orders.request.entries[1].second.string_value, "$args.first");
  ASSERT_EQ(orders.arguments.size(), 2u);
  EXPECT_EQ(orders.arguments[1], (std::pair<std::string, std::string>("after", "String")));
  EXPECT_EQ(orders.result, "orders");
  const GraphqlJoinConfig& product = graphql.joins[1];
  ASSERT_TRUE(product.batch.has_value());
  EXPECT_TRUE(product.method.empty());
  EXPECT_EQ(product.batch->method, "demo.catalog.v1.CatalogService/BatchGetProducts");
  EXPECT_EQ(product.batch->key, "$parent.product_id");
  EXPECT_EQ(product.batch->response, "products");
  EXPECT_EQ(product.batch->match, "product_id");
  EXPECT_EQ(product.batch->max_keys, 25);
}

TEST(GraphqlConfigTest, BadJoinsAreRefusedWithTheirLine) {
  EXPECT_TRUE(FailsWith("graphql:\n  joins:\n    Order:\n      method: a.B/C\n",
                        "expected <Type>.<field>, e.g. Order.user"));
  EXPECT_TRUE(FailsWith("graphql:\n  joins:\n    Order.user: {request: {a: 1}}\n",
                        "set method (one call per parent) or batch"));
  EXPECT_TRUE(FailsWith("graphql:\n  joins:\n    Order.user: {method: GetUser}\n",
                        "invalid method \"GetUser\""));
  EXPECT_TRUE(FailsWith("graphql:\n  joins:\n    Order.user: {method: a.B/C, batch: {}}\n",
                        "missing required key"));
  EXPECT_TRUE(
      FailsWith("graphql:\n  joins:\n    Order.user: {method: a.B/C, cache: true}\n", "cache"));
  EXPECT_TRUE(FailsWith("graphql:\n  max_calls: 0\n", "graphql.max_calls"));
  EXPECT_TRUE(FailsWith("graphql:\n  join_concurrency: 1000\n", "graphql.join_concurrency"));
}

}  // namespace
}  // namespace protogate::config
