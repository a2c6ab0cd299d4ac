#include "config/auth_config.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "config/value_parsers.h"
#include "config/yaml_reader.h"

namespace protogate::config {
namespace {

using std::chrono::milliseconds;

constexpr absl::string_view kAuthKeys[] = {"default_policy", "jwt",      "api_keys",
                                           "external",       "stamping", "policies"};
constexpr absl::string_view kJwtKeys[] = {"issuers", "clock_skew", "max_token_bytes", "cache_size"};
constexpr absl::string_view kIssuerKeys[] = {"issuer",           "audiences",       "algorithms",
                                             "jwks_file",        "jwks_url",        "jwks_ca_file",
                                             "refresh_interval", "hmac_secret_file"};
constexpr absl::string_view kApiKeysKeys[] = {"header", "query_parameter", "keys"};
constexpr absl::string_view kApiKeyKeys[] = {"id", "hash", "client_id", "scopes"};
constexpr absl::string_view kExternalKeys[] = {"address", "timeout", "cache_size"};
constexpr absl::string_view kStampingKeys[] = {
    "header", "signing_key_file", "ttl", "identity_headers", "jwks_out", "cache_size"};
constexpr absl::string_view kPolicyKeys[] = {"selector", "public", "authenticators", "scopes",
                                             "claims"};
constexpr absl::string_view kDefaultPolicies[] = {"public", "deny", "authenticated"};
constexpr absl::string_view kAlgorithms[] = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                                             "ES256", "ES384", "EdDSA", "HS256", "HS384", "HS512"};
constexpr absl::string_view kAuthenticators[] = {"jwt", "api_key", "external"};
constexpr milliseconds kMinRefresh{1000};
constexpr size_t kMinTokenBytes = 64;
constexpr size_t kMaxTokenBytes = 1024 * 1024;

absl::StatusOr<std::string> ReadNonEmpty(const YamlReader& reader, const YamlField& field,
                                         absl::string_view hint) {
  ASSIGN_OR_RETURN(std::string text, reader.ReadString(field));
  if (text.empty()) return reader.Error(field, absl::StrCat("empty value (expected ", hint, ")"));
  return text;
}

absl::StatusOr<std::string> ReadPath(const YamlReader& reader, const YamlField& field,
                                     absl::string_view source_name) {
  ASSIGN_OR_RETURN(std::string path, ReadNonEmpty(reader, field, "a file path"));
  return ResolveNextTo(source_name, path);
}

// The optional `cache_size` key of a section: entries, 0 (no cache) to 10
// million.
absl::StatusOr<size_t> ReadCacheSize(const YamlReader& reader, const YamlMap& map,
                                     size_t fallback) {
  const YamlField* f = map.Find("cache_size");
  if (f == nullptr) return fallback;
  ASSIGN_OR_RETURN(int size, reader.ReadInt(*f, 0, 10'000'000));
  return static_cast<size_t>(size);
}

// A list of distinct non-empty strings.
absl::StatusOr<std::vector<std::string>> ReadStrings(const YamlReader& reader,
                                                     const YamlField& field,
                                                     absl::string_view what) {
  ASSIGN_OR_RETURN(const std::vector<YamlField> items, reader.ReadList(field, what));
  std::vector<std::string> out;
  for (const YamlField& item : items) {
    ASSIGN_OR_RETURN(std::string text, ReadNonEmpty(reader, item, what));
    if (std::find(out.begin(), out.end(), text) != out.end()) {
      return reader.Error(item, absl::StrCat("duplicate value ", QuoteForMessage(text)));
    }
    out.push_back(std::move(text));
  }
  return out;
}

bool IsLowerHex(absl::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f'); });
}

bool IsHeaderToken(absl::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.';
  });
}

