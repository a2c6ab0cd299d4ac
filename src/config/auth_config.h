#pragma once

// The `auth:` section of the gateway config: who may call which route, and
// how the gateway vouches for the caller to the internal services. Plain
// values; config/README.md ("auth") documents every key and default.
//
// Example:
//   auth:
//     default_policy: deny
//     api_keys:
//       keys:
//         - {id: partner-acme, hash: "sha256:…:…", client_id: acme, scopes: [orders:read]}
//     policies:
//       - {selector: demo.catalog.v1.CatalogService.*, public: true}
//
// When the section is absent, `enabled` is false and every route is public
// (the gateway still strips reserved x-protogate-* headers). Paths are
// resolved against the config file's folder, like `descriptors`.
//
// A loaded AuthConfig is a plain value: copy it, share it read-only.

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace protogate::config {

class YamlReader;  // config/yaml_reader.h, kept out of this plain-values header
struct YamlField;

struct JwtIssuerConfig {
  std::string issuer{};                  // exact "iss" value
  std::vector<std::string> audiences{};  // the token's "aud" must name one of them
  // Accepted "alg" values: RS256/384/512, PS256/384/512, ES256/384, EdDSA, HS256/384/512.
  std::vector<std::string> algorithms = {"RS256", "ES256"};
  std::string jwks_file{};     // resolved path; exclusive with jwks_url
  std::string jwks_url{};      // http[s]://host[:port]/path
  std::string jwks_ca_file{};  // resolved path; PEM CAs trusted for an https jwks_url
  std::chrono::milliseconds refresh_interval{300000};
  std::string hmac_secret_file{};  // required for (and only allowed with) HS* algorithms
};

struct JwtConfig {
  std::vector<JwtIssuerConfig> issuers{};
  std::chrono::milliseconds clock_skew{30000};
  size_t max_token_bytes = 8192;
  size_t cache_size = 10000;  // verified tokens remembered until "exp"; 0 disables
};

struct ApiKeyEntry {
  std::string id{};    // also the key's visible prefix: "<id>.<secret>"
  std::string hash{};  // "sha256:<salt-hex>:<hash-hex>" (shape checked here, value by auth)
  std::string client_id{};
  std::vector<std::string> scopes{};
};

struct ApiKeysConfig {
  // Exactly one of the two is set; header is lowercase.
  std::string header = "x-api-key";
  std::string query_parameter{};
  std::vector<ApiKeyEntry> keys{};
};

struct ExternalAuthConfig {
  std::string address{};  // host:port of a protogate.auth.v1.AuthService
  std::chrono::milliseconds timeout{200};
  size_t cache_size = 10000;  // 0 disables the cache
};

struct StampingConfig {
  std::string header = "x-protogate-identity";  // lowercase metadata key
  std::string signing_key_file{};  // PEM EC P-256 private key; empty: generated in memory
  std::chrono::milliseconds ttl{60000};
  bool identity_headers = false;  // also x-protogate-subject, -client-id, -scopes
  std::string jwks_out{};         // where to also write the public JWKS; empty: nowhere
  size_t cache_size = 10000;      // minted tokens reused per caller and service; 0: one per call
};

struct AuthPolicyConfig {
  std::string selector{};  // "demo.users.v1.UserService.*"; '*' matches any run of characters
  bool is_public = false;
  std::vector<std::string> authenticators{};    // jwt | api_key | external; empty: all configured
  std::vector<std::string> scopes{};            // all required
  std::map<std::string, std::string> claims{};  // claim == value, or array claim contains value
};

struct AuthConfig {
  bool enabled = false;  // the `auth:` section is present
  // For routes no policy selects: "public", "deny" (refused with 403 whoever
  // calls) or "authenticated" (any configured authenticator, no scopes).
  std::string default_policy = "public";
  bool has_jwt = false;
  JwtConfig jwt{};
  bool has_api_keys = false;
  ApiKeysConfig api_keys{};
  bool has_external = false;
  ExternalAuthConfig external{};
  StampingConfig stamping{};
  std::vector<AuthPolicyConfig> policies{};  // in file order; the first match wins
};

// Reads the `auth:` mapping. `source_name` resolves relative paths. Errors are
// InvalidArgument "<file>:<line>:<col>: auth.<field>: <problem>". Never throws
// on its own; yaml-cpp exceptions are handled by ParseGatewayConfig.
absl::StatusOr<AuthConfig> ReadAuthConfig(const YamlReader& reader, const YamlField& field,
                                          absl::string_view source_name);

}  // namespace protogate::config
