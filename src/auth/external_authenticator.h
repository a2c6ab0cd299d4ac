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
// own thread; without, the authenticator makes its own (tests, tools). A
// Check callback lets go of its hold on the channel before it calls `done`,
// so a channel's last reference never drops on a gRPC callback thread
// (gRPC 1.51 joins that thread and frees its queue twice when it does).
//
// Thread-safe. `done` runs on the calling thread for a cache hit, otherwise
// on a gRPC callback thread. With `resources`, the authenticator may be
// destroyed at any time, on any thread (in `done` too); owning its channel,
// only once every `done` has run.

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
  // What a Check callback needs after the authenticator may be gone; not
  // the channel (see the .cc).
  struct State {
    State(const config::ExternalAuthConfig& c, Clock clock_in)
        : config(c), clock(clock_in), cache(c.cache_size, std::move(clock_in)) {}
    config::ExternalAuthConfig config;
    Clock clock;
    TokenCache cache;
  };
  // Owns everything one Check call needs until its callback has run.
  struct PendingCheck {
    grpc::ClientContext context;
    protogate::auth::v1::CheckRequest request;
    protogate::auth::v1::CheckResponse response;
    std::string cache_key;
    AuthCallback done;
  };

  ExternalAuthenticator(std::shared_ptr<State> state,
                        std::unique_ptr<protogate::auth::v1::AuthService::Stub> stub)
      : state_(std::move(state)), stub_(std::move(stub)) {}
  static absl::StatusOr<Identity> Outcome(const grpc::Status& status, const PendingCheck& check,
                                          State& state);

  std::shared_ptr<State> state_;
  std::unique_ptr<protogate::auth::v1::AuthService::Stub> stub_;
};

}  // namespace protogate::auth
