// End to end: authentication at the edge and the identity stamped into the
// internal call. The real gateway, the real demo services and the demo auth
// service, over loopback; JWTs and keys are made at test time.

#include <openssl/ec.h>
#include <openssl/evp.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "auth/api_key.h"
#include "auth/jwks.h"
#include "auth/jwt.h"
#include "auth/openssl_ptr.h"
#include "demo_auth/demo_auth_server.h"
#include "gtest/gtest.h"
#include "support/api_key_auth.h"
#include "support/gateway_under_test.h"
#include "support/temp_dir.h"
#include "support/test_issuer.h"
#include "unit/auth/jwks_server.h"

namespace protogate::test {
namespace {

using nlohmann::json;

config::AuthPolicyConfig PolicyFor(const std::string& selector,
                                   std::vector<std::string> scopes = {}, bool is_public = false) {
  config::AuthPolicyConfig policy;
  policy.selector = selector;
  policy.scopes = std::move(scopes);
  policy.is_public = is_public;
  return policy;
}

HttpRequest Echo(TestHeaders headers) {
  return {.method = "POST", .target = "/v1/echo", .headers = std::move(headers), .body = "{}"};
}

// Verifies the stamped token as a service would, with the JWKS the gateway
// publishes on its listener.
absl::StatusOr<auth::Jwt> VerifyStamp(GatewayUnderTest& gw, const std::string& token,
                                      const std::string& audience) {
  HttpResponse jwks = gw.Call({.target = "/.well-known/protogate/jwks.json"});
  auto keys = auth::KeySet::Parse(jwks.body);
  if (!keys.ok()) return keys.status();
  auto jwt = auth::ParseJwt(token, 8192);
  if (!jwt.ok()) return jwt.status();
  const auth::Jwk* key = keys->Find(jwt->kid);
  if (key == nullptr) return absl::NotFoundError("unknown kid");
  if (absl::Status s = auth::VerifySignature(*jwt, *key); !s.ok()) return s;
  if (absl::Status s = auth::CheckClaims(*jwt, {.issuer = "protogate",
                                                .audiences = {audience},
                                                .now = absl::Now(),
                                                .clock_skew = absl::Seconds(5)});
      !s.ok()) {
    return s;
  }
  return jwt;
}

class JwtAuthTest : public ::testing::Test {
 protected:
  JwtAuthTest()
      : gw_([this](config::GatewayConfig& config) {
          config.auth.enabled = true;
          config.auth.default_policy = "deny";
          config.auth.has_jwt = true;
          config.auth.jwt.issuers = {IssuerConfig(issuer_)};
          config.auth.stamping.identity_headers = true;
          config.auth.policies = {PolicyFor("demo.catalog.v1.CatalogService.Echo"),
                                  PolicyFor("demo.users.v1.UserService.GetUser", {"users:read"}),
                                  PolicyFor("demo.catalog.v1.CatalogService.*", {}, true)};
          // Even when an operator forwards it by name, a client's copy is dropped.
          config.forward_headers.push_back("x-protogate-identity");
        }) {}

