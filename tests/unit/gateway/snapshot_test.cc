// BuildSnapshot refuses at load what would fail at request time, and has no
// side effect until the snapshot is activated.

#include "gateway/snapshot.h"

#include <atomic>
#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "google/api/annotations.pb.h"
#include "google/protobuf/descriptor.pb.h"
#include "gtest/gtest.h"
#include "support/demo_registry.h"
#include "support/temp_dir.h"
#include "unit/auth/test_keys.h"

namespace protogate::gateway {
namespace {

using ::testing::HasSubstr;

// A usable JWKS, so that the refresher's next fetch is minutes away.
const std::string& GoodJwks() {
  static const std::string jwks = [] {
    auth::PkeyPtr key = auth::testing::NewEcKey("P-256");
    return auth::testing::JwksOf({auth::testing::PublicJwk(key.get(), "k1")});
  }();
  return jwks;
}

std::string TempPath(const std::string& name) {
  return (test::ProcessTempDir("snapshot_test") / name).string();
}

// The demo set with the GET rule of `method` ("GetUser") replaced by `path`.
std::string DescriptorsWithRoute(const std::string& method, const std::string& path) {
  google::protobuf::FileDescriptorSet set;
  EXPECT_TRUE(set.ParseFromString(test::DemoDescriptorSetBytes()));
  bool found = false;
  for (auto& file : *set.mutable_file()) {
    for (auto& service : *file.mutable_service()) {
      for (auto& m : *service.mutable_method()) {
        if (m.name() != method) continue;
        google::api::HttpRule rule;
        rule.set_patch(path);  // PATCH: clear of every demo GET route
        *m.mutable_options()->MutableExtension(google::api::http) = rule;
        found = true;
      }
    }
  }
  EXPECT_TRUE(found) << method;
  const std::string path_on_disk =
      TempPath(method + std::to_string(std::hash<std::string>()(path)));
  std::ofstream(path_on_disk, std::ios::binary) << set.SerializeAsString();
  return path_on_disk;
}

config::GatewayConfig DemoConfig(const std::string& descriptors) {
  config::GatewayConfig config;
  config.source_path = "gateway.yaml";
  config.descriptors = descriptors;
  // Channels connect lazily: nothing needs to listen here.
  for (const char* service : {"demo.users.v1.UserService", "demo.orders.v1.OrderService",
                              "demo.catalog.v1.CatalogService"}) {
    config.upstreams.push_back(
        {.service = service, .addresses = {"127.0.0.1:1"}, .method_timeouts = {}});
  }
  return config;
}

absl::Status BuildError(const config::GatewayConfig& config,
                        auth::AuthEngine::Options auth_options = {}) {
  auto snapshot =
      BuildSnapshot(config, nullptr, std::make_shared<GatewayMetrics>(), std::move(auth_options));
  EXPECT_FALSE(snapshot.ok());
  return snapshot.ok() ? absl::OkStatus() : snapshot.status();
}

TEST(SnapshotTest, VariableNamingNoFieldIsRefusedNamingRouteAndVariable) {
  absl::Status error = BuildError(DemoConfig(DescriptorsWithRoute("GetUser", "/v1/users/{nope}")));
  EXPECT_EQ(error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(error.message(),
              HasSubstr("demo.users.v1.UserService.GetUser (PATCH /v1/users/{nope})"));
  EXPECT_THAT(error.message(),
              HasSubstr("variable {nope}: demo.users.v1.GetUserRequest has no field \"nope\""));
  EXPECT_THAT(error.message(), HasSubstr("name one of its fields: user_id"));
}

TEST(SnapshotTest, NestedVariableWithAMisspeltFieldIsRefused) {
  absl::Status error =
      BuildError(DemoConfig(DescriptorsWithRoute("UpdateUser", "/v1/users/{user.nme}")));
  EXPECT_THAT(error.message(), HasSubstr("UpdateUser (PATCH /v1/users/{user.nme})"));
  EXPECT_THAT(error.message(),
              HasSubstr("variable {user.nme}: demo.users.v1.User has no field \"nme\""));
}

TEST(SnapshotTest, VariableNamingARepeatedOrMessageFieldIsRefused) {
  EXPECT_THAT(
      BuildError(DemoConfig(DescriptorsWithRoute("ListUsers", "/v1/users/{roles}"))).message(),
      HasSubstr("variable {roles}: \"roles\" is repeated"));
  EXPECT_THAT(
      BuildError(DemoConfig(DescriptorsWithRoute("UpdateUser", "/v1/users/{user}"))).message(),
      HasSubstr("variable {user}: \"user\" is a message (demo.users.v1.User)"));
}

TEST(SnapshotTest, TheDemoRoutesBuild) {
  auto snapshot = BuildSnapshot(DemoConfig(PROTOGATE_DEMO_DESCRIPTORS), nullptr,
                                std::make_shared<GatewayMetrics>());
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
}

// Auth with a JWKS to publish and a jwks_url issuer whose fetches are counted.
struct AuthSideEffects {
  std::string jwks_out = TempPath("published-jwks.json");
  std::shared_ptr<std::atomic<int>> fetches = std::make_shared<std::atomic<int>>(0);

  void Configure(config::GatewayConfig& config) const {
    config.auth.enabled = true;
    config.auth.has_jwt = true;
    config.auth.jwt.issuers = {{.issuer = "https://issuer.example",
                                .audiences = {"protogate"},
                                .algorithms = {"ES256"},
                                .jwks_url = "http://jwks.invalid/jwks.json"}};
    config.auth.stamping.jwks_out = jwks_out;
  }
  auth::AuthEngine::Options Options() const {
    return {.jwks_fetcher = [fetches = fetches](const std::string&) -> absl::StatusOr<std::string> {
      ++*fetches;
      return GoodJwks();
    }};
  }
};

std::string Contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(SnapshotTest, ABuildThatFailsAfterAuthWritesNothingAndFetchesNothing) {
  AuthSideEffects auth;
  std::ofstream(auth.jwks_out) << "previous";
  const auto mtime = std::filesystem::last_write_time(auth.jwks_out);
  config::GatewayConfig config = DemoConfig(DescriptorsWithRoute("GetUser", "/v1/users/{nope}"));
  auth.Configure(config);

  absl::Status error = BuildError(config, auth.Options());
  EXPECT_THAT(error.message(), HasSubstr("variable {nope}"));
  EXPECT_EQ(Contents(auth.jwks_out), "previous");
  EXPECT_EQ(std::filesystem::last_write_time(auth.jwks_out), mtime);
  EXPECT_EQ(auth.fetches->load(), 0);
}

TEST(SnapshotTest, ActivatingABuiltSnapshotPublishesAndStartsRefreshingOnce) {
  AuthSideEffects auth;
  std::filesystem::remove(auth.jwks_out);
  config::GatewayConfig config = DemoConfig(PROTOGATE_DEMO_DESCRIPTORS);
  auth.Configure(config);
  auto snapshot =
      BuildSnapshot(config, nullptr, std::make_shared<GatewayMetrics>(), auth.Options());
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_FALSE(std::filesystem::exists(auth.jwks_out));
  EXPECT_EQ(auth.fetches->load(), 0);

  ASSERT_TRUE((*snapshot)->Activate().ok());
  EXPECT_EQ(Contents(auth.jwks_out), (*snapshot)->auth->jwks_json());
  EXPECT_EQ(auth.fetches->load(), 1);  // the refresher's first fetch, before Activate returns

  std::filesystem::remove(auth.jwks_out);
  ASSERT_TRUE((*snapshot)->Activate().ok());  // idempotent: nothing twice
  EXPECT_FALSE(std::filesystem::exists(auth.jwks_out));
  EXPECT_EQ(auth.fetches->load(), 1);
}

}  // namespace
}  // namespace protogate::gateway
