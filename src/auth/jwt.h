#pragma once

// Compact JWS / JWT (RFC 7515, 7519): parsing, signature verification and
// claim checks, with OpenSSL 3 EVP. No I/O.
//
// Verification is split in three steps so that the caller (JwtAuthenticator)
// can pick the key between them:
//   ASSIGN_OR_RETURN(Jwt jwt, ParseJwt(token, 8192));        // shape only, nothing trusted
//   RETURN_IF_ERROR(VerifySignature(jwt, key_of(jwt.kid)));   // alg/key family must match
//   RETURN_IF_ERROR(CheckClaims(jwt, checks));                // iss, aud, exp, nbf, iat
//
// Refused, with InvalidArgument (parse) or Unauthenticated (verify, claims)
// and a reason meant for logs, never for clients: more or fewer than three
// parts, oversized tokens, non-canonical base64url, a header or payload that
// is not a JSON object or repeats a member, alg "none" or unknown, "crit"
// headers, a key of another family than the alg (an RSA or EC key is never
// used as an HMAC secret: HMAC only ever uses a configured secret), an ES
// signature of the wrong length, expired/not-yet-valid/future-issued tokens,
// wrong issuer or audience.
//
// Pure functions; thread-safe.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "auth/jwks.h"
#include "nlohmann/json.hpp"

namespace protogate::auth {

enum class JwsAlgorithm {
  kRs256,
  kRs384,
  kRs512,
  kPs256,
  kPs384,
  kPs512,
  kEs256,
  kEs384,
  kEdDsa,
  kHs256,
  kHs384,
  kHs512
};

// "RS256" → kRs256, …; nullopt for anything else ("none" included).
std::optional<JwsAlgorithm> ParseJwsAlgorithm(absl::string_view name);
absl::string_view JwsAlgorithmName(JwsAlgorithm alg);
bool IsHmac(JwsAlgorithm alg);

struct Jwt {
  nlohmann::json header{};   // a JSON object
  nlohmann::json payload{};  // a JSON object
  JwsAlgorithm alg = JwsAlgorithm::kRs256;
  std::string kid{};            // empty when the header has none
  std::string signing_input{};  // "<header b64>.<payload b64>"
  std::string signature{};      // raw bytes
};

absl::StatusOr<Jwt> ParseJwt(absl::string_view token, size_t max_bytes);

// True when `key` can verify `alg` (RSA for RS/PS, the matching EC curve for
// ES, Ed25519 for EdDSA; never for HS). A JWK that declares an "alg" must
// declare this one.
bool KeyFitsAlgorithm(const Jwk& key, JwsAlgorithm alg);

// Verifies with a public key; Unauthenticated on any mismatch.
absl::Status VerifySignature(const Jwt& jwt, const Jwk& key);

// Verifies an HS* token with a configured shared secret.
absl::Status VerifyHmac(const Jwt& jwt, absl::string_view secret);

struct ClaimChecks {
  std::string issuer{};
  std::vector<std::string> audiences{};  // "aud" (string or array) must contain one
  absl::Time now{};
  absl::Duration clock_skew{};
};

// "exp" is required; "nbf" and "iat" are checked when present. All times are
// numeric seconds since the epoch.
absl::Status CheckClaims(const Jwt& jwt, const ClaimChecks& checks);

// The token's "exp" as a time; nullopt when absent or not a valid time.
std::optional<absl::Time> ExpiresAt(const Jwt& jwt);

// Signs `header`/`payload` as a compact ES256 JWS with an EC P-256 private
// key (the gateway's stamping key), or an HS* JWS with a secret (tests).
absl::StatusOr<std::string> SignEs256(const nlohmann::json& header, const nlohmann::json& payload,
                                      EVP_PKEY* private_key);

// Signs with any supported algorithm: a private key for RS/PS/ES/EdDSA, or
// `secret` for HS. For tests, tools and the demo services.
absl::StatusOr<std::string> SignJwt(const nlohmann::json& header, const nlohmann::json& payload,
                                    JwsAlgorithm alg, EVP_PKEY* private_key,
                                    absl::string_view secret = "");

}  // namespace protogate::auth
