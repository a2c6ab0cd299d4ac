// The phases before a request reaches its upstream: admit, health,
// credentials, client, route, authenticate, client_view, rate_limit
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

// The methods the path has routes for, less those the caller's profile
// may not use: a 405 must not reveal a hidden route.
std::vector<std::string> VisibleMethods(const RequestContext& ctx) {
  const routing::RouteTable& routes = ctx.snapshot->routes;
  std::vector<std::string> allowed = routes.AllowedMethods(ctx.request.Path());
  const views::ClientProfiles& clients = *ctx.snapshot->clients;
  if (clients.empty()) return allowed;
  std::erase_if(allowed, [&](const std::string& method) {
    auto match = routes.Match(method, ctx.request.Path());
    return !match.ok() || !clients.MayAllowAfterAuthentication(ctx.client, match->route_id);
  });
  return allowed;
}

http::Response NoRouteResponse(const RequestContext& ctx) {
  std::vector<std::string> allowed = VisibleMethods(ctx);
  if (allowed.empty()) return NotFoundResponse(ctx);
  return MethodNotAllowedResponse(ctx.request.method, ctx.request.Path(),
                                  absl::StrJoin(allowed, ", "));
}

}  // namespace

http::Response NotFoundResponse(const RequestContext& ctx) {
  return ErrorResponse(absl::NotFoundError(absl::StrCat("no route for ", ctx.request.method, " ",
                                                        ctx.client_prefix, ctx.request.Path())));
}

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
  // A browser cannot set Authorization on a WebSocket: its token comes as
  // a subprotocol instead.
  if (ctx->credentials.bearer.empty()) ctx->credentials.bearer = WebSocketBearer(ctx->request);
  return Next::kContinue;
}

// HEAD falls back to the GET route, as HTTP expects.
Next MatchRoute(const ContextPtr& ctx) {
  if (Next next; MatchGraphql(ctx, &next) || MatchDocument(ctx, &next)) return next;
  const routing::RouteTable& routes = ctx->snapshot->routes;
  auto match = routes.Match(ctx->request.method, ctx->request.Path());
  if (!match.ok() && ctx->request.method == "HEAD")
    match = routes.Match("GET", ctx->request.Path());
  if (!match.ok()) return Answer(*ctx, NoRouteResponse(*ctx));
  // Before authenticating: a route no caller recognised like this one could
  // use is hidden at once, so that its existence costs no credential check.
  const views::ClientProfiles& clients = *ctx->snapshot->clients;
  if (!clients.empty() && !clients.MayAllowAfterAuthentication(ctx->client, match->route_id)) {
    return Answer(*ctx, NotFoundResponse(*ctx));
  }
  ctx->route = &ctx->snapshot->route(match->route_id);
  ctx->match = *std::move(match);
  return Next::kContinue;
}

namespace {

views::ClientProfiles::Recognition Recognise(const views::ClientProfiles& clients,
                                             const http::Request& request) {
  return clients.RecogniseRequest(
      [&request](absl::string_view name) { return request.Header(name); }, request.Header("host"),
      request.Path());
}

// The target with a profile's path prefix taken off. A fresh string rather
// than an in-place insert: GCC 12 at -O2 misreads the insert as an
// overlapping copy (-Wrestrict).
std::string Unprefixed(const std::string& target, size_t prefix_length) {
  std::string rest = target.substr(prefix_length);
  return rest.empty() || rest[0] != '/' ? absl::StrCat("/", rest) : rest;
}

}  // namespace

// Recognition by the request alone (header, Host, path prefix); the
// prefix comes off the target before routing: /mobile/v1/users/1 is routed
// as /v1/users/1.
Next RecogniseClient(const ContextPtr& ctx) {
  const views::ClientProfiles& clients = *ctx->snapshot->clients;
  if (clients.empty()) return Next::kContinue;
  const views::ClientProfiles::Recognition seen = Recognise(clients, ctx->request);
  ctx->client = seen.profile;
  if (seen.prefix_length > 0) {
    std::string& target = ctx->request.target;
    ctx->client_prefix = target.substr(0, seen.prefix_length);
    target = Unprefixed(target, seen.prefix_length);
  }
  return Next::kContinue;
}

