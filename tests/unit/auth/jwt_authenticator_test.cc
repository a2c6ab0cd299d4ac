#include "auth/jwt_authenticator.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <thread>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "support/temp_dir.h"
#include "test_keys.h"

namespace protogate::auth {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1'800'000'000;
constexpr char kSecret[] = "an-hmac-secret-of-at-least-32-bytes!";

std::string WriteTemp(const std::string& name, const std::string& text) {
  const auto dir = test::ProcessTempDir("jwt_authenticator_test");
  const std::string path = (dir / name).string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

class JwtAuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ec_ = testing::NewEcKey("P-256");
    config_.issuers = {
        {.issuer = "https://issuer.example",
         .audiences = {"protogate"},
         .algorithms = {"RS256", "ES256", "HS256"},
         .jwks_file = WriteTemp(
             "jwks.json", testing::JwksOf({testing::PublicJwk(ec_.get(), "ec"),
                                           testing::PublicJwk(testing::SharedRsaKey(), "rsa")})),
         .hmac_secret_file = WriteTemp("secret", std::string(kSecret) + "\n")}};
  }

  std::unique_ptr<JwtAuthenticator> Make() {
    auto made =
        JwtAuthenticator::Create(config_, {.clock = [] { return absl::FromUnixSeconds(kNow); }});
    EXPECT_TRUE(made.ok()) << made.status();
    return made.ok() ? *std::move(made) : nullptr;
  }

  static json Claims() {
    return {{"iss", "https://issuer.example"},
            {"aud", "protogate"},
            {"sub", "alice"},
            {"azp", "web"},
            {"scope", "a b"},
            {"exp", kNow + 60}};
  }

  std::string Token(JwsAlgorithm alg, EVP_PKEY* key, const std::string& kid,
                    const json& claims = Claims()) {
    json header = {{"alg", std::string(JwsAlgorithmName(alg))}};
    if (!kid.empty()) header["kid"] = kid;
    return *SignJwt(header, claims, alg, key, kSecret);
  }

  PkeyPtr ec_;
  config::JwtConfig config_;
};

TEST_F(JwtAuthenticatorTest, ValidTokenGivesIdentity) {
  auto jwt = Make();
  auto identity = jwt->Verify(Token(JwsAlgorithm::kEs256, ec_.get(), "ec"));
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->subject, "alice");
  EXPECT_EQ(identity->client_id, "web");
  EXPECT_EQ(identity->scopes, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(identity->issuer, "https://issuer.example");
  EXPECT_EQ(identity->authenticator, "jwt");
  EXPECT_EQ(identity->claims["azp"], "web");
  EXPECT_TRUE(jwt->Verify(Token(JwsAlgorithm::kRs256, testing::SharedRsaKey(), "rsa")).ok());
  EXPECT_TRUE(jwt->Verify(Token(JwsAlgorithm::kHs256, nullptr, "")).ok());
}

TEST_F(JwtAuthenticatorTest, TokenWithoutKidIsTriedAgainstMatchingKeys) {
  EXPECT_TRUE(Make()->Verify(Token(JwsAlgorithm::kEs256, ec_.get(), "")).ok());
}

TEST_F(JwtAuthenticatorTest, RefusesWhatTheIssuerDoesNotAllow) {
  auto jwt = Make();
  PkeyPtr stranger = testing::NewEcKey("P-256");
  json other_iss = Claims();
  other_iss["iss"] = "https://evil.example";
  json expired = Claims();
  expired["exp"] = kNow - 3600;
  PkeyPtr ed = testing::NewEd25519Key();
  const std::vector<std::string> refused = {
      Token(JwsAlgorithm::kEs256, stranger.get(), "ec"),  // wrong key
      Token(JwsAlgorithm::kEs256, ec_.get(), "unknown"),  // unknown kid
      Token(JwsAlgorithm::kEs256, ec_.get(), "rsa"),      // kid of another family
      Token(JwsAlgorithm::kEs256, ec_.get(), "ec", other_iss),
      Token(JwsAlgorithm::kEs256, ec_.get(), "ec", expired),
      Token(JwsAlgorithm::kPs256, testing::SharedRsaKey(), "rsa"),  // alg not allowed
      Token(JwsAlgorithm::kEdDsa, ed.get(), "ec"),
      "not-a-jwt",
  };
  for (const std::string& token : refused) {
    absl::Status status = jwt->Verify(token).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << token << " " << status;
  }
}

