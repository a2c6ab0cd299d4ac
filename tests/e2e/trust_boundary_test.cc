// End to end: what a client sends cannot take the gateway down or cross the
// trust boundary into the services. The real gateway, the real demo services
// (the catalog's Echo answers with the metadata it received) and the demo
// auth service (demo-token-alice), over loopback.

#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "auth/api_key.h"
#include "demo_auth/demo_auth_server.h"
#include "gtest/gtest.h"
#include "support/gateway_under_test.h"
#include "support/http_client.h"

namespace protogate::test {
namespace {

using nlohmann::json;

constexpr char kAlice[] = "Bearer demo-token-alice";

bool IsMintedRequestId(absl::string_view id) {
  if (id.size() != 32) return false;
  for (char c : id) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c)) || absl::ascii_isupper(c)) {
      return false;
    }
  }
  return true;
}

class TrustBoundaryTest : public ::testing::Test {
 protected:
  TrustBoundaryTest() : started_(auth_server_.Start()) {}

  // A gateway whose catalog routes need the demo auth service; `adjust` may
  // change the config further.
  std::unique_ptr<GatewayUnderTest> Gateway(
      std::function<void(config::GatewayConfig&)> adjust = nullptr) {
    return std::make_unique<GatewayUnderTest>([this, adjust](config::GatewayConfig& config) {
      config.auth.enabled = true;
      config.auth.default_policy = "public";
      config.auth.has_external = true;
      config.auth.external.address = auth_server_.address();
      config.auth.policies = {{.selector = "demo.catalog.v1.CatalogService.Echo"},
                              {.selector = "demo.users.v1.UserService.WhoAmI"}};
      config.forward_headers.push_back("x-tenant");
      config.reserved_metadata = {"x-user-id", "x-roles"};
      if (adjust) adjust(config);
    });
  }

  // The metadata the catalog service saw for an authenticated Echo.
  static json EchoedMetadata(GatewayUnderTest& gw, TestHeaders headers) {
    headers.emplace_back("Authorization", kAlice);
    headers.emplace_back("Content-Type", "application/json");
    HttpResponse response =
        gw.Call({.method = "POST", .target = "/v1/echo", .headers = headers, .body = "{}"});
    EXPECT_EQ(response.status, 200) << response.body;
    return GatewayUnderTest::Json(response)["metadata"];
  }

  demo_auth::DemoAuthServer auth_server_;
  absl::Status started_;
};

TEST_F(TrustBoundaryTest, ARequestIdThatIsNotSafeIsReplacedAndTheRequestServed) {
  ASSERT_TRUE(started_.ok()) << started_;
  auto gw = Gateway();
  for (const std::string& id : {std::string("\xff\xfe", 2), std::string("a b"), std::string("x\"y"),
                                std::string(129, 'a'), std::string("caf\xc3\xa9")}) {
    // An authenticated echo (the id goes into the stamped token) and the
    // stamp-verifying /v1/me path both answer.
    HttpResponse response = gw->Call({.method = "POST",
                                      .target = "/v1/echo",
                                      .headers = {{"Authorization", kAlice},
                                                  {"X-Request-Id", id},
                                                  {"Content-Type", "application/json"}},
                                      .body = "{}"});
    ASSERT_EQ(response.status, 200) << response.body;
    const std::string answered(response.Header("X-Request-Id"));
    EXPECT_TRUE(IsMintedRequestId(answered)) << answered;
    EXPECT_EQ(GatewayUnderTest::Json(response)["metadata"]["x-request-id"], answered);
    HttpResponse public_route =
        gw->Call({.target = "/v1/products/p-1", .headers = {{"X-Request-Id", id}}});
    EXPECT_NE(public_route.status, 0);
    EXPECT_TRUE(IsMintedRequestId(public_route.Header("X-Request-Id")));
  }
  HttpResponse kept = gw->Call({.target = "/healthz", .headers = {{"X-Request-Id", "abc-123"}}});
  EXPECT_EQ(kept.Header("X-Request-Id"), "abc-123");
}

