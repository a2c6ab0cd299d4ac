#include "auth/token_stamper.h"

#include <openssl/pem.h>

#include "auth/jwt.h"
#include "gtest/gtest.h"
#include "test_keys.h"

namespace protogate::auth {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

Clock Fixed() {
  return [] { return kNow; };
}

Identity Alice() {
  return {.subject = "alice",
          .client_id = "web",
          .scopes = {"orders:read", "orders:write"},
          .authenticator = "jwt",
          .issuer = "https://issuer.example"};
}

// Verifies a stamped token the way a service would: with the published JWKS.
absl::StatusOr<Jwt> VerifyStamp(const std::string& token, const std::string& jwks,
                                const std::string& audience) {
  auto keys = KeySet::Parse(jwks);
  if (!keys.ok()) return keys.status();
  auto jwt = ParseJwt(token, 8192);
  if (!jwt.ok()) return jwt.status();
  const Jwk* key = keys->Find(jwt->kid);
  if (key == nullptr) return absl::NotFoundError("kid");
  if (auto s = VerifySignature(*jwt, *key); !s.ok()) return s;
  if (auto s = CheckClaims(*jwt, {.issuer = "protogate",
                                  .audiences = {audience},
                                  .now = kNow,
                                  .clock_skew = absl::ZeroDuration()});
      !s.ok()) {
    return s;
  }
  return jwt;
}

TEST(TokenStamperTest, MintsAnEs256TokenVerifiableWithThePublishedJwks) {
  auto stamper = TokenStamper::Create({}, nullptr, Fixed());
  ASSERT_TRUE(stamper.ok()) << stamper.status();
  EXPECT_TRUE((*stamper)->generated_key());
  auto token = (*stamper)->Mint(Alice(), "demo.users.v1.UserService");
  ASSERT_TRUE(token.ok());
  auto jwt = VerifyStamp(*token, (*stamper)->jwks_json(), "demo.users.v1.UserService");
  ASSERT_TRUE(jwt.ok()) << jwt.status();
  EXPECT_EQ(jwt->alg, JwsAlgorithm::kEs256);
  EXPECT_EQ(jwt->payload["sub"], "alice");
  EXPECT_EQ(jwt->payload["client_id"], "web");
  EXPECT_EQ(jwt->payload["scope"], "orders:read orders:write");
  EXPECT_EQ(jwt->payload["jti"].get<std::string>().size(), 32u);  // 128 random bits
  EXPECT_EQ(jwt->payload["amr"], "jwt");
  EXPECT_EQ(jwt->payload["idp"], "https://issuer.example");
  EXPECT_EQ(jwt->payload["exp"].get<int64_t>() - jwt->payload["iat"].get<int64_t>(), 60);
  // Audience-bound: a token for users is no good at orders.
  EXPECT_FALSE(VerifyStamp(*token, (*stamper)->jwks_json(), "demo.orders.v1.OrderService").ok());
}

TEST(TokenStamperTest, ATokenIsReusedForAQuarterOfItsTtlPerCallerAndService) {
  absl::Time now = kNow;
  auto stamper = TokenStamper::Create({}, nullptr, [&now] { return now; });  // ttl 60 s
  ASSERT_TRUE(stamper.ok()) << stamper.status();
  const TokenStamper& gateway = **stamper;
  const std::string first = *gateway.Mint(Alice(), "demo.users.v1.UserService");
  EXPECT_EQ(*gateway.Mint(Alice(), "demo.users.v1.UserService"), first);
  EXPECT_NE(*gateway.Mint(Alice(), "demo.orders.v1.OrderService"), first);
  Identity bob = Alice();
  bob.subject = "bob";
  EXPECT_NE(*gateway.Mint(bob, "demo.users.v1.UserService"), first);
  Identity fewer_scopes = Alice();
  fewer_scopes.scopes.pop_back();
  EXPECT_NE(*gateway.Mint(fewer_scopes, "demo.users.v1.UserService"), first);

  now += absl::Seconds(14);
  EXPECT_EQ(*gateway.Mint(Alice(), "demo.users.v1.UserService"), first);
  now += absl::Seconds(1);  // a quarter of the ttl: a new token, issued now
  const std::string second = *gateway.Mint(Alice(), "demo.users.v1.UserService");
  EXPECT_NE(second, first);
  auto jwt = ParseJwt(second, 8192);
  ASSERT_TRUE(jwt.ok());
  EXPECT_EQ(jwt->payload["iat"], absl::ToUnixSeconds(now));
  EXPECT_NE(jwt->payload["jti"], ParseJwt(first, 8192)->payload["jti"]);
}

TEST(TokenStamperTest, CacheSizeZeroSignsEveryCall) {
  auto stamper = TokenStamper::Create({.cache_size = 0}, nullptr, Fixed());
  ASSERT_TRUE(stamper.ok()) << stamper.status();
  EXPECT_NE(*(*stamper)->Mint(Alice(), "svc"), *(*stamper)->Mint(Alice(), "svc"));
}

TEST(TokenStamperTest, ReloadKeepsTheGeneratedKey) {
  auto first = TokenStamper::Create({}, nullptr, Fixed());
  auto second = TokenStamper::Create({}, first->get(), Fixed());
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ((*first)->kid(), (*second)->kid());
  auto fresh = TokenStamper::Create({}, nullptr, Fixed());
  EXPECT_NE((*first)->kid(), (*fresh)->kid());
}

TEST(TokenStamperTest, LoadsAPemKeyAndRefusesOtherKinds) {
  PkeyPtr key = testing::NewEcKey("P-256");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  const std::string pem(data, static_cast<size_t>(length));
  BIO_free(bio);
  auto loaded = EcP256KeyFromPem(pem);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(EVP_PKEY_eq(loaded->get(), key.get()), 1);
  EXPECT_FALSE(EcP256KeyFromPem("not a pem").ok());

  BIO* rsa_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(rsa_bio, testing::SharedRsaKey(), nullptr, nullptr, 0, nullptr, nullptr);
  const long rsa_length = BIO_get_mem_data(rsa_bio, &data);
  const std::string rsa_pem(data, static_cast<size_t>(rsa_length));
  BIO_free(rsa_bio);
  EXPECT_FALSE(EcP256KeyFromPem(rsa_pem).ok());
}

}  // namespace
}  // namespace protogate::auth
