// The phases before a request reaches its upstream: admit, health,
// credentials, route, client_view, authenticate, rate_limit
// (request_handler.h lists them all).

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gateway/error_response.h"
#include "gateway/metadata.h"
#include "gateway/request_context.h"

namespace protogate::gateway {
namespace {

constexpr absl::string_view kRequestIdHeader = "x-request-id";

http::Response NoRouteResponse(const RequestContext& ctx) {
  std::vector<std::string> allowed = ctx.snapshot->routes.AllowedMethods(ctx.request.Path());
  if (allowed.empty()) {
    return ErrorResponse(absl::NotFoundError(
        absl::StrCat("no route for ", ctx.request.method, " ", ctx.request.Path())));
  }
  http::Response response = HttpErrorResponse(
      405, absl::StrCat("method ", ctx.request.method, " is not allowed on ", ctx.request.Path(),
                        "; allowed: ", absl::StrJoin(allowed, ", ")));
  response.headers.emplace_back("Allow", absl::StrJoin(allowed, ", "));
  return response;
}

http::Response AuthErrorResponse(const absl::Status& status) {
  http::Response response = ErrorResponse(status);
  if (auto challenge = auth::ChallengeFor(status)) {
    response.headers.emplace_back("WWW-Authenticate", *std::move(challenge));
  }
  return response;
}

}  // namespace

// A client's id is kept only when it is safe to echo, log and stamp; any
// other gets a fresh one (the request is still served).
Next Admit(const ContextPtr& ctx) {
  absl::string_view given = ctx->request.Header(kRequestIdHeader);
  ctx->request_id = IsSafeRequestId(given) ? std::string(given) : NewRequestId();
  return Next::kContinue;
}

Next ServeHealth(const ContextPtr& ctx) {
  absl::string_view path = ctx->request.Path();
  if (path == "/healthz") return Answer(*ctx, JsonResponse(200, R"({"status":"ok"})"));
  if (path == auth::kJwksPath) {
    return Answer(*ctx, JsonResponse(200, ctx->snapshot->auth->jwks_json()));
  }
  // Anyone may ask: the routes, services and channel states are the admin
  // listener's to tell (admin_handler.h).
  if (path == "/readyz") return Answer(*ctx, JsonResponse(200, R"({"status":"ready"})"));
  return Next::kContinue;
}

Next TakeCredentials(const ContextPtr& ctx) {
  auto credentials = ctx->snapshot->auth->TakeCredentials(ctx->request);
  if (!credentials.ok()) return Answer(*ctx, ErrorResponse(credentials.status()));
  ctx->credentials = *std::move(credentials);
  return Next::kContinue;
}

// HEAD falls back to the GET route, as HTTP expects.
Next MatchRoute(const ContextPtr& ctx) {
  if (Next next; MatchGraphql(ctx, &next)) return next;
  const routing::RouteTable& routes = ctx->snapshot->routes;
  auto match = routes.Match(ctx->request.method, ctx->request.Path());
  if (!match.ok() && ctx->request.method == "HEAD")
    match = routes.Match("GET", ctx->request.Path());
  if (!match.ok()) return Answer(*ctx, NoRouteResponse(*ctx));
  ctx->route = &ctx->snapshot->route(match->route_id);
  ctx->match = *std::move(match);
  return Next::kContinue;
}

// Every caller sees the whole API until client views exist.
Next ApplyClientView(const ContextPtr&) { return Next::kContinue; }

// The answer may come later, on a gRPC thread (auth service) or the JWKS
// refresher's (a token naming a kid the gateway is refetching keys for).
Next Authenticate(const ContextPtr& ctx) {
  if (ctx->graphql) return AuthenticateGraphql(ctx);
  const auth::Policy& policy = *ctx->route->policy;
  if (policy.is_public()) return Next::kContinue;
  ctx->snapshot->auth->Authenticate(
      ctx->credentials, ctx->request, policy, [ctx](absl::StatusOr<auth::Identity> identity) {
        Resume(ctx, "authenticate", [ctx, identity = std::move(identity)]() mutable {
          if (!identity.ok()) return Answer(*ctx, AuthErrorResponse(identity.status()));
          ctx->identity = *std::move(identity);
          return Next::kContinue;
        });
      });
  return Suspend(*ctx);
}

// No limits until rate limits exist.
Next ApplyRateLimit(const ContextPtr&) { return Next::kContinue; }

}  // namespace protogate::gateway