TEST_F(TrustBoundaryTest, TwoCredentialHeadersOfOneKindAreABadRequest) {
  ASSERT_TRUE(started_.ok()) << started_;
  auto gw = Gateway();
  HttpResponse response = gw->Call({.method = "POST",
                                    .target = "/v1/echo",
                                    .headers = {{"Authorization", "Bearer forged"},
                                                {"Authorization", kAlice},
                                                {"Content-Type", "application/json"}},
                                    .body = "{}"});
  EXPECT_EQ(response.status, 400) << response.body;
  EXPECT_EQ(GatewayUnderTest::Json(response)["code"], 3);
  EXPECT_EQ(GatewayUnderTest::Json(response)["message"], "more than one authorization header");
  EXPECT_EQ(gw->backend().stats(DemoService::kCatalog).total_calls, 0);
}

TEST_F(TrustBoundaryTest, TheClientsCredentialsStayAtTheEdge) {
  ASSERT_TRUE(started_.ok()) << started_;
  auto gw = Gateway();
  json metadata = EchoedMetadata(*gw, {{"Grpc-Metadata-Authorization", "Bearer sneaky"}});
  EXPECT_FALSE(metadata.contains("authorization")) << metadata;
  EXPECT_TRUE(metadata.contains("x-protogate-identity")) << metadata;
}

TEST_F(TrustBoundaryTest, AnUpstreamCanAskForTheOriginalAuthorization) {
  ASSERT_TRUE(started_.ok()) << started_;
  auto gw = Gateway([](config::GatewayConfig& config) {
    for (auto& upstream : config.upstreams) {
      if (upstream.service == "demo.catalog.v1.CatalogService") {
        upstream.forward_authorization = true;
      }
    }
  });
  json metadata = EchoedMetadata(*gw, {});
  EXPECT_EQ(metadata["authorization"], kAlice) << metadata;
  EXPECT_TRUE(metadata.contains("x-protogate-identity")) << metadata;
}

TEST_F(TrustBoundaryTest, ReservedMetadataCannotBeSetUnderAnySpelling) {
  ASSERT_TRUE(started_.ok()) << started_;
  auto gw = Gateway([](config::GatewayConfig& config) {
    config.forward_headers.push_back("x-user-id-not");  // a longer name is not reserved
  });
  json metadata = EchoedMetadata(*gw, {{"X-User-Id", "forged"},
                                       {"Grpc-Metadata-X-User-Id", "forged"},
                                       {"grpc-metadata-x-USER-id", "forged"},
                                       {"GRPC-METADATA-X-ROLES", "admin"},
                                       {"Grpc-Metadata-X-Protogate-Identity", "forged"},
                                       {"X-User-Id-Not", "kept"},
                                       {"X-Tenant", "acme"}});
  EXPECT_FALSE(metadata.contains("x-user-id")) << metadata;
  EXPECT_FALSE(metadata.contains("x-roles")) << metadata;
  EXPECT_NE(metadata["x-protogate-identity"], "forged");
  EXPECT_EQ(metadata["x-user-id-not"], "kept");
  EXPECT_EQ(metadata["x-tenant"], "acme");
}

TEST_F(TrustBoundaryTest, ReservedMetadataInChunkedTrailersIsDroppedToo) {
  ASSERT_TRUE(started_.ok()) << started_;
  auto gw = Gateway();
  auto client = HttpClient::Connect(gw->port());
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE((*client)
                  ->SendRaw(absl::StrCat("POST /v1/echo HTTP/1.1\r\nHost: x\r\n"
                                         "Authorization: ",
                                         kAlice,
                                         "\r\nContent-Type: application/json\r\n"
                                         "Transfer-Encoding: chunked\r\n\r\n"
                                         "2\r\n{}\r\n0\r\n"
                                         "Grpc-Metadata-X-User-Id: forged\r\n"
                                         "X-Tenant: from-trailer\r\n\r\n"))
                  .ok());
  auto response = (*client)->ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(response->status, 200) << response->body;
  json metadata = GatewayUnderTest::Json(*response)["metadata"];
  EXPECT_FALSE(metadata.contains("x-user-id")) << metadata;
}

