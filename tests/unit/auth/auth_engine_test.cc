#include "auth/auth_engine.h"

#include <filesystem>
#include <fstream>
#include <future>

#include "auth/api_key.h"
#include "auth/jwt.h"
#include "gtest/gtest.h"
#include "support/temp_dir.h"
#include "test_keys.h"

namespace protogate::auth {
namespace {

constexpr int64_t kNow = 1'800'000'000;

std::string TempPath(const std::string& name) {
  const auto dir = test::ProcessTempDir("auth_engine_test");
  return (dir / name).string();
}

class AuthEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ec_ = testing::NewEcKey("P-256");
    const std::string jwks = TempPath("jwks.json");
    std::ofstream(jwks) << testing::JwksOf({testing::PublicJwk(ec_.get(), "ec")});
    key_ = *NewApiKey("partner");
    config_.enabled = true;
    config_.default_policy = "deny";
    config_.has_jwt = true;
    config_.jwt.issuers = {{.issuer = "https://issuer.example",
                            .audiences = {"protogate"},
                            .algorithms = {"ES256"},
                            .jwks_file = jwks}};
    config_.has_api_keys = true;
    config_.api_keys.keys = {
        {.id = "partner", .hash = *HashApiKey(key_), .client_id = "acme", .scopes = {"read"}}};
    config_.policies = {{.selector = "svc.Public.*", .is_public = true},
                        {.selector = "svc.Orders.Create", .scopes = {"write"}},
                        {.selector = "svc.Orders.*"}};
    config_.stamping.jwks_out = TempPath("gateway-jwks.json");
  }

  std::shared_ptr<const AuthEngine> Make() {
    auto engine =
        AuthEngine::Create(config_, nullptr, {.clock = [] { return absl::FromUnixSeconds(kNow); }});
    EXPECT_TRUE(engine.ok()) << engine.status();
    return engine.ok() ? *engine : nullptr;
  }

  std::string Jwt(const std::string& scope = "read") {
    nlohmann::json claims = {{"iss", "https://issuer.example"},
                             {"aud", "protogate"},
                             {"sub", "alice"},
                             {"scope", scope},
                             {"exp", kNow + 60}};
    return *SignJwt({{"alg", "ES256"}, {"kid", "ec"}}, claims, JwsAlgorithm::kEs256, ec_.get());
  }

  // The engine's answer for a request with these headers to `method`.
  static absl::StatusOr<Identity> Run(const AuthEngine& engine, const std::string& method,
                                      http::HeaderList headers, const std::string& target = "/x") {
    http::Request request;
    request.method = "GET";
    request.target = target;
    request.headers = std::move(headers);
    auto credentials = engine.TakeCredentials(request);
    if (!credentials.ok()) return credentials.status();
    std::promise<absl::StatusOr<Identity>> answer;
    engine.Authenticate(
        *credentials, request, engine.PolicyFor(method),
        [&answer](absl::StatusOr<Identity> identity) { answer.set_value(std::move(identity)); });
    return answer.get_future().get();
  }

  PkeyPtr ec_;
  std::string key_;
  config::AuthConfig config_;
};

TEST_F(AuthEngineTest, BearerJwtAndApiKeyBothAuthenticate) {
  auto engine = Make();
  auto by_jwt = Run(*engine, "svc.Orders.Get", {{"authorization", "Bearer " + Jwt()}});
  ASSERT_TRUE(by_jwt.ok()) << by_jwt.status();
  EXPECT_EQ(by_jwt->subject, "alice");
  auto by_key = Run(*engine, "svc.Orders.Get", {{"x-api-key", key_}});
  ASSERT_TRUE(by_key.ok()) << by_key.status();
  EXPECT_EQ(by_key->client_id, "acme");
  EXPECT_TRUE(Run(*engine, "svc.Orders.Get", {{"authorization", "bearer " + Jwt()}}).ok());
}

