// The API document the gateway serves at openapi.path: the caller's own
// OpenAPI, made from the snapshot in force. It is the document
// `protogate-routes` writes into gen/ for the same protos and profiles, it
// follows reloads, and credentials that do not hold are refused.

#include <fstream>
#include <iterator>
#include <string>

#include "auth/api_key.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/api_key_auth.h"
#include "support/gateway_under_test.h"

namespace protogate::test {
namespace {

using nlohmann::json;

config::GatewayConfig ShippedConfig() {
  const std::string path = std::string(PROTOGATE_SOURCE_DIR) + "/config/gateway.yaml";
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto shipped = config::ParseGatewayConfig(text, path);
  EXPECT_TRUE(shipped.ok()) << shipped.status();
  return shipped.ok() ? *std::move(shipped) : config::GatewayConfig();
}

json Generated(const std::string& name) {
  std::ifstream in(std::string(PROTOGATE_SOURCE_DIR) + "/gen/" + name);
  return json::parse(in);
}

// The demo's openapi: section; every route public, so that only the
// document's own rules decide.
void WithDocument(config::GatewayConfig& config) {
  config.openapi = ShippedConfig().openapi;
  config.auth.policies.push_back({.selector = "demo.*", .is_public = true});
}

TEST(ApiDocumentTest, WithoutProfilesItIsTheWholePublicApi) {
  GatewayUnderTest gw(WithDocument);
  HttpResponse document = gw.Call({.target = "/openapi.json"});
  ASSERT_EQ(document.status, 200) << document.body;
  EXPECT_EQ(document.Header("Content-Type"), "application/json");
  EXPECT_EQ(document.Header("Cache-Control"), "no-cache");
  EXPECT_EQ(GatewayUnderTest::Json(document), Generated("openapi.json"));

  // Revalidation: the ETag is the document's SHA-256; a client holding it
  // gets 304 and no body.
  const std::string etag(document.Header("ETag"));
  ASSERT_EQ(etag.size(), 66u) << etag;
  for (const std::string& held : {etag, "W/" + etag, "\"other\", " + etag, std::string("*")}) {
    HttpResponse current =
        gw.Call({.target = "/openapi.json", .headers = {{"If-None-Match", held}}});
    EXPECT_EQ(current.status, 304) << held;
    EXPECT_EQ(current.body, "");
    EXPECT_EQ(current.Header("ETag"), etag);
  }
  EXPECT_EQ(
      gw.Call({.target = "/openapi.json", .headers = {{"If-None-Match", "\"stale\""}}}).status,
      200);

  HttpResponse head = gw.Call({.method = "HEAD", .target = "/openapi.json"});
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");

  HttpResponse post = gw.Call({.method = "POST", .target = "/openapi.json", .body = "{}"});
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.Header("Allow"), "GET, HEAD");
  EXPECT_EQ(GatewayUnderTest::Json(post)["code"], 12);
}

TEST(ApiDocumentTest, OffUnlessConfigured) {
  GatewayUnderTest gw([](config::GatewayConfig& config) {
    config.auth.policies.push_back({.selector = "demo.*", .is_public = true});
  });
  HttpResponse document = gw.Call({.target = "/openapi.json"});
  EXPECT_EQ(document.status, 404);
  EXPECT_EQ(GatewayUnderTest::Json(document)["message"], "no route for GET /openapi.json");
}

// The demo's profiles: the mobile app by its path prefix, the partner by its
// key's client id; each gets the document gen/ holds for it.
class ProfileDocumentTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    partner_key_ = new std::string(*auth::NewApiKey("partner"));
    gateway_ = new GatewayUnderTest([](config::GatewayConfig& config) {
      WithDocument(config);
      const config::GatewayConfig shipped = ShippedConfig();
      config.clients = shipped.clients;
      config.composites = shipped.composites;  // the partner's profile lists one
      auto hash = auth::HashApiKey(*partner_key_);
      ASSERT_TRUE(hash.ok()) << hash.status();
      config.auth.enabled = true;
      config.auth.has_api_keys = true;
      config.auth.api_keys.keys = {
          {.id = "partner", .hash = *hash, .client_id = "demo-partner", .scopes = {"users:read"}}};
    });
  }
  static void TearDownTestSuite() {
    delete gateway_;
    delete partner_key_;
    gateway_ = nullptr;
  }
  static HttpResponse Get(const std::string& target, TestHeaders headers = {}) {
    return gateway_->Call({.target = target, .headers = std::move(headers)});
  }
  static GatewayUnderTest* gateway_;
  static std::string* partner_key_;
};
GatewayUnderTest* ProfileDocumentTest::gateway_ = nullptr;
std::string* ProfileDocumentTest::partner_key_ = nullptr;

TEST_F(ProfileDocumentTest, EachProfileGetsItsOwnDocument) {
  HttpResponse mobile = Get("/mobile/openapi.json");
  ASSERT_EQ(mobile.status, 200) << mobile.body;
  EXPECT_EQ(mobile.Header("Cache-Control"), "private, no-cache");
  EXPECT_EQ(GatewayUnderTest::Json(mobile), Generated("openapi.mobile.json"));
  // The same profile by its header.
  EXPECT_EQ(GatewayUnderTest::Json(Get("/openapi.json", {{"X-Client", "ios"}})),
            Generated("openapi.mobile.json"));

  HttpResponse partner = Get("/openapi.json", {{"X-Api-Key", *partner_key_}});
  ASSERT_EQ(partner.status, 200) << partner.body;
  EXPECT_EQ(GatewayUnderTest::Json(partner), Generated("openapi.partner.json"));
}

