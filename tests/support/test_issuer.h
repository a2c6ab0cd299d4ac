#pragma once

// A JWT issuer made at test time: one ES256 key, published as a JWKS file,
// and the tokens it signs, for end-to-end tests of JWT authentication.
//
// Example:
//   TestIssuer issuer;
//   config.auth.jwt.issuers = {IssuerConfig(issuer)};
//   gw.Call({.headers = {{"Authorization", Bearer(issuer.Token("users:read"))}}});

#include <openssl/ec.h>
#include <openssl/evp.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>

#include "absl/time/clock.h"
#include "auth/jwks.h"
#include "auth/jwt.h"
#include "auth/openssl_ptr.h"
#include "config/gateway_config.h"
#include "nlohmann/json.hpp"
#include "support/temp_dir.h"

namespace protogate::test {

inline constexpr char kIssuer[] = "https://issuer.example";

inline std::string TempFile(const std::string& name, const std::string& contents) {
  const auto dir = ProcessTempDir("auth_e2e");
  const std::string path = (dir / name).string();
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

struct TestIssuer {
  TestIssuer() : key(auth::AdoptPkey(EVP_EC_gen("P-256"))) {
    auto kid = auth::EcKeyThumbprint(key.get());
    auto jwk = auth::PublicJwkOfEcKey(key.get(), *kid);
    jwks_file = TempFile("issuer-" + *kid + ".json", "{\"keys\":[" + *jwk + "]}");
    this->kid = *kid;
  }

  std::string Token(const std::string& scope, int64_t expires_in_seconds = 300) const {
    const int64_t now = absl::ToUnixSeconds(absl::Now());
    nlohmann::json claims = {{"iss", kIssuer},
                             {"aud", "protogate"},
                             {"sub", "alice"},
                             {"scope", scope},
                             {"azp", "mobile-app"},
                             {"iat", now - 10},
                             {"exp", now + expires_in_seconds}};
    return *auth::SignJwt({{"alg", "ES256"}, {"typ", "JWT"}, {"kid", kid}}, claims,
                          auth::JwsAlgorithm::kEs256, key.get());
  }

  // The JWKS document the issuer publishes.
  std::string Jwks() const {
    std::ifstream in(jwks_file);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  auth::PkeyPtr key;
  std::string kid;
  std::string jwks_file;
};

inline config::JwtIssuerConfig IssuerConfig(const TestIssuer& issuer) {
  config::JwtIssuerConfig config;
  config.issuer = kIssuer;
  config.audiences = {"protogate"};
  config.algorithms = {"ES256"};
  config.jwks_file = issuer.jwks_file;
  return config;
}

// Every route of `config` needs a token from `issuer`, whose keys the
// gateway fetches from `jwks_url` (and refetches on an unknown kid).
inline void RequireTokensFromJwksUrl(config::GatewayConfig& config, const TestIssuer& issuer,
                                     const std::string& jwks_url) {
  config.auth.enabled = true;
  config.auth.default_policy = "authenticated";
  config.auth.has_jwt = true;
  config::JwtIssuerConfig issuer_config = IssuerConfig(issuer);
  issuer_config.jwks_file.clear();
  issuer_config.jwks_url = jwks_url;
  config.auth.jwt.issuers = {issuer_config};
}

inline std::string Bearer(const std::string& token) { return "Bearer " + token; }

}  // namespace protogate::test