TEST_F(AuthEngineTest, FailuresAreGenericForClientsWithTheRightChallenge) {
  auto engine = Make();
  absl::Status missing = Run(*engine, "svc.Orders.Get", {}).status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(*ChallengeFor(missing), R"(Bearer realm="protogate")");

  absl::Status invalid =
      Run(*engine, "svc.Orders.Get", {{"authorization", "Bearer " + Jwt() + "x"}}).status();
  EXPECT_EQ(invalid.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(invalid.message(), "invalid credentials");
  EXPECT_EQ(*ChallengeFor(invalid), R"(Bearer realm="protogate", error="invalid_token")");

  absl::Status bad_key = Run(*engine, "svc.Orders.Get", {{"x-api-key", key_ + "x"}}).status();
  EXPECT_EQ(bad_key.message(), "invalid credentials");

  absl::Status scope = Run(*engine, "svc.Orders.Create", {{"x-api-key", key_}}).status();
  EXPECT_EQ(scope.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(scope.message(), "permission denied");
  EXPECT_TRUE(
      Run(*engine, "svc.Orders.Create", {{"authorization", "Bearer " + Jwt("write")}}).ok());

  absl::Status deny =
      Run(*engine, "svc.Other.Get", {{"authorization", "Bearer " + Jwt("write")}}).status();
  EXPECT_EQ(deny.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_FALSE(ChallengeFor(absl::UnavailableError("x")).has_value());
}

TEST_F(AuthEngineTest, ApiKeyFromAQueryParameter) {
  config_.api_keys.header.clear();
  config_.api_keys.query_parameter = "api_key";
  auto engine = Make();
  EXPECT_TRUE(Run(*engine, "svc.Orders.Get", {}, "/x?a=1&api_key=" + key_).ok());
  EXPECT_FALSE(Run(*engine, "svc.Orders.Get", {{"x-api-key", key_}}).ok());
}

TEST_F(AuthEngineTest, TheApiKeyQueryParameterIsTakenOutOfTheTarget) {
  config_.api_keys.header.clear();
  config_.api_keys.query_parameter = "api_key";
  auto engine = Make();
  http::Request request;
  request.target = "/x?a=1&api_key=" + key_ + "&b=2";
  auto credentials = engine->TakeCredentials(request);
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->api_key, key_);
  EXPECT_EQ(request.target, "/x?a=1&b=2");

  request.target = "/x?api_key=" + key_;
  ASSERT_TRUE(engine->TakeCredentials(request).ok());
  EXPECT_EQ(request.target, "/x");
}

TEST_F(AuthEngineTest, CredentialsOfBytesAreInvalidBeforeAnyAuthenticator) {
  auto engine = Make();
  for (const std::string& bad :
       {std::string("Bearer a\xff\xfe"), std::string("Bearer caf\xc3\xa9")}) {
    absl::Status status = Run(*engine, "svc.Orders.Get", {{"authorization", bad}}).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
    EXPECT_EQ(status.message(), "invalid credentials");
  }
  absl::Status key = Run(*engine, "svc.Orders.Get", {{"x-api-key", "k\x01ey"}}).status();
  EXPECT_EQ(key.message(), "invalid credentials");
}

TEST_F(AuthEngineTest, TwoCredentialsOfOneKindAreABadRequest) {
  auto engine = Make();
  // A forged token beside a valid one must not be resolved either way.
  absl::Status two_bearers =
      Run(*engine, "svc.Orders.Get",
          {{"authorization", "Bearer forged"}, {"authorization", "Bearer " + Jwt()}})
          .status();
  EXPECT_EQ(two_bearers.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(two_bearers.message(), "more than one authorization header");

  absl::Status two_keys =
      Run(*engine, "svc.Orders.Get", {{"x-api-key", "forged"}, {"x-api-key", key_}}).status();
  EXPECT_EQ(two_keys.code(), absl::StatusCode::kInvalidArgument);

  config_.api_keys.header.clear();
  config_.api_keys.query_parameter = "api_key";
  auto by_query = Make();
  absl::Status two_params =
      Run(*by_query, "svc.Orders.Get", {}, "/x?api_key=forged&api_key=" + key_).status();
  EXPECT_EQ(two_params.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(two_params.message(), "more than one api_key query parameter");
}

TEST_F(AuthEngineTest, PolicyAuthenticatorListIsHonoured) {
  config_.policies = {{.selector = "*", .authenticators = {"api_key"}}};
  auto engine = Make();
  EXPECT_EQ(Run(*engine, "svc.Orders.Get", {{"authorization", "Bearer " + Jwt()}}).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(Run(*engine, "svc.Orders.Get", {{"x-api-key", key_}}).ok());
}

TEST_F(AuthEngineTest, ExternalServiceDownFailsClosed) {
  config_.has_external = true;
  config_.external.address = "127.0.0.1:1";  // nothing listens there
  config_.external.timeout = std::chrono::milliseconds(300);
  config_.policies = {{.selector = "*", .authenticators = {"jwt", "external"}}};
  auto engine = Make();
  absl::Status status =
      Run(*engine, "svc.Orders.Get", {{"authorization", "Bearer opaque-token"}}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_EQ(status.message(), "authentication service unavailable");
  // A JWT-shaped token still goes to the jwt authenticator.
  EXPECT_TRUE(Run(*engine, "svc.Orders.Get", {{"authorization", "Bearer " + Jwt()}}).ok());
}

TEST_F(AuthEngineTest, PublishesItsJwksAndStampsVerifiableTokens) {
  auto engine = Make();
  ASSERT_TRUE(engine->Activate().ok());
  std::ifstream written(config_.stamping.jwks_out);
  std::string file((std::istreambuf_iterator<char>(written)), std::istreambuf_iterator<char>());
  EXPECT_EQ(file, engine->jwks_json());
  auto keys = KeySet::Parse(engine->jwks_json());
  ASSERT_TRUE(keys.ok()) << keys.status();

  config_.stamping.identity_headers = true;
  engine = Make();
  auto stamped =
      engine->Stamp({.subject = "alice", .client_id = "web", .scopes = {"a", "b"}}, "svc.Orders");
  ASSERT_TRUE(stamped.ok());
  ASSERT_EQ(stamped->size(), 4u);
  EXPECT_EQ((*stamped)[0].first, "x-protogate-identity");
  EXPECT_EQ((*stamped)[1], (std::pair<std::string, std::string>{"x-protogate-subject", "alice"}));
  EXPECT_EQ((*stamped)[3], (std::pair<std::string, std::string>{"x-protogate-scopes", "a b"}));
}

TEST_F(AuthEngineTest, JwksOutCreatesItsFolder) {
  const std::filesystem::path folder = std::filesystem::path(TempPath("jwks-out")) / "not" / "yet";
  std::filesystem::remove_all(folder.parent_path());
  config_.stamping.jwks_out = (folder / "gateway-jwks.json").string();
  auto engine = Make();
  ASSERT_NE(engine, nullptr);
  ASSERT_TRUE(engine->Activate().ok());
  std::ifstream written(config_.stamping.jwks_out);
  std::string file((std::istreambuf_iterator<char>(written)), std::istreambuf_iterator<char>());
  EXPECT_EQ(file, engine->jwks_json());
}

TEST_F(AuthEngineTest, ReservedKeys) {
  config_.stamping.header = "x-internal-identity";
  auto engine = Make();
  EXPECT_TRUE(engine->IsReservedKey("x-internal-identity"));
  EXPECT_TRUE(engine->IsReservedKey("x-protogate-subject"));
  EXPECT_TRUE(engine->IsReservedKey("x-protogate-anything"));
  EXPECT_FALSE(engine->IsReservedKey("authorization"));
}

TEST(AuthEngineOffTest, EverythingIsPublicAndNothingIsPublished) {
  auto engine = AuthEngine::Create(config::AuthConfig{}, nullptr, {});
  ASSERT_TRUE(engine.ok());
  EXPECT_FALSE((*engine)->enabled());
  EXPECT_TRUE((*engine)->PolicyFor("any.Service.Method").is_public());
  EXPECT_EQ((*engine)->jwks_json(), R"({"keys":[]})");
  EXPECT_TRUE((*engine)->IsReservedKey("x-protogate-identity"));
  EXPECT_TRUE((*engine)->Stamp({}, "a")->empty());
}

}  // namespace
}  // namespace protogate::auth
