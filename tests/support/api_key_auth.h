#pragma once

// Auth on, every route needing a caller, and one API key that names the
// client "acme" (or `client_id`) with `scopes`: the config many end-to-end tests start from.
//
// Example:
//   const std::string key = *auth::NewApiKey("partner-acme");
//   GatewayUnderTest gw([&](config::GatewayConfig& config) {
//     RequireApiKey(config, key, {"orders:read"});
//   });
//   gw.Call({.target = "/v1/users/1", .headers = {{"X-Api-Key", key}}});

#include <string>
#include <vector>

#include "auth/api_key.h"
#include "config/gateway_config.h"
#include "gtest/gtest.h"

namespace protogate::test {

inline void RequireApiKey(config::GatewayConfig& config, const std::string& key,
                          std::vector<std::string> scopes, std::string client_id = "acme") {
  auto hash = auth::HashApiKey(key);
  ASSERT_TRUE(hash.ok()) << hash.status();
  config.auth.enabled = true;
  config.auth.default_policy = "authenticated";
  config.auth.has_api_keys = true;
  config.auth.api_keys.keys = {{.id = "partner-acme",
                                .hash = *hash,
                                .client_id = std::move(client_id),
                                .scopes = std::move(scopes)}};
}

}  // namespace protogate::test
