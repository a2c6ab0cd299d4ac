#pragma once

// Authenticates API keys against the configured salted hashes (api_key.h).
// The key's id prefix selects the one entry to compare with; the Identity
// is subject = client_id = the entry's client_id, scopes = its scopes,
// issuer "protogate".
//
// Immutable; thread-safe. Authenticate calls `done` before returning.

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "auth/authenticator.h"
#include "config/auth_config.h"

namespace protogate::auth {

class ApiKeyAuthenticator : public Authenticator {
 public:
  explicit ApiKeyAuthenticator(const config::ApiKeysConfig& config);

  absl::string_view name() const override { return "api_key"; }
  void Authenticate(AuthInput input, AuthCallback done) const override;

  absl::StatusOr<Identity> Verify(absl::string_view key) const;

 private:
  std::map<std::string, config::ApiKeyEntry, std::less<>> by_id_;
};

}  // namespace protogate::auth
