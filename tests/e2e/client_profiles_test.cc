// Client profiles end to end: callers recognised by a path prefix, a header
// or their API key's client id get their profile's routes (the others are
// 404 as if they did not exist, before any credential check where no
// identity could open them) and their profile's view of each answer, pushed
// down to the users service as its read_mask.

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "auth/api_key.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/api_key_auth.h"
#include "support/gateway_under_test.h"

namespace protogate::test {
namespace {

using nlohmann::json;

// Profiles over the demo: the mobile app (by /mobile or X-Client: ios,
// widened past the default's routes), a tablet app (by X-Client: tablet,
// not widened), the partner acme and an admin (by their key's client id).
void AddProfiles(config::GatewayConfig& config) {
  config::ClientProfileConfig mobile{.name = "mobile", .line = 1};
  mobile.path_prefix = "/mobile";
  mobile.header = "x-client";
  mobile.header_values = {"ios"};
  mobile.widen_unverified = true;
  mobile.all_routes = false;
  mobile.routes = {"demo.users.v1.UserService.GetUser", "demo.users.v1.UserService.ListUsers",
                   "demo.catalog.v1.*"};
  mobile.route_lines = {1, 1, 1};
  mobile.views = {{.method = "demo.users.v1.UserService.GetUser",
                   .fields = {"userId", "profile(displayName)"},
                   .line = 1},
                  {.method = "demo.users.v1.UserService.ListUsers",
                   .fields = {"users.*.userId", "nextPageToken"},
                   .line = 1}};

  config::ClientProfileConfig tablet{.name = "tablet", .line = 2};
  tablet.header = "x-client";
  tablet.header_values = {"tablet"};
  tablet.all_routes = false;
  tablet.routes = {"demo.users.v1.*"};
  tablet.route_lines = {2};
  // The whole user, some members under the tablet app's own names.
  tablet.views = {{.method = "demo.users.v1.UserService.GetUser",
                   .line = 2,
                   .renames = {{"user_id", "id", 2}, {"profile.displayName", "name", 2}}}};
  tablet.graphql_introspection = false;

  config::ClientProfileConfig partner{.name = "partner", .line = 3};
  partner.client_ids = {"acme"};
  partner.all_routes = false;
  partner.routes = {"demo.users.v1.UserService.GetUser", "demo.orders.v1.OrderService.GetOrder"};
  partner.route_lines = {3, 3};
  partner.views = {
      {.method = "demo.users.v1.UserService.GetUser", .fields = {"userId", "email"}, .line = 3}};

  config::ClientProfileConfig fallback{.name = "default", .line = 4};
  fallback.all_routes = false;
  fallback.routes = {"demo.users.v1.UserService.GetUser", "demo.catalog.v1.*"};
  fallback.route_lines = {4, 4};

  // Nobody's key names "root": DeleteUser stays open to some identity.
  config::ClientProfileConfig admin{.name = "admin", .line = 5};
  admin.client_ids = {"root"};
  admin.all_routes = false;
  admin.routes = {"demo.users.v1.UserService.DeleteUser"};
  admin.route_lines = {5};

  config.clients.profiles = {mobile, tablet, partner, fallback, admin};
}

class ClientProfilesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    acme_key_ = new std::string(*auth::NewApiKey("partner-acme"));
    web_key_ = new std::string(*auth::NewApiKey("web"));
    gateway_ = new GatewayUnderTest([](config::GatewayConfig& config) {
      RequireApiKey(config, *acme_key_, {"users:read", "orders:read"});
      auto web_hash = auth::HashApiKey(*web_key_);
      ASSERT_TRUE(web_hash.ok()) << web_hash.status();
      config.auth.api_keys.keys.push_back({.id = "web",
                                           .hash = *web_hash,
                                           .client_id = "web-app",
                                           .scopes = {"users:read", "orders:read"}});
      config.auth.policies.push_back({.selector = "demo.catalog.v1.*", .is_public = true});
      config.admin = {.enabled = true, .host = "127.0.0.1", .port = 0};
      config.openapi.enabled = true;
      config.graphql.enabled = true;
      config.graphql.introspection = true;
      AddProfiles(config);
    });
  }
  static void TearDownTestSuite() {
    delete gateway_;
    delete acme_key_;
    delete web_key_;
    gateway_ = nullptr;
  }
  static HttpResponse Get(const std::string& target, const std::string& key,
                          TestHeaders extra = {}) {
    if (!key.empty()) extra.emplace_back("X-Api-Key", key);
    return gateway_->Call({.target = target, .headers = std::move(extra)});
  }
  static std::string Metrics() {
    auto client = HttpClient::Connect(gateway_->gateway().admin_port());
    if (!client.ok()) return client.status().ToString();
    auto response = (*client)->RoundTrip({.target = "/metrics"});
    return response.ok() ? response->body : response.status().ToString();
  }
  static std::string LastReadMask() {
    return gateway_->backend().server().users().controls().last_mask().read_mask;
  }
  static GatewayUnderTest* gateway_;
  static std::string* acme_key_;
  static std::string* web_key_;
};
GatewayUnderTest* ClientProfilesTest::gateway_ = nullptr;
std::string* ClientProfilesTest::acme_key_ = nullptr;
std::string* ClientProfilesTest::web_key_ = nullptr;