absl::StatusOr<std::string> ReadHeaderName(const YamlReader& reader, const YamlField& field) {
  ASSIGN_OR_RETURN(std::string name, ReadNonEmpty(reader, field, "a header name"));
  if (!IsHeaderToken(name)) {
    return reader.Error(field, absl::StrCat("invalid header name ", QuoteForMessage(name),
                                            " (letters, digits, '-', '_', '.')"));
  }
  return absl::AsciiStrToLower(name);
}

absl::Status CheckAlgorithms(const YamlReader& reader, const YamlField& field,
                             const std::vector<std::string>& algorithms) {
  ASSIGN_OR_RETURN(const std::vector<YamlField> items, reader.ReadList(field, "algorithms"));
  for (size_t i = 0; i < algorithms.size(); ++i) {
    if (std::find(std::begin(kAlgorithms), std::end(kAlgorithms), algorithms[i]) ==
        std::end(kAlgorithms)) {
      return reader.Error(items[i],
                          absl::StrCat("unsupported algorithm ", QuoteForMessage(algorithms[i]),
                                       " (expected ", absl::StrJoin(kAlgorithms, ", "), ")"));
    }
  }
  if (algorithms.empty()) return reader.Error(field, "at least one algorithm is required");
  return absl::OkStatus();
}

bool HasHmac(const std::vector<std::string>& algorithms) {
  return std::any_of(algorithms.begin(), algorithms.end(),
                     [](const std::string& alg) { return absl::StartsWith(alg, "HS"); });
}

bool HasPublicKeyAlg(const std::vector<std::string>& algorithms) {
  return std::any_of(algorithms.begin(), algorithms.end(),
                     [](const std::string& alg) { return !absl::StartsWith(alg, "HS"); });
}

absl::Status CheckIssuerKeys(const YamlReader& reader, const YamlField& field, const YamlMap& map,
                             const JwtIssuerConfig& issuer) {
  if (!issuer.jwks_file.empty() && !issuer.jwks_url.empty()) {
    return reader.Error(*map.Find("jwks_url"), "jwks_file and jwks_url are exclusive");
  }
  if (HasPublicKeyAlg(issuer.algorithms) && issuer.jwks_file.empty() && issuer.jwks_url.empty()) {
    return reader.Missing(field, "jwks_file",
                          "or jwks_url: the issuer's public keys for its RS/PS/ES/EdDSA tokens");
  }
  if (HasHmac(issuer.algorithms) && issuer.hmac_secret_file.empty()) {
    return reader.Missing(field, "hmac_secret_file", "HS* algorithms need a shared secret");
  }
  if (!HasHmac(issuer.algorithms) && !issuer.hmac_secret_file.empty()) {
    return reader.Error(*map.Find("hmac_secret_file"),
                        "a secret is set but no HS256/HS384/HS512 algorithm is allowed");
  }
  if (map.Find("jwks_ca_file") != nullptr && !absl::StartsWith(issuer.jwks_url, "https://")) {
    return reader.Error(*map.Find("jwks_ca_file"), "jwks_ca_file needs an https:// jwks_url");
  }
  if (map.Find("refresh_interval") != nullptr && issuer.jwks_url.empty()) {
    return reader.Error(*map.Find("refresh_interval"), "refresh_interval needs jwks_url");
  }
  return absl::OkStatus();
}

