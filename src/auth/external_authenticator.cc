#include "auth/external_authenticator.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "upstream/channel_target.h"

namespace protogate::auth {
namespace {

constexpr absl::Duration kMaxCacheTtl = absl::Hours(1);

namespace pb = protogate::auth::v1;

absl::StatusOr<Identity> IdentityFrom(const pb::CheckResponse& response,
                                      const std::string& address) {
  if (response.principal().empty() && response.client_id().empty()) {
    return absl::UnauthenticatedError("auth service answered OK without a principal");
  }
  Identity identity;
  identity.subject = response.principal();
  identity.client_id = response.client_id();
  identity.scopes.assign(response.scopes().begin(), response.scopes().end());
  identity.authenticator = "external";
  identity.issuer = address;
  FillDefaultClaims(identity);
  return identity;
}

absl::Duration TtlOf(const pb::CheckResponse& response) {
  if (!response.has_ttl()) return absl::ZeroDuration();
  absl::Duration ttl =
      absl::Seconds(response.ttl().seconds()) + absl::Nanoseconds(response.ttl().nanos());
  return std::min(ttl, kMaxCacheTtl);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ExternalAuthenticator>> ExternalAuthenticator::Create(
    const config::ExternalAuthConfig& config, Clock clock, AuthResources* resources) {
  absl::StatusOr<std::string> target = upstream::ChannelTarget({config.address});
  if (!target.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("auth.external.address: ", target.status().message()));
  }
  auto state = std::make_shared<State>(config, std::move(clock));
  // Lazy connection: an auth service that starts after the gateway is found
  // on first use; until then checks fail closed.
  auto stub = pb::AuthService::NewStub(
      resources != nullptr ? resources->AuthServiceChannel(*target)
                           : grpc::CreateChannel(*target, grpc::InsecureChannelCredentials()));
  return std::unique_ptr<ExternalAuthenticator>(
      new ExternalAuthenticator(std::move(state), std::move(stub)));
}

void ExternalAuthenticator::Authenticate(AuthInput input, AuthCallback done) const {
  std::string cache_key = TokenCache::KeyOf(input.credential);
  if (std::optional<Identity> hit = state_->cache.Get(cache_key)) return done(*std::move(hit));

  auto check = std::make_unique<PendingCheck>();
  // Real time, not the injected clock: gRPC measures the deadline itself.
  check->context.set_deadline(std::chrono::system_clock::now() + state_->config.timeout);
  check->request.set_token(std::move(input.credential));
  check->request.set_http_method(std::move(input.http_method));
  check->request.set_path(std::move(input.path));
  check->cache_key = std::move(cache_key);
  check->done = std::move(done);
  PendingCheck* raw = check.release();
  stub_->async()->Check(&raw->context, &raw->request, &raw->response,
                        [state = state_, raw](grpc::Status status) {
                          std::unique_ptr<PendingCheck> owned(raw);
                          AuthCallback done = std::move(owned->done);
                          absl::StatusOr<Identity> identity = Outcome(status, *owned, *state);
                          // The call's context holds the channel: it goes before
                          // `done`, after which the owner may release the
                          // authenticator and so the channel's last reference,
                          // never here on gRPC's callback thread.
                          owned.reset();
                          done(std::move(identity));
                        });
}

absl::StatusOr<Identity> ExternalAuthenticator::Outcome(const grpc::Status& status,
                                                        const PendingCheck& check, State& state) {
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
      status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    return absl::UnauthenticatedError(
        absl::StrCat("auth service refused the token: ", status.error_message()));
  }
  if (!status.ok()) {
    return absl::UnavailableError(absl::StrCat("auth service ", state.config.address, ": ",
                                               status.error_code(), " ", status.error_message()));
  }
  absl::StatusOr<Identity> identity = IdentityFrom(check.response, state.config.address);
  const absl::Duration ttl = TtlOf(check.response);
  if (identity.ok() && ttl > absl::ZeroDuration()) {
    state.cache.Put(check.cache_key, *identity, state.clock() + ttl);
  }
  return identity;
}

}  // namespace protogate::auth
