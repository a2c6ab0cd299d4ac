#include "auth/jwt_authenticator.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "auth/files.h"
#include "common/status_macros.h"

namespace protogate::auth {
namespace {

// HS256 with less than its own output size in secret is guessable offline.
constexpr size_t kMinHmacSecretBytes = 32;

std::string StringClaim(const nlohmann::json& payload, const char* name) {
  auto it = payload.find(name);
  return it != payload.end() && it->is_string() ? it->get<std::string>() : "";
}

std::vector<std::string> ScopesOf(const nlohmann::json& payload) {
  std::vector<std::string> scopes;
  auto add_words = [&](const std::string& text) {
    for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
      scopes.emplace_back(word);
    }
  };
  if (auto scope = payload.find("scope"); scope != payload.end() && scope->is_string()) {
    add_words(scope->get<std::string>());
  } else if (auto scp = payload.find("scp"); scp != payload.end()) {
    if (scp->is_string()) add_words(scp->get<std::string>());
    if (scp->is_array()) {
      for (const auto& value : *scp) {
        if (value.is_string()) scopes.push_back(value.get<std::string>());
      }
    }
  }
  return scopes;
}

Identity IdentityOf(const Jwt& jwt, const std::string& issuer) {
  Identity identity;
  identity.subject = StringClaim(jwt.payload, "sub");
  for (const char* name : {"client_id", "azp", "cid"}) {
    identity.client_id = StringClaim(jwt.payload, name);
    if (!identity.client_id.empty()) break;
  }
  identity.scopes = ScopesOf(jwt.payload);
  identity.authenticator = "jwt";
  identity.issuer = issuer;
  identity.claims = jwt.payload;
  return identity;
}

absl::StatusOr<std::string> ReadHmacSecret(const std::string& path) {
  ASSIGN_OR_RETURN(std::string secret, ReadKeyFile(path, "HMAC secret"));
  // Editors add a final newline; it is not part of the secret.
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.size() < kMinHmacSecretBytes) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": HMAC secret of ", secret.size(),
                                                   " bytes (at least ", kMinHmacSecretBytes, ")"));
  }
  return secret;
}

}  // namespace

bool LooksLikeJwt(absl::string_view token) {
  return std::count(token.begin(), token.end(), '.') == 2;
}

absl::StatusOr<std::unique_ptr<JwtAuthenticator::Issuer>> JwtAuthenticator::MakeIssuer(
    const config::JwtIssuerConfig& config, const Options& options) {
  auto issuer = std::make_unique<Issuer>();
  issuer->config = config;
  for (const std::string& name : config.algorithms) {
    std::optional<JwsAlgorithm> alg = ParseJwsAlgorithm(name);
    if (!alg) return absl::InvalidArgumentError(absl::StrCat("unsupported algorithm ", name));
    issuer->algorithms.push_back(*alg);
  }
  if (!config.jwks_file.empty()) {
    ASSIGN_OR_RETURN(std::string text, ReadKeyFile(config.jwks_file, "JWKS"));
    auto keys = KeySet::Parse(text);
    if (!keys.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(config.jwks_file, ": ", keys.status().message()));
    }
    issuer->static_keys = std::make_shared<const KeySet>(*std::move(keys));
  }
  if (!config.jwks_url.empty()) {
    if (!config.jwks_ca_file.empty()) {
      // Read now so that a missing or unreadable bundle fails the load by name.
      RETURN_IF_ERROR(ReadKeyFile(config.jwks_ca_file, "CA bundle").status());
    }
    RemoteKeySet::Options keys{.url = config.jwks_url,
                               .refresh_interval = absl::FromChrono(config.refresh_interval),
                               .min_refetch_interval = options.min_refetch_interval,
                               .clock = options.clock,
                               .ca_file = config.jwks_ca_file,
                               .fetcher = options.fetcher};
    issuer->remote_keys =
        options.resources != nullptr
            ? options.resources->KeySetFor(std::move(keys))
            : std::shared_ptr<RemoteKeySet>(RemoteKeySet::Create(std::move(keys)));
    if (options.start_key_refresh) issuer->remote_keys->StartRefreshing();
  }
  if (!config.hmac_secret_file.empty()) {
    ASSIGN_OR_RETURN(issuer->hmac_secret, ReadHmacSecret(config.hmac_secret_file));
  }
  return issuer;
}

absl::StatusOr<std::unique_ptr<JwtAuthenticator>> JwtAuthenticator::Create(
    const config::JwtConfig& config, Options options) {
  std::unique_ptr<JwtAuthenticator> authenticator(new JwtAuthenticator(config, std::move(options)));
  for (const config::JwtIssuerConfig& issuer : config.issuers) {
    ASSIGN_OR_RETURN(auto made, MakeIssuer(issuer, authenticator->options_));
    authenticator->issuers_.push_back(std::move(made));
  }
  return authenticator;
}

void JwtAuthenticator::StartKeyRefresh() const {
  for (const auto& issuer : issuers_) {
    if (issuer->remote_keys) issuer->remote_keys->StartRefreshing();
  }
}

