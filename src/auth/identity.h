#pragma once

// Who is calling, as established by an authenticator.
//
// `claims` holds the verified JWT payload for the jwt authenticator; for the
// others it is built from the fields below ({"sub", "client_id", "scope"}),
// so that policies can test claims whatever authenticated the caller.
//
// A plain value.

#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace protogate::auth {

struct Identity {
  std::string subject{};    // "sub" / principal; may be empty for client-only credentials
  std::string client_id{};  // the application acting (API key owner, "client_id"/"azp")
  std::vector<std::string> scopes{};
  std::string authenticator{};  // "jwt", "api_key", "external"
  std::string issuer{};  // the JWT issuer; "protogate" for API keys; the auth service's address
  nlohmann::json claims = nlohmann::json::object();
};

// Fills `claims` from the other fields when it is empty.
void FillDefaultClaims(Identity& identity);

}  // namespace protogate::auth
