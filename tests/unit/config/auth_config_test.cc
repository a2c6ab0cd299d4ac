#include "config/auth_config.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "config/gateway_config.h"
#include "gtest/gtest.h"

namespace protogate::config {
namespace {

// Four lines, so that the auth section starts on line 5.
constexpr char kBase[] = R"(descriptors: d.pb
upstreams:
  - service: a.B
    addresses: [h:1]
)";

constexpr char kHash[] =
    "sha256:00112233445566778899aabbccddeeff:"
    "0000000000000000000000000000000000000000000000000000000000000000";

absl::StatusOr<GatewayConfig> Parse(const std::string& auth) {
  return ParseGatewayConfig(absl::StrCat(kBase, auth), "conf/gw.yaml");
}

::testing::AssertionResult FailsWith(const std::string& auth, absl::string_view fragment) {
  auto config = Parse(auth);
  if (config.ok()) return ::testing::AssertionFailure() << "parsed";
  if (absl::StrContains(config.status().message(), fragment)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << config.status().message() << " lacks " << fragment;
}

TEST(AuthConfigTest, AbsentSectionMeansPublicAndDisabled) {
  auto config = Parse("");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->auth.enabled);
  EXPECT_EQ(config->auth.default_policy, "public");
}

TEST(AuthConfigTest, FullSectionParses) {
  auto config = Parse(absl::StrCat(R"(auth:
  default_policy: deny
  jwt:
    issuers:
      - issuer: https://issuer.example
        audiences: [protogate]
        algorithms: [RS256, ES256, HS256]
        jwks_file: keys/jwks.json
        hmac_secret_file: /etc/secret
      - issuer: https://other.example
        audiences: [a, b]
        jwks_url: http://127.0.0.1:9000/jwks.json
        refresh_interval: 5m
    clock_skew: 10s
    max_token_bytes: 4KiB
    cache_size: 0
  api_keys:
    query_parameter: api_key
    keys:
      - id: partner-acme
        hash: ")",
                                   kHash, R"("
        client_id: acme
        scopes: [orders:read]
  external:
    address: 127.0.0.1:50060
    timeout: 150ms
    cache_size: 500
  stamping:
    header: X-Internal-Identity
    signing_key_file: keys/gw.pem
    ttl: 2m
    identity_headers: true
    jwks_out: out/jwks.json
    cache_size: 20
  policies:
    - selector: demo.catalog.v1.CatalogService.*
      public: true
    - selector: demo.orders.v1.OrderService.CreateOrder
      authenticators: [jwt, api_key]
      scopes: [orders:write]
      claims: {aud: protogate}
)"));
  ASSERT_TRUE(config.ok()) << config.status();
  const AuthConfig& auth = config->auth;
  EXPECT_TRUE(auth.enabled);
  EXPECT_EQ(auth.default_policy, "deny");
  ASSERT_EQ(auth.jwt.issuers.size(), 2u);
  EXPECT_EQ(auth.jwt.issuers[0].jwks_file, "conf/keys/jwks.json");
  EXPECT_EQ(auth.jwt.issuers[0].hmac_secret_file, "/etc/secret");
  EXPECT_EQ(auth.jwt.issuers[0].algorithms, (std::vector<std::string>{"RS256", "ES256", "HS256"}));
  EXPECT_EQ(auth.jwt.issuers[1].refresh_interval, std::chrono::minutes(5));
  EXPECT_EQ(auth.jwt.clock_skew, std::chrono::seconds(10));
  EXPECT_EQ(auth.jwt.max_token_bytes, 4096u);
  EXPECT_EQ(auth.jwt.cache_size, 0u);
  EXPECT_TRUE(auth.has_api_keys);
  EXPECT_EQ(auth.api_keys.query_parameter, "api_key");
  EXPECT_EQ(auth.api_keys.header, "");
  EXPECT_EQ(auth.api_keys.keys[0].client_id, "acme");
  EXPECT_EQ(auth.external.address, "127.0.0.1:50060");
  EXPECT_EQ(auth.external.timeout, std::chrono::milliseconds(150));
  EXPECT_EQ(auth.external.cache_size, 500u);
  EXPECT_EQ(auth.stamping.header, "x-internal-identity");
  EXPECT_EQ(auth.stamping.signing_key_file, "conf/keys/gw.pem");
  EXPECT_EQ(auth.stamping.jwks_out, "conf/out/jwks.json");
  EXPECT_TRUE(auth.stamping.identity_headers);
  EXPECT_EQ(auth.stamping.cache_size, 20u);
  ASSERT_EQ(auth.policies.size(), 2u);
  EXPECT_TRUE(auth.policies[0].is_public);
  EXPECT_EQ(auth.policies[1].claims.at("aud"), "protogate");
}

TEST(AuthConfigTest, ErrorsNameFileLineColumnAndField) {
  EXPECT_TRUE(
      FailsWith("auth:\n  default_policy: maybe\n", "conf/gw.yaml:6:19: auth.default_policy"));
  EXPECT_TRUE(FailsWith("auth:\n  jwt_issuers: []\n", "conf/gw.yaml:6:3: auth: unknown key"));
}

TEST(AuthConfigTest, HttpsJwksUrlWithACaBundleNextToTheConfig) {
  auto config = Parse(
      "auth:\n  jwt:\n    issuers:\n      - issuer: i\n        audiences: [a]\n"
      "        jwks_url: https://idp.example/.well-known/jwks.json\n"
      "        jwks_ca_file: certs/idp-ca.pem\n");
  ASSERT_TRUE(config.ok()) << config.status();
  const auto& issuer = config->auth.jwt.issuers.at(0);
  EXPECT_EQ(issuer.jwks_url, "https://idp.example/.well-known/jwks.json");
  EXPECT_EQ(issuer.jwks_ca_file, "conf/certs/idp-ca.pem");
}

TEST(AuthConfigTest, RefusesInconsistentSettings) {
  const std::string issuer =
      "auth:\n  jwt:\n    issuers:\n      - issuer: i\n        audiences: [a]\n";
  EXPECT_TRUE(FailsWith(issuer, "jwks_file"));
  EXPECT_TRUE(FailsWith(issuer + "        algorithms: [none]\n        jwks_file: k\n",
                        "unsupported algorithm"));
  EXPECT_TRUE(FailsWith(issuer + "        algorithms: [HS256]\n", "hmac_secret_file"));
  EXPECT_TRUE(
      FailsWith(issuer + "        jwks_file: k\n        hmac_secret_file: s\n", "no HS256"));
  EXPECT_TRUE(
      FailsWith(issuer + "        jwks_file: k\n        jwks_url: http://h/k\n", "exclusive"));
  EXPECT_TRUE(FailsWith(issuer + "        jwks_url: ftp://h/k\n", "expected https://"));
  EXPECT_TRUE(FailsWith(issuer + "        jwks_url: http://h/k\n        jwks_ca_file: ca.pem\n",
                        "jwks_ca_file needs an https:// jwks_url"));
  EXPECT_TRUE(
      FailsWith(issuer + "        jwks_file: k\n        refresh_interval: 1m\n", "needs jwks_url"));
  EXPECT_TRUE(FailsWith("auth:\n  api_keys:\n    keys:\n      - id: a\n        hash: nope\n",
                        "invalid hash"));
  EXPECT_TRUE(FailsWith(absl::StrCat("auth:\n  api_keys:\n    keys:\n      - {id: a, hash: \"",
                                     kHash, "\"}\n      - {id: a, hash: \"", kHash, "\"}\n"),
                        "duplicate key id"));
  EXPECT_TRUE(
      FailsWith("auth:\n  api_keys:\n    header: authorization\n    keys: []\n", "bearer tokens"));
  EXPECT_TRUE(FailsWith("auth:\n  policies:\n    - selector: a.B.*\n      authenticators: [jwt]\n",
                        "authenticator jwt is not configured"));
  EXPECT_TRUE(FailsWith("auth:\n  policies:\n    - selector: a/b\n", "invalid selector"));
  EXPECT_TRUE(
      FailsWith("auth:\n  policies:\n    - selector: a.B\n      public: true\n"
                "      scopes: [x]\n",
                "a public policy takes no"));
  EXPECT_TRUE(FailsWith("auth:\n  external:\n    timeout: 1s\n", "address"));
  EXPECT_TRUE(FailsWith("auth:\n  stamping:\n    header: grpc-identity\n", "reserved by gRPC"));
}

}  // namespace
}  // namespace protogate::config