absl::StatusOr<JwtIssuerConfig> ReadIssuer(const YamlReader& reader, const YamlField& field,
                                           absl::string_view source_name) {
  JwtIssuerConfig issuer;
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(field, kIssuerKeys));
  const YamlField* name = map.Find("issuer");
  if (name == nullptr) return reader.Missing(field, "issuer", "the exact \"iss\" of its tokens");
  ASSIGN_OR_RETURN(issuer.issuer, ReadNonEmpty(reader, *name, "the \"iss\" value"));
  const YamlField* audiences = map.Find("audiences");
  if (audiences == nullptr) {
    return reader.Missing(field, "audiences", "the accepted \"aud\" values, e.g. [protogate]");
  }
  ASSIGN_OR_RETURN(issuer.audiences, ReadStrings(reader, *audiences, "audiences"));
  if (issuer.audiences.empty()) return reader.Error(*audiences, "at least one audience");
  if (const YamlField* f = map.Find("algorithms")) {
    ASSIGN_OR_RETURN(issuer.algorithms, ReadStrings(reader, *f, "algorithms"));
    RETURN_IF_ERROR(CheckAlgorithms(reader, *f, issuer.algorithms));
  }
  if (const YamlField* f = map.Find("jwks_file")) {
    ASSIGN_OR_RETURN(issuer.jwks_file, ReadPath(reader, *f, source_name));
  }
  if (const YamlField* f = map.Find("jwks_url")) {
    ASSIGN_OR_RETURN(issuer.jwks_url, ReadNonEmpty(reader, *f, "an https:// or http:// URL"));
    if (!absl::StartsWith(issuer.jwks_url, "https://") &&
        !absl::StartsWith(issuer.jwks_url, "http://")) {
      return reader.Error(*f, absl::StrCat("unsupported URL ", QuoteForMessage(issuer.jwks_url),
                                           " (expected https://host[:port]/path, or http:// on"
                                           " loopback or a trusted network)"));
    }
  }
  if (const YamlField* f = map.Find("jwks_ca_file")) {
    ASSIGN_OR_RETURN(issuer.jwks_ca_file, ReadPath(reader, *f, source_name));
  }
  if (const YamlField* f = map.Find("refresh_interval")) {
    ASSIGN_OR_RETURN(issuer.refresh_interval, reader.ReadDuration(*f, kMinRefresh));
  }
  if (const YamlField* f = map.Find("hmac_secret_file")) {
    ASSIGN_OR_RETURN(issuer.hmac_secret_file, ReadPath(reader, *f, source_name));
  }
  RETURN_IF_ERROR(CheckIssuerKeys(reader, field, map, issuer));
  return issuer;
}

absl::StatusOr<JwtConfig> ReadJwt(const YamlReader& reader, const YamlField& field,
                                  absl::string_view source_name) {
  JwtConfig jwt;
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(field, kJwtKeys));
  const YamlField* issuers = map.Find("issuers");
  if (issuers == nullptr) return reader.Missing(field, "issuers", "a list of {issuer, ...}");
  ASSIGN_OR_RETURN(const std::vector<YamlField> items, reader.ReadList(*issuers, "issuers"));
  if (items.empty()) return reader.Error(*issuers, "at least one issuer is required");
  for (const YamlField& item : items) {
    ASSIGN_OR_RETURN(JwtIssuerConfig issuer, ReadIssuer(reader, item, source_name));
    for (const JwtIssuerConfig& seen : jwt.issuers) {
      if (seen.issuer == issuer.issuer) {
        return reader.Error(item, absl::StrCat("duplicate issuer ", QuoteForMessage(seen.issuer)));
      }
    }
    jwt.issuers.push_back(std::move(issuer));
  }
  if (const YamlField* f = map.Find("clock_skew")) {
    ASSIGN_OR_RETURN(jwt.clock_skew, reader.ReadDuration(*f, milliseconds(0)));
  }
  if (const YamlField* f = map.Find("max_token_bytes")) {
    ASSIGN_OR_RETURN(jwt.max_token_bytes, reader.ReadSize(*f, kMinTokenBytes));
    if (jwt.max_token_bytes > kMaxTokenBytes) return reader.Error(*f, "at most 1MiB");
  }
  ASSIGN_OR_RETURN(jwt.cache_size, ReadCacheSize(reader, map, jwt.cache_size));
  return jwt;
}

