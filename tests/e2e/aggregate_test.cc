// End to end: composite routes over the real demo services — concurrency
// shown by the services' call counters, dependent calls, fan-out limits,
// partial answers, required failures, shared metadata, and every load-time
// validation error through GatewayServer::Create.

#include <atomic>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "config/gateway_config.h"
#include "gtest/gtest.h"
#include "support/composites.h"
#include "support/gateway_under_test.h"

namespace protogate::test {
namespace {

TEST(CompositeTest, DashboardComposesUserOrdersAndProducts) {
  GatewayUnderTest gw(WithComposites(kDemoDashboard));
  HttpResponse response = gw.Call({.target = "/v1/dashboard/1?limit=4"});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_FALSE(response.HasHeader("X-Protogate-Partial"));
  EXPECT_EQ(response.Header("Content-Type"), "application/json");
  nlohmann::json body = GatewayUnderTest::Json(response);
  EXPECT_EQ(body["user"]["userId"], "1");
  EXPECT_FALSE(body["user"].contains("email")) << body["user"];
  ASSERT_EQ(body["orders"].size(), 4u) << body;
  ASSERT_EQ(body["products"].size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(body["products"][i]["productId"], body["orders"][i]["items"][0]["productId"]);
  }
  EXPECT_FALSE(body.contains("errors"));
  EXPECT_EQ(gw.backend().stats(DemoService::kCatalog).total_calls, 4);
}

// Polls the services' in-flight counters while a request is held up by
// injected delays: seeing all three in flight at once is the overlap.
TEST(CompositeTest, IndependentCallsAreInFlightTogether) {
  GatewayUnderTest gw(WithComposites(R"(composites:
  - get: /v1/together/{user_id}
    calls:
      user: {method: demo.users.v1.UserService/GetUser, request: {user_id: $path.user_id}}
      orders: {method: demo.orders.v1.OrderService/ListOrders, request: {user_id: $path.user_id}}
      search: {method: demo.catalog.v1.CatalogService/SearchProducts, request: {q: c}}
)"));
  for (DemoService service : demo_services::kAllDemoServices) {
    gw.backend().SetResponseDelay(service, absl::Milliseconds(1500));
  }
  std::atomic<int> status{0};
  std::thread client([&] { status = gw.Call({.target = "/v1/together/1"}).status; });
  bool overlapped = false;
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (!overlapped && absl::Now() < give_up && status == 0) {
    overlapped = gw.backend().stats(DemoService::kUsers).in_flight == 1 &&
                 gw.backend().stats(DemoService::kOrders).in_flight == 1 &&
                 gw.backend().stats(DemoService::kCatalog).in_flight == 1;
    absl::SleepFor(absl::Milliseconds(5));
  }
  client.join();
  EXPECT_TRUE(overlapped) << "the three calls were never in flight at the same time";
  EXPECT_EQ(status, 200);
}

TEST(CompositeTest, IndependentCallsToOneServiceOverlap) {
  GatewayUnderTest gw(WithComposites(R"(composites:
  - get: /v1/pair
    calls:
      a: {method: demo.users.v1.UserService/GetUser, request: {user_id: "1"}}
      b: {method: demo.users.v1.UserService/GetUser, request: {user_id: "2"}}
)"));
  gw.backend().SetResponseDelay(DemoService::kUsers, absl::Milliseconds(300));
  HttpResponse response = gw.Call({.target = "/v1/pair"});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(gw.backend().stats(DemoService::kUsers).max_in_flight, 2);
}

TEST(CompositeTest, ADependentCallUsesItsDependencysOutput) {
  GatewayUnderTest gw(WithComposites(R"(composites:
  - get: /v1/neighbours/{user_id}
    calls:
      user: {method: demo.users.v1.UserService/GetUser, request: {user_id: $path.user_id}}
      recs:
        method: demo.users.v1.UserService/ListUsers
        request: {region: $user.profile.region, page_size: 50}
    response:
      region: $user.profile.region
      neighbours: $recs.users[*].profile.region
)"));
  gw.backend().SetResponseDelay(DemoService::kUsers, absl::Milliseconds(100));
  HttpResponse response = gw.Call({.target = "/v1/neighbours/2"});
  ASSERT_EQ(response.status, 200) << response.body;
  nlohmann::json body = GatewayUnderTest::Json(response);
  EXPECT_EQ(body["region"], "us");
  ASSERT_FALSE(body["neighbours"].empty());
  for (const auto& region : body["neighbours"]) EXPECT_EQ(region, "us");
  // The dependent call waited for its input: the two never overlapped.
  EXPECT_EQ(gw.backend().stats(DemoService::kUsers).max_in_flight, 1);
  EXPECT_EQ(gw.backend().stats(DemoService::kUsers).total_calls, 2);
}

TEST(CompositeTest, FanOutHonoursItsConcurrencyLimit) {
  GatewayUnderTest gw(WithComposites(kDemoDashboard));
  gw.backend().SetResponseDelay(DemoService::kCatalog, absl::Milliseconds(100));
  HttpResponse response = gw.Call({.target = "/v1/dashboard/1?limit=10"});
  ASSERT_EQ(response.status, 200) << response.body;
  const CallStats catalog = gw.backend().stats(DemoService::kCatalog);
  EXPECT_EQ(catalog.total_calls, 10);
  EXPECT_LE(catalog.max_in_flight, 3);
  EXPECT_GT(catalog.max_in_flight, 1);
}

TEST(CompositeTest, BatchSendsTheListInOneCall) {
  GatewayUnderTest gw(WithComposites(R"(composites:
  - get: /v1/echoed/{user_id}
    calls:
      orders: {method: demo.orders.v1.OrderService/ListOrders, request: {user_id: $path.user_id}}
      ids:
        for_each: $orders.orders[*].items[0].product_id
        distinct: true
        batch:
          method: demo.catalog.v1.CatalogService/Echo
          request: {scalars: {repeated_string: $items}}
          response: request.scalars.repeated_string
)"));
  HttpResponse response = gw.Call({.target = "/v1/echoed/1"});
  ASSERT_EQ(response.status, 200) << response.body;
  nlohmann::json body = GatewayUnderTest::Json(response);
  EXPECT_FALSE(body["ids"].empty()) << body;
  EXPECT_EQ(gw.backend().stats(DemoService::kCatalog).total_calls, 1);
}

TEST(CompositeTest, AStoppedOptionalServiceGivesAPartialAnswer) {
  GatewayUnderTest gw(WithComposites(kDemoDashboard));
  ASSERT_TRUE(gw.backend().StopService(DemoService::kOrders).ok());
  HttpResponse response = gw.Call({.target = "/v1/dashboard/1"});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.Header("X-Protogate-Partial"), "true");
  nlohmann::json body = GatewayUnderTest::Json(response);
  EXPECT_EQ(body["user"]["userId"], "1");
  EXPECT_EQ(body["orders"], nlohmann::json::array()) << body;  // the fallback's
  EXPECT_EQ(body["products"], nlohmann::json::array());
  ASSERT_EQ(body["errors"].size(), 1u) << body;
  EXPECT_EQ(body["errors"][0]["call"], "orders");
  EXPECT_EQ(body["errors"][0]["code"], 14);
}

TEST(CompositeTest, AnOptionalCallPastItsDeadlineGetsItsFallback) {
  GatewayUnderTest gw(WithComposites(R"(composites:
  - get: /v1/slow/{user_id}
    calls:
      user: {method: demo.users.v1.UserService/GetUser, request: {user_id: $path.user_id}}
      slow:
        method: demo.catalog.v1.CatalogService/Sleep
        request: {millis: 2000}
        timeout: 100ms
        required: false
        fallback: {slept: "0s"}
)"));
  HttpResponse response = gw.Call({.target = "/v1/slow/1"});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.Header("X-Protogate-Partial"), "true");
  nlohmann::json body = GatewayUnderTest::Json(response);
  EXPECT_EQ(body["slow"], nlohmann::json({{"slept", "0s"}}));
  EXPECT_EQ(body["errors"][0]["call"], "slow");
  EXPECT_EQ(body["errors"][0]["code"], 4);
}

TEST(CompositeTest, AnOptionalFailingCallIsReported) {
  GatewayUnderTest gw(WithComposites(R"(composites:
  - get: /v1/failing
    calls:
      ok: {method: demo.users.v1.UserService/GetUser, request: {user_id: "1"}}
      bad: {method: demo.catalog.v1.CatalogService/Fail, request: {code: 7, message: nope},
            required: false}
)"));
  HttpResponse response = gw.Call({.target = "/v1/failing"});
  ASSERT_EQ(response.status, 200) << response.body;
  nlohmann::json body = GatewayUnderTest::Json(response);
  EXPECT_EQ(body["errors"],
            nlohmann::json::parse(R"([{"call": "bad", "code": 7, "message": "nope"}])"));
  EXPECT_TRUE(body["bad"].is_null() || !body.contains("bad"));
}

TEST(CompositeTest, ARequiredFailureIsMappedAndNamesTheCall) {
  GatewayUnderTest gw(WithComposites(kDemoDashboard));
  HttpResponse response = gw.Call({.target = "/v1/dashboard/999"});
  ASSERT_EQ(response.status, 404) << response.body;
  EXPECT_FALSE(response.HasHeader("X-Protogate-Partial"));
  nlohmann::json body = GatewayUnderTest::Json(response);
  EXPECT_EQ(body["code"], 5);
  EXPECT_TRUE(
      absl::StartsWith(body["message"].get<std::string>(), "call \"user\" failed: NOT_FOUND: "))
      << body;
  EXPECT_TRUE(body["details"].is_array());
}

TEST(CompositeTest, ARequiredCallPastTheCompositeDeadlineIs504) {
  GatewayUnderTest gw(WithComposites(R"(composites:
  - get: /v1/too-slow
    timeout: 100ms
    calls:
      slow: {method: demo.catalog.v1.CatalogService/Sleep, request: {millis: 2000}}
)"));
  HttpResponse response = gw.Call({.target = "/v1/too-slow"});
  EXPECT_EQ(response.status, 504) << response.body;
  EXPECT_EQ(GatewayUnderTest::Json(response)["code"], 4);
}

TEST(CompositeTest, EveryCallCarriesTheSameRequestIdAndStart) {
  GatewayUnderTest gw(WithComposites(R"(composites:
  - get: /v1/twice
    calls:
      a: {method: demo.catalog.v1.CatalogService/Echo}
      b: {method: demo.catalog.v1.CatalogService/Echo}
    response: {a: $a.metadata, b: $b.metadata}
)"));
  HttpResponse response =
      gw.Call({.target = "/v1/twice",
               .headers = {{"X-Request-Id", "rid-42"}, {"Authorization", "Bearer abc"}}});
  ASSERT_EQ(response.status, 200) << response.body;
  nlohmann::json body = GatewayUnderTest::Json(response);
  for (const char* call : {"a", "b"}) {
    EXPECT_EQ(body[call]["x-request-id"], "rid-42") << body;
    EXPECT_EQ(body[call]["authorization"], "Bearer abc") << body;
    ASSERT_TRUE(body[call].contains("x-protogate-request-start")) << body;
  }
  EXPECT_EQ(body["a"]["x-protogate-request-start"], body["b"]["x-protogate-request-start"]);
  EXPECT_EQ(response.Header("X-Request-Id"), "rid-42");
}

TEST(CompositeTest, RoutesCarryTheirSelectorName) {
  GatewayUnderTest gw(WithComposites(kDemoDashboard));
  auto snapshot = gw.gateway().snapshot();
  auto match = snapshot->routes.Match("GET", "/v1/dashboard/1");
  ASSERT_TRUE(match.ok());
  const gateway::Route& route = snapshot->route(match->route_id);
  ASSERT_NE(route.composite, nullptr);
  EXPECT_EQ(route.selector, "dashboard");
  EXPECT_NE(route.policy, nullptr);
}

struct LoadError {
  const char* name;
  std::string yaml;
  std::vector<std::string> fragments;
};

std::string OneCall(const std::string& path, const std::string& calls,
                    const std::string& response = "") {
  return "composites:\n  - get: " + path + "\n    calls:\n" + calls +
         (response.empty() ? "" : "    response: " + response + "\n");
}

TEST(CompositeLoadTest, EveryValidationErrorStopsTheGateway) {
  const std::vector<LoadError> cases = {
      {"unknown service",
       OneCall("/v1/x", "      a: {method: demo.nope.v1.Svc/Get}\n"),
       {"e2e.yaml:8:7", "call \"a\"", "unknown service \"demo.nope.v1.Svc\""}},
      {"unknown method",
       OneCall("/v1/x", "      a: {method: demo.users.v1.UserService/Nope}\n"),
       {"has no method \"Nope\""}},
      {"unknown request field",
       OneCall("/v1/x",
               "      a: {method: demo.users.v1.UserService/GetUser, request: {uid: 1}}\n"),
       {"request.uid", "no field \"uid\" in demo.users.v1.GetUserRequest"}},
      {"type mismatch",
       OneCall(
           "/v1/x/{id}",
           "      u: {method: demo.users.v1.UserService/GetUser, request: {user_id: $path.id}}\n"
           "      r: {method: demo.users.v1.UserService/ListUsers, request: {region: "
           "$u.profile}}\n"),
       {"call \"r\"", "type mismatch", "demo.users.v1.Profile message"}},
      {"unknown call",
       OneCall("/v1/x",
               "      a: {method: demo.users.v1.UserService/GetUser, request: {user_id: $b.x}}\n"),
       {"unknown call \"b\""}},
      {"cycle",
       OneCall(
           "/v1/x",
           "      a: {method: demo.users.v1.UserService/GetUser, request: {user_id: $b.userId}}\n"
           "      b: {method: demo.users.v1.UserService/GetUser, request: {user_id: $a.userId}}\n"),
       {"dependency cycle: a -> b -> a"}},
      {"path variable not in the template",
       OneCall("/v1/x/{id}",
               "      a: {method: demo.users.v1.UserService/GetUser, request: {user_id: "
               "$path.user}}\n"),
       {"path variable \"user\" is not in the template /v1/x/{id}"}},
      {"merged keys collide",
       OneCall("/v1/x",
               "      a: {method: demo.users.v1.UserService/GetUser}\n"
               "      b: {method: demo.users.v1.UserService/GetUser}\n",
               "{$merge: [$a, $b]}"),
       {"can come from both $a and $b"}},
      {"conflict with an annotated route",
       OneCall("/v1/users/{id}", "      a: {method: demo.users.v1.UserService/GetUser}\n"),
       {"demo.users.v1.UserService.GetUser", "composite:/v1/users/{id}"}},
  };
  DemoBackend backend;
  for (const LoadError& c : cases) {
    config::GatewayConfig config = DemoGatewayConfig(backend);
    config.composites = ParseComposites(c.yaml);
    auto gateway = gateway::GatewayServer::Create(config);
    ASSERT_FALSE(gateway.ok()) << c.name;
    for (const std::string& fragment : c.fragments) {
      EXPECT_TRUE(absl::StrContains(gateway.status().message(), fragment))
          << c.name << ": \"" << gateway.status().message() << "\" lacks \"" << fragment << "\"";
    }
  }
}

TEST(CompositeLoadTest, AServiceWithoutUpstreamStopsTheGateway) {
  DemoBackend backend;
  config::GatewayConfig config = DemoGatewayConfig(backend);
  // Keep the annotated catalog routes loadable by dropping only the routes'
  // need: the composite alone names a service with no upstream.
  config.upstreams.erase(config.upstreams.begin() + 2);
  config.composites = ParseComposites(
      OneCall("/v1/x", "      p: {method: demo.catalog.v1.CatalogService/GetProduct}\n"));
  auto gateway = gateway::GatewayServer::Create(config);
  ASSERT_FALSE(gateway.ok());
  // Whichever route is checked first, the error names the missing upstream.
  EXPECT_TRUE(absl::StrContains(gateway.status().message(), "demo.catalog.v1.CatalogService"))
      << gateway.status();
  EXPECT_TRUE(absl::StrContains(gateway.status().message(), "no upstream")) << gateway.status();
}

}  // namespace
}  // namespace protogate::test