TEST_F(ClientProfilesTest, PathPrefixServesTheMobileView) {
  HttpResponse user = Get("/mobile/v1/users/1", *web_key_);
  ASSERT_EQ(user.status, 200) << user.body;
  EXPECT_EQ(GatewayUnderTest::Json(user),
            json::parse(R"({"userId":"1","profile":{"displayName":"Ada Lovelace"}})"));
  EXPECT_EQ(LastReadMask(), "user_id,profile.display_name");

  // Widened: ListUsers is the mobile profile's though not the default's.
  HttpResponse list = Get("/mobile/v1/users?page_size=2", *web_key_);
  ASSERT_EQ(list.status, 200) << list.body;
  json body = GatewayUnderTest::Json(list);
  EXPECT_EQ(body["users"], json::parse(R"([{"userId":"1"},{"userId":"2"}])"));
  EXPECT_EQ(LastReadMask(), "users.user_id,next_page_token");

  // The catalog is public: no key needed, recognition by the prefix alone.
  EXPECT_EQ(Get("/mobile/v1/products/p-1", "").status, 200);
  HttpResponse missing = Get("/mobile/v1/nothing", *web_key_);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(GatewayUnderTest::Json(missing)["message"], "no route for GET /mobile/v1/nothing");
}

TEST_F(ClientProfilesTest, HeaderRecognisesTheSameProfile) {
  HttpResponse user = Get("/v1/users/2", *web_key_, {{"X-Client", "ios"}});
  ASSERT_EQ(user.status, 200) << user.body;
  EXPECT_EQ(GatewayUnderTest::Json(user),
            json::parse(R"({"userId":"2","profile":{"displayName":"Grace Hopper"}})"));
}

TEST_F(ClientProfilesTest, FieldsNarrowWithinTheView) {
  HttpResponse narrowed = Get("/mobile/v1/users/1?fields=profile", *web_key_);
  ASSERT_EQ(narrowed.status, 200) << narrowed.body;
  EXPECT_EQ(GatewayUnderTest::Json(narrowed),
            json::parse(R"({"profile":{"displayName":"Ada Lovelace"}})"));
  EXPECT_EQ(LastReadMask(), "profile.display_name");

  // Outside the view a field does not exist for this caller.
  HttpResponse outside = Get("/mobile/v1/users/1?fields=email", *web_key_);
  EXPECT_EQ(outside.status, 400) << outside.body;
  EXPECT_EQ(GatewayUnderTest::Json(outside)["message"], "fields: no field \"email\" at \"email\"");
}

