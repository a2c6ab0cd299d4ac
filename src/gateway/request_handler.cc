#include "gateway/request_handler.h"

#include <algorithm>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "aggregate/composite_execution.h"
#include "common/json_text.h"
#include "common/status_macros.h"
#include "gateway/error_response.h"
#include "gateway/metadata.h"
#include "nlohmann/json.hpp"
#include "observability/access_log.h"
#include "observability/logger.h"
#include "transcode/status_mapping.h"
#include "upstream/unary_call.h"

namespace protogate::gateway {
namespace {

constexpr absl::string_view kRequestIdHeader = "x-request-id";

struct RequestContext {
  std::shared_ptr<const Snapshot> snapshot;
  http::Request request;
  http::Responder respond;
  std::string request_id;
  auth::Credentials credentials;  // taken out of the request in phase 1
  absl::Time start;
  const Route* route = nullptr;
  int upstream_code = -1;                  // -1: no upstream call was made
  std::optional<auth::Identity> identity;  // set by phase 4 unless the route is public
  auth::StampedMetadata stamped;           // the gateway's word on the caller, for phase 6
  std::string call_timings;                // composite routes: "user:0:1.2ms,..." for the log
};
using ContextPtr = std::shared_ptr<RequestContext>;

void WriteAccessLog(const RequestContext& ctx, const http::Response& response,
                    absl::Duration elapsed) {
  if (!ctx.snapshot->config.access_log) return;
  observability::Logger::Get().Access(observability::FormatAccessLine({
      .method = ctx.request.method,
      .path = ctx.request.Path(),
      .status = response.status,
      .upstream_code = ctx.upstream_code,
      .duration = elapsed,
      .request_id = ctx.request_id,
      .route = ctx.route ? absl::string_view(ctx.route->method_path) : absl::string_view(),
      .remote = ctx.request.remote_address,
      .calls = ctx.call_timings,
  }));
}

// Requests that matched no route (or were answered before routing) count
// under route="".
void RecordRequestMetrics(const RequestContext& ctx, const http::Response& response,
                          absl::Duration elapsed) {
  RouteMetrics& metrics = ctx.route ? *ctx.route->metrics : ctx.snapshot->metrics->unrouted();
  metrics.RecordRequest(ctx.request.method, response.status, elapsed);
}

// Phase 8 and the single exit of every request. Metrics are recorded before
// the answer leaves, so a client that has its answer sees it counted.
void Finish(const ContextPtr& ctx, http::Response response) {
  response.headers.emplace_back("X-Request-Id", ctx->request_id);
  const absl::Duration elapsed = absl::Now() - ctx->start;
  RecordRequestMetrics(*ctx, response, elapsed);
  WriteAccessLog(*ctx, response, elapsed);
  ctx->respond(std::move(response));
}

// Phase 1. A client's id is kept only when it is safe to echo, log and
// stamp; any other gets a fresh one (the request is still served).
std::string RequestIdOf(const http::Request& request) {
  absl::string_view given = request.Header(kRequestIdHeader);
  if (IsSafeRequestId(given)) return std::string(given);
  return NewRequestId();
}

// The last resort: an exception that escaped a phase answers its request
// with a 500 in the error model, and the process serves on. Whatever the
// phase had done, the Responder takes only the first answer.
void AnswerInternalError(const ContextPtr& ctx, const char* what) noexcept {
  try {
    PG_LOG(kError, "request ", ctx->request_id, ": internal error: ", what);
    Finish(ctx, ErrorResponse(absl::InternalError("internal error")));
  } catch (...) {
    try {
      http::Response response;
      response.status = 500;
      response.headers.emplace_back("Content-Type", "application/json");
      response.body = R"({"code":13,"message":"internal error","details":[]})";
      ctx->respond(std::move(response));
    } catch (...) {
      // Nothing is left to try: dropping the Responder closes the connection.
    }
  }
}

// Runs one step of the request's phases behind the last-resort guard, on
// whichever thread resumes it (event loop, gRPC callback, completion queue).
template <typename Step>
void Guarded(const ContextPtr& ctx, Step&& step) noexcept {
  try {
    step();
  } catch (const std::exception& e) {
    AnswerInternalError(ctx, e.what());
  } catch (...) {
    AnswerInternalError(ctx, "unknown exception");
  }
}

http::Response JsonResponse(int status, std::string body) {
  http::Response response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = std::move(body);
  return response;
}

// Phase 2.
std::optional<http::Response> ServeHealth(const RequestContext& ctx) {
  absl::string_view path = ctx.request.Path();
  if (path == "/healthz") return JsonResponse(200, R"({"status":"ok"})");
  if (path == auth::kJwksPath) return JsonResponse(200, ctx.snapshot->auth->jwks_json());
  if (path != "/readyz") return std::nullopt;
  // Anyone may ask: the routes, services and channel states are the admin
  // listener's to tell (admin_handler.h).
  return JsonResponse(200, R"({"status":"ready"})");
}

// Phase 3. HEAD falls back to the GET route, as HTTP expects.
absl::StatusOr<routing::RouteMatch> MatchRoute(const RequestContext& ctx) {
  const routing::RouteTable& routes = ctx.snapshot->routes;
  auto match = routes.Match(ctx.request.method, ctx.request.Path());
  if (!match.ok() && ctx.request.method == "HEAD") match = routes.Match("GET", ctx.request.Path());
  return match;
}

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

// Phase 5.
absl::StatusOr<std::string> TranscodeRequest(const RequestContext& ctx, routing::RouteMatch match) {
  auto query = transcode::ParseQueryString(ctx.request.Query());
  if (!query.ok()) return query.status();
  return ctx.route->request->Transcode({.body = ctx.request.body,
                                        .bindings = std::move(match.bindings),
                                        .query = *std::move(query)});
}

// Phase 6: the route's timeout, shortened (never lengthened) by grpc-timeout.
absl::StatusOr<absl::Time> DeadlineOf(const RequestContext& ctx) {
  absl::Duration timeout = absl::FromChrono(ctx.route->timeout);
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
  std::erase_if(metadata, [&auth, &reserved](const auto& kv) {
    return auth.IsReservedKey(kv.first) || Contains(reserved, kv.first);
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

// Phase 7.
http::Response Respond(const RequestContext& ctx, const upstream::UnaryCallResult& result) {
  http::Response response;
  if (result.code != 0) {
    std::string details =
        transcode::DetailsJsonFromStatusBytes(result.status_details, ctx.snapshot->registry.get());
    std::string message = result.message;
    if (result.code == static_cast<int>(absl::StatusCode::kDeadlineExceeded) && message.empty()) {
      message = "upstream deadline exceeded";
    }
    response =
        ErrorResponse(absl::Status(static_cast<absl::StatusCode>(result.code), message), details);
  } else {
    auto json = ctx.route->response->Transcode(result.response);
    response = json.ok() ? JsonResponse(200, *std::move(json)) : ErrorResponse(json.status());
  }
  AppendResponseMetadata(result.initial_metadata, response.headers);
  AppendResponseMetadata(result.trailing_metadata, response.headers);
  return response;
}

void CallUpstream(const ContextPtr& ctx, std::string request_bytes, upstream::Metadata metadata,
                  absl::Time deadline) {
  metadata.insert(metadata.end(), ctx->stamped.begin(), ctx->stamped.end());
  AppendAuthorizationFor(*ctx, ctx->route->service, metadata);
  upstream::UnaryCallRequest call{.method_path = ctx->route->method_path,
                                  .request = std::move(request_bytes),
                                  .metadata = std::move(metadata),
                                  .deadline = deadline};
  upstream::StartUnaryCall(ctx->route->stub, std::move(call),
                           [ctx, call_start = absl::Now()](upstream::UnaryCallResult result) {
                             Guarded(ctx, [&] {
                               ctx->route->metrics->upstream->Record(result.code,
                                                                     absl::Now() - call_start);
                               ctx->upstream_code = result.code;
                               Finish(ctx, Respond(*ctx, result));
                             });
                           });
}

// What `$auth.<claim>` reads in a composite.
aggregate::Json IdentityJson(const auth::Identity& identity) {
  return {{"subject", identity.subject},
          {"client_id", identity.client_id},
          {"scopes", identity.scopes},
          {"claims", identity.claims}};
}

http::Response CompositeHttpResponse(const aggregate::CompositeResponse& result) {
  http::Response response = JsonResponse(result.http_status, result.body);
  if (result.partial) response.headers.emplace_back(aggregate::kPartialHeader, "true");
  return response;
}

// Counts and times each upstream call of a composite (each element of a
// fan-out is one). The starter holds the snapshot: calls may still answer
// after the composite has.
// Each completion resumes the plan behind the request's last-resort guard, so
// that an exception inside the composition still answers the request.
aggregate::CallStarter ObservingStarter(const ContextPtr& ctx) {
  return [ctx, snapshot = ctx->snapshot, route = ctx->route](
             const aggregate::PlanCall& call, upstream::UnaryCallRequest request,
             std::function<void(upstream::UnaryCallResult)> done) {
    const size_t index = static_cast<size_t>(&call - route->composite->calls().data());
    UpstreamMetrics* metrics = call.stub && index < route->metrics->calls.size()
                                   ? route->metrics->calls[index].upstream.get()
                                   : nullptr;
    aggregate::StartPlanCall(call, std::move(request),
                             [ctx, metrics, start = absl::Now(),
                              done = std::move(done)](upstream::UnaryCallResult result) {
                               Guarded(ctx, [&] {
                                 if (metrics) metrics->Record(result.code, absl::Now() - start);
                                 done(std::move(result));
                               });
                             });
  };
}

// The per-call timings the access log shows, as histograms.
void RecordCallTimings(const Route& route, const std::vector<aggregate::CallTiming>& timings) {
  const std::vector<CompositeCallMetrics>& calls = route.metrics->calls;
  for (size_t i = 0; i < timings.size() && i < calls.size(); ++i) {
    if (timings[i].ran) calls[i].duration->Observe(absl::ToDoubleSeconds(timings[i].duration));
  }
}

// Phases 5-7 of a composite route: its plan builds each call's request from
// the HTTP request, makes the calls and composes one answer.
void RunComposite(const ContextPtr& ctx, routing::RouteMatch match) {
  auto query = transcode::ParseQueryString(ctx->request.Query());
  if (!query.ok()) return Finish(ctx, ErrorResponse(query.status()));
  auto deadline = DeadlineOf(*ctx);
  if (!deadline.ok()) return Finish(ctx, ErrorResponse(deadline.status()));
  auto metadata = UpstreamMetadata(*ctx);
  if (!metadata.ok()) return Finish(ctx, ErrorResponse(metadata.status()));
  aggregate::CompositeRequest request{.bindings = std::move(match.bindings),
                                      .query = *std::move(query),
                                      .body = ctx->request.body,
                                      .metadata = *std::move(metadata),
                                      .request_id = ctx->request_id,
                                      .start = ctx->start,
                                      .deadline = *deadline};
  if (ctx->identity) {
    // One stamp per service: each token's audience is the service it goes to.
    request.auth = IdentityJson(*ctx->identity);
    for (const std::string& service : ctx->route->composite->services()) {
      auto stamped = ctx->snapshot->auth->Stamp(*ctx->identity, service, ctx->request_id);
      if (!stamped.ok()) {
        return Finish(ctx, ErrorResponse(absl::InternalError("cannot stamp identity")));
      }
      request.service_metadata[service] = *std::move(stamped);
      AppendAuthorizationFor(*ctx, service, request.service_metadata[service]);
    }
  }
  aggregate::ExecuteComposite(
      ctx->route->composite, std::move(request),
      [ctx](aggregate::CompositeResponse result) {
        Guarded(ctx, [&] {
          ctx->upstream_code = result.code;
          ctx->call_timings = result.TimingsForLog();
          RecordCallTimings(*ctx->route, result.timings);
          Finish(ctx, CompositeHttpResponse(result));
        });
      },
      ObservingStarter(ctx));
}

// Phases 5 and 6, once the caller is known (or the route is public).
void TranscodeAndCall(const ContextPtr& ctx, routing::RouteMatch match) {
  if (ctx->route->composite) return RunComposite(ctx, std::move(match));
  auto request_bytes = TranscodeRequest(*ctx, std::move(match));
  if (!request_bytes.ok()) return Finish(ctx, ErrorResponse(request_bytes.status()));

  auto deadline = DeadlineOf(*ctx);
  if (!deadline.ok()) return Finish(ctx, ErrorResponse(deadline.status()));
  auto metadata = UpstreamMetadata(*ctx);
  if (!metadata.ok()) return Finish(ctx, ErrorResponse(metadata.status()));

  if (ctx->identity) {
    auto stamped = ctx->snapshot->auth->Stamp(*ctx->identity, ctx->route->service, ctx->request_id);
    if (!stamped.ok()) {
      return Finish(ctx, ErrorResponse(absl::InternalError("cannot stamp identity")));
    }
    ctx->stamped = *std::move(stamped);
  }
  CallUpstream(ctx, *std::move(request_bytes), *std::move(metadata), *deadline);
}

http::Response AuthErrorResponse(const absl::Status& status) {
  http::Response response = ErrorResponse(status);
  if (auto challenge = auth::ChallengeFor(status)) {
    response.headers.emplace_back("WWW-Authenticate", *std::move(challenge));
  }
  return response;
}

// Phase 4. The answer may come later, on a gRPC thread (external
// authenticator); the remaining phases then continue there.
void Authenticate(const ContextPtr& ctx, routing::RouteMatch match) {
  const auth::Policy& policy = *ctx->route->policy;
  if (policy.is_public()) return TranscodeAndCall(ctx, std::move(match));
  ctx->snapshot->auth->Authenticate(
      ctx->credentials, ctx->request, policy,
      [ctx, match = std::move(match)](absl::StatusOr<auth::Identity> identity) mutable {
        Guarded(ctx, [&] {
          if (!identity.ok()) return Finish(ctx, AuthErrorResponse(identity.status()));
          ctx->identity = *std::move(identity);
          TranscodeAndCall(ctx, std::move(match));
        });
      });
}

// Phases 1 (after the request id) to 4.
void Run(const ContextPtr& ctx) {
  if (auto health = ServeHealth(*ctx)) return Finish(ctx, *std::move(health));

  auto credentials = ctx->snapshot->auth->TakeCredentials(ctx->request);
  if (!credentials.ok()) return Finish(ctx, ErrorResponse(credentials.status()));
  ctx->credentials = *std::move(credentials);

  auto match = MatchRoute(*ctx);
  if (!match.ok()) return Finish(ctx, NoRouteResponse(*ctx));
  ctx->route = &ctx->snapshot->route(match->route_id);

  Authenticate(ctx, *std::move(match));
}

}  // namespace

void RequestHandler::Handle(http::Request request, http::Responder respond) {
  auto ctx = std::make_shared<RequestContext>();
  ctx->start = absl::Now();
  ctx->snapshot = snapshots_->Get();
  ctx->request_id = RequestIdOf(request);
  ctx->request = std::move(request);
  ctx->respond = std::move(respond);
  Guarded(ctx, [&] { Run(ctx); });
}

}  // namespace protogate::gateway