// "sha256:<32 hex salt>:<64 hex digest>", as `protogate keys create` prints.
bool IsApiKeyHash(absl::string_view hash) {
  constexpr absl::string_view kPrefix = "sha256:";
  if (!absl::ConsumePrefix(&hash, kPrefix)) return false;
  size_t colon = hash.find(':');
  if (colon == absl::string_view::npos) return false;
  absl::string_view salt = hash.substr(0, colon);
  absl::string_view digest = hash.substr(colon + 1);
  return salt.size() >= 16 && salt.size() % 2 == 0 && IsLowerHex(salt) && digest.size() == 64 &&
         IsLowerHex(digest);
}

bool IsKeyId(absl::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_isalnum(c) || c == '-' || c == '_';
  });
}

absl::StatusOr<ApiKeyEntry> ReadApiKey(const YamlReader& reader, const YamlField& field) {
  ApiKeyEntry key;
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(field, kApiKeyKeys));
  const YamlField* id = map.Find("id");
  if (id == nullptr) return reader.Missing(field, "id", "the key's name, e.g. partner-acme");
  ASSIGN_OR_RETURN(key.id, reader.ReadString(*id));
  if (!IsKeyId(key.id)) {
    return reader.Error(*id, absl::StrCat("invalid key id ", QuoteForMessage(key.id),
                                          " (1-64 letters, digits, '-', '_')"));
  }
  const YamlField* hash = map.Find("hash");
  if (hash == nullptr) {
    return reader.Missing(field, "hash", "printed by `protogate keys create`");
  }
  ASSIGN_OR_RETURN(key.hash, reader.ReadString(*hash));
  if (!IsApiKeyHash(key.hash)) {
    return reader.Error(*hash,
                        "invalid hash (expected \"sha256:<salt-hex>:<hash-hex>\" as printed by "
                        "`protogate keys create`)");
  }
  key.client_id = key.id;
  if (const YamlField* f = map.Find("client_id")) {
    ASSIGN_OR_RETURN(key.client_id, ReadNonEmpty(reader, *f, "a client id"));
  }
  if (const YamlField* f = map.Find("scopes")) {
    ASSIGN_OR_RETURN(key.scopes, ReadStrings(reader, *f, "scopes"));
  }
  return key;
}

absl::StatusOr<ApiKeysConfig> ReadApiKeys(const YamlReader& reader, const YamlField& field) {
  ApiKeysConfig api_keys;
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(field, kApiKeysKeys));
  const YamlField* header = map.Find("header");
  const YamlField* query = map.Find("query_parameter");
  if (header != nullptr && query != nullptr) {
    return reader.Error(*query, "header and query_parameter are exclusive");
  }
  if (header != nullptr) {
    ASSIGN_OR_RETURN(api_keys.header, ReadHeaderName(reader, *header));
    if (api_keys.header == "authorization") {
      return reader.Error(*header, "authorization carries bearer tokens; pick another header");
    }
  }
  if (query != nullptr) {
    ASSIGN_OR_RETURN(api_keys.query_parameter, ReadNonEmpty(reader, *query, "a parameter name"));
    api_keys.header.clear();
  }
  const YamlField* keys = map.Find("keys");
  if (keys == nullptr) return reader.Missing(field, "keys", "a list of {id, hash, ...}");
  ASSIGN_OR_RETURN(const std::vector<YamlField> items, reader.ReadList(*keys, "keys"));
  std::set<std::string> ids;
  for (const YamlField& item : items) {
    ASSIGN_OR_RETURN(ApiKeyEntry key, ReadApiKey(reader, item));
    if (!ids.insert(key.id).second) {
      return reader.Error(item, absl::StrCat("duplicate key id ", QuoteForMessage(key.id)));
    }
    api_keys.keys.push_back(std::move(key));
  }
  return api_keys;
}

