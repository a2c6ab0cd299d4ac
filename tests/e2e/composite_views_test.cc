// A composite route narrowed end to end, over the real demo services: a
// client's `fields` and its profile's view keep part of the dashboard, the
// calls nothing kept reads are not made (the services' call counters show
// it), and each call made receives the mask of what is read of its output
// (the users service as its read_mask and metadata, the orders and catalog
// services as metadata; each records what it got).

#include <string>

#include "gtest/gtest.h"
#include "support/composites.h"
#include "support/gateway_under_test.h"

namespace protogate::test {
namespace {

using demo_services::DemoService;
using nlohmann::json;

// The dashboard, and a mobile profile (by /mobile) that may use it and sees
// the user's profile and each order's id and status.
void Configure(config::GatewayConfig& config) {
  WithComposites(kDemoDashboard)(config);
  config::ClientProfileConfig mobile{.name = "mobile", .line = 1};
  mobile.path_prefix = "/mobile";
  mobile.widen_unverified = true;
  mobile.all_routes = false;
  mobile.routes = {"dashboard"};
  mobile.route_lines = {1};
  mobile.views = {{.method = "dashboard", .fields = {"user.profile", "orders(orderId,status)"}}};
  config.clients.profiles = {mobile};
}

class CompositeViewsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { gateway_ = new GatewayUnderTest(Configure); }
  static void TearDownTestSuite() {
    delete gateway_;
    gateway_ = nullptr;
  }
  // Calls made to each service since the last call of this.
  struct Counts {
    int64_t users = 0, orders = 0, catalog = 0;
  };
  static Counts CallsSince() {
    static Counts last;
    DemoBackend& backend = gateway_->backend();
    Counts now{.users = backend.stats(DemoService::kUsers).total_calls,
               .orders = backend.stats(DemoService::kOrders).total_calls,
               .catalog = backend.stats(DemoService::kCatalog).total_calls};
    Counts made{.users = now.users - last.users,
                .orders = now.orders - last.orders,
                .catalog = now.catalog - last.catalog};
    last = now;
    return made;
  }
  static demo_services::ServiceControls& Users() {
    return gateway_->backend().server().users().controls();
  }
  static demo_services::ServiceControls& Orders() {
    return gateway_->backend().server().orders().controls();
  }
  static demo_services::ServiceControls& Catalog() {
    return gateway_->backend().server().catalog().controls();
  }
  static HttpResponse Get(const std::string& target) {
    CallsSince();
    return gateway_->Call({.target = target});
  }
  static GatewayUnderTest* gateway_;
};
GatewayUnderTest* CompositeViewsTest::gateway_ = nullptr;

TEST_F(CompositeViewsTest, TheWholeDashboardAsksTheOrdersOnlyForTheirOrders) {
  HttpResponse response = Get("/v1/dashboard/1?limit=2");
  ASSERT_EQ(response.status, 200) << response.body;
  const Counts made = CallsSince();
  EXPECT_EQ(made.users, 1);
  EXPECT_EQ(made.orders, 1);
  EXPECT_EQ(made.catalog, 2);
  EXPECT_EQ(Orders().last_mask().metadata, "orders");
  // The user and the products are read whole: no mask at all.
  EXPECT_FALSE(Users().last_mask().metadata_present);
  EXPECT_EQ(Users().last_mask().read_mask, "");
  EXPECT_FALSE(Catalog().last_mask().metadata_present);
}

TEST_F(CompositeViewsTest, FieldsKeepPartAndUnreadCallsAreNotMade) {
  HttpResponse response = Get("/v1/dashboard/1?limit=2&fields=user(profile.region)");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(GatewayUnderTest::Json(response),
            json::parse(R"({"user":{"profile":{"region":"eu"}}})"));
  const Counts made = CallsSince();
  EXPECT_EQ(made.users, 1);
  EXPECT_EQ(made.orders, 0);
  EXPECT_EQ(made.catalog, 0);
  EXPECT_EQ(Users().last_mask().read_mask, "profile.region");
  EXPECT_EQ(Users().last_mask().metadata, "profile.region");
}

TEST_F(CompositeViewsTest, ACallAKeptCallNeedsRunsForWhatThatCallReads) {
  CallsSince();
  HttpResponse response = gateway_->Call(
      {.target = "/v1/dashboard/1?limit=2", .headers = {{"X-Fields", "products.*.title"}}});
  ASSERT_EQ(response.status, 200) << response.body;
  json body = GatewayUnderTest::Json(response);
  ASSERT_EQ(body.size(), 1u) << body;
  ASSERT_EQ(body["products"].size(), 2u) << body;
  EXPECT_EQ(body["products"][0].size(), 1u) << body;
  EXPECT_TRUE(body["products"][0].contains("title")) << body;
  const Counts made = CallsSince();
  EXPECT_EQ(made.users, 0);
  EXPECT_EQ(made.orders, 1);
  EXPECT_EQ(made.catalog, 2);
  EXPECT_EQ(Orders().last_mask().metadata, "orders.items.product_id");
  EXPECT_EQ(Catalog().last_mask().metadata, "title");
}

TEST_F(CompositeViewsTest, TheProfilesViewShapesItsDashboard) {
  HttpResponse response = Get("/mobile/v1/dashboard/1?limit=2");
  ASSERT_EQ(response.status, 200) << response.body;
  json body = GatewayUnderTest::Json(response);
  EXPECT_EQ(body["user"], json::parse(R"({"profile":{"displayName":"Ada Lovelace","region":"eu",)"
                                      R"("avatarUrl":"https://example.com/avatars/1.png"}})"))
      << body;
  ASSERT_EQ(body["orders"].size(), 2u) << body;
  for (const json& order : body["orders"]) {
    EXPECT_TRUE(order.contains("orderId")) << order;
    EXPECT_TRUE(order.contains("status")) << order;
    EXPECT_EQ(order.size(), 2u) << order;
  }
  EXPECT_FALSE(body.contains("products")) << body;
  const Counts made = CallsSince();
  EXPECT_EQ(made.catalog, 0);
  EXPECT_EQ(Users().last_mask().read_mask, "profile");
  EXPECT_EQ(Orders().last_mask().metadata, "orders.order_id,orders.status");
}

TEST_F(CompositeViewsTest, TheProfilesCallersNarrowWithinItsView) {
  HttpResponse response = Get("/mobile/v1/dashboard/1?limit=2&fields=orders.status");
  ASSERT_EQ(response.status, 200) << response.body;
  json body = GatewayUnderTest::Json(response);
  ASSERT_EQ(body.size(), 1u) << body;
  EXPECT_EQ(body["orders"][0].size(), 1u) << body;
  EXPECT_EQ(CallsSince().users, 0);

  HttpResponse outside = Get("/mobile/v1/dashboard/1?fields=products");
  EXPECT_EQ(outside.status, 400) << outside.body;
  EXPECT_EQ(GatewayUnderTest::Json(outside)["message"],
            "fields: no field \"products\" at \"products\"");
  HttpResponse email = Get("/mobile/v1/dashboard/1?fields=user.email");
  EXPECT_EQ(email.status, 400) << email.body;
  EXPECT_EQ(GatewayUnderTest::Json(email)["message"],
            "fields: no field \"email\" at \"user.email\"");
  EXPECT_EQ(CallsSince().users, 0);
}

TEST_F(CompositeViewsTest, BadSelectionsAre400NamingThePath) {
  const struct {
    std::string target;
    std::string message;
  } cases[] = {
      {"/v1/dashboard/1?fields=usr", "fields: no field \"usr\" at \"usr\""},
      // The dashboard drops the user's email: it is no field of the answer.
      {"/v1/dashboard/1?fields=user.email", "fields: no field \"email\" at \"user.email\""},
      {"/v1/dashboard/1?fields=orders.nte", "fields: no field \"nte\" at \"orders.nte\""},
      {"/v1/dashboard/1?fields=user(", "fields: unexpected end"},
  };
  for (const auto& c : cases) {
    HttpResponse response = Get(c.target);
    EXPECT_EQ(response.status, 400) << c.target;
    json body = GatewayUnderTest::Json(response);
    EXPECT_EQ(body["code"], 3) << c.target;
    EXPECT_EQ(body["message"], c.message) << c.target;
    const Counts made = CallsSince();
    EXPECT_EQ(made.users + made.orders + made.catalog, 0) << c.target;
  }
}

}  // namespace
}  // namespace protogate::test
