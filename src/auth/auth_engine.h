#pragma once

// Authentication at the edge, per snapshot: the configured authenticators,
// the policies, the token stamper and the reserved-header rule, built once
// from `auth:` and shared by every request of that snapshot.
//
// Per request (AuthEngine::Authenticate):
//   1. the route's Policy: public → the caller stays anonymous (no call);
//      deny → 403;
//   2. the credential: an API key (the configured header or query
//      parameter) or a bearer token (Authorization: Bearer …); the first
//      authenticator of the policy's list that has a credential to check
//      takes it. A JWT-shaped bearer token goes to `jwt` when the policy
//      allows it, any other bearer token to `external`;
//   3. the authenticator's answer, then the caller's own check if any
//      (`before_policy`: a client profile that hides the route), then the
//      policy's scopes and claims.
// Failures are rendered for clients without detail (the reason is logged):
//   Unauthenticated "authentication required" (no credential) or
//   "invalid credentials" → 401 with a WWW-Authenticate challenge;
//   PermissionDenied "permission denied" → 403;
//   Unavailable "authentication service unavailable" → 503.
//
// Example:
//   ASSIGN_OR_RETURN(auto engine, AuthEngine::Create(config.auth, nullptr, {}));
//   const Policy& policy = engine->PolicyFor("demo.users.v1.UserService.GetUser");
//   engine->Authenticate(request, policy, [](absl::StatusOr<Identity> who) { ... });
//
// Immutable after Create; thread-safe. `done` runs exactly once, on the
// calling thread, on a gRPC thread (external authenticator) or on a key
// set's refresher (a JWT waiting for a refetch); the caller keeps the engine
// until then. With Options::resources, the engine's last reference may drop
// on any of those threads.

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "auth/auth_resources.h"
#include "auth/authenticator.h"
#include "auth/clock.h"
#include "auth/jwt_authenticator.h"
#include "auth/policy.h"
#include "auth/remote_key_set.h"
#include "auth/token_stamper.h"
#include "config/auth_config.h"
#include "http/message.h"

namespace protogate::auth {

inline constexpr absl::string_view kJwksPath = "/.well-known/protogate/jwks.json";
inline constexpr absl::string_view kReservedHeaderPrefix = "x-protogate-";
inline constexpr absl::string_view kSubjectHeader = "x-protogate-subject";
inline constexpr absl::string_view kClientIdHeader = "x-protogate-client-id";
inline constexpr absl::string_view kScopesHeader = "x-protogate-scopes";

using StampedMetadata = std::vector<std::pair<std::string, std::string>>;

// What the caller presented, taken out of the request once (TakeCredentials).
struct Credentials {
  std::string bearer;   // the token of "Authorization: Bearer <token>"; empty when none
  std::string api_key;  // from the API-key header or query parameter; empty when none
};

class AuthEngine {
 public:
  struct Options {
    Clock clock = SystemClock();
    JwksFetcher jwks_fetcher{};  // null: HTTP
    absl::Duration min_jwks_refetch_interval = absl::Seconds(30);
    // Lends the JWKS key sets and the external service's channel, kept
    // across reloads (auth_resources.h; the server's resources). Null: the
    // engine owns its own, and must then be released where a key set may
    // be stopped and a channel released: not on a gRPC callback thread, not
    // in a request waiting for a JWKS refetch (tests, tools).
    AuthResources* resources = nullptr;
  };

  // Reads key files, connects (lazily) to the external service. Nothing
  // anyone can observe happens yet: stamping.jwks_out is not written and no
  // JWKS refresher runs until Activate (a key set kept from the serving
  // engine goes on refreshing, without a new fetch), so an engine built for
  // a reload that is then refused leaves no trace. `previous` (may be null)
  // lends its generated signing key. Fails naming the file or setting at
  // fault.
  static absl::StatusOr<std::shared_ptr<const AuthEngine>> Create(const config::AuthConfig& config,
                                                                  const AuthEngine* previous,
                                                                  Options options);

