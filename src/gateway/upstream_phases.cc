// The phases that reach the upstream: transcode, call (one unary call, or a
// composite's plan) and respond (request_handler.h lists them all).

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "gateway/call_metadata.h"
#include "gateway/error_response.h"
#include "gateway/metadata.h"
#include "gateway/partial_response.h"
#include "gateway/request_context.h"
#include "transcode/http_body.h"
#include "transcode/status_mapping.h"

namespace protogate::gateway {
namespace {

// Says that some optional call of a composite failed (its "errors" tell which).
constexpr char kPartialHeader[] = "X-Protogate-Partial";

// What `$auth.<claim>` reads in a composite.
aggregate::Json IdentityJson(const auth::Identity& identity) {
  return {{"subject", identity.subject},
          {"client_id", identity.client_id},
          {"scopes", identity.scopes},
          {"claims", identity.claims}};
}

// A composite's plan builds each call's request itself: here only the
// query is parsed (so that a bad one is answered before any call).
Next TranscodeComposite(const ContextPtr& ctx) {
  auto query = transcode::ParseQueryString(ctx->request.Query());
  if (!query.ok()) return Answer(*ctx, ErrorResponse(query.status()));
  auto selection = TakeAnswerSelection(*ctx, *query);
  if (!selection.ok()) return Answer(*ctx, ErrorResponse(selection.status()));
  ctx->composite.emplace(aggregate::CompositeRequest{.bindings = std::move(ctx->match->bindings),
                                                     .query = *std::move(query),
                                                     .body = std::move(ctx->request.body),
                                                     .request_id = ctx->request_id,
                                                     .start = ctx->start,
                                                     .selection = *std::move(selection)});
  return Next::kContinue;
}

// Starts each call of a composite through the request's caller, counts and
// times it (each element of a fan-out is one) and brings its result back to
// the request's event loop, where the plan goes on.
aggregate::CallStarter LoopStarter(const ContextPtr& ctx) {
  return [ctx](const aggregate::PlanCall& call, upstream::UnaryCallRequest request,
               upstream::UnaryDone done) {
    if (!call.stub) {
      upstream::UnaryCallResult unavailable;
      unavailable.code = static_cast<int>(absl::StatusCode::kUnavailable);
      unavailable.message = "no upstream channel";
      return done(std::move(unavailable));
    }
    const std::vector<CompositeCallMetrics>& metrics = ctx->route->metrics->calls;
    UpstreamMetrics* observed =
        call.index < metrics.size() ? metrics[call.index].upstream.get() : nullptr;
    ctx->caller->Call(
        call.stub, std::move(request),
        [ctx, observed, start = absl::Now(),
         done = std::move(done)](upstream::UnaryCallResult result) mutable {
          const absl::Duration took = absl::Now() - start;
          RunOnLoop(ctx, "call",
                    [observed, took, done = std::move(done), result = std::move(result)]() mutable {
                      if (observed) observed->Record(result.code, took);
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

Next CallComposite(const ContextPtr& ctx) {
  auto deadline = DeadlineOf(*ctx, ctx->route->timeout);
  if (!deadline.ok()) return Answer(*ctx, ErrorResponse(deadline.status()));
  auto metadata = UpstreamMetadata(*ctx);
  if (!metadata.ok()) return Answer(*ctx, ErrorResponse(metadata.status()));
  aggregate::CompositeRequest& request = *ctx->composite;
  request.metadata = *std::move(metadata);
  request.deadline = *deadline;
  if (ctx->identity) {
    // One stamp per service: each token's audience is the service it goes to.
    request.auth = IdentityJson(*ctx->identity);
    for (const std::string& service : ctx->route->composite->services()) {
      auto extra = ServiceMetadata(*ctx, service);
      if (!extra.ok()) return Answer(*ctx, ErrorResponse(extra.status()));
      request.service_metadata[service] = *std::move(extra);
    }
  }
  aggregate::ExecuteComposite(
      ctx->route->composite, *std::move(ctx->composite),
      [ctx](aggregate::CompositeResponse result) {
        Resume(ctx, "call", [ctx, result = std::move(result)]() mutable {
          ctx->upstream_code = static_cast<int>(result.status.code());
          ctx->call_timings = result.TimingsForLog();
          RecordCallTimings(*ctx->route, result.timings);
          ctx->composite_result = std::move(result);
          return Next::kContinue;
        });
      },
      LoopStarter(ctx));
  return Suspend(*ctx);
}

Next CallUnary(const ContextPtr& ctx) {
  auto call = UpstreamCallOf(*ctx);
  if (!call.ok()) return Answer(*ctx, ErrorResponse(call.status()));
  ctx->caller->Call(ctx->route->stub, *std::move(call),
                    [ctx, start = absl::Now()](upstream::UnaryCallResult result) {
                      const absl::Duration took = absl::Now() - start;
                      Resume(ctx, "call", [ctx, took, result = std::move(result)]() mutable {
                        ctx->route->metrics->upstream->Record(result.code, took);
                        ctx->upstream_code = result.code;
                        ctx->result = std::move(result);
                        return Next::kContinue;
                      });
                    });
  return Suspend(*ctx);
}

// A google.api.HttpBody answer: its data in its own content type.
http::Response RawResponse(const std::string& bytes) {
  auto raw = transcode::ParseHttpBody(bytes);
  if (!raw.ok()) return ErrorResponse(raw.status());
  http::Response response;
  response.headers.emplace_back("Content-Type", raw->MediaType());
  response.body = std::move(raw->data);
  return response;
}

http::Response UnaryResponse(const RequestContext& ctx, const upstream::UnaryCallResult& result) {
  if (result.code != 0) return UpstreamErrorResponse(ctx, result);
  http::Response response;
  if (ctx.route->raw_response) {
    response = RawResponse(result.response);
  } else {
    auto json = ResponsePrinter(ctx).Transcode(result.response, ctx.selection.get());
    response = json.ok() ? JsonResponse(200, *std::move(json)) : ErrorResponse(json.status());
  }
  AppendResponseMetadata(result.initial_metadata, response.headers);
  AppendResponseMetadata(result.trailing_metadata, response.headers);
  return response;
}

http::Response RenderComposite(aggregate::CompositeResponse& result) {
  if (!result.status.ok()) return ErrorResponse(result.status, result.details);
  http::Response response = JsonResponse(200, std::move(result.body));
  if (result.partial) response.headers.emplace_back(kPartialHeader, "true");
  return response;
}

}  // namespace

absl::StatusOr<upstream::UnaryCallRequest> UpstreamCallOf(RequestContext& ctx) {
  ASSIGN_OR_RETURN(absl::Time deadline, DeadlineOf(ctx, ctx.route->timeout));
  ASSIGN_OR_RETURN(upstream::Metadata metadata, UpstreamMetadata(ctx));
  ASSIGN_OR_RETURN(upstream::Metadata extra, ServiceMetadata(ctx, ctx.route->service));
  metadata.insert(metadata.end(), std::make_move_iterator(extra.begin()),
                  std::make_move_iterator(extra.end()));
  if (ctx.selection) metadata.emplace_back(transcode::kFieldMaskMetadata, ctx.field_mask);
  return upstream::UnaryCallRequest{.method_path = ctx.route->method_path,
                                    .request = std::move(ctx.request_bytes),
                                    .metadata = std::move(metadata),
                                    .deadline = deadline};
}

const transcode::ResponseTranscoder& ResponsePrinter(const RequestContext& ctx) {
  // The caller's profile may print the answer under its own names.
  const transcode::ResponseTranscoder* renamed =
      ctx.snapshot->clients->Response(ctx.client, ctx.match->route_id);
  return renamed ? *renamed : *ctx.route->response;
}

http::Response UpstreamErrorResponse(const RequestContext& ctx,
                                     const upstream::UnaryCallResult& result) {
  std::string details =
      transcode::DetailsJsonFromStatusBytes(result.status_details, ctx.snapshot->registry.get());
  std::string message = result.message;
  if (result.code == static_cast<int>(absl::StatusCode::kDeadlineExceeded) && message.empty()) {
    message = "upstream deadline exceeded";
  }
  http::Response response =
      ErrorResponse(absl::Status(static_cast<absl::StatusCode>(result.code), message), details);
  AppendResponseMetadata(result.initial_metadata, response.headers);
  AppendResponseMetadata(result.trailing_metadata, response.headers);
  return response;
}

// Path variables, query and body → the request message (composite routes:
// see TranscodeComposite).
Next Transcode(const ContextPtr& ctx) {
  if (ctx->graphql) return TranscodeGraphql(ctx);
  if (ctx->document) return Next::kContinue;
  if (ctx->route->composite) return TranscodeComposite(ctx);
  if (ctx->route->client_streaming) return TranscodeStreamedRequest(ctx);
  auto query = transcode::ParseQueryString(ctx->request.Query());
  if (!query.ok()) return Answer(*ctx, ErrorResponse(query.status()));
  if (absl::Status fields = TakeFieldSelection(*ctx, *query); !fields.ok()) {
    return Answer(*ctx, ErrorResponse(fields));
  }
  auto bytes = ctx->route->request->Transcode({.body = ctx->request.body,
                                               .content_type = ctx->request.Header("content-type"),
                                               .bindings = std::move(ctx->match->bindings),
                                               .query = *std::move(query)});
  if (!bytes.ok()) return Answer(*ctx, ErrorResponse(bytes.status()));
  ctx->request_bytes = *std::move(bytes);
  PushDownReadMask(*ctx, &ctx->request_bytes);
  PushDownRequestView(*ctx, &ctx->request_bytes);
  return Next::kContinue;
}

// The deadline, the metadata and the identity's stamp, then the call.
Next Call(const ContextPtr& ctx) {
  if (ctx->graphql) return CallGraphql(ctx);
  if (ctx->document) return Next::kContinue;
  if (ctx->route->composite) return CallComposite(ctx);
  if (ctx->route->client_streaming) {
    return ctx->route->server_streaming ? CallSocket(ctx) : CallUpload(ctx);
  }
  return ctx->route->server_streaming ? CallStream(ctx) : CallUnary(ctx);
}

Next Respond(const ContextPtr& ctx) {
  if (ctx->graphql) return RespondGraphql(ctx);
  if (ctx->document) return RespondDocument(ctx);
  if (ctx->composite_result) return Answer(*ctx, RenderComposite(*ctx->composite_result));
  return Answer(*ctx, UnaryResponse(*ctx, ctx->result.value()));
}

}  // namespace protogate::gateway
