#include "demo_services/identity_verifier.h"

#include <sys/stat.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "auth/files.h"
#include "auth/jwt.h"
#include "auth/token_stamper.h"

namespace protogate::demo_services {
namespace {

// The gateway's stamps are a few hundred bytes; anything far larger is not one.
constexpr size_t kMaxTokenBytes = 8192;
constexpr absl::Duration kClockSkew = absl::Seconds(5);
// A token naming an unknown kid re-reads the file at most this often, so that
// a stream of forged tokens costs no more than one read per interval.
constexpr absl::Duration kMinForcedReloadInterval = absl::Seconds(1);

absl::Status Refused(absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat("identity token: ", why));
}

std::string StringClaim(const nlohmann::json& payload, const char* name) {
  auto it = payload.find(name);
  return it != payload.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

IdentityVerifier::IdentityVerifier(auth::Clock clock) : clock_(std::move(clock)) {}

void IdentityVerifier::SetJwksFile(std::string path) {
  absl::MutexLock lock(&mu_);
  jwks_file_ = std::move(path);
  loaded_version_ = {};
  last_forced_load_ = absl::InfinitePast();
  keys_.reset();
  load_error_ = absl::OkStatus();
}

absl::Status IdentityVerifier::SetJwks(absl::string_view jwks_json) {
  absl::StatusOr<auth::KeySet> keys = auth::KeySet::Parse(jwks_json);
  if (!keys.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("gateway JWKS: ", keys.status().message()));
  }
  absl::MutexLock lock(&mu_);
  jwks_file_.clear();
  keys_ = std::make_shared<const auth::KeySet>(*std::move(keys));
  load_error_ = absl::OkStatus();
  return absl::OkStatus();
}

absl::StatusOr<VerifiedIdentity> IdentityVerifier::Verify(const grpc::ServerContextBase& context,
                                                          absl::string_view audience) {
  const auto& metadata = context.client_metadata();
  const auto [first, last] = metadata.equal_range(
      grpc::string_ref(kIdentityMetadataKey.data(), kIdentityMetadataKey.size()));
  if (first == last) return VerifyToken("", audience);
  // Two tokens would leave it open which one a service trusts; the gateway sends one.
  if (std::next(first) != last) return Refused("more than one x-protogate-identity entry");
  return VerifyToken(absl::string_view(first->second.data(), first->second.size()), audience);
}

absl::StatusOr<VerifiedIdentity> IdentityVerifier::VerifyToken(absl::string_view token,
                                                               absl::string_view audience) {
  if (token.empty()) {
    return absl::UnauthenticatedError(
        "no identity token (x-protogate-identity): the call did not come through the gateway "
        "with an authenticated caller");
  }
  absl::StatusOr<auth::Jwt> jwt = auth::ParseJwt(token, kMaxTokenBytes);
  if (!jwt.ok()) return Refused(absl::StrCat("malformed: ", jwt.status().message()));
  // The gateway only signs ES256; accepting another alg would only widen what a forger can try.
  if (jwt->alg != auth::JwsAlgorithm::kEs256) {
    return Refused(
        absl::StrCat("alg ", auth::JwsAlgorithmName(jwt->alg), " is not the gateway's (ES256)"));
  }

  absl::StatusOr<std::shared_ptr<const auth::KeySet>> keys = Keys(/*kid_miss=*/false);
  if (!keys.ok()) return keys.status();
  const auth::Jwk* key = (*keys)->Find(jwt->kid);
  if (key == nullptr) {
    // The gateway may have a new key (a restart without signing_key_file) that
    // the file's stat() did not reveal yet.
    keys = Keys(/*kid_miss=*/true);
    if (!keys.ok()) return keys.status();
    key = (*keys)->Find(jwt->kid);
  }
  if (key == nullptr) {
    if (jwt->kid.empty()) return Refused("no kid: the gateway always names its key");
    return Refused(
        absl::StrCat("signed by a key that is not the gateway's (kid \"", jwt->kid, "\")"));
  }
  if (absl::Status status = auth::VerifySignature(*jwt, *key); !status.ok()) {
    return Refused(status.message());
  }
  absl::Status claims = auth::CheckClaims(*jwt, {.issuer = std::string(auth::kStampIssuer),
                                                 .audiences = {std::string(audience)},
                                                 .now = clock_(),
                                                 .clock_skew = kClockSkew});
  if (!claims.ok()) {
    if (claims.message() == "wrong audience") {
      return Refused(absl::StrCat("wrong audience \"", StringClaim(jwt->payload, "aud"),
                                  "\" (this is ", audience, ")"));
    }
    return Refused(claims.message());
  }

  VerifiedIdentity identity;
  identity.subject = StringClaim(jwt->payload, "sub");
  identity.client_id = StringClaim(jwt->payload, "client_id");
  identity.scopes = absl::StrSplit(StringClaim(jwt->payload, "scope"), ' ', absl::SkipEmpty());
  identity.audience = std::string(audience);
  identity.issuer = StringClaim(jwt->payload, "iss");
  identity.token_id = StringClaim(jwt->payload, "jti");
  return identity;
}

absl::StatusOr<std::shared_ptr<const auth::KeySet>> IdentityVerifier::Keys(bool kid_miss) {
  absl::MutexLock lock(&mu_);
  if (jwks_file_.empty()) {
    if (keys_) return keys_;
    return absl::UnauthenticatedError(
        "this service has no gateway keys to verify identity tokens with (--gateway-jwks=FILE)");
  }
  FileVersion version;
  struct stat info {};
  if (::stat(jwks_file_.c_str(), &info) == 0) {
    version = {
        .exists = true,
        .inode = info.st_ino,
        .size = info.st_size,
        .mtime_ns = static_cast<int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec};
  }
  if (!version.exists) {
    // A file that went away keeps its last keys; one that never came is an error.
    if (keys_) return keys_;
    return absl::UnauthenticatedError(
        absl::StrCat("no gateway keys yet: ", jwks_file_,
                     " does not exist (the gateway writes it via auth.stamping.jwks_out)"));
  }
  if (!(version == loaded_version_)) {
    load_error_ = LoadFileLocked(version);
  } else if (kid_miss && clock_() - last_forced_load_ >= kMinForcedReloadInterval) {
    last_forced_load_ = clock_();
    load_error_ = LoadFileLocked(version);
  }
  if (keys_) return keys_;
  return absl::UnauthenticatedError(absl::StrCat("no gateway keys: ", load_error_.message()));
}

absl::Status IdentityVerifier::LoadFileLocked(const FileVersion& version) {
  // Recorded even when the file is bad, so that a bad file is parsed once, not per call.
  loaded_version_ = version;
  absl::StatusOr<std::string> text = auth::ReadKeyFile(jwks_file_, "the gateway JWKS");
  if (!text.ok()) return text.status();
  absl::StatusOr<auth::KeySet> keys = auth::KeySet::Parse(*text);
  if (!keys.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(jwks_file_, ": ", keys.status().message()));
  }
  keys_ = std::make_shared<const auth::KeySet>(*std::move(keys));
  return absl::OkStatus();
}

}  // namespace protogate::demo_services
