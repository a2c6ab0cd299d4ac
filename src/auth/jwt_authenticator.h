#pragma once

// Authenticates bearer JWTs from the configured issuers.
//
// The token's (unverified) "iss" picks the issuer; then the alg must be one
// the issuer allows, the key is looked up by kid (a token without kid is
// tried against every key of the right family), the signature is verified,
// and iss/aud/exp/nbf/iat are checked with the configured clock skew. An
// unknown kid of a jwks_url issuer asks its RemoteKeySet for a (rate-limited)
// refetch; Authenticate waits for that fetch and verifies again, so the
// first token after a key rotation is accepted. When the rate limit refuses
// a fetch, the token is refused at once. HS* tokens are only ever verified
// with the issuer's configured secret.
//
// The Identity: subject = "sub"; client_id = "client_id", else "azp", else
// "cid"; scopes = "scope" (space-separated) or "scp" (array or string);
// claims = the whole payload.
//
// Example:
//   ASSIGN_OR_RETURN(auto jwt, JwtAuthenticator::Create(config.auth.jwt, {}));
//   absl::StatusOr<Identity> who = jwt->Verify(token);
//
// Key sets: with `resources` (the server's), each jwks_url issuer's set is
// borrowed from them, kept across reloads while its url, timings and CA file
// stay the same; without, the authenticator owns its sets.
//
// Immutable after Create (key sets refresh behind their own locks);
// thread-safe. Authenticate calls `done` before returning, except while it
// waits for a refetch: then on the key set's thread, within its
// fetch_timeout; the caller keeps the authenticator until `done` has run (a
// request holds its snapshot). The authenticator may be released on any
// thread when its key sets are borrowed; owning them, only where a key set
// may be stopped (not in a waiter): it then stops them first, and a waiting
// request is refused.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "auth/auth_resources.h"
#include "auth/authenticator.h"
#include "auth/clock.h"
#include "auth/jwks.h"
#include "auth/jwt.h"
#include "auth/remote_key_set.h"
#include "auth/token_cache.h"
#include "config/auth_config.h"

namespace protogate::auth {

class JwtAuthenticator : public Authenticator {
 public:
  struct Options {
    Clock clock = SystemClock();
    JwksFetcher fetcher{};  // for jwks_url issuers; null: HTTP
    absl::Duration min_refetch_interval = absl::Seconds(30);
    // False: jwks_url issuers fetch nothing until StartKeyRefresh.
    bool start_key_refresh = true;
    // Lends the key sets (see above); null: the authenticator owns them.
    AuthResources* resources = nullptr;
  };

  // Reads jwks_file and hmac_secret_file, starts refreshers for jwks_url
  // (unless `start_key_refresh` is false).
  // Fails (naming the file or URL) on unreadable or invalid key material;
  // an unreachable URL is only a warning (its refresher keeps trying).
  static absl::StatusOr<std::unique_ptr<JwtAuthenticator>> Create(const config::JwtConfig& config,
                                                                  Options options);

  absl::string_view name() const override { return "jwt"; }
  void Authenticate(AuthInput input, AuthCallback done) const override;

  ~JwtAuthenticator() override;

  // Starts the refreshers of the jwks_url issuers (each fetches once before
  // this returns). Idempotent; from one controlling thread.
  void StartKeyRefresh() const;

  // Verifies with the keys at hand. When the token names a kid that a
  // jwks_url issuer does not know and `refetch_from` is given, sets it to
  // that issuer's key set instead of asking for the refetch itself.
  absl::StatusOr<Identity> Verify(absl::string_view token,
                                  RemoteKeySet** refetch_from = nullptr) const;

  // Verified tokens held now (see above).
  size_t remembered_tokens() const { return verified_.size(); }

 private:
  struct Issuer {
    config::JwtIssuerConfig config;
    std::vector<JwsAlgorithm> algorithms;
    std::shared_ptr<const KeySet> static_keys;  // jwks_file
    std::shared_ptr<RemoteKeySet> remote_keys;  // jwks_url
    std::string hmac_secret;
  };

  // A token that verified, and the keys it verified with.
  struct Verified {
    Identity identity;
    const Issuer* issuer;
    std::shared_ptr<const KeySet> keys;
  };

  JwtAuthenticator(const config::JwtConfig& config, Options options)
      : config_(config),
        options_(std::move(options)),
        verified_(config.cache_size, options_.clock) {}
  static absl::StatusOr<std::unique_ptr<Issuer>> MakeIssuer(const config::JwtIssuerConfig& config,
                                                            const Options& options);
  const Issuer* FindIssuer(const Jwt& jwt) const;
  static std::shared_ptr<const KeySet> KeysOf(const Issuer& issuer);
  absl::Status VerifyWithKeys(const Jwt& jwt, const Issuer& issuer, const KeySet* keys,
                              RemoteKeySet** refetch_from) const;
  std::optional<Identity> Remembered(const std::string& digest) const;

  const config::JwtConfig config_;
  const Options options_;
  std::vector<std::unique_ptr<Issuer>> issuers_{};
  mutable ExpiringCache<Verified> verified_;
};

// True when `token` has the shape of a compact JWS (three dot-separated
// parts), so that the engine can send it to the jwt authenticator rather
// than to an external opaque-token service.
bool LooksLikeJwt(absl::string_view token);

}  // namespace protogate::auth
