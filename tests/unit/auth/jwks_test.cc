#include "auth/jwks.h"

#include "gtest/gtest.h"
#include "test_keys.h"

namespace protogate::auth {
namespace {

using nlohmann::json;
using testing::JwksOf;
using testing::PublicJwk;

TEST(KeySetTest, ParsesRsaEcAndEd25519Keys) {
  PkeyPtr p256 = testing::NewEcKey("P-256");
  PkeyPtr p384 = testing::NewEcKey("P-384");
  PkeyPtr ed = testing::NewEd25519Key();
  auto set = KeySet::Parse(
      JwksOf({PublicJwk(testing::SharedRsaKey(), "rsa"), PublicJwk(p256.get(), "p256"),
              PublicJwk(p384.get(), "p384"), PublicJwk(ed.get(), "ed")}));
  ASSERT_TRUE(set.ok()) << set.status();
  ASSERT_EQ(set->keys().size(), 4u);
  EXPECT_EQ(set->Find("rsa")->type, KeyType::kRsa);
  EXPECT_EQ(set->Find("p256")->type, KeyType::kEcP256);
  EXPECT_EQ(set->Find("p384")->type, KeyType::kEcP384);
  EXPECT_EQ(set->Find("ed")->type, KeyType::kEd25519);
  EXPECT_EQ(set->Find("nope"), nullptr);
  EXPECT_EQ(EVP_PKEY_eq(set->Find("p256")->key.get(), p256.get()), 1);
}

TEST(KeySetTest, SkipsKeysItDoesNotUse) {
  auto set = KeySet::Parse(JwksOf({
      {{"kty", "oct"}, {"k", "c2VjcmV0"}, {"kid", "hmac"}},
      {{"kty", "EC"}, {"crv", "P-521"}, {"x", "AA"}, {"y", "AA"}},
      [] {
        json enc = PublicJwk(testing::SharedRsaKey(), "enc");
        enc["use"] = "enc";
        return enc;
      }(),
      PublicJwk(testing::SharedRsaKey(), "sig"),
  }));
  ASSERT_TRUE(set.ok()) << set.status();
  ASSERT_EQ(set->keys().size(), 1u);
  EXPECT_EQ(set->keys()[0].kid, "sig");
}

TEST(KeySetTest, RefusesMalformedSets) {
  PkeyPtr p256 = testing::NewEcKey("P-256");
  json off_curve = PublicJwk(p256.get(), "bad");
  std::string y = *Base64UrlDecode(off_curve["y"].get<std::string>());
  y[31] ^= 0x01;
  off_curve["y"] = Base64UrlEncode(y);
  json short_x = PublicJwk(p256.get(), "short");
  short_x["x"] = Base64UrlEncode(std::string(31, 'x'));
  json bad_b64 = PublicJwk(testing::SharedRsaKey(), "b64");
  bad_b64["n"] = "not base64!";
  json no_e = PublicJwk(testing::SharedRsaKey(), "no-e");
  no_e.erase("e");
  PkeyPtr small_rsa = testing::NewRsaKey(1024);
  const std::vector<std::string> bad = {
      "",
      "[]",
      "{}",
      R"({"keys":{}})",
      R"({"keys":[]})",
      R"({"keys":[7]})",
      JwksOf({off_curve}),
      JwksOf({short_x}),
      JwksOf({bad_b64}),
      JwksOf({no_e}),
      JwksOf({PublicJwk(small_rsa.get(), "small")}),
      JwksOf({PublicJwk(p256.get(), "dup"), PublicJwk(p256.get(), "dup")}),
      JwksOf({{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", Base64UrlEncode("short")}}}),
  };
  for (const std::string& text : bad) EXPECT_FALSE(KeySet::Parse(text).ok()) << text;
}

TEST(KeySetTest, PublicJwkRoundTripsAndThumbprintIsStable) {
  PkeyPtr key = testing::NewEcKey("P-256");
  auto thumbprint = EcKeyThumbprint(key.get());
  ASSERT_TRUE(thumbprint.ok());
  EXPECT_EQ(thumbprint->size(), 43u);  // 32 bytes, base64url
  EXPECT_EQ(*EcKeyThumbprint(key.get()), *thumbprint);
  auto jwk = PublicJwkOfEcKey(key.get(), *thumbprint);
  ASSERT_TRUE(jwk.ok());
  auto set = KeySet::Parse(absl::StrCat(R"({"keys":[)", *jwk, "]}"));
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->keys()[0].alg, "ES256");
  EXPECT_EQ(EVP_PKEY_eq(set->keys()[0].key.get(), key.get()), 1);
  EXPECT_FALSE(EcKeyThumbprint(testing::SharedRsaKey()).ok());
}

TEST(KeySetTest, PublicJwkOfRsaKeyRoundTripsAndVerifiesItsTokens) {
  EVP_PKEY* key = testing::SharedRsaKey();
  auto jwk = PublicJwkOfRsaKey(key, "rsa-1");
  ASSERT_TRUE(jwk.ok()) << jwk.status();
  auto set = KeySet::Parse(absl::StrCat(R"({"keys":[)", *jwk, "]}"));
  ASSERT_TRUE(set.ok()) << set.status();
  const Jwk* parsed = set->Find("rsa-1");
  ASSERT_NE(parsed, nullptr);
  EXPECT_EQ(parsed->type, KeyType::kRsa);
  EXPECT_EQ(parsed->alg, "RS256");
  EXPECT_EQ(EVP_PKEY_eq(parsed->key.get(), key), 1);
  // Minimal big-endian bytes: the usual exponent 65537 is "AQAB", not zero-padded.
  EXPECT_EQ(json::parse(*jwk)["e"], "AQAB");
  auto token =
      SignJwt({{"alg", "RS256"}, {"kid", "rsa-1"}}, {{"sub", "alice"}}, JwsAlgorithm::kRs256, key);
  ASSERT_TRUE(token.ok()) << token.status();
  auto jwt = ParseJwt(*token, 8192);
  ASSERT_TRUE(jwt.ok()) << jwt.status();
  EXPECT_TRUE(VerifySignature(*jwt, *parsed).ok());
}

TEST(KeySetTest, PublicJwkOfRsaKeyRefusesOtherKeys) {
  PkeyPtr ec = testing::NewEcKey("P-256");
  EXPECT_FALSE(PublicJwkOfRsaKey(ec.get(), "ec").ok());
  PkeyPtr small = testing::NewRsaKey(1024);
  ASSERT_NE(small, nullptr);
  EXPECT_FALSE(PublicJwkOfRsaKey(small.get(), "small").ok());
}

}  // namespace
}  // namespace protogate::auth
