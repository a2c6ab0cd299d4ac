#include "auth/jwks.h"

#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>

#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "auth/base64url.h"
#include "common/json_text.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace protogate::auth {
namespace {

using nlohmann::json;

constexpr int kMinRsaBits = 2048;
constexpr size_t kMaxKeys = 100;

struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* bld) const { OSSL_PARAM_BLD_free(bld); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* params) const { OSSL_PARAM_free(params); }
};

absl::StatusOr<std::string> Member(const json& key, const char* name) {
  auto it = key.find(name);
  if (it == key.end() || !it->is_string()) {
    return absl::InvalidArgumentError(absl::StrCat("\"", name, "\" is missing or not a string"));
  }
  std::optional<std::string> bytes = Base64UrlDecode(it->get_ref<const std::string&>());
  if (!bytes || bytes->empty()) {
    return absl::InvalidArgumentError(absl::StrCat("\"", name, "\" is not base64url"));
  }
  return *std::move(bytes);
}

BignumPtr ToBignum(absl::string_view bytes) {
  return BignumPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                             static_cast<int>(bytes.size()), nullptr));
}

// Builds a public key of `type_name` from OpenSSL parameters.
absl::StatusOr<PkeyPtr> FromParams(const char* type_name, OSSL_PARAM* params) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type_name, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("not a valid key: ", DrainOpenSslErrors()));
  }
  return AdoptPkey(raw);
}

absl::StatusOr<PkeyPtr> RsaKey(const json& key) {
  ASSIGN_OR_RETURN(std::string n, Member(key, "n"));
  ASSIGN_OR_RETURN(std::string e, Member(key, "e"));
  BignumPtr bn_n = ToBignum(n);
  BignumPtr bn_e = ToBignum(e);
  if (!bn_n || !bn_e) return absl::InternalError("out of memory");
  if (BN_num_bits(bn_n.get()) < kMinRsaBits) {
    return absl::InvalidArgumentError(
        absl::StrCat("RSA modulus of ", BN_num_bits(bn_n.get()), " bits (at least 2048)"));
  }
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get())) {
    return absl::InternalError("out of memory");
  }
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return absl::InternalError("out of memory");
  return FromParams("RSA", params.get());
}

absl::StatusOr<PkeyPtr> EcKey(const json& key, const char* group, size_t coordinate_bytes) {
  ASSIGN_OR_RETURN(std::string x, Member(key, "x"));
  ASSIGN_OR_RETURN(std::string y, Member(key, "y"));
  if (x.size() != coordinate_bytes || y.size() != coordinate_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("x and y must be ", coordinate_bytes, " bytes each"));
  }
  // Uncompressed point: 0x04 || x || y; OpenSSL rejects points off the curve.
  std::string point = absl::StrCat("\x04", x, y);
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                        point.size())) {
    return absl::InternalError("out of memory");
  }
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return absl::InternalError("out of memory");
  ASSIGN_OR_RETURN(PkeyPtr pkey, FromParams("EC", params.get()));
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("EC point is not on the curve: ", DrainOpenSslErrors()));
  }
  return pkey;
}

absl::StatusOr<PkeyPtr> Ed25519Key(const json& key) {
  ASSIGN_OR_RETURN(std::string x, Member(key, "x"));
  if (x.size() != 32) return absl::InvalidArgumentError("Ed25519 x must be 32 bytes");
  EVP_PKEY* raw = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(x.data()), x.size());
  if (raw == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("not a valid key: ", DrainOpenSslErrors()));
  }
  return AdoptPkey(raw);
}

std::string StringMember(const json& key, const char* name) {
  auto it = key.find(name);
  return it != key.end() && it->is_string() ? it->get<std::string>() : "";
}

// nullopt: a key this gateway does not use (skipped).
absl::StatusOr<std::optional<Jwk>> ParseKey(const json& key) {
  if (!key.is_object()) return absl::InvalidArgumentError("not an object");
  const std::string use = StringMember(key, "use");
  if (!use.empty() && use != "sig") return std::nullopt;
  Jwk jwk;
  jwk.kid = StringMember(key, "kid");
  jwk.alg = StringMember(key, "alg");
  const std::string kty = StringMember(key, "kty");
  const std::string crv = StringMember(key, "crv");
  if (kty == "RSA") {
    jwk.type = KeyType::kRsa;
    ASSIGN_OR_RETURN(jwk.key, RsaKey(key));
  } else if (kty == "EC" && crv == "P-256") {
    jwk.type = KeyType::kEcP256;
    ASSIGN_OR_RETURN(jwk.key, EcKey(key, "prime256v1", 32));
  } else if (kty == "EC" && crv == "P-384") {
    jwk.type = KeyType::kEcP384;
    ASSIGN_OR_RETURN(jwk.key, EcKey(key, "secp384r1", 48));
  } else if (kty == "OKP" && crv == "Ed25519") {
    jwk.type = KeyType::kEd25519;
    ASSIGN_OR_RETURN(jwk.key, Ed25519Key(key));
  } else {
    return std::nullopt;
  }
  return jwk;
}

