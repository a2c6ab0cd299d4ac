#pragma once

// One way of establishing who the caller is. The engine (AuthEngine) picks
// the authenticator from the credential the request carries and the route's
// policy; an authenticator only checks the credential it is given.
//
// Results: an Identity; Unauthenticated when the credential is not valid
// (the message is a reason for logs, never shown to clients); Unavailable
// when the answer cannot be known (an auth service down or slow): auth fails
// closed.
//
// Implementations are immutable after construction (caches excepted, which
// lock) and safe to call from any thread. `done` is called exactly once,
// either before Authenticate returns or later from another thread.

#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "auth/identity.h"

namespace protogate::auth {

using AuthCallback = absl::AnyInvocable<void(absl::StatusOr<Identity>)>;

struct AuthInput {
  std::string credential{};  // the bearer token or the API key
  std::string http_method{};
  std::string path{};
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual absl::string_view name() const = 0;
  virtual void Authenticate(AuthInput input, AuthCallback done) const = 0;
};

}  // namespace protogate::auth