absl::StatusOr<ExternalAuthConfig> ReadExternal(const YamlReader& reader, const YamlField& field) {
  ExternalAuthConfig external;
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(field, kExternalKeys));
  const YamlField* address = map.Find("address");
  if (address == nullptr) {
    return reader.Missing(field, "address", "host:port of the auth service, e.g. 127.0.0.1:50060");
  }
  ASSIGN_OR_RETURN(external.address, reader.ReadString(*address));
  auto host_port = ParseHostPort(external.address);
  if (!host_port.ok()) return reader.Error(*address, host_port.status().message());
  if (host_port->port == 0) return reader.Error(*address, "port 0 cannot be connected to");
  if (const YamlField* f = map.Find("timeout")) {
    ASSIGN_OR_RETURN(external.timeout, reader.ReadDuration(*f, milliseconds(1)));
  }
  ASSIGN_OR_RETURN(external.cache_size, ReadCacheSize(reader, map, external.cache_size));
  return external;
}

absl::StatusOr<StampingConfig> ReadStamping(const YamlReader& reader, const YamlField& field,
                                            absl::string_view source_name) {
  StampingConfig stamping;
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(field, kStampingKeys));
  if (const YamlField* f = map.Find("header")) {
    ASSIGN_OR_RETURN(stamping.header, ReadHeaderName(reader, *f));
    if (absl::StartsWith(stamping.header, "grpc-") || absl::EndsWith(stamping.header, "-bin")) {
      return reader.Error(*f, "grpc-* and *-bin names are reserved by gRPC");
    }
  }
  if (const YamlField* f = map.Find("signing_key_file")) {
    ASSIGN_OR_RETURN(stamping.signing_key_file, ReadPath(reader, *f, source_name));
  }
  if (const YamlField* f = map.Find("ttl")) {
    ASSIGN_OR_RETURN(stamping.ttl, reader.ReadDuration(*f, milliseconds(1000)));
  }
  if (const YamlField* f = map.Find("identity_headers")) {
    ASSIGN_OR_RETURN(stamping.identity_headers, reader.ReadBool(*f));
  }
  if (const YamlField* f = map.Find("jwks_out")) {
    ASSIGN_OR_RETURN(stamping.jwks_out, ReadPath(reader, *f, source_name));
  }
  ASSIGN_OR_RETURN(stamping.cache_size, ReadCacheSize(reader, map, stamping.cache_size));
  return stamping;
}

bool IsSelector(absl::string_view selector) {
  return !selector.empty() && std::all_of(selector.begin(), selector.end(), [](char c) {
    return absl::ascii_isalnum(c) || c == '_' || c == '.' || c == '*';
  });
}