TEST_F(TrustBoundaryTest, ForwardedHeadersThatAreNotAsciiAreRefusedNamingTheHeader) {
  ASSERT_TRUE(started_.ok()) << started_;
  auto gw = Gateway();
  for (const std::string& value : {std::string("\xff\xfe", 2), std::string("caf\xc3\xa9")}) {
    HttpResponse response =
        gw->Call({.target = "/v1/products/p-1", .headers = {{"Grpc-Metadata-X-Tenant", value}}});
    EXPECT_EQ(response.status, 400) << response.body;
    const json body = GatewayUnderTest::Json(response);
    EXPECT_EQ(body["code"], 3);
    EXPECT_NE(body["message"].get<std::string>().find("header grpc-metadata-x-tenant"),
              std::string::npos)
        << body;
  }
  EXPECT_EQ(gw->backend().stats(DemoService::kCatalog).total_calls, 0);
}

TEST_F(TrustBoundaryTest, AnApiKeyInTheQueryNeverReachesTheRequestMessage) {
  ASSERT_TRUE(started_.ok()) << started_;
  const std::string key = *auth::NewApiKey("partner");
  auto gw = Gateway([&key](config::GatewayConfig& config) {
    config.auth.has_api_keys = true;
    config.auth.api_keys.header.clear();
    config.auth.api_keys.query_parameter = "api_key";
    config.auth.api_keys.keys = {
        {.id = "partner", .hash = *auth::HashApiKey(key), .client_id = "acme", .scopes = {}}};
    config.transcoding.reject_unknown_query_parameters = true;
  });
  // Echo's request has no api_key field: with unknown parameters rejected,
  // the key reaching the transcoder would be a 400.
  HttpResponse response =
      gw->Call({.target = absl::StrCat("/v1/echo/hello?api_key=", key, "&scalars.int32_value=7")});
  ASSERT_EQ(response.status, 200) << response.body;
  const json body = GatewayUnderTest::Json(response);
  EXPECT_EQ(body["request"]["scalars"]["stringValue"], "hello") << body;
  EXPECT_EQ(body["request"]["scalars"]["int32Value"], 7) << body;
  EXPECT_EQ(body.dump().find(key), std::string::npos) << body;
}

// Path and query values are bytes once percent-decoded: a string field takes
// only UTF-8, so anything else is a 400, on every route.
TEST_F(TrustBoundaryTest, PercentDecodedBytesThatAreNotUtf8AreABadRequest) {
  ASSERT_TRUE(started_.ok()) << started_;
  auto gw = Gateway();
  for (const std::string& target :
       {std::string("/v1/echo/%FF%FE"), std::string("/v1/echo/ok?nested.inner.name=%C3%28"),
        std::string("/v1/products:search?q=%ED%A0%80")}) {
    HttpResponse response = gw->Call({.target = target, .headers = {{"Authorization", kAlice}}});
    EXPECT_EQ(response.status, 400) << target << " " << response.body;
    EXPECT_EQ(GatewayUnderTest::Json(response)["code"], 3) << target;
  }
}

// Tokens are bytes too: one that is not a bearer token's characters is
// refused as invalid before any authenticator sees it.
TEST_F(TrustBoundaryTest, ABearerTokenOfBytesIsInvalidCredentials) {
  ASSERT_TRUE(started_.ok()) << started_;
  auto gw = Gateway();
  HttpResponse response =
      gw->Call({.target = "/v1/echo/x",
                .headers = {{"Authorization", std::string("Bearer demo-\xff\xfe-token")}}});
  EXPECT_EQ(response.status, 401) << response.body;
  EXPECT_EQ(GatewayUnderTest::Json(response)["message"], "invalid credentials");
}

}  // namespace
}  // namespace protogate::test
