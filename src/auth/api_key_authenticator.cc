#include "auth/api_key_authenticator.h"

#include "auth/api_key.h"

namespace protogate::auth {

ApiKeyAuthenticator::ApiKeyAuthenticator(const config::ApiKeysConfig& config) {
  for (const config::ApiKeyEntry& entry : config.keys) by_id_.emplace(entry.id, entry);
}

void ApiKeyAuthenticator::Authenticate(AuthInput input, AuthCallback done) const {
  done(Verify(input.credential));
}

absl::StatusOr<Identity> ApiKeyAuthenticator::Verify(absl::string_view key) const {
  auto entry = by_id_.find(ApiKeyId(key));
  if (entry == by_id_.end()) return absl::UnauthenticatedError("unknown API key id");
  if (!ApiKeyMatches(key, entry->second.hash)) {
    return absl::UnauthenticatedError("API key does not match its stored hash");
  }
  Identity identity;
  identity.subject = entry->second.client_id;
  identity.client_id = entry->second.client_id;
  identity.scopes = entry->second.scopes;
  identity.authenticator = "api_key";
  identity.issuer = "protogate";
  FillDefaultClaims(identity);
  return identity;
}

}  // namespace protogate::auth