TEST_F(ProfileDocumentTest, UnrecognisedCallersGetTheDefaultProfilesApi) {
  HttpResponse anyone = Get("/openapi.json");
  ASSERT_EQ(anyone.status, 200) << anyone.body;
  json expected = Generated("openapi.json");
  expected["info"]["title"] = "protogate demo API (default)";
  EXPECT_EQ(GatewayUnderTest::Json(anyone), expected);
}

TEST_F(ProfileDocumentTest, CredentialsThatDoNotHoldAreRefused) {
  HttpResponse forged = Get("/openapi.json", {{"X-Api-Key", "pg_not-a-key"}});
  EXPECT_EQ(forged.status, 401) << forged.body;
  EXPECT_EQ(GatewayUnderTest::Json(forged)["code"], 16);
  HttpResponse bearer = Get("/openapi.json", {{"Authorization", "Bearer not.a.token"}});
  EXPECT_EQ(bearer.status, 401) << bearer.body;
}

// The shipped partner profile's view enum: its key gets the users service's
// BASIC view of a user (the route needs a caller, as in the demo).
TEST(ShippedProfilesTest, ThePartnersKeyGetsTheBasicView) {
  const std::string key = *auth::NewApiKey("partner-acme");
  GatewayUnderTest gw([&](config::GatewayConfig& config) {
    const config::GatewayConfig shipped = ShippedConfig();
    config.clients = shipped.clients;
    config.composites = shipped.composites;
    RequireApiKey(config, key, {"users:read"}, "demo-partner");
  });
  HttpResponse user = gw.Call({.target = "/v1/users/1", .headers = {{"X-Api-Key", key}}});
  ASSERT_EQ(user.status, 200) << user.body;
  EXPECT_EQ(user.body,
            R"({"userId":"1","email":"ada@example.com","profile":{"displayName":"Ada Lovelace"}})");
  EXPECT_EQ(user.Header("Grpc-Metadata-x-demo-view"), "USER_VIEW_BASIC");
}

// The shipped mobile profile, as the README walks through it: its view of a
// user under its own member names, narrowed by them.
TEST(ShippedProfilesTest, TheMobileAppGetsItsViewUnderItsOwnNames) {
  const std::string key = *auth::NewApiKey("partner-acme");  // client id acme: no profile's
  GatewayUnderTest gw([&](config::GatewayConfig& config) {
    const config::GatewayConfig shipped = ShippedConfig();
    config.clients = shipped.clients;
    config.composites = shipped.composites;
    RequireApiKey(config, key, {"users:read"});
  });
  HttpResponse user = gw.Call({.target = "/mobile/v1/users/1", .headers = {{"X-Api-Key", key}}});
  ASSERT_EQ(user.status, 200) << user.body;
  EXPECT_EQ(user.body, R"({"id":"1","profile":{"displayName":"Ada Lovelace",)"
                       R"("avatar":"https://example.com/avatars/1.png"}})");
  HttpResponse narrowed = gw.Call(
      {.target = "/mobile/v1/users/1?fields=id,profile.avatar", .headers = {{"X-Api-Key", key}}});
  ASSERT_EQ(narrowed.status, 200) << narrowed.body;
  EXPECT_EQ(narrowed.body,
            R"({"id":"1","profile":{"avatar":"https://example.com/avatars/1.png"}})");
}

// A reload serves the new snapshot's document from the next request; a path
// some route answers is refused and the document in force keeps serving.
TEST(ApiDocumentReloadTest, TheDocumentFollowsTheSnapshot) {
  GatewayUnderTest gw(WithDocument);
  const HttpResponse before = gw.Call({.target = "/openapi.json"});
  config::GatewayConfig config = gw.config();
  config.openapi.title = "shop API";
  config.openapi.version = "2.1";
  ASSERT_TRUE(gw.gateway().Reload(config).ok());
  HttpResponse renamed = gw.Call({.target = "/openapi.json"});
  EXPECT_EQ(GatewayUnderTest::Json(renamed)["info"],
            json::parse(R"({"title":"shop API","version":"2.1"})"));
  EXPECT_NE(renamed.Header("ETag"), before.Header("ETag")) << "a new document, a new tag";

  config.openapi.path = "/v1/users/1";
  absl::Status refused = gw.gateway().Reload(config);
  EXPECT_FALSE(refused.ok());
  EXPECT_THAT(refused.message(),
              ::testing::HasSubstr("openapi.path: /v1/users/1 is already taken"));
  EXPECT_EQ(gw.Call({.target = "/openapi.json"}).status, 200);

  config.openapi.path = "/docs/openapi.json";
  ASSERT_TRUE(gw.gateway().Reload(config).ok());
  EXPECT_EQ(gw.Call({.target = "/openapi.json"}).status, 404);
  EXPECT_EQ(gw.Call({.target = "/docs/openapi.json"}).status, 200);
}

}  // namespace
}  // namespace protogate::test