TEST_F(JwtAuthenticatorTest, HmacTokenSignedWithThePublicKeyIsRefused) {
  auto jwt = Make();
  const std::string pem_like = testing::PublicJwk(testing::SharedRsaKey(), "rsa").dump();
  auto forged = SignJwt({{"alg", "HS256"}, {"kid", "rsa"}}, Claims(), JwsAlgorithm::kHs256, nullptr,
                        pem_like);
  EXPECT_FALSE(jwt->Verify(*forged).ok());
}

TEST_F(JwtAuthenticatorTest, OversizedTokenIsRefused) {
  config_.max_token_bytes = 100;
  EXPECT_FALSE(Make()->Verify(Token(JwsAlgorithm::kEs256, ec_.get(), "ec")).ok());
}

TEST_F(JwtAuthenticatorTest, CreateFailsOnBadKeyMaterial) {
  config_.issuers[0].jwks_file = WriteTemp("bad.json", "{}");
  EXPECT_FALSE(JwtAuthenticator::Create(config_, {}).ok());
  config_.issuers[0].jwks_file = "/nonexistent/jwks.json";
  EXPECT_EQ(JwtAuthenticator::Create(config_, {}).status().code(), absl::StatusCode::kNotFound);
  SetUp();
  config_.issuers[0].hmac_secret_file = WriteTemp("short", "short");
  EXPECT_FALSE(JwtAuthenticator::Create(config_, {}).ok());
}

TEST_F(JwtAuthenticatorTest, UnknownKidTriggersOneRateLimitedRefetch) {
  std::atomic<int> fetches{0};
  std::atomic<int64_t> now{kNow};
  PkeyPtr rotated = testing::NewEcKey("P-256");
  config_.issuers[0].jwks_file.clear();
  config_.issuers[0].jwks_url = "http://jwks.invalid/";
  auto jwt = JwtAuthenticator::Create(
      config_, {.clock = [&] { return absl::FromUnixSeconds(now.load()); },
                .fetcher = [&](const std::string&) -> absl::StatusOr<std::string> {
                  ++fetches;
                  return testing::JwksOf({testing::PublicJwk(ec_.get(), "ec"),
                                          testing::PublicJwk(rotated.get(), "new")});
                }});
  ASSERT_TRUE(jwt.ok()) << jwt.status();
  EXPECT_EQ(fetches.load(), 1);
  const std::string unknown = Token(JwsAlgorithm::kEs256, ec_.get(), "made-up");
  for (int i = 0; i < 20; ++i) EXPECT_FALSE((*jwt)->Verify(unknown).ok());
  // One refetch for the whole flood; bounded polling for the background fetch.
  for (int i = 0; i < 500 && fetches.load() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(fetches.load(), 2);
  EXPECT_TRUE((*jwt)->Verify(Token(JwsAlgorithm::kEs256, rotated.get(), "new")).ok());
}

// The first token signed with a just-published key is accepted: Authenticate
// waits for the refetch its unknown kid triggered. A made-up kid right after
// is refused at once (the rate limit allows no new fetch).
TEST_F(JwtAuthenticatorTest, FirstTokenAfterAKeyRotationWaitsForTheRefetch) {
  std::atomic<bool> rotated_published{false};
  PkeyPtr rotated = testing::NewEcKey("P-256");
  config_.issuers[0].jwks_file.clear();
  config_.issuers[0].jwks_url = "http://jwks.invalid/";
  auto jwt = JwtAuthenticator::Create(
      config_, {.clock = [] { return absl::FromUnixSeconds(kNow); },
                .fetcher = [&](const std::string&) -> absl::StatusOr<std::string> {
                  if (!rotated_published)
                    return testing::JwksOf({testing::PublicJwk(ec_.get(), "ec")});
                  return testing::JwksOf({testing::PublicJwk(rotated.get(), "new")});
                }});
  ASSERT_TRUE(jwt.ok()) << jwt.status();
  rotated_published = true;  // the issuer rotates; the gateway has not fetched yet

  std::promise<absl::StatusOr<Identity>> answer;
  (*jwt)->Authenticate({.credential = Token(JwsAlgorithm::kEs256, rotated.get(), "new")},
                       [&](absl::StatusOr<Identity> who) { answer.set_value(std::move(who)); });
  std::future<absl::StatusOr<Identity>> future = answer.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  absl::StatusOr<Identity> who = future.get();
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->subject, "alice");

  bool answered = false;
  (*jwt)->Authenticate({.credential = Token(JwsAlgorithm::kEs256, rotated.get(), "made-up")},
                       [&](absl::StatusOr<Identity> refused) {
                         answered = true;
                         EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnauthenticated);
                       });
  EXPECT_TRUE(answered);  // before Authenticate returned: nobody waited
}

