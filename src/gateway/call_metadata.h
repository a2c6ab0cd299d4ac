#pragma once

// Internal to the request pipeline: what every upstream call of a request
// carries, for the phases that make calls (one unary call, a composite's,
// a GraphQL document's root fields).
//
// Example:
//   ASSIGN_OR_RETURN(absl::Time deadline, DeadlineOf(ctx, route.timeout));
//   ASSIGN_OR_RETURN(upstream::Metadata metadata, UpstreamMetadata(ctx));
//   ASSIGN_OR_RETURN(upstream::Metadata extra, ServiceMetadata(ctx, "demo.users.v1.UserService"));
//
// On the request's event loop, like the RequestContext it reads.

#include <chrono>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gateway/request_context.h"
#include "upstream/unary_call.h"

namespace protogate::gateway {

// The request's start plus `limit`, shortened (never lengthened) by the
// client's grpc-timeout. InvalidArgument for a malformed grpc-timeout.
absl::StatusOr<absl::Time> DeadlineOf(const RequestContext& ctx, std::chrono::milliseconds limit);

// The metadata every upstream call of this request carries (before the
// per-service stamp and Authorization): the forwarded headers, the request
// id, nothing the gateway reserves, no client credential once the caller is
// known.
absl::StatusOr<upstream::Metadata> UpstreamMetadata(const RequestContext& ctx);

// What the calls to one service add for an authenticated caller: the stamp
// whose audience is that service and, where the service asks for it, the
// client's Authorization. Nothing for an anonymous caller.
absl::StatusOr<upstream::Metadata> ServiceMetadata(const RequestContext& ctx,
                                                   absl::string_view service);

}  // namespace protogate::gateway
