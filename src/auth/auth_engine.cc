#include "auth/auth_engine.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "auth/api_key_authenticator.h"
#include "auth/external_authenticator.h"
#include "auth/files.h"
#include "auth/jwt_authenticator.h"
#include "common/status_macros.h"
#include "observability/log_rate_limiter.h"
#include "observability/logger.h"

namespace protogate::auth {
namespace {

// What clients see; the precise reason goes to the log only, so that a
// caller cannot tell an expired token from a forged one.
constexpr absl::string_view kMissingCredentials = "authentication required";
constexpr absl::string_view kInvalidCredentials = "invalid credentials";
constexpr absl::string_view kPermissionDenied = "permission denied";
constexpr absl::string_view kUnavailable = "authentication service unavailable";

absl::string_view BearerToken(absl::string_view authorization) {
  absl::string_view value = absl::StripAsciiWhitespace(authorization);
  if (value.size() < 7 || !absl::EqualsIgnoreCase(value.substr(0, 7), "bearer ")) return {};
  return absl::StripAsciiWhitespace(value.substr(7));
}

// Tokens (RFC 6750 b64token, JWTs, opaque tokens) and API keys are printable
// ASCII without spaces.
bool IsCredentialText(absl::string_view credential) {
  for (char c : credential) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

// The one value of a header that may appear at most once.
absl::StatusOr<absl::string_view> SingleHeader(const http::Request& request,
                                               absl::string_view name) {
  absl::string_view found;
  int count = 0;
  for (const auto& [header, value] : request.headers) {
    if (header != name) continue;
    if (++count > 1) {
      return absl::InvalidArgumentError(absl::StrCat("more than one ", name, " header"));
    }
    found = value;
  }
  return found;
}

// Removes every `name=…` pair from the target's query and returns the one
// value; two of them are InvalidArgument.
absl::StatusOr<std::string> TakeQueryParameter(std::string& target, absl::string_view name) {
  const size_t question = target.find('?');
  if (question == std::string::npos) return std::string();
  std::string value;
  int count = 0;
  std::vector<absl::string_view> kept;
  const std::string query = target.substr(question + 1);
  for (absl::string_view pair : absl::StrSplit(query, '&')) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(pair, absl::MaxSplits('=', 1));
    if (kv.first != name) {
      kept.push_back(pair);
      continue;
    }
    if (++count > 1) {
      return absl::InvalidArgumentError(absl::StrCat("more than one ", name, " query parameter"));
    }
    value = std::string(kv.second);
  }
  if (count == 0) return value;
  target.resize(question);
  if (!kept.empty()) absl::StrAppend(&target, "?", absl::StrJoin(kept, "&"));
  return value;
}

bool Allows(const Policy& policy, absl::string_view name) {
  return std::find(policy.authenticators.begin(), policy.authenticators.end(), name) !=
         policy.authenticators.end();
}

// The client-facing status for an authenticator or authorization failure.
absl::Status ForClient(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kPermissionDenied:
      return absl::PermissionDeniedError(kPermissionDenied);
    case absl::StatusCode::kUnavailable:
      return absl::UnavailableError(kUnavailable);
    default:
      return absl::UnauthenticatedError(kInvalidCredentials);
  }
}

// Clients cause refusals at will: the lines are rate-limited (and escaped by
// the logger: method and path are the client's bytes).
void LogRefusal(absl::string_view method, absl::string_view path, absl::string_view who,
                const absl::Status& status) {
  PG_LOG_LIMITED("auth", kInfo, "auth: ", method, " ", path, " refused (", who,
                 "): ", status.message());
}

}  // namespace

