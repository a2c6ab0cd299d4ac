// What every upstream call of a request carries, whichever phase makes it:
// the deadline, the forwarded metadata, the identity's stamp per service.

#include "gateway/call_metadata.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "gateway/metadata.h"
#include "gateway/partial_response.h"

namespace protogate::gateway {
namespace {

constexpr absl::string_view kRequestIdHeader = "x-request-id";

bool Contains(const std::vector<std::string>& names, absl::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Whether `service`'s upstream asked for the caller's own Authorization.
bool ForwardsAuthorization(const config::GatewayConfig& config, absl::string_view service) {
  for (const config::UpstreamConfig& upstream : config.upstreams) {
    if (upstream.service == service) return upstream.forward_authorization;
  }
  return false;
}

// The original Authorization for `service`, when its upstream asks for it.
void AppendAuthorizationFor(const RequestContext& ctx, absl::string_view service,
                            upstream::Metadata& metadata) {
  if (!ctx.identity || !ForwardsAuthorization(ctx.snapshot->config, service)) return;
  absl::string_view authorization = ctx.request.Header("authorization");
  if (!authorization.empty()) metadata.emplace_back("authorization", authorization);
}

}  // namespace

absl::StatusOr<absl::Time> DeadlineOf(const RequestContext& ctx, std::chrono::milliseconds limit) {
  absl::Duration timeout = absl::FromChrono(limit);
  absl::string_view header = ctx.request.Header("grpc-timeout");
  if (!header.empty()) {
    std::optional<absl::Duration> asked = ParseGrpcTimeout(header);
    if (!asked) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid grpc-timeout header \"", header, "\" (expected e.g. 500m, 2S)"));
    }
    timeout = std::min(timeout, *asked);
  }
  return ctx.start + timeout;
}

// What the calls to one service add for an authenticated caller: the stamp
// whose audience is that service and, where the service asks for it, the
// client's Authorization. Nothing for an anonymous caller.
absl::StatusOr<upstream::Metadata> ServiceMetadata(const RequestContext& ctx,
                                                   absl::string_view service) {
  if (!ctx.identity) return upstream::Metadata{};
  auto stamped = ctx.snapshot->auth->Stamp(*ctx.identity, service);
  if (!stamped.ok()) return absl::InternalError("cannot stamp identity");
  upstream::Metadata metadata = *std::move(stamped);
  AppendAuthorizationFor(ctx, service, metadata);
  return metadata;
}

// The metadata every upstream call of this request carries (before the
// per-service stamp and Authorization).
absl::StatusOr<upstream::Metadata> UpstreamMetadata(const RequestContext& ctx) {
  ASSIGN_OR_RETURN(upstream::Metadata metadata,
                   ForwardedMetadata(ctx.request.headers, ctx.snapshot->config.forward_headers));
  // The id the gateway answers with is the one the services see.
  metadata.emplace_back(kRequestIdHeader, ctx.request_id);
  // Identity metadata is the gateway's to set: a client's copy (as a header,
  // as Grpc-Metadata-*, in any case, in chunked trailers: all arrive here as
  // lowercase keys) never reaches a service, whatever the route's policy.
  const auth::AuthEngine& auth = *ctx.snapshot->auth;
  const std::vector<std::string>& reserved = ctx.snapshot->config.reserved_metadata;
  // So is the field mask: only the gateway's own (the client's `fields`) counts.
  std::erase_if(metadata, [&auth, &reserved](const auto& kv) {
    return auth.IsReservedKey(kv.first) || Contains(reserved, kv.first) ||
           kv.first == transcode::kFieldMaskMetadata;
  });
  // Once the gateway has vouched for the caller, services trust its stamp,
  // not the client's credentials: those stay at the edge.
  if (ctx.identity) {
    const absl::string_view api_key_header = auth.api_key_header();
    std::erase_if(metadata, [api_key_header](const auto& kv) {
      return kv.first == "authorization" || (!api_key_header.empty() && kv.first == api_key_header);
    });
  }
  return metadata;
}

}  // namespace protogate::gateway