  TestIssuer issuer_;
  GatewayUnderTest gw_;
};

TEST_F(JwtAuthTest, UpstreamGetsAVerifiableStampAndNeverTheClientsIdentityHeaders) {
  HttpResponse response = gw_.Call(Echo({{"Authorization", Bearer(issuer_.Token("users:read"))},
                                         {"X-Protogate-Identity", "forged"},
                                         {"Grpc-Metadata-X-Protogate-Subject", "root"},
                                         {"Grpc-Metadata-X-Protogate-Identity", "forged"}}));
  ASSERT_EQ(response.status, 200) << response.body;
  json metadata = GatewayUnderTest::Json(response)["metadata"];
  ASSERT_TRUE(metadata.contains("x-protogate-identity")) << metadata;
  const std::string stamp = metadata["x-protogate-identity"].get<std::string>();
  EXPECT_FALSE(absl::StrContains(stamp, "forged")) << stamp;
  EXPECT_EQ(metadata["x-protogate-subject"], "alice") << metadata;
  EXPECT_EQ(metadata["x-protogate-client-id"], "mobile-app");

  auto jwt = VerifyStamp(gw_, stamp, "demo.catalog.v1.CatalogService");
  ASSERT_TRUE(jwt.ok()) << jwt.status();
  EXPECT_EQ(jwt->payload["sub"], "alice");
  EXPECT_EQ(jwt->payload["scope"], "users:read");
  EXPECT_EQ(jwt->payload["amr"], "jwt");
  // The token speaks of the caller, not of this request: its id travels
  // beside it.
  EXPECT_EQ(metadata["x-request-id"], std::string(response.Header("X-Request-Id")));
  EXPECT_EQ(jwt->payload["jti"].get<std::string>().size(), 32u);
}

TEST_F(JwtAuthTest, ExpiredTokenIs401WithAChallengeAndNoDetail) {
  HttpResponse response =
      gw_.Call(Echo({{"Authorization", Bearer(issuer_.Token("users:read", -3600))}}));
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(response.Header("WWW-Authenticate"),
            R"(Bearer realm="protogate", error="invalid_token")");
  json body = GatewayUnderTest::Json(response);
  EXPECT_EQ(body["code"], 16);
  EXPECT_EQ(body["message"], "invalid credentials");
  EXPECT_EQ(gw_.backend().stats(DemoService::kCatalog).total_calls, 0);
}

TEST_F(JwtAuthTest, MissingCredentialsIs401WithABareChallenge) {
  HttpResponse response = gw_.Call(Echo({}));
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(response.Header("WWW-Authenticate"), R"(Bearer realm="protogate")");
}

TEST_F(JwtAuthTest, MissingScopeIs403) {
  HttpResponse response = gw_.Call(
      {.target = "/v1/users/1", .headers = {{"Authorization", Bearer(issuer_.Token("x"))}}});
  EXPECT_EQ(response.status, 403) << response.body;
  EXPECT_EQ(GatewayUnderTest::Json(response)["code"], 7);
  EXPECT_EQ(gw_.backend().stats(DemoService::kUsers).total_calls, 0);

  HttpResponse allowed =
      gw_.Call({.target = "/v1/users/1",
                .headers = {{"Authorization", Bearer(issuer_.Token("users:read"))}}});
  EXPECT_EQ(allowed.status, 200) << allowed.body;
}

TEST_F(JwtAuthTest, PublicAndDeniedRoutes) {
  EXPECT_EQ(gw_.Call({.target = "/v1/products/p-1"}).status, 200);
  // No policy selects OrderService: default_policy deny, whoever asks.
  HttpResponse denied = gw_.Call(
      {.target = "/v1/orders/o-1", .headers = {{"Authorization", Bearer(issuer_.Token("a"))}}});
  EXPECT_EQ(denied.status, 403);
}

TEST(AuthOffTest, ReservedHeadersAreStrippedEvenWithoutAuth) {
  GatewayUnderTest gw;
  HttpResponse response = gw.Call(Echo({{"Grpc-Metadata-X-Protogate-Subject", "root"},
                                        {"Grpc-Metadata-X-Protogate-Identity", "forged"},
                                        {"Grpc-Metadata-Tenant", "acme"}}));
  ASSERT_EQ(response.status, 200) << response.body;
  json metadata = GatewayUnderTest::Json(response)["metadata"];
  EXPECT_FALSE(metadata.contains("x-protogate-subject")) << metadata;
  EXPECT_FALSE(metadata.contains("x-protogate-identity")) << metadata;
  EXPECT_EQ(metadata["tenant"], "acme");
  EXPECT_EQ(gw.Call({.target = "/.well-known/protogate/jwks.json"}).body, R"({"keys":[]})");
}

// The issuer publishes a new key and signs with it at once: the gateway,
// which fetches the issuer's JWKS over HTTP, refetches on the unknown kid and
// lets that very first request through.
TEST(JwksUrlAuthTest, FirstTokenAfterKeyRotationIsAccepted) {
  auth::testing::JwksServer jwks;
  TestIssuer old_issuer;
  TestIssuer new_issuer;
  jwks.set_body(old_issuer.Jwks());
  GatewayUnderTest gw([&](config::GatewayConfig& config) {
    RequireTokensFromJwksUrl(config, old_issuer, jwks.url());
  });
  ASSERT_EQ(gw.Call(Echo({{"Authorization", Bearer(old_issuer.Token("a"))}})).status, 200);
  const int fetches_before = jwks.requests();

  jwks.set_body(new_issuer.Jwks());  // rotation: only the new key is published
  HttpResponse first = gw.Call(Echo({{"Authorization", Bearer(new_issuer.Token("a"))}}));
  EXPECT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(jwks.requests(), fetches_before + 1);

  // A made-up kid right after gets 401 at once: one refetch per interval.
  TestIssuer stranger;
  HttpResponse refused = gw.Call(Echo({{"Authorization", Bearer(stranger.Token("a"))}}));
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(jwks.requests(), fetches_before + 1);
}

TEST(ApiKeyAuthTest, KeyFlow) {
  const std::string key = *auth::NewApiKey("partner-acme");
  GatewayUnderTest gw([&](config::GatewayConfig& config) {
    RequireApiKey(config, key, {"orders:read"});
    config.auth.policies = {PolicyFor("demo.orders.v1.OrderService.CreateOrder", {"orders:write"})};
  });
  HttpResponse ok = gw.Call(Echo({{"X-Api-Key", key}}));
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto jwt = VerifyStamp(gw, GatewayUnderTest::Json(ok)["metadata"]["x-protogate-identity"],
                         "demo.catalog.v1.CatalogService");
  ASSERT_TRUE(jwt.ok()) << jwt.status();
  EXPECT_EQ(jwt->payload["client_id"], "acme");
  EXPECT_EQ(jwt->payload["amr"], "api_key");

  HttpResponse wrong = gw.Call(Echo({{"X-Api-Key", key + "x"}}));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.Header("WWW-Authenticate"), R"(Bearer realm="protogate", error="invalid_token")");
  HttpResponse scope = gw.Call({.method = "POST",
                                .target = "/v1/orders",
                                .headers = {{"X-Api-Key", key}},
                                .body = R"({"userId":"1"})"});
  EXPECT_EQ(scope.status, 403);
}

class ExternalAuthTest : public ::testing::Test {
 protected:
  ExternalAuthTest()
      : started_(auth_server_.Start()), gw_([this](config::GatewayConfig& config) {
          config.auth.enabled = true;
          config.auth.default_policy = "authenticated";
          config.auth.has_external = true;
          config.auth.external.address = auth_server_.address();
        }) {}

