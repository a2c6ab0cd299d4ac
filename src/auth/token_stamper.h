#pragma once

// Mints the internal token the gateway attaches to each upstream call, so
// that services trust the gateway's word on who is calling rather than the
// client's headers.
//
// The token is a compact ES256 JWT signed with the gateway's key:
//   header  {"alg":"ES256","typ":"JWT","kid":<RFC 7638 thumbprint>}
//   payload {"iss":"protogate","sub":…,"client_id":…,"scope":"a b",
//            "amr":<authenticator>,"idp":<original issuer>,
//            "aud":<internal service full name>,"jti":<128 random bits, hex>,
//            "iat":…,"exp":iat+ttl}
// Services verify it with the gateway's public JWKS (jwks_json()), which the
// gateway serves at /.well-known/protogate/jwks.json and can write to a file.
//
// A token says who calls which service, nothing about one request (the
// request id travels in its own x-request-id metadata), so it is reused: one
// token per caller and service is signed, then handed to that caller's calls
// to that service for a quarter of its ttl (`cache_size` callers and
// services at most, least recently used out first). Every token sent still
// has at least three quarters of its ttl ahead, and reuse grants nothing a
// token did not already grant: a copy of it was always good at that one
// service, for that caller, until its exp. An ES256 signature per call is
// most of the cost of an authenticated request; this removes it.
//
// The key comes from `signing_key_file` (PEM, EC P-256 private key) or, when
// none is configured, is generated in memory at startup; a reload keeps the
// generated key of the previous stamper (`previous`) so that tokens and the
// published JWKS stay stable.
//
// Example:
//   ASSIGN_OR_RETURN(auto stamper, TokenStamper::Create(config.stamping, nullptr, SystemClock()));
//   ASSIGN_OR_RETURN(std::string token, stamper->Mint(identity, "demo.users.v1.UserService"));
//
// Immutable after Create but for the cache of minted tokens (it locks);
// thread-safe.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "auth/clock.h"
#include "auth/identity.h"
#include "auth/openssl_ptr.h"
#include "auth/token_cache.h"
#include "config/auth_config.h"

namespace protogate::auth {

inline constexpr absl::string_view kStampIssuer = "protogate";

class TokenStamper {
 public:
  static absl::StatusOr<std::unique_ptr<TokenStamper>> Create(const config::StampingConfig& config,
                                                              const TokenStamper* previous,
                                                              Clock clock);

  // A token for `identity` calling `audience`: the one minted for them in
  // the last quarter-ttl, else a new one.
  absl::StatusOr<std::string> Mint(const Identity& identity, absl::string_view audience) const;

  // {"keys":[<the public JWK>]}
  const std::string& jwks_json() const { return jwks_json_; }
  const std::string& kid() const { return kid_; }
  bool generated_key() const { return generated_; }

 private:
  TokenStamper(const config::StampingConfig& config, Clock clock)
      : config_(config), clock_(std::move(clock)), minted_(config.cache_size, clock_) {}
  absl::StatusOr<std::string> Sign(const Identity& identity, absl::string_view audience,
                                   absl::Time now) const;

  const config::StampingConfig config_;
  const Clock clock_;
  mutable ExpiringCache<std::string> minted_;  // by caller and audience
  PkeyPtr key_;
  bool generated_ = false;
  std::string kid_;
  std::string jwks_json_;
};

// A new EC P-256 private key.
absl::StatusOr<PkeyPtr> GenerateEcP256Key();

// An EC P-256 private key from PEM text.
absl::StatusOr<PkeyPtr> EcP256KeyFromPem(absl::string_view pem);

}  // namespace protogate::auth