absl::StatusOr<std::shared_ptr<const AuthEngine>> AuthEngine::Create(
    const config::AuthConfig& config, const AuthEngine* previous, Options options) {
  std::shared_ptr<AuthEngine> engine(new AuthEngine(config));
  if (!config.enabled) return std::shared_ptr<const AuthEngine>(std::move(engine));
  RETURN_IF_ERROR(engine->MakeAuthenticators(options));
  std::vector<std::string> configured;
  for (const auto& authenticator : engine->authenticators_) {
    configured.emplace_back(authenticator->name());
  }
  engine->policies_ = PolicySet::FromConfig(config, configured);
  engine->any_caller_.kind = Policy::Kind::kAuthenticated;
  engine->any_caller_.authenticators = configured;
  ASSIGN_OR_RETURN(
      engine->stamper_,
      TokenStamper::Create(config.stamping, previous ? previous->stamper_.get() : nullptr,
                           options.clock));
  engine->jwks_json_ = engine->stamper_->jwks_json();
  return std::shared_ptr<const AuthEngine>(std::move(engine));
}

absl::Status AuthEngine::Admit(const Policy& policy, const Identity* identity) const {
  if (policy.is_public()) return absl::OkStatus();
  if (policy.kind == Policy::Kind::kDeny) return absl::PermissionDeniedError(kPermissionDenied);
  if (identity == nullptr || std::find(policy.authenticators.begin(), policy.authenticators.end(),
                                       identity->authenticator) == policy.authenticators.end()) {
    return absl::UnauthenticatedError(kMissingCredentials);
  }
  absl::Status status = Authorize(policy, *identity);
  return status.ok() ? status : ForClient(status);
}

absl::Status AuthEngine::Activate() const {
  absl::MutexLock lock(&activate_mu_);
  if (activated_) return absl::OkStatus();
  // The file first: when it cannot be written the reload is refused, and no
  // refresher may be left running for an engine that never serves.
  if (config_.enabled && !config_.stamping.jwks_out.empty()) {
    RETURN_IF_ERROR(WriteFileAtomically(config_.stamping.jwks_out, jwks_json_));
  }
  if (jwt_ != nullptr) jwt_->StartKeyRefresh();
  activated_ = true;
  return absl::OkStatus();
}

absl::Status AuthEngine::MakeAuthenticators(const Options& options) {
  if (config_.has_jwt) {
    ASSIGN_OR_RETURN(auto jwt,
                     JwtAuthenticator::Create(
                         config_.jwt, {.clock = options.clock,
                                       .fetcher = options.jwks_fetcher,
                                       .min_refetch_interval = options.min_jwks_refetch_interval,
                                       .start_key_refresh = false,
                                       .resources = options.resources}));
    jwt_ = jwt.get();
    authenticators_.push_back(std::move(jwt));
  }
  if (config_.has_api_keys) {
    authenticators_.push_back(std::make_unique<ApiKeyAuthenticator>(config_.api_keys));
  }
  if (config_.has_external) {
    ASSIGN_OR_RETURN(auto external, ExternalAuthenticator::Create(config_.external, options.clock,
                                                                  options.resources));
    authenticators_.push_back(std::move(external));
  }
  return absl::OkStatus();
}

const Policy& AuthEngine::PolicyFor(absl::string_view method_full_name) const {
  return policies_.Resolve(method_full_name);
}

const Authenticator* AuthEngine::Find(absl::string_view name) const {
  for (const auto& authenticator : authenticators_) {
    if (authenticator->name() == name) return authenticator.get();
  }
  return nullptr;
}

absl::string_view AuthEngine::api_key_header() const {
  if (!config_.has_api_keys || !config_.api_keys.query_parameter.empty()) return {};
  return config_.api_keys.header;
}

absl::StatusOr<Credentials> AuthEngine::TakeCredentials(http::Request& request) const {
  Credentials credentials;
  ASSIGN_OR_RETURN(absl::string_view authorization, SingleHeader(request, "authorization"));
  credentials.bearer = std::string(BearerToken(authorization));
  if (!config_.has_api_keys) return credentials;
  if (!config_.api_keys.query_parameter.empty()) {
    ASSIGN_OR_RETURN(credentials.api_key,
                     TakeQueryParameter(request.target, config_.api_keys.query_parameter));
  } else {
    ASSIGN_OR_RETURN(absl::string_view key, SingleHeader(request, config_.api_keys.header));
    credentials.api_key = std::string(absl::StripAsciiWhitespace(key));
  }
  return credentials;
}