TEST_F(JwtAuthenticatorTest, AVerifiedTokenIsRememberedUntilItWouldExpire) {
  std::atomic<int64_t> now{kNow};
  config_.clock_skew = std::chrono::seconds(30);
  auto jwt = JwtAuthenticator::Create(config_,
                                      {.clock = [&] { return absl::FromUnixSeconds(now.load()); }});
  ASSERT_TRUE(jwt.ok()) << jwt.status();
  const std::string token = Token(JwsAlgorithm::kEs256, ec_.get(), "ec");  // exp kNow + 60
  ASSERT_TRUE((*jwt)->Verify(token).ok());
  ASSERT_TRUE((*jwt)->Verify(token).ok());
  EXPECT_EQ((*jwt)->remembered_tokens(), 1u);
  now = kNow + 89;  // within exp + skew: still good, from the cache
  auto remembered = (*jwt)->Verify(token);
  ASSERT_TRUE(remembered.ok()) << remembered.status();
  EXPECT_EQ(remembered->subject, "alice");
  EXPECT_EQ(remembered->claims["azp"], "web");
  now = kNow + 90;  // exp + skew: refused, as without the cache
  EXPECT_EQ((*jwt)->Verify(token).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ((*jwt)->remembered_tokens(), 0u);
}

TEST_F(JwtAuthenticatorTest, RefusedTokensAreNotRememberedAndSizeZeroRemembersNothing) {
  auto jwt = Make();
  PkeyPtr stranger = testing::NewEcKey("P-256");
  EXPECT_FALSE(jwt->Verify(Token(JwsAlgorithm::kEs256, stranger.get(), "ec")).ok());
  EXPECT_EQ(jwt->remembered_tokens(), 0u);
  config_.cache_size = 0;
  auto uncached = Make();
  EXPECT_TRUE(uncached->Verify(Token(JwsAlgorithm::kEs256, ec_.get(), "ec")).ok());
  EXPECT_EQ(uncached->remembered_tokens(), 0u);
}

// A key the issuer withdraws from its JWKS stops the tokens it signed at the
// next fetch, even those verified (and remembered) before.
TEST_F(JwtAuthenticatorTest, ARememberedTokenIsCheckedAgainWhenTheKeysChange) {
  std::atomic<bool> withdrawn{false};
  std::atomic<int> fetches{0};
  PkeyPtr successor = testing::NewEcKey("P-256");
  config_.issuers[0].jwks_file.clear();
  config_.issuers[0].jwks_url = "http://jwks.invalid/";
  auto jwt = JwtAuthenticator::Create(
      config_, {.clock = [] { return absl::FromUnixSeconds(kNow); },
                .fetcher = [&](const std::string&) -> absl::StatusOr<std::string> {
                  ++fetches;
                  if (withdrawn)
                    return testing::JwksOf({testing::PublicJwk(successor.get(), "new")});
                  return testing::JwksOf({testing::PublicJwk(ec_.get(), "ec")});
                }});
  ASSERT_TRUE(jwt.ok()) << jwt.status();
  const std::string old_token = Token(JwsAlgorithm::kEs256, ec_.get(), "ec");
  ASSERT_TRUE((*jwt)->Verify(old_token).ok());
  EXPECT_EQ((*jwt)->remembered_tokens(), 1u);

  withdrawn = true;
  // A token with the successor's kid makes the gateway fetch the new set;
  // bounded polling until the new set is in place.
  const std::string new_token = Token(JwsAlgorithm::kEs256, successor.get(), "new");
  bool renewed = false;
  for (int i = 0; i < 500 && !renewed; ++i) {
    renewed = (*jwt)->Verify(new_token).ok();
    if (!renewed) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(renewed);
  EXPECT_EQ(fetches.load(), 2);
  absl::Status refused = (*jwt)->Verify(old_token).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(absl::StrContains(refused.message(), "unknown kid")) << refused;
}

TEST(LooksLikeJwtTest, ThreeParts) {
  EXPECT_TRUE(LooksLikeJwt("a.b.c"));
  EXPECT_FALSE(LooksLikeJwt("demo-token-alice"));
  EXPECT_FALSE(LooksLikeJwt("a.b"));
}

}  // namespace
}  // namespace protogate::auth