TEST_F(ClientProfilesTest, TheKeysClientIdWinsOverWhatTheRequestSays) {
  HttpResponse user = Get("/mobile/v1/users/1", *acme_key_, {{"X-Client", "ios"}});
  ASSERT_EQ(user.status, 200) << user.body;
  EXPECT_EQ(GatewayUnderTest::Json(user),
            json::parse(R"({"userId":"1","email":"ada@example.com"})"));
  EXPECT_EQ(Get("/v1/orders/o-1", *acme_key_).status, 200);
  // ListUsers is not the partner's, whatever else allows it.
  HttpResponse list = Get("/v1/users", *acme_key_);
  EXPECT_EQ(list.status, 404) << list.body;
  EXPECT_EQ(GatewayUnderTest::Json(list)["message"], "no route for GET /v1/users");
  EXPECT_EQ(Get("/mobile/v1/users", *acme_key_).status, 404);
  // DeleteUser needs users:write, which acme lacks; yet the answer is the
  // 404 of a route that is not there for it, not a 403 that says it is.
  HttpResponse remove = gateway_->Call(
      {.method = "DELETE", .target = "/v1/users/1", .headers = {{"X-Api-Key", *acme_key_}}});
  EXPECT_EQ(remove.status, 404) << remove.body;
  EXPECT_EQ(GatewayUnderTest::Json(remove)["message"], "no route for DELETE /v1/users/1");
  EXPECT_EQ(remove.Header("WWW-Authenticate"), "");
}

TEST_F(ClientProfilesTest, UnrecognisedCallersGetTheDefaultRoutesWholeAnswers) {
  HttpResponse user = Get("/v1/users/1", *web_key_);
  ASSERT_EQ(user.status, 200) << user.body;
  EXPECT_TRUE(GatewayUnderTest::Json(user).contains("email"));
  EXPECT_EQ(LastReadMask(), "");
  EXPECT_EQ(Get("/v1/users", *web_key_).status, 404);
  // GetOrder may open to an identity (the partner's): first the credential
  // check, then, for a caller it does not open to, 404.
  EXPECT_EQ(Get("/v1/orders/o-1", "").status, 401);
  EXPECT_EQ(Get("/v1/orders/o-1", *web_key_).status, 404);
}

TEST_F(ClientProfilesTest, RoutesNoIdentityCouldOpenAreHiddenBeforeCredentials) {
  // No identity's profile has ListUsers: 404 at once, not 401.
  HttpResponse list = Get("/v1/users", "");
  EXPECT_EQ(list.status, 404) << list.body;
  // UpdateUser (PATCH) is nobody's: the 405 for PUT does not name it.
  HttpResponse put = gateway_->Call({.method = "PUT", .target = "/v1/users/1"});
  EXPECT_EQ(put.status, 405) << put.body;
  EXPECT_EQ(put.Header("Allow"), "DELETE, GET");
  // DeleteUser may open to an identity: the credentials come first.
  EXPECT_EQ(gateway_->Call({.method = "DELETE", .target = "/v1/users/1"}).status, 401);
}

TEST_F(ClientProfilesTest, ForgeableRecognitionStaysWithinTheDefaultRoutes) {
  // The tablet profile lists ListUsers but is recognised by a header only.
  EXPECT_EQ(Get("/v1/users", *web_key_, {{"X-Client", "tablet"}}).status, 404);
  EXPECT_EQ(Get("/v1/users/1", *web_key_, {{"X-Client", "tablet"}}).status, 200);
  // And no profile may use what its own routes leave out.
  EXPECT_EQ(Get("/v1/products/p-1", *web_key_, {{"X-Client", "tablet"}}).status, 404);
}