  int Calls() const { return auth_server_.check_calls(); }

  demo_auth::DemoAuthServer auth_server_;
  absl::Status started_;
  GatewayUnderTest gw_;
};

TEST_F(ExternalAuthTest, OpaqueTokenIsCheckedThenCached) {
  ASSERT_TRUE(started_.ok()) << started_;
  HttpResponse first = gw_.Call(Echo({{"Authorization", "Bearer demo-token-alice"}}));
  ASSERT_EQ(first.status, 200) << first.body;
  auto jwt = VerifyStamp(gw_, GatewayUnderTest::Json(first)["metadata"]["x-protogate-identity"],
                         "demo.catalog.v1.CatalogService");
  ASSERT_TRUE(jwt.ok()) << jwt.status();
  EXPECT_EQ(jwt->payload["sub"], "alice");
  EXPECT_EQ(jwt->payload["amr"], "external");
  EXPECT_EQ(Calls(), 1);
  EXPECT_EQ(gw_.Call(Echo({{"Authorization", "Bearer demo-token-alice"}})).status, 200);
  EXPECT_EQ(Calls(), 1);  // answered from the cache

  HttpResponse unknown = gw_.Call(Echo({{"Authorization", "Bearer stolen"}}));
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(Calls(), 2);
}

TEST_F(ExternalAuthTest, CacheHonoursTheServicesTtl) {
  ASSERT_TRUE(started_.ok()) << started_;
  auth_server_.service().set_ttl(absl::Milliseconds(200));
  ASSERT_EQ(gw_.Call(Echo({{"Authorization", "Bearer demo-token-bob"}})).status, 200);
  ASSERT_EQ(Calls(), 1);
  // Once the 200 ms have passed the gateway asks again; bounded polling.
  for (int i = 0; i < 100 && Calls() == 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_EQ(gw_.Call(Echo({{"Authorization", "Bearer demo-token-bob"}})).status, 200);
  }
  EXPECT_EQ(Calls(), 2);
}

TEST_F(ExternalAuthTest, ServiceDownFailsClosedWith503) {
  ASSERT_TRUE(started_.ok()) << started_;
  auth_server_.Stop();
  HttpResponse response = gw_.Call(Echo({{"Authorization", "Bearer demo-token-alice"}}));
  EXPECT_EQ(response.status, 503) << response.body;
  json body = GatewayUnderTest::Json(response);
  EXPECT_EQ(body["code"], 14);
  EXPECT_EQ(body["message"], "authentication service unavailable");
  EXPECT_EQ(gw_.backend().stats(DemoService::kCatalog).total_calls, 0);

  ASSERT_TRUE(auth_server_.Restart().ok());
  // gRPC reconnects with backoff; bounded polling until the service answers again.
  int status = 0;
  for (int i = 0; i < 100 && status != 200; ++i) {
    status = gw_.Call(Echo({{"Authorization", "Bearer demo-token-alice"}})).status;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(status, 200);
}

}  // namespace
}  // namespace protogate::test