absl::Status CheckAuthenticators(const YamlReader& reader, const YamlField& field,
                                 const AuthPolicyConfig& policy, const AuthConfig& auth) {
  ASSIGN_OR_RETURN(const std::vector<YamlField> items, reader.ReadList(field, "authenticators"));
  for (size_t i = 0; i < policy.authenticators.size(); ++i) {
    const std::string& name = policy.authenticators[i];
    const bool configured = (name == "jwt" && auth.has_jwt) ||
                            (name == "api_key" && auth.has_api_keys) ||
                            (name == "external" && auth.has_external);
    if (std::find(std::begin(kAuthenticators), std::end(kAuthenticators), name) ==
        std::end(kAuthenticators)) {
      return reader.Error(items[i], absl::StrCat("unknown authenticator ", QuoteForMessage(name),
                                                 " (expected jwt, api_key or external)"));
    }
    if (!configured) {
      return reader.Error(items[i],
                          absl::StrCat("authenticator ", name, " is not configured (add auth.",
                                       name == "api_key" ? "api_keys" : name, ")"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::map<std::string, std::string>> ReadClaims(const YamlReader& reader,
                                                              const YamlField& field) {
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadAnyMap(field));
  std::map<std::string, std::string> claims;
  for (const YamlMap::Entry& entry : map.entries()) {
    ASSIGN_OR_RETURN(claims[entry.key], reader.ReadString(entry.field));
  }
  return claims;
}

absl::StatusOr<AuthPolicyConfig> ReadPolicy(const YamlReader& reader, const YamlField& field,
                                            const AuthConfig& auth) {
  AuthPolicyConfig policy;
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(field, kPolicyKeys));
  const YamlField* selector = map.Find("selector");
  if (selector == nullptr) {
    return reader.Missing(field, "selector",
                          "a gRPC method full name, '*' wildcards: demo.users.v1.UserService.*");
  }
  ASSIGN_OR_RETURN(policy.selector, reader.ReadString(*selector));
  if (!IsSelector(policy.selector)) {
    return reader.Error(*selector,
                        absl::StrCat("invalid selector ", QuoteForMessage(policy.selector),
                                     " (a method full name with '*' wildcards, e.g. "
                                     "demo.users.v1.UserService.*)"));
  }
  if (const YamlField* f = map.Find("public")) {
    ASSIGN_OR_RETURN(policy.is_public, reader.ReadBool(*f));
  }
  if (const YamlField* f = map.Find("authenticators")) {
    ASSIGN_OR_RETURN(policy.authenticators, ReadStrings(reader, *f, "authenticators"));
    RETURN_IF_ERROR(CheckAuthenticators(reader, *f, policy, auth));
  }
  if (const YamlField* f = map.Find("scopes")) {
    ASSIGN_OR_RETURN(policy.scopes, ReadStrings(reader, *f, "scopes"));
  }
  if (const YamlField* f = map.Find("claims")) {
    ASSIGN_OR_RETURN(policy.claims, ReadClaims(reader, *f));
  }
  if (policy.is_public &&
      (!policy.authenticators.empty() || !policy.scopes.empty() || !policy.claims.empty())) {
    return reader.Error(*map.Find("public"),
                        "a public policy takes no authenticators, scopes or claims");
  }
  return policy;
}

absl::StatusOr<std::vector<AuthPolicyConfig>> ReadPolicies(const YamlReader& reader,
                                                           const YamlField& field,
                                                           const AuthConfig& auth) {
  ASSIGN_OR_RETURN(const std::vector<YamlField> items, reader.ReadList(field, "policies"));
  std::vector<AuthPolicyConfig> policies;
  for (const YamlField& item : items) {
    ASSIGN_OR_RETURN(AuthPolicyConfig policy, ReadPolicy(reader, item, auth));
    policies.push_back(std::move(policy));
  }
  return policies;
}

}  // namespace

absl::StatusOr<AuthConfig> ReadAuthConfig(const YamlReader& reader, const YamlField& field,
                                          absl::string_view source_name) {
  AuthConfig auth;
  auth.enabled = true;
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(field, kAuthKeys));
  if (const YamlField* f = map.Find("default_policy")) {
    ASSIGN_OR_RETURN(const size_t index, reader.ReadChoice(*f, kDefaultPolicies));
    auth.default_policy = std::string(kDefaultPolicies[index]);
  }
  if (const YamlField* f = map.Find("jwt")) {
    ASSIGN_OR_RETURN(auth.jwt, ReadJwt(reader, *f, source_name));
    auth.has_jwt = true;
  }
  if (const YamlField* f = map.Find("api_keys")) {
    ASSIGN_OR_RETURN(auth.api_keys, ReadApiKeys(reader, *f));
    auth.has_api_keys = true;
  }
  if (const YamlField* f = map.Find("external")) {
    ASSIGN_OR_RETURN(auth.external, ReadExternal(reader, *f));
    auth.has_external = true;
  }
  if (const YamlField* f = map.Find("stamping")) {
    ASSIGN_OR_RETURN(auth.stamping, ReadStamping(reader, *f, source_name));
  }
  // After the authenticators, so that a policy naming an unconfigured one is
  // reported at the policy.
  if (const YamlField* f = map.Find("policies")) {
    ASSIGN_OR_RETURN(auth.policies, ReadPolicies(reader, *f, auth));
  }
  return auth;
}

}  // namespace protogate::config
