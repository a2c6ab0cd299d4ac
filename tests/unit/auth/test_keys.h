#pragma once

// Keys generated at test time (never checked in) and their public JWKs, for
// the auth unit tests.

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "auth/base64url.h"
#include "auth/jwt.h"
#include "auth/openssl_ptr.h"
#include "nlohmann/json.hpp"

namespace protogate::auth::testing {

inline PkeyPtr NewRsaKey(unsigned bits = 2048) { return AdoptPkey(EVP_RSA_gen(bits)); }
inline PkeyPtr NewEcKey(const char* curve) { return AdoptPkey(EVP_EC_gen(curve)); }
inline PkeyPtr NewEd25519Key() { return AdoptPkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")); }

// Generating RSA keys takes a while: one per test binary is enough.
inline EVP_PKEY* SharedRsaKey() {
  static PkeyPtr* key = new PkeyPtr(NewRsaKey());
  return key->get();
}

inline std::string BignumParam(EVP_PKEY* key, const char* name, int pad_to = 0) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  const int size = pad_to > 0 ? pad_to : BN_num_bytes(bn);
  std::string bytes(static_cast<size_t>(size), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(bytes.data()), size);
  BN_free(bn);
  return Base64UrlEncode(bytes);
}

// The public JWK of any test key, with `kid` (omitted when empty).
inline nlohmann::json PublicJwk(EVP_PKEY* key, const std::string& kid) {
  nlohmann::json jwk;
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      jwk = {{"kty", "RSA"},
             {"n", BignumParam(key, OSSL_PKEY_PARAM_RSA_N)},
             {"e", BignumParam(key, OSSL_PKEY_PARAM_RSA_E)}};
      break;
    case EVP_PKEY_EC: {
      const int bytes = EVP_PKEY_get_bits(key) / 8;
      jwk = {{"kty", "EC"},
             {"crv", bytes == 32 ? "P-256" : "P-384"},
             {"x", BignumParam(key, OSSL_PKEY_PARAM_EC_PUB_X, bytes)},
             {"y", BignumParam(key, OSSL_PKEY_PARAM_EC_PUB_Y, bytes)}};
      break;
    }
    case EVP_PKEY_ED25519: {
      std::string raw(32, '\0');
      size_t length = raw.size();
      EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &length);
      jwk = {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", Base64UrlEncode(raw)}};
      break;
    }
  }
  if (!kid.empty()) jwk["kid"] = kid;
  return jwk;
}

inline std::string JwksOf(std::initializer_list<nlohmann::json> keys) {
  return nlohmann::json{{"keys", nlohmann::json(keys)}}.dump();
}

// A token from parts, for tests that need a malformed one.
inline std::string Compact(const std::string& header, const std::string& payload,
                           const std::string& signature) {
  return absl::StrCat(Base64UrlEncode(header), ".", Base64UrlEncode(payload), ".",
                      Base64UrlEncode(signature));
}

}  // namespace protogate::auth::testing
