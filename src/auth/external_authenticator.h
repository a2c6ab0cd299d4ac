#pragma once

// Authenticates opaque bearer tokens with an external gRPC service
// (protogate.auth.v1.AuthService/Check, proto/protogate/auth/v1/auth.proto).
//
// Each check is an asynchronous gRPC call (callback API) with the configured
// deadline; nothing blocks. Answers are cached by token hash for the ttl
// the service returned (capped at one hour; zero: not cached). The service
// answering UNAUTHENTICATED or PERMISSION_DENIED refuses the token
// (Unauthenticated); any other failure, a timeout or an unreachable service
// gives Unavailable: auth fails closed, never open.
//
// Example:
//   auto external = ExternalAuthenticator::Create(config.auth.external, SystemClock());
//   (*external)->Authenticate({.credential = token, .http_method = "GET", .path = "/v1/me"},
//                             [](absl::StatusOr<Identity> who) { ... });
//
// The channel: with `resources` (the server's), borrowed from them, one per
// auth service target, kept across reloads, and released by them on their
// own thread; without, the authenticator makes its own, and its last
// reference must then not drop on a gRPC callback thread (gRPC 1.51 joins
// that thread and frees its queue twice when a channel's last reference
// drops there): that is for tests and tools.
//
// Thread-safe. `done` runs on the calling thread for a cache hit, otherwise
// on a gRPC callback thread. In-flight calls keep what they need alive, so
// the authenticator may be destroyed while they complete.

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "auth/auth_resources.h"
#include "auth/authenticator.h"
#include "auth/clock.h"
#include "auth/token_cache.h"
#include "config/auth_config.h"
#include "protogate/auth/v1/auth.grpc.pb.h"

namespace protogate::auth {

class ExternalAuthenticator : public Authenticator {
 public:
  static absl::StatusOr<std::unique_ptr<ExternalAuthenticator>> Create(
      const config::ExternalAuthConfig& config, Clock clock, AuthResources* resources = nullptr);

  absl::string_view name() const override { return "external"; }
  void Authenticate(AuthInput input, AuthCallback done) const override;

  size_t cache_size() const { return state_->cache.size(); }

 private:
  struct State {
    State(const config::ExternalAuthConfig& c, Clock clock_in)
        : config(c), clock(clock_in), cache(c.cache_size, std::move(clock_in)) {}
    config::ExternalAuthConfig config;
    Clock clock;
    TokenCache cache;
    std::unique_ptr<protogate::auth::v1::AuthService::Stub> stub;
  };

  explicit ExternalAuthenticator(std::shared_ptr<State> state) : state_(std::move(state)) {}

  std::shared_ptr<State> state_;
};

}  // namespace protogate::auth
