// protogate-bench-tokens: makes, at bench time, what tools/bench needs to
// measure authenticated routes: a fresh RSA-2048 key and a fresh EC P-256 key,
// one JWKS file with both public keys, and one token per algorithm signed with
// them. Nothing is checked in; the private keys never leave the process.
//
//   protogate-bench-tokens --out=build/bench/auth
//                          [--issuer=https://issuer.bench.example] [--audience=protogate]
//                          [--subject=bench-user] [--scope=users:read] [--client_id=bench]
//                          [--ttl_seconds=3600]
//
// writes, in --out (created if missing):
//   jwks.json   {"keys":[<RSA key, kid "bench-rs256">, <EC key, kid "bench-es256">]}
//   rs256.jwt   a compact RS256 JWT (no newline)
//   es256.jwt   a compact ES256 JWT
// Each token carries iss, aud, sub, scope, client_id, iat (now) and exp (now +
// ttl). Before writing, the JWKS is parsed back and both tokens verified with
// it, as the gateway will, so a bad set fails here and not in the middle of a
// benchmark. Exit status: 0, 1 on bad flags, 2 when a key, token or file fails.

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "auth/files.h"
#include "auth/jwks.h"
#include "auth/jwt.h"
#include "auth/openssl_ptr.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace {

using protogate::auth::JwsAlgorithm;
using protogate::auth::PkeyPtr;

constexpr char kUsage[] =
    "usage: protogate-bench-tokens --out=DIR [--issuer=URL] [--audience=NAME]\n"
    "                              [--subject=SUB] [--scope=\"A B\"] [--client_id=ID]\n"
    "                              [--ttl_seconds=3600]\n"
    "writes DIR/jwks.json, DIR/rs256.jwt and DIR/es256.jwt\n";

struct Options {
  std::string out;
  std::string issuer = "https://issuer.bench.example";
  std::string audience = "protogate";
  std::string subject = "bench-user";
  std::string scope = "users:read";
  std::string client_id = "bench";
  int64_t ttl_seconds = 3600;
};

// One signing key and the name its tokens and its JWK carry.
struct SigningKey {
  JwsAlgorithm alg;
  std::string kid;
  PkeyPtr key;
};

bool ParseFlags(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    bool ok = true;
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (absl::ConsumePrefix(&arg, "--out=")) {
      options.out = std::string(arg);
    } else if (absl::ConsumePrefix(&arg, "--issuer=")) {
      options.issuer = std::string(arg);
    } else if (absl::ConsumePrefix(&arg, "--audience=")) {
      options.audience = std::string(arg);
    } else if (absl::ConsumePrefix(&arg, "--subject=")) {
      options.subject = std::string(arg);
    } else if (absl::ConsumePrefix(&arg, "--scope=")) {
      options.scope = std::string(arg);
    } else if (absl::ConsumePrefix(&arg, "--client_id=")) {
      options.client_id = std::string(arg);
    } else if (absl::ConsumePrefix(&arg, "--ttl_seconds=")) {
      ok = absl::SimpleAtoi(arg, &options.ttl_seconds) && options.ttl_seconds > 0;
    } else {
      ok = false;
    }
    if (!ok) {
      std::fprintf(stderr, "protogate-bench-tokens: bad argument \"%s\"\n%s", argv[i], kUsage);
      return false;
    }
  }
  if (options.out.empty()) {
    std::fprintf(stderr, "protogate-bench-tokens: --out is required\n%s", kUsage);
    return false;
  }
  return true;
}

absl::StatusOr<SigningKey> NewKey(JwsAlgorithm alg) {
  const bool rsa = alg == JwsAlgorithm::kRs256;
  PkeyPtr key = protogate::auth::AdoptPkey(rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256"));
  if (!key) {
    return absl::InternalError(
        absl::StrCat("key generation failed: ", protogate::auth::DrainOpenSslErrors()));
  }
  return SigningKey{alg, rsa ? "bench-rs256" : "bench-es256", std::move(key)};
}

absl::StatusOr<std::string> PublicJwk(const SigningKey& key) {
  if (key.alg == JwsAlgorithm::kRs256) {
    return protogate::auth::PublicJwkOfRsaKey(key.key.get(), key.kid);
  }
  return protogate::auth::PublicJwkOfEcKey(key.key.get(), key.kid);
}

absl::StatusOr<std::string> Token(const SigningKey& key, const Options& options) {
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  const nlohmann::json header = {
      {"alg", protogate::auth::JwsAlgorithmName(key.alg)}, {"typ", "JWT"}, {"kid", key.kid}};
  const nlohmann::json claims = {{"iss", options.issuer},           {"aud", options.audience},
                                 {"sub", options.subject},          {"scope", options.scope},
                                 {"client_id", options.client_id},  {"iat", now},
                                 {"exp", now + options.ttl_seconds}};
  return protogate::auth::SignJwt(header, claims, key.alg, key.key.get());
}

// The gateway's own three steps (parse, signature, claims) on `token`.
absl::Status Verify(const std::string& token, const protogate::auth::KeySet& keys,
                    const Options& options) {
  ASSIGN_OR_RETURN(protogate::auth::Jwt jwt, protogate::auth::ParseJwt(token, 8192));
  const protogate::auth::Jwk* key = keys.Find(jwt.kid);
  if (key == nullptr) return absl::NotFoundError(absl::StrCat("no key ", jwt.kid, " in the JWKS"));
  RETURN_IF_ERROR(protogate::auth::VerifySignature(jwt, *key));
  return protogate::auth::CheckClaims(
      jwt, {.issuer = options.issuer, .audiences = {options.audience}, .now = absl::Now()});
}

absl::Status Run(const Options& options) {
  ASSIGN_OR_RETURN(SigningKey rsa, NewKey(JwsAlgorithm::kRs256));
  ASSIGN_OR_RETURN(SigningKey ec, NewKey(JwsAlgorithm::kEs256));
  ASSIGN_OR_RETURN(std::string rsa_jwk, PublicJwk(rsa));
  ASSIGN_OR_RETURN(std::string ec_jwk, PublicJwk(ec));
  const std::string jwks = absl::StrCat(R"({"keys":[)", rsa_jwk, ",", ec_jwk, "]}\n");
  ASSIGN_OR_RETURN(std::string rs256, Token(rsa, options));
  ASSIGN_OR_RETURN(std::string es256, Token(ec, options));
  ASSIGN_OR_RETURN(protogate::auth::KeySet keys, protogate::auth::KeySet::Parse(jwks));
  RETURN_IF_ERROR(Verify(rs256, keys, options));
  RETURN_IF_ERROR(Verify(es256, keys, options));
  RETURN_IF_ERROR(protogate::auth::WriteFileAtomically(options.out + "/jwks.json", jwks));
  RETURN_IF_ERROR(protogate::auth::WriteFileAtomically(options.out + "/rs256.jwt", rs256));
  return protogate::auth::WriteFileAtomically(options.out + "/es256.jwt", es256);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!ParseFlags(argc, argv, options)) return 1;
  if (absl::Status status = Run(options); !status.ok()) {
    std::fprintf(stderr, "protogate-bench-tokens: %s\n", status.ToString().c_str());
    return 2;
  }
  return 0;
}
