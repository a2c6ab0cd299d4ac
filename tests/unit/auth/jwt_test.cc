#include "auth/jwt.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "test_keys.h"

namespace protogate::auth {
namespace {

using nlohmann::json;
using testing::Compact;
using testing::PublicJwk;

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);
constexpr char kSecret[] = "0123456789abcdef0123456789abcdef";

json Claims() {
  return {{"iss", "https://issuer.example"},
          {"aud", "protogate"},
          {"sub", "alice"},
          {"iat", 1'800'000'000 - 10},
          {"exp", 1'800'000'000 + 300}};
}

ClaimChecks Checks() {
  return {.issuer = "https://issuer.example",
          .audiences = {"protogate"},
          .now = kNow,
          .clock_skew = absl::Seconds(30)};
}

Jwk JwkOf(EVP_PKEY* key, const std::string& kid = "k1") {
  absl::StatusOr<KeySet> set = KeySet::Parse(testing::JwksOf({PublicJwk(key, kid)}));
  EXPECT_TRUE(set.ok()) << set.status();
  return set.ok() ? set->keys()[0] : Jwk{};
}

std::string Sign(JwsAlgorithm alg, EVP_PKEY* key, const json& payload = Claims(),
                 const std::string& kid = "k1") {
  json header = {{"alg", std::string(JwsAlgorithmName(alg))}, {"typ", "JWT"}};
  if (!kid.empty()) header["kid"] = kid;
  auto token = SignJwt(header, payload, alg, key, kSecret);
  EXPECT_TRUE(token.ok()) << token.status();
  return token.ok() ? *token : "";
}

absl::Status VerifyToken(const std::string& token, const Jwk& key) {
  auto jwt = ParseJwt(token, 8192);
  if (!jwt.ok()) return jwt.status();
  if (absl::Status s = VerifySignature(*jwt, key); !s.ok()) return s;
  return CheckClaims(*jwt, Checks());
}

struct AlgorithmCase {
  JwsAlgorithm alg;
  EVP_PKEY* (*key)();
};

EVP_PKEY* P256() {
  static PkeyPtr* key = new PkeyPtr(testing::NewEcKey("P-256"));
  return key->get();
}
EVP_PKEY* P384() {
  static PkeyPtr* key = new PkeyPtr(testing::NewEcKey("P-384"));
  return key->get();
}
EVP_PKEY* Ed25519() {
  static PkeyPtr* key = new PkeyPtr(testing::NewEd25519Key());
  return key->get();
}

class SignatureTest : public ::testing::TestWithParam<AlgorithmCase> {};

TEST_P(SignatureTest, SignedTokenVerifies) {
  EVP_PKEY* key = GetParam().key();
  const std::string token = Sign(GetParam().alg, key);
  EXPECT_TRUE(VerifyToken(token, JwkOf(key)).ok()) << VerifyToken(token, JwkOf(key));
}

TEST_P(SignatureTest, TamperedPayloadIsRefused) {
  EVP_PKEY* key = GetParam().key();
  const std::string token = Sign(GetParam().alg, key);
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  json payload = Claims();
  payload["sub"] = "root";
  parts[1] = Base64UrlEncode(payload.dump());
  absl::Status status = VerifyToken(absl::StrJoin(parts, "."), JwkOf(key));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
}

TEST_P(SignatureTest, TamperedSignatureIsRefused) {
  EVP_PKEY* key = GetParam().key();
  std::vector<std::string> parts = absl::StrSplit(Sign(GetParam().alg, key), '.');
  std::string signature = *Base64UrlDecode(parts[2]);
  signature[signature.size() / 2] ^= 0x01;
  parts[2] = Base64UrlEncode(signature);
  absl::Status status = VerifyToken(absl::StrJoin(parts, "."), JwkOf(key));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
}

INSTANTIATE_TEST_SUITE_P(
    Algorithms, SignatureTest,
    ::testing::Values(AlgorithmCase{JwsAlgorithm::kRs256, testing::SharedRsaKey},
                      AlgorithmCase{JwsAlgorithm::kRs384, testing::SharedRsaKey},
                      AlgorithmCase{JwsAlgorithm::kRs512, testing::SharedRsaKey},
                      AlgorithmCase{JwsAlgorithm::kPs256, testing::SharedRsaKey},
                      AlgorithmCase{JwsAlgorithm::kPs384, testing::SharedRsaKey},
                      AlgorithmCase{JwsAlgorithm::kPs512, testing::SharedRsaKey},
                      AlgorithmCase{JwsAlgorithm::kEs256, P256},
                      AlgorithmCase{JwsAlgorithm::kEs384, P384},
                      AlgorithmCase{JwsAlgorithm::kEdDsa, Ed25519}),
    [](const auto& info) { return std::string(JwsAlgorithmName(info.param.alg)); });

TEST(JwtTest, HmacVerifiesOnlyWithTheConfiguredSecret) {
  for (JwsAlgorithm alg : {JwsAlgorithm::kHs256, JwsAlgorithm::kHs384, JwsAlgorithm::kHs512}) {
    auto jwt = ParseJwt(Sign(alg, nullptr), 8192);
    ASSERT_TRUE(jwt.ok()) << jwt.status();
    EXPECT_TRUE(VerifyHmac(*jwt, kSecret).ok());
    EXPECT_EQ(VerifyHmac(*jwt, "another secret of enough length!!").code(),
              absl::StatusCode::kUnauthenticated);
    EXPECT_EQ(VerifyHmac(*jwt, "").code(), absl::StatusCode::kUnauthenticated);
  }
}

TEST(JwtTest, EcdsaSignatureIsJoseRawNotDer) {
  std::vector<std::string> p256 = absl::StrSplit(Sign(JwsAlgorithm::kEs256, P256()), '.');
  EXPECT_EQ(Base64UrlDecode(p256[2])->size(), 64u);
  std::vector<std::string> p384 = absl::StrSplit(Sign(JwsAlgorithm::kEs384, P384()), '.');
  EXPECT_EQ(Base64UrlDecode(p384[2])->size(), 96u);
}

TEST(JwtTest, AlgNoneIsRefused) {
  const std::string token = absl::StrCat(Base64UrlEncode(R"({"alg":"none"})"), ".",
                                         Base64UrlEncode(Claims().dump()), ".");
  EXPECT_FALSE(ParseJwt(token, 8192).ok());
  EXPECT_FALSE(ParseJwt(Compact(R"({"alg":"none"})", Claims().dump(), "x"), 8192).ok());
  EXPECT_FALSE(ParseJwt(Compact(R"({"alg":"None"})", Claims().dump(), "x"), 8192).ok());
}

TEST(JwtTest, RsaKeyIsNeverAnHmacSecret) {
  // Classic confusion: an HS256 token "signed" with the RSA public key as secret.
  const Jwk rsa = JwkOf(testing::SharedRsaKey());
  auto token = SignJwt({{"alg", "HS256"}, {"kid", "k1"}}, Claims(), JwsAlgorithm::kHs256, nullptr,
                       testing::PublicJwk(testing::SharedRsaKey(), "k1").dump());
  ASSERT_TRUE(token.ok());
  auto jwt = ParseJwt(*token, 8192);
  ASSERT_TRUE(jwt.ok());
  EXPECT_FALSE(KeyFitsAlgorithm(rsa, JwsAlgorithm::kHs256));
  EXPECT_EQ(VerifySignature(*jwt, rsa).code(), absl::StatusCode::kUnauthenticated);
}

TEST(JwtTest, KeyFamilyMustMatchTheAlgorithm) {
  const Jwk ec256 = JwkOf(P256());
  const Jwk ec384 = JwkOf(P384());
  const Jwk ed = JwkOf(Ed25519());
  const Jwk rsa = JwkOf(testing::SharedRsaKey());
  EXPECT_FALSE(KeyFitsAlgorithm(ec256, JwsAlgorithm::kRs256));
  EXPECT_FALSE(KeyFitsAlgorithm(ec256, JwsAlgorithm::kEs384));
  EXPECT_FALSE(KeyFitsAlgorithm(ec384, JwsAlgorithm::kEs256));
  EXPECT_FALSE(KeyFitsAlgorithm(rsa, JwsAlgorithm::kEs256));
  EXPECT_FALSE(KeyFitsAlgorithm(ed, JwsAlgorithm::kEs256));
  EXPECT_FALSE(KeyFitsAlgorithm(rsa, JwsAlgorithm::kEdDsa));
  EXPECT_TRUE(KeyFitsAlgorithm(rsa, JwsAlgorithm::kPs256));
  // An ES256 token presented with an RSA key is refused before any crypto.
  auto jwt = ParseJwt(Sign(JwsAlgorithm::kEs256, P256()), 8192);
  ASSERT_TRUE(jwt.ok());
  EXPECT_EQ(VerifySignature(*jwt, rsa).code(), absl::StatusCode::kUnauthenticated);
}

TEST(JwtTest, JwkDeclaredAlgMustMatch) {
  nlohmann::json jwk = PublicJwk(testing::SharedRsaKey(), "k1");
  jwk["alg"] = "RS512";
  auto set = KeySet::Parse(testing::JwksOf({jwk}));
  ASSERT_TRUE(set.ok());
  auto jwt = ParseJwt(Sign(JwsAlgorithm::kRs256, testing::SharedRsaKey()), 8192);
  ASSERT_TRUE(jwt.ok());
  EXPECT_FALSE(VerifySignature(*jwt, set->keys()[0]).ok());
}

TEST(JwtTest, MalformedTokensAreRefused) {
  const std::string good = Sign(JwsAlgorithm::kEs256, P256());
  const std::vector<std::string> bad = {
      "",
      "abc",
      "a.b",
      "a.b.c.d",
      good + ".",
      "." + good,
      Compact("[1]", Claims().dump(), "sig"),                              // header not an object
      Compact(R"({"alg":"ES256"})", "[]", "sig"),                          // payload not an object
      Compact(R"({"alg":"ES256"})", "not json", "sig"),                    //
      Compact(R"({"alg":"ES256","alg":"none"})", Claims().dump(), "sig"),  // repeated member
      Compact(R"({"alg":"ES256"})", R"({"sub":"a","sub":"root"})", "sig"),
      Compact(R"({"alg":"ES256","crit":["b64"]})", Claims().dump(), "sig"),
      Compact(R"({"alg":"ES256","kid":7})", Claims().dump(), "sig"),
      Compact(R"({"alg":"ES256"})", Claims().dump(), ""),  // empty signature
      Compact(R"({"kid":"k1"})", Claims().dump(), "sig"),  // no alg
      Compact(R"({"alg":"RS1"})", Claims().dump(), "sig"),
      absl::StrCat(Base64UrlEncode(R"({"alg":"ES256"})"), "=.", Base64UrlEncode("{}"), ".AA"),
      absl::StrCat("e+J.", Base64UrlEncode("{}"), ".AA"),
  };
  for (const std::string& token : bad) {
    EXPECT_FALSE(ParseJwt(token, 8192).ok()) << token;
  }
}

TEST(JwtTest, OversizedTokenIsRefusedBeforeDecoding) {
  const std::string token = Sign(JwsAlgorithm::kEs256, P256());
  EXPECT_TRUE(ParseJwt(token, token.size()).ok());
  auto refused = ParseJwt(token, token.size() - 1);
  EXPECT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("limit"), std::string::npos);
}

TEST(JwtTest, WrongLengthEcdsaSignatureIsRefused) {
  auto jwt = ParseJwt(Sign(JwsAlgorithm::kEs256, P256()), 8192);
  ASSERT_TRUE(jwt.ok());
  jwt->signature.pop_back();
  EXPECT_EQ(VerifySignature(*jwt, JwkOf(P256())).code(), absl::StatusCode::kUnauthenticated);
}

absl::Status ClaimsStatus(const json& payload) {
  auto jwt = ParseJwt(Compact(R"({"alg":"ES256"})", payload.dump(), "sig"), 8192);
  if (!jwt.ok()) return jwt.status();
  return CheckClaims(*jwt, Checks());
}

TEST(JwtClaimsTest, ValidClaimsPass) { EXPECT_TRUE(ClaimsStatus(Claims()).ok()); }

TEST(JwtClaimsTest, ExpiryHonoursClockSkew) {
  json payload = Claims();
  payload["exp"] = 1'800'000'000 - 29;  // expired 29 s ago, skew 30 s
  EXPECT_TRUE(ClaimsStatus(payload).ok());
  payload["exp"] = 1'800'000'000 - 30;
  EXPECT_EQ(ClaimsStatus(payload).code(), absl::StatusCode::kUnauthenticated);
  payload.erase("exp");
  EXPECT_FALSE(ClaimsStatus(payload).ok());
  payload["exp"] = "tomorrow";
  EXPECT_FALSE(ClaimsStatus(payload).ok());
}

TEST(JwtClaimsTest, NotBeforeAndIssuedAtInTheFutureAreRefused) {
  json payload = Claims();
  payload["nbf"] = 1'800'000'000 + 60;
  EXPECT_FALSE(ClaimsStatus(payload).ok());
  payload["nbf"] = 1'800'000'000 + 20;  // within skew
  EXPECT_TRUE(ClaimsStatus(payload).ok());
  payload = Claims();
  payload["iat"] = 1'800'000'000 + 3600;
  EXPECT_FALSE(ClaimsStatus(payload).ok());
}

TEST(JwtClaimsTest, IssuerMustMatchExactly) {
  json payload = Claims();
  payload["iss"] = "https://issuer.example/";
  EXPECT_FALSE(ClaimsStatus(payload).ok());
  payload.erase("iss");
  EXPECT_FALSE(ClaimsStatus(payload).ok());
}

TEST(JwtClaimsTest, AudienceMayBeAStringOrAnArray) {
  json payload = Claims();
  payload["aud"] = json::array({"other", "protogate"});
  EXPECT_TRUE(ClaimsStatus(payload).ok());
  payload["aud"] = json::array({"other"});
  EXPECT_FALSE(ClaimsStatus(payload).ok());
  payload["aud"] = "other";
  EXPECT_FALSE(ClaimsStatus(payload).ok());
  payload["aud"] = 7;
  EXPECT_FALSE(ClaimsStatus(payload).ok());
  payload.erase("aud");
  EXPECT_FALSE(ClaimsStatus(payload).ok());
}

}  // namespace
}  // namespace protogate::auth