// Routes as MatchRoute will, from the head alone.
bool TakesRequestStream(const Snapshot& snapshot, const http::Request& head) {
  if (!snapshot.client_streaming) return false;
  std::string unprefixed;
  absl::string_view path = head.Path();
  if (!snapshot.clients->empty()) {
    const size_t prefix = Recognise(*snapshot.clients, head).prefix_length;
    if (prefix > 0) {
      unprefixed = Unprefixed(head.target, prefix);
      path = absl::string_view(unprefixed).substr(0, unprefixed.find('?'));
    }
  }
  auto match = snapshot.routes.Match(head.method, path);
  if (!match.ok()) return false;
  const Route& route = snapshot.route(match->route_id);
  return route.client_streaming && !route.server_streaming;  // a bidi route is a WebSocket
}

// After authentication the identity's client id, when a profile claims it,
// decides (it cannot be forged); then the route must be one the profile
// may use.
Next ApplyClientView(const ContextPtr& ctx) {
  const views::ClientProfiles& clients = *ctx->snapshot->clients;
  if (clients.empty() || ctx->graphql) return Next::kContinue;
  if (ctx->identity) {
    const views::ClientProfiles::Caller caller =
        clients.Resolve(ctx->client, ctx->identity->client_id);
    ctx->client = caller.profile;
    ctx->client_verified = caller.verified;
  }
  if (ctx->document) return Next::kContinue;  // the document shows the profile its routes
  if (!clients.Allows(ctx->client, ctx->client_verified, ctx->match->route_id)) {
    return Answer(*ctx, NotFoundResponse(*ctx));
  }
  return Next::kContinue;
}

// A route the identity's profile may not use is refused before the
// policy's scopes: a 403 would tell the caller that the route exists. The
// check runs where the identity was established, so it reads only
// immutable values, never the request context; it leaves the caller it
// resolved in `seen`, which the completion reads once back on the loop.
auth::AuthEngine::IdentityCheck HiddenFromIdentity(
    const RequestContext& ctx, std::shared_ptr<views::ClientProfiles::Caller> seen) {
  if (ctx.snapshot->clients->empty()) return nullptr;
  return [clients = ctx.snapshot->clients, request_profile = ctx.client,
          route_id = ctx.match->route_id, seen](const auth::Identity& identity) {
    *seen = clients->Resolve(request_profile, identity.client_id);
    if (clients->Allows(seen->profile, seen->verified, route_id)) return absl::OkStatus();
    return absl::NotFoundError("hidden by the caller's client profile");
  };
}

// The answer may come later, on a gRPC thread (auth service) or the JWKS
// refresher's (a token naming a kid the gateway is refetching keys for).
Next Authenticate(const ContextPtr& ctx) {
  if (ctx->graphql) return AuthenticateGraphql(ctx);
  if (ctx->document) return AuthenticateDocument(ctx);
  const auth::Policy& policy = *ctx->route->policy;
  if (policy.is_public()) return Next::kContinue;
  auto seen = std::make_shared<views::ClientProfiles::Caller>();
  ctx->snapshot->auth->Authenticate(
      ctx->credentials, ctx->request, policy,
      [ctx, seen](absl::StatusOr<auth::Identity> identity) {
        Resume(ctx, "authenticate", [ctx, seen, identity = std::move(identity)]() mutable {
          if (!identity.ok() && identity.status().code() == absl::StatusCode::kNotFound) {
            // Hidden by the caller's profile; the log and metrics name it.
            ctx->client = seen->profile;
            ctx->client_verified = seen->verified;
            return Answer(*ctx, NotFoundResponse(*ctx));
          }
          if (!identity.ok()) return Answer(*ctx, AuthErrorResponse(identity.status()));
          ctx->identity = *std::move(identity);
          return Next::kContinue;
        });
      },
      HiddenFromIdentity(*ctx, seen));
  return Suspend(*ctx);
}

Next AuthenticateCaller(const ContextPtr& ctx, RefusedCredentials refused) {
  const auth::AuthEngine& auth = *ctx->snapshot->auth;
  if (!auth.enabled() || (ctx->credentials.bearer.empty() && ctx->credentials.api_key.empty())) {
    return Next::kContinue;
  }
  auth.Authenticate(ctx->credentials, ctx->request, auth.any_caller(),
                    [ctx, refused](absl::StatusOr<auth::Identity> identity) {
                      Resume(ctx, "authenticate", [ctx, refused, identity = std::move(identity)] {
                        if (!identity.ok()) return refused(*ctx, identity.status());
                        ctx->identity = *identity;
                        return Next::kContinue;
                      });
                    });
  return Suspend(*ctx);
}

// No limits until rate limits exist.
Next ApplyRateLimit(const ContextPtr&) { return Next::kContinue; }

}  // namespace protogate::gateway