// A profile's renames: the answer's members, the `fields` it asks by and
// its API document all use the new names; the service still gets proto
// paths in its read mask.
TEST_F(ClientProfilesTest, RenamesGiveTheProfileItsOwnMemberNames) {
  const TestHeaders tablet = {{"X-Client", "tablet"}};
  HttpResponse user = Get("/v1/users/1", *web_key_, tablet);
  ASSERT_EQ(user.status, 200) << user.body;
  const json body = GatewayUnderTest::Json(user);
  EXPECT_EQ(body["id"], "1") << user.body;
  EXPECT_EQ(body["profile"]["name"], "Ada Lovelace") << user.body;
  EXPECT_EQ(body["email"], "ada@example.com") << user.body;
  EXPECT_FALSE(body.contains("userId") || body["profile"].contains("displayName")) << user.body;

  HttpResponse narrowed = Get("/v1/users/1?fields=id,profile.name", *web_key_, tablet);
  ASSERT_EQ(narrowed.status, 200) << narrowed.body;
  EXPECT_EQ(GatewayUnderTest::Json(narrowed),
            json::parse(R"({"id":"1","profile":{"name":"Ada Lovelace"}})"));
  EXPECT_EQ(LastReadMask(), "user_id,profile.display_name");
  HttpResponse old_name = Get("/v1/users/1?fields=userId", *web_key_, tablet);
  EXPECT_EQ(old_name.status, 400) << old_name.body;
  EXPECT_EQ(GatewayUnderTest::Json(old_name)["message"],
            "fields: no field \"userId\" at \"userId\"");

  // Other callers of the same route keep the proto3 JSON names.
  EXPECT_TRUE(GatewayUnderTest::Json(Get("/v1/users/1", *web_key_)).contains("userId"));

  HttpResponse document = Get("/openapi.json", "", tablet);
  ASSERT_EQ(document.status, 200) << document.body;
  const json schema =
      GatewayUnderTest::Json(document)["paths"]["/v1/users/{user_id}"]["get"]["responses"]["200"]
                                      ["content"]["application/json"]["schema"]["properties"];
  EXPECT_TRUE(schema.contains("id") && schema.contains("email")) << schema.dump();
  EXPECT_FALSE(schema.contains("userId")) << schema.dump();
  EXPECT_TRUE(schema["profile"]["properties"].contains("name")) << schema.dump();
}

// Query root fields `headers`' caller sees, by introspection.
std::set<std::string> RootFields(GatewayUnderTest& gateway, TestHeaders headers) {
  headers.emplace_back("Content-Type", "application/json");
  HttpResponse answer =
      gateway.Call({.method = "POST",
                    .target = "/graphql",
                    .headers = std::move(headers),
                    .body = R"({"query":"{ __schema { queryType { fields { name } } } }"})"});
  EXPECT_EQ(answer.status, 200) << answer.body;
  std::set<std::string> names;
  const json body = GatewayUnderTest::Json(answer);
  if (!body.contains("data") || body["data"].is_null()) return names;
  for (const auto& field : body["data"]["__schema"]["queryType"]["fields"]) {
    names.insert(field["name"].get<std::string>());
  }
  return names;
}