absl::StatusOr<std::string> Coordinate(EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) <= 0) {
    return absl::InvalidArgumentError("not an EC key");
  }
  BignumPtr bn(raw);
  std::string bytes(32, '\0');
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(bytes.data()), 32) != 32) {
    return absl::InvalidArgumentError("not a P-256 key");
  }
  return bytes;
}

absl::StatusOr<std::pair<std::string, std::string>> EcCoordinates(EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC || EVP_PKEY_get_bits(key) != 256) {
    return absl::InvalidArgumentError("the signing key must be an EC P-256 key");
  }
  ASSIGN_OR_RETURN(std::string x, Coordinate(key, OSSL_PKEY_PARAM_EC_PUB_X));
  ASSIGN_OR_RETURN(std::string y, Coordinate(key, OSSL_PKEY_PARAM_EC_PUB_Y));
  return std::make_pair(Base64UrlEncode(x), Base64UrlEncode(y));
}

// An RSA parameter (n or e) as base64url of its minimal big-endian bytes (RFC 7518 6.3.1).
absl::StatusOr<std::string> RsaParameter(EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) <= 0) {
    return absl::InvalidArgumentError("not an RSA key");
  }
  BignumPtr bn(raw);
  std::string bytes(static_cast<size_t>(BN_num_bytes(bn.get())), '\0');
  BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(bytes.data()));
  return Base64UrlEncode(bytes);
}

}  // namespace

absl::StatusOr<KeySet> KeySet::Parse(absl::string_view json_text) {
  json doc = json::parse(json_text.begin(), json_text.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return absl::InvalidArgumentError("JWKS is not a JSON object");
  }
  auto keys = doc.find("keys");
  if (keys == doc.end() || !keys->is_array()) {
    return absl::InvalidArgumentError("JWKS has no \"keys\" array");
  }
  if (keys->size() > kMaxKeys) {
    return absl::InvalidArgumentError(absl::StrCat("JWKS has more than ", kMaxKeys, " keys"));
  }
  KeySet set;
  for (size_t i = 0; i < keys->size(); ++i) {
    auto jwk = ParseKey((*keys)[i]);
    if (!jwk.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("keys[", i, "]: ", jwk.status().message()));
    }
    if (!jwk->has_value()) continue;
    if (!(*jwk)->kid.empty() && set.Find((*jwk)->kid) != nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("keys[", i, "]: duplicate kid \"", (*jwk)->kid, "\""));
    }
    set.keys_.push_back(**std::move(jwk));
  }
  if (set.keys_.empty()) return absl::InvalidArgumentError("JWKS has no usable signing key");
  return set;
}

const Jwk* KeySet::Find(absl::string_view kid) const {
  for (const Jwk& jwk : keys_) {
    if (jwk.kid == kid) return &jwk;
  }
  return nullptr;
}

absl::StatusOr<std::string> PublicJwkOfEcKey(EVP_PKEY* key, absl::string_view kid) {
  ASSIGN_OR_RETURN(auto xy, EcCoordinates(key));
  json jwk = {{"kty", "EC"},  {"crv", "P-256"}, {"x", xy.first},          {"y", xy.second},
              {"use", "sig"}, {"alg", "ES256"}, {"kid", std::string(kid)}};
  return common::JsonText(jwk);
}

absl::StatusOr<std::string> PublicJwkOfRsaKey(EVP_PKEY* key, absl::string_view kid) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA || EVP_PKEY_get_bits(key) < kMinRsaBits) {
    return absl::InvalidArgumentError(
        absl::StrCat("the key must be an RSA key of at least ", kMinRsaBits, " bits"));
  }
  ASSIGN_OR_RETURN(std::string n, RsaParameter(key, OSSL_PKEY_PARAM_RSA_N));
  ASSIGN_OR_RETURN(std::string e, RsaParameter(key, OSSL_PKEY_PARAM_RSA_E));
  json jwk = {{"kty", "RSA"}, {"n", n},         {"e", e},
              {"use", "sig"}, {"alg", "RS256"}, {"kid", std::string(kid)}};
  return common::JsonText(jwk);
}

absl::StatusOr<std::string> EcKeyThumbprint(EVP_PKEY* key) {
  ASSIGN_OR_RETURN(auto xy, EcCoordinates(key));
  // RFC 7638: the required members only, lexicographic order, no whitespace.
  const std::string canonical = absl::StrCat(R"({"crv":"P-256","kty":"EC","x":")", xy.first,
                                             R"(","y":")", xy.second, R"("})");
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size(), digest);
  return Base64UrlEncode(absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

}  // namespace protogate::auth
