// End to end: a reload the gateway refuses changes nothing anyone can see:
// the old snapshot keeps serving, the published JWKS file keeps its bytes and
// time, and no JWKS is fetched for the refused auth section. An accepted
// reload publishes and fetches.

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "google/api/annotations.pb.h"
#include "google/protobuf/descriptor.pb.h"
#include "gtest/gtest.h"
#include "support/gateway_under_test.h"
#include "support/temp_dir.h"
#include "unit/auth/jwks_server.h"
#include "unit/auth/test_keys.h"

namespace protogate::test {
namespace {

using ::testing::HasSubstr;

std::string Contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The demo set with GetUser's route binding a field its request lacks.
std::string WriteDescriptorsWithUnboundVariable(const std::string& path) {
  google::protobuf::FileDescriptorSet set;
  EXPECT_TRUE(set.ParseFromString(Contents(PROTOGATE_DEMO_DESCRIPTORS)));
  for (auto& file : *set.mutable_file()) {
    for (auto& service : *file.mutable_service()) {
      for (auto& method : *service.mutable_method()) {
        if (method.name() != "GetUser") continue;
        google::api::HttpRule rule;
        rule.set_get("/v1/users/{nope}");
        *method.mutable_options()->MutableExtension(google::api::http) = rule;
      }
    }
  }
  std::ofstream(path, std::ios::binary) << set.SerializeAsString();
  return path;
}

TEST(LoadValidationTest, RefusedReloadHasNoSideEffectsAndAnAcceptedOneHas) {
  const auto dir = ProcessTempDir("load_validation_test");
  const std::string jwks_out = (dir / "gateway-jwks.json").string();
  std::ofstream(jwks_out) << "previous";
  const auto mtime = std::filesystem::last_write_time(jwks_out);
  auth::PkeyPtr key = auth::testing::NewEcKey("P-256");
  auth::testing::JwksServer issuer_keys;
  issuer_keys.set_body(auth::testing::JwksOf({auth::testing::PublicJwk(key.get(), "k1")}));

  GatewayUnderTest gw;
  ASSERT_EQ(gw.Call({.target = "/v1/users/1"}).status, 200);
  config::GatewayConfig next = gw.config();
  next.auth.enabled = true;  // every route stays public (the default policy)
  next.auth.has_jwt = true;
  next.auth.jwt.issuers = {{.issuer = "https://issuer.example",
                            .audiences = {"protogate"},
                            .algorithms = {"ES256"},
                            .jwks_url = issuer_keys.url()}};
  next.auth.stamping.jwks_out = jwks_out;

  config::GatewayConfig refused = next;
  refused.descriptors = WriteDescriptorsWithUnboundVariable((dir / "unbound.pb").string());
  absl::Status status = gw.gateway().Reload(refused);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(),
              HasSubstr("demo.users.v1.UserService.GetUser (GET /v1/users/{nope})"));
  EXPECT_THAT(status.message(), HasSubstr("variable {nope}"));
  EXPECT_EQ(Contents(jwks_out), "previous");
  EXPECT_EQ(std::filesystem::last_write_time(jwks_out), mtime);
  EXPECT_EQ(issuer_keys.requests(), 0);
  HttpResponse still = gw.Call({.target = "/v1/users/1"});
  EXPECT_EQ(still.status, 200) << still.body;

  ASSERT_TRUE(gw.gateway().Reload(next).ok());
  EXPECT_EQ(Contents(jwks_out), gw.gateway().snapshot()->auth->jwks_json());
  EXPECT_GE(issuer_keys.requests(), 1);  // the first fetch ends before the swap
  EXPECT_EQ(gw.Call({.target = "/v1/users/1"}).status, 200);
}

}  // namespace
}  // namespace protogate::test