  // Commits the engine once it is going to serve: writes stamping.jwks_out,
  // then starts the jwks_url refreshers (each fetches once before this
  // returns, so the first requests find keys). Fails, with nothing started,
  // when jwks_out cannot be written. Idempotent once it succeeded; from one
  // controlling thread (the server's reload path).
  absl::Status Activate() const;

  // The policy of a gRPC method ("pkg.Service.Method"); stays valid as long
  // as this engine.
  const Policy& PolicyFor(absl::string_view method_full_name) const;

  // Takes the caller's credentials out of `request`, on every route: more
  // than one Authorization header, API-key header or API-key query parameter
  // is InvalidArgument (a forged copy beside a valid one must not pass), and
  // the API-key query parameter is removed from `request.target`, so that it
  // never lands in a request field, a forwarded query or a log.
  absl::StatusOr<Credentials> TakeCredentials(http::Request& request) const;

  // Runs on the thread that established the identity; its failure is
  // passed to `done` as it is (neither logged nor reworded).
  using IdentityCheck = absl::AnyInvocable<absl::Status(const Identity&) const>;

  // Establishes the caller for a non-public policy (see above).
  void Authenticate(const Credentials& credentials, const http::Request& request,
                    const Policy& policy, AuthCallback done,
                    IdentityCheck before_policy = nullptr) const;

  // A policy any configured authenticator meets, with no scope or claim:
  // what establishes a caller once for a request whose parts each have
  // their own policy (a GraphQL document's root fields).
  const Policy& any_caller() const { return any_caller_; }

  // Whether a caller established with any_caller() (`identity`; nullptr
  // when anonymous) may use a method of `policy`: OK, or the status
  // Authenticate would have given, in the same client words
  // (Unauthenticated "authentication required", PermissionDenied
  // "permission denied").
  absl::Status Admit(const Policy& policy, const Identity* identity) const;

  // The header holding API keys ("" when API keys are off or come in the
  // query): a client credential, never forwarded once the caller is known.
  absl::string_view api_key_header() const;

  // Metadata to add to the upstream call: the stamped token under the
  // stamping header, plus identity headers when configured.
  absl::StatusOr<StampedMetadata> Stamp(const Identity& identity, absl::string_view audience) const;

  // Whether a metadata key (lowercase, "grpc-metadata-" already removed) is
  // the gateway's to set: the stamping header and every x-protogate-*
  // (the config's reserved_metadata is the gateway's concern, not auth's).
  // Client-sent values of these never reach a service.
  bool IsReservedKey(absl::string_view key) const;

  // The gateway's public JWKS ({"keys":[]} when auth is off).
  const std::string& jwks_json() const { return jwks_json_; }

  bool enabled() const { return config_.enabled; }

 private:
  explicit AuthEngine(const config::AuthConfig& config) : config_(config) {}
  absl::Status MakeAuthenticators(const Options& options);
  const Authenticator* Find(absl::string_view name) const;

  struct Choice {
    const Authenticator* authenticator = nullptr;
    std::string credential;
  };
  std::optional<Choice> Choose(const Credentials& credentials, const Policy& policy) const;

  const config::AuthConfig config_;
  std::vector<std::unique_ptr<Authenticator>> authenticators_{};
  const JwtAuthenticator* jwt_ = nullptr;  // in authenticators_, when configured
  mutable absl::Mutex activate_mu_;
  mutable bool activated_ ABSL_GUARDED_BY(activate_mu_) = false;
  PolicySet policies_;
  Policy any_caller_;
  std::unique_ptr<TokenStamper> stamper_;
  std::string jwks_json_ = R"({"keys":[]})";
};

// The WWW-Authenticate value for an Authenticate failure (401 and 403), or
// nullopt for other statuses.
std::optional<std::string> ChallengeFor(const absl::Status& status);

}  // namespace protogate::auth