std::optional<AuthEngine::Choice> AuthEngine::Choose(const Credentials& credentials,
                                                     const Policy& policy) const {
  const std::string& api_key = credentials.api_key;
  const std::string& bearer = credentials.bearer;
  for (const std::string& name : policy.authenticators) {
    const Authenticator* authenticator = Find(name);
    if (authenticator == nullptr) continue;
    if (name == "api_key" && !api_key.empty()) return Choice{authenticator, api_key};
    if (name == "external" && !bearer.empty() && !(LooksLikeJwt(bearer) && Allows(policy, "jwt"))) {
      return Choice{authenticator, bearer};
    }
    if (name == "jwt" && !bearer.empty() && (LooksLikeJwt(bearer) || !Allows(policy, "external"))) {
      return Choice{authenticator, bearer};
    }
  }
  return std::nullopt;
}

void AuthEngine::Authenticate(const Credentials& credentials, const http::Request& request,
                              const Policy& policy, AuthCallback done,
                              IdentityCheck before_policy) const {
  if (policy.kind == Policy::Kind::kDeny) {
    LogRefusal(request.method, request.Path(), "policy", Authorize(policy, Identity{}));
    return done(absl::PermissionDeniedError(kPermissionDenied));
  }
  std::optional<Choice> choice = Choose(credentials, policy);
  if (!choice) {
    LogRefusal(request.method, request.Path(), "no credential",
               absl::UnauthenticatedError("no usable credential"));
    return done(absl::UnauthenticatedError(kMissingCredentials));
  }
  if (!IsCredentialText(choice->credential)) {
    // Bytes no token or key is made of; they would otherwise travel into
    // the auth service's string fields and its logs.
    LogRefusal(request.method, request.Path(), "malformed credential",
               absl::UnauthenticatedError("credential is not printable ASCII"));
    return done(absl::UnauthenticatedError(kInvalidCredentials));
  }
  const Authenticator* authenticator = choice->authenticator;
  AuthInput input{.credential = std::move(choice->credential),
                  .http_method = request.method,
                  .path = std::string(request.Path())};
  // The policy outlives the request (the snapshot holds both); the request
  // may not, so log with copies.
  authenticator->Authenticate(
      std::move(input),
      [&policy, name = authenticator->name(), method = request.method,
       path = std::string(request.Path()), done = std::move(done),
       before_policy = std::move(before_policy)](absl::StatusOr<Identity> identity) mutable {
        if (identity.ok() && before_policy) {
          if (absl::Status checked = before_policy(*identity); !checked.ok()) {
            return done(std::move(checked));
          }
        }
        absl::Status status = identity.ok() ? Authorize(policy, *identity) : identity.status();
        if (status.ok()) return done(std::move(identity));
        LogRefusal(method, path, name, status);
        done(ForClient(status));
      });
}

absl::StatusOr<StampedMetadata> AuthEngine::Stamp(const Identity& identity,
                                                  absl::string_view audience) const {
  if (!stamper_) return StampedMetadata{};
  ASSIGN_OR_RETURN(std::string token, stamper_->Mint(identity, audience));
  StampedMetadata metadata;
  metadata.emplace_back(config_.stamping.header, std::move(token));
  if (config_.stamping.identity_headers) {
    metadata.emplace_back(kSubjectHeader, identity.subject);
    metadata.emplace_back(kClientIdHeader, identity.client_id);
    metadata.emplace_back(kScopesHeader, absl::StrJoin(identity.scopes, " "));
  }
  return metadata;
}

bool AuthEngine::IsReservedKey(absl::string_view key) const {
  return key == config_.stamping.header || absl::StartsWith(key, kReservedHeaderPrefix);
}

std::optional<std::string> ChallengeFor(const absl::Status& status) {
  if (status.code() == absl::StatusCode::kUnauthenticated) {
    if (status.message() == kMissingCredentials) return std::string(R"(Bearer realm="protogate")");
    return std::string(R"(Bearer realm="protogate", error="invalid_token")");
  }
  if (status.code() == absl::StatusCode::kPermissionDenied) {
    return std::string(R"(Bearer realm="protogate", error="insufficient_scope")");
  }
  return std::nullopt;
}

}  // namespace protogate::auth