JwtAuthenticator::~JwtAuthenticator() {
  for (auto& issuer : issuers_) issuer->remote_keys.reset();
}

void JwtAuthenticator::Authenticate(AuthInput input, AuthCallback done) const {
  RemoteKeySet* refetch_from = nullptr;
  absl::StatusOr<Identity> identity = Verify(input.credential, &refetch_from);
  if (identity.ok() || refetch_from == nullptr) {
    done(std::move(identity));
    return;
  }
  // The issuer may have rotated its keys: verify again once the refetch has
  // run. `this` outlives the waiter: the caller holds it until `done` (and
  // sets of our own are stopped by the destructor, refusing the waiter).
  RefetchWaiter waiter = [this, token = std::string(input.credential), first = identity.status(),
                          done = std::move(done)](bool fetched) mutable {
    done(fetched ? Verify(token) : absl::StatusOr<Identity>(first));
  };
  if (!refetch_from->WaitForRefetch(waiter)) {
    waiter(false);  // no fetch allowed now (rate limit): `waiter` still holds `done`
  }
}

const JwtAuthenticator::Issuer* JwtAuthenticator::FindIssuer(const Jwt& jwt) const {
  auto iss = jwt.payload.find("iss");
  if (iss == jwt.payload.end() || !iss->is_string()) return nullptr;
  for (const auto& issuer : issuers_) {
    if (issuer->config.issuer == iss->get_ref<const std::string&>()) return issuer.get();
  }
  return nullptr;
}

std::shared_ptr<const KeySet> JwtAuthenticator::KeysOf(const Issuer& issuer) {
  return issuer.remote_keys ? issuer.remote_keys->Current() : issuer.static_keys;
}

absl::Status JwtAuthenticator::VerifyWithKeys(const Jwt& jwt, const Issuer& issuer,
                                              const KeySet* keys,
                                              RemoteKeySet** refetch_from) const {
  if (IsHmac(jwt.alg)) return VerifyHmac(jwt, issuer.hmac_secret);
  if (!jwt.kid.empty()) {
    const Jwk* key = keys ? keys->Find(jwt.kid) : nullptr;
    if (key == nullptr) {
      if (issuer.remote_keys && refetch_from != nullptr) *refetch_from = issuer.remote_keys.get();
      const bool refetching =
          issuer.remote_keys && refetch_from == nullptr && issuer.remote_keys->RequestRefetch();
      return absl::UnauthenticatedError(absl::StrCat("unknown kid \"", jwt.kid, "\"",
                                                     refetching ? " (refetching the JWKS)" : ""));
    }
    return VerifySignature(jwt, *key);
  }
  if (keys) {
    for (const Jwk& key : keys->keys()) {
      if (KeyFitsAlgorithm(key, jwt.alg) && VerifySignature(jwt, key).ok()) {
        return absl::OkStatus();
      }
    }
  }
  return absl::UnauthenticatedError("no key verifies this token (no kid)");
}

std::optional<Identity> JwtAuthenticator::Remembered(const std::string& digest) const {
  std::optional<Verified> hit = verified_.Get(digest);
  // Keys that changed since (a refresh): the token is checked against the
  // new ones, as if never seen.
  if (!hit || KeysOf(*hit->issuer) != hit->keys) return std::nullopt;
  return std::move(hit->identity);
}

absl::StatusOr<Identity> JwtAuthenticator::Verify(absl::string_view token,
                                                  RemoteKeySet** refetch_from) const {
  std::string digest;
  if (config_.cache_size > 0) {
    digest = DigestOf(token);
    if (std::optional<Identity> known = Remembered(digest)) return *std::move(known);
  }
  auto jwt = ParseJwt(token, config_.max_token_bytes);
  if (!jwt.ok()) return absl::UnauthenticatedError(jwt.status().message());
  const Issuer* issuer = FindIssuer(*jwt);
  if (issuer == nullptr) return absl::UnauthenticatedError("unknown issuer");
  if (std::find(issuer->algorithms.begin(), issuer->algorithms.end(), jwt->alg) ==
      issuer->algorithms.end()) {
    return absl::UnauthenticatedError(absl::StrCat("alg ", JwsAlgorithmName(jwt->alg),
                                                   " is not allowed for ", issuer->config.issuer));
  }
  std::shared_ptr<const KeySet> keys = KeysOf(*issuer);
  RETURN_IF_ERROR(VerifyWithKeys(*jwt, *issuer, keys.get(), refetch_from));
  const absl::Duration skew = absl::FromChrono(config_.clock_skew);
  RETURN_IF_ERROR(CheckClaims(*jwt, {.issuer = issuer->config.issuer,
                                     .audiences = issuer->config.audiences,
                                     .now = options_.clock(),
                                     .clock_skew = skew}));
  Identity identity = IdentityOf(*jwt, issuer->config.issuer);
  if (!digest.empty()) {
    // CheckClaims refuses from exp + skew on: the entry lives exactly as
    // long as the token would pass.
    verified_.Put(digest, {identity, issuer, std::move(keys)}, *ExpiresAt(*jwt) + skew);
  }
  return identity;
}

}  // namespace protogate::auth