// GraphQL per profile: the root fields a caller's profile may use, and
// nothing else, exist for it; introspection follows the profile.
TEST_F(ClientProfilesTest, GraphqlShowsEachCallerItsProfilesRootFields) {
  using ::testing::Contains;
  using ::testing::Not;
  // The partner's key: GetUser and GetOrder only.
  EXPECT_EQ(RootFields(*gateway_, {{"X-Api-Key", *acme_key_}}),
            (std::set<std::string>{"getUser", "getOrder"}));
  // Unrecognised callers: the default profile's GetUser and the catalog.
  const std::set<std::string> anyone = RootFields(*gateway_, {});
  EXPECT_THAT(anyone, Contains("getUser"));
  EXPECT_THAT(anyone, Contains("getProduct"));
  EXPECT_THAT(anyone, Not(Contains("listUsers")));
  EXPECT_THAT(anyone, Not(Contains("getOrder")));
  // The mobile app (widened by its profile) also lists users.
  EXPECT_THAT(RootFields(*gateway_, {{"X-Client", "ios"}}), Contains("listUsers"));

  // A root field outside the profile is an unknown field, not a 403.
  HttpResponse hidden =
      gateway_->Call({.method = "POST",
                      .target = "/graphql",
                      .headers = {{"Content-Type", "application/json"}, {"X-Api-Key", *acme_key_}},
                      .body = R"({"query":"{ listUsers { users { userId } } }"})"});
  const json errors = GatewayUnderTest::Json(hidden)["errors"];
  ASSERT_TRUE(errors.is_array() && !errors.empty()) << hidden.body;
  // Suggestions come from the caller's own schema.
  EXPECT_EQ(errors[0]["message"],
            "Cannot query field \"listUsers\" on type \"Query\". Did you mean \"getUser\"?")
      << hidden.body;
  HttpResponse allowed =
      gateway_->Call({.method = "POST",
                      .target = "/graphql",
                      .headers = {{"Content-Type", "application/json"}, {"X-Api-Key", *acme_key_}},
                      .body = R"({"query":"{ getOrder(orderId: \"o-1\") { orderId } }"})"});
  EXPECT_EQ(GatewayUnderTest::Json(allowed)["data"]["getOrder"]["orderId"], "o-1") << allowed.body;

  // The tablet profile turns introspection off for its callers.
  HttpResponse tablet =
      gateway_->Call({.method = "POST",
                      .target = "/graphql",
                      .headers = {{"Content-Type", "application/json"}, {"X-Client", "tablet"}},
                      .body = R"({"query":"{ __schema { queryType { name } } }"})"});
  EXPECT_NE(tablet.body.find("Introspection is turned off"), std::string::npos) << tablet.body;
}

// The API document lists what the caller may use, as its requests are
// served: widened for the mobile app, capped by the default's routes for
// the tablet (recognised by a header alone), the partner's by its key.
TEST_F(ClientProfilesTest, TheApiDocumentListsWhatTheCallerMayUse) {
  auto paths = [](const HttpResponse& response) {
    EXPECT_EQ(response.status, 200) << response.body;
    std::set<std::string> keys;
    const json document = GatewayUnderTest::Json(response);
    for (const auto& [path, operations] : document["paths"].items()) {
      for (const auto& [method, operation] : operations.items()) {
        keys.insert(absl::StrCat(method, " ", path));
      }
    }
    return keys;
  };
  using ::testing::Contains;
  using ::testing::Not;
  const std::set<std::string> mobile = paths(Get("/mobile/openapi.json", ""));
  EXPECT_THAT(mobile, Contains("get /v1/users"));
  EXPECT_THAT(mobile, Contains("get /v1/products/{product_id}"));
  EXPECT_THAT(mobile, Not(Contains("get /v1/orders/{order_id}")));

  const std::set<std::string> tablet = paths(Get("/openapi.json", "", {{"X-Client", "tablet"}}));
  EXPECT_EQ(tablet, std::set<std::string>{"get /v1/users/{user_id}"});

  HttpResponse partner = Get("/openapi.json", *acme_key_);
  EXPECT_EQ(paths(partner),
            (std::set<std::string>{"get /v1/users/{user_id}", "get /v1/orders/{order_id}",
                                   "get /v1/users/{user_id}/orders/{order_id}"}));
  const json user =
      GatewayUnderTest::Json(partner)["paths"]["/v1/users/{user_id}"]["get"]["responses"]["200"]
                                     ["content"]["application/json"]["schema"]["properties"];
  EXPECT_EQ(user.size(), 2u) << user.dump();
  EXPECT_TRUE(user.contains("userId") && user.contains("email")) << user.dump();

  // The web app's key names no profile: the default's routes, nothing hidden
  // from it leaks through the document.
  const std::set<std::string> web = paths(Get("/openapi.json", *web_key_));
  EXPECT_THAT(web, Contains("get /v1/users/{user_id}"));
  EXPECT_THAT(web, Contains("get /v1/products/{product_id}"));
  for (const char* hidden :
       {"get /v1/users", "delete /v1/users/{user_id}", "get /v1/orders/{order_id}"}) {
    EXPECT_THAT(web, Not(Contains(hidden)));
  }
}

TEST_F(ClientProfilesTest, MetricsCountRequestsByProfile) {
  ASSERT_EQ(Get("/mobile/v1/products/p-1", "").status, 200);
  ASSERT_EQ(Get("/v1/users/1", *acme_key_).status, 200);
  // Hidden before authentication: no profile known yet, nor a route.
  ASSERT_EQ(Get("/v1/users", *acme_key_).status, 404);
  // Hidden after it: the partner's, under the route it tried.
  ASSERT_EQ(
      gateway_
          ->Call(
              {.method = "DELETE", .target = "/v1/users/1", .headers = {{"X-Api-Key", *acme_key_}}})
          .status,
      404);
  const std::string page = Metrics();
  // Counters only grow, and other tests of the suite call the same routes:
  // each series is there with a count of at least one.
  for (
      const char* series :
      {R"(protogate_client_requests_total{client="mobile",route="demo.catalog.v1.CatalogService.GetProduct",code="200"} )",
       R"(protogate_client_requests_total{client="partner",route="demo.users.v1.UserService.GetUser",code="200"} )",
       R"(protogate_client_requests_total{client="default",route="",code="404"} )",
       R"(protogate_client_requests_total{client="partner",route="demo.users.v1.UserService.DeleteUser",code="404"} )"}) {
    EXPECT_THAT(page, ::testing::HasSubstr(series));
  }
  EXPECT_THAT(page, ::testing::Not(::testing::HasSubstr(R"(client="tablet",route="demo.catalog)")));
}

// A reload brings new profiles in for the next request; a reload whose
// profiles do not fit the routes is refused, naming the line, and the
// profiles in force keep serving.
TEST(ClientProfilesReloadTest, ProfilesChangeWithTheConfig) {
  GatewayUnderTest gw([](config::GatewayConfig& config) {
    config.auth.policies.push_back({.selector = "demo.*", .is_public = true});
  });
  auto call = [&](const std::string& target) {
    return gw.Call({.target = target, .headers = {{"X-Client", "ios"}}});
  };
  HttpResponse before = call("/v1/users/1");
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_TRUE(GatewayUnderTest::Json(before).contains("email"));

  config::GatewayConfig config = gw.config();
  config::ClientProfileConfig mobile{.name = "mobile", .line = 7};
  mobile.header = "x-client";
  mobile.header_values = {"ios"};
  mobile.views = {{.method = "demo.users.v1.UserService.GetUser", .fields = {"userId"}, .line = 9}};
  config.clients.profiles = {mobile};
  ASSERT_TRUE(gw.gateway().Reload(config).ok());
  HttpResponse after = call("/v1/users/1");
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(GatewayUnderTest::Json(after), nlohmann::json::parse(R"({"userId":"1"})"));

  config.clients.profiles[0].views[0].fields = {"nickname"};
  absl::Status refused = gw.gateway().Reload(config);
  EXPECT_FALSE(refused.ok());
  EXPECT_THAT(refused.message(), ::testing::HasSubstr(":9:"));
  EXPECT_THAT(refused.message(), ::testing::HasSubstr("nickname"));
  EXPECT_EQ(GatewayUnderTest::Json(call("/v1/users/1")),
            nlohmann::json::parse(R"({"userId":"1"})"));
}

// AIP-157: a profile's view enum reaches the service in the request, unless
// the caller names a view itself; other callers' requests carry none.
TEST(RequestViewTest, TheProfilesViewGoesToTheServiceUnlessTheCallerNamesOne) {
  GatewayUnderTest gw([](config::GatewayConfig& config) {
    config.auth.policies.push_back({.selector = "demo.*", .is_public = true});
    config::ClientProfileConfig lite{.name = "lite", .line = 1};
    lite.header = "x-client";
    lite.header_values = {"lite"};
    lite.views = {{.method = "demo.users.v1.UserService.GetUser",
                   .line = 2,
                   .view_enum = "BASIC",
                   .view_line = 2}};
    config.clients.profiles = {lite};
  });
  auto received = [&] { return gw.backend().server().users().controls().last_mask(); };
  auto call = [&](const std::string& target, TestHeaders headers) {
    return gw.Call({.target = target, .headers = std::move(headers)});
  };

  HttpResponse basic = call("/v1/users/1", {{"X-Client", "lite"}});
  ASSERT_EQ(basic.status, 200) << basic.body;
  EXPECT_EQ(GatewayUnderTest::Json(basic),
            json::parse(R"({"userId":"1","email":"ada@example.com",)"
                        R"("profile":{"displayName":"Ada Lovelace"}})"));
  EXPECT_EQ(basic.Header("Grpc-Metadata-X-Demo-View"), "USER_VIEW_BASIC");
  EXPECT_EQ(received().view, "USER_VIEW_BASIC");
  EXPECT_EQ(received().read_mask, "");

  HttpResponse full = call("/v1/users/1?view=USER_VIEW_FULL", {{"X-Client", "lite"}});
  ASSERT_EQ(full.status, 200) << full.body;
  EXPECT_EQ(received().view, "USER_VIEW_FULL");
  EXPECT_TRUE(GatewayUnderTest::Json(full).contains("createTime")) << full.body;

  ASSERT_EQ(call("/v1/users/1", {}).status, 200);
  EXPECT_EQ(received().view, "");
}

}  // namespace
}  // namespace protogate::test
