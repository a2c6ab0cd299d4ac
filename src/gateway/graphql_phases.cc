// The GraphQL endpoint's branches of the phases (request_handler.h lists
// them all): route, authenticate, transcode (the GraphQL request: parsed,
// validated, bounded, before any call), call (the document's root fields,
// each its own gRPC call with its own policy, deadline and stamp) and
// respond.

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/json_text.h"
#include "gateway/call_metadata.h"
#include "gateway/error_response.h"
#include "gateway/graphql_endpoint.h"
#include "gateway/request_context.h"
#include "transcode/status_mapping.h"

namespace protogate::gateway {
namespace {

namespace gpb = google::protobuf;

// A request that is no GraphQL request, answered in GraphQL's own shape
// ({"errors":[{"message":...}]}) so that GraphQL clients can show it.
http::Response RequestError(int status, absl::string_view message, graphql::MediaType media) {
  http::Response response;
  response.status = status;
  response.headers.emplace_back("Content-Type", graphql::ContentTypeOf(media));
  response.body = graphql::ErrorsBody({{.message = std::string(message)}});
  return response;
}

int StatusOfReadError(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnimplemented ? 415 : 400;
}

// Whether the caller may use `method`: the identity established once for
// the request, or why there is none.
absl::Status Admitted(const RequestContext& ctx, const GraphqlMethod& method) {
  const auth::AuthEngine& auth = *ctx.snapshot->auth;
  if (method.policy->is_public()) return absl::OkStatus();
  if (ctx.identity) return auth.Admit(*method.policy, &*ctx.identity);
  if (ctx.graphql->auth_failure && method.policy->kind != auth::Policy::Kind::kDeny) {
    return *ctx.graphql->auth_failure;
  }
  return auth.Admit(*method.policy, nullptr);
}

graphql::CallReply ReplyOf(const RequestContext& ctx, upstream::UnaryCallResult result,
                           const gpb::Descriptor& output) {
  graphql::CallReply reply;
  if (result.code != 0) {
    std::string message = result.message;
    if (result.code == static_cast<int>(absl::StatusCode::kDeadlineExceeded) && message.empty()) {
      message = "upstream deadline exceeded";
    }
    reply.status = absl::Status(static_cast<absl::StatusCode>(result.code), message);
    reply.details =
        transcode::DetailsJsonFromStatusBytes(result.status_details, ctx.snapshot->registry.get());
    return reply;
  }
  std::optional<aggregate::Value> value =
      aggregate::WireMessage(std::move(result.response), output, *ctx.snapshot->registry);
  if (!value) {
    reply.status = absl::InternalError(
        absl::StrCat("the service's answer does not parse as ", output.full_name()));
    return reply;
  }
  reply.response = *std::move(value);
  return reply;
}

// The call's request, deadline and metadata; a reply at once when any of
// them cannot be made.
absl::StatusOr<upstream::UnaryCallRequest> CallRequest(const RequestContext& ctx,
                                                       const GraphqlMethod& method,
                                                       graphql::Call& call) {
  if (absl::Status admitted = Admitted(ctx, method); !admitted.ok()) return admitted;
  absl::StatusOr<std::string> bytes = std::move(call.request);
  if (!call.wire) bytes = method.request->Transcode({.body = *bytes});
  if (!bytes.ok()) return bytes.status();
  auto deadline = DeadlineOf(ctx, ctx.graphql->endpoint->timeout);
  if (!deadline.ok()) return deadline.status();
  auto metadata = UpstreamMetadata(ctx);
  if (!metadata.ok()) return metadata.status();
  auto extra = ServiceMetadata(ctx, method.service);
  if (!extra.ok()) return extra.status();
  metadata->insert(metadata->end(), std::make_move_iterator(extra->begin()),
                   std::make_move_iterator(extra->end()));
  return upstream::UnaryCallRequest{
      .method_path = method.method_path,
      .request = *std::move(bytes),
      .metadata = *std::move(metadata),
      .deadline = std::min(*deadline, absl::Now() + absl::FromChrono(method.timeout))};
}

// Makes each call of the execution (root and join fields) through the
// request's caller and brings its answer back to the request's event loop,
// where the execution goes on.
graphql::Caller LoopCaller(const ContextPtr& ctx) {
  return [ctx](graphql::Call call, std::function<void(graphql::CallReply)> done) {
    const GraphqlEndpoint& endpoint = *ctx->graphql->endpoint;
    auto it = endpoint.methods.find(call.method);
    if (it == endpoint.methods.end()) {
      return done({.status = absl::InternalError("no call for this field")});
    }
    const GraphqlMethod& method = it->second;
    auto request = CallRequest(*ctx, method, call);
    if (!request.ok()) return done({.status = request.status()});
    if (!method.stub) return done({.status = absl::UnavailableError("no upstream channel")});
    UpstreamMetrics* observed = endpoint.route.metrics->calls[method.metrics_index].upstream.get();
    const gpb::Descriptor* output = call.method->output_type();
    ctx->caller->Call(method.stub, *std::move(request),
                      [ctx, observed, output, start = absl::Now(),
                       done = std::move(done)](upstream::UnaryCallResult result) mutable {
                        const absl::Duration took = absl::Now() - start;
                        RunOnLoop(ctx, "call",
                                  [ctx, observed, output, took, done = std::move(done),
                                   result = std::move(result)]() mutable {
                                    observed->Record(result.code, took);
                                    done(ReplyOf(*ctx, std::move(result), *output));
                                  });
                      });
  };
}

}  // namespace

bool MatchGraphql(const ContextPtr& ctx, Next* next) {
  const GraphqlEndpoint* endpoint = ctx->snapshot->graphql.get();
  if (endpoint == nullptr || ctx->request.Path() != endpoint->route.method_path) return false;
  ctx->route = &endpoint->route;
  if (ctx->request.method != "GET" && ctx->request.method != "POST") {
    *next = Answer(*ctx,
                   MethodNotAllowedResponse(ctx->request.method, ctx->request.Path(), "GET, POST"));
    return true;
  }
  ctx->graphql.emplace(GraphqlState{.endpoint = endpoint});
  *next = Next::kContinue;
  return true;
}

// The caller is established once, with any authenticator the config has;
// each root field's own policy decides later. Refused credentials answer
// only the fields that need them (public fields still answer).
Next AuthenticateGraphql(const ContextPtr& ctx) {
  return AuthenticateCaller(ctx, [](RequestContext& refused, const absl::Status& status) {
    refused.graphql->auth_failure = status;
    return Next::kContinue;
  });
}

// Once the caller is known, its client profile (its identity's when a
// profile claims that) picks the schema it sees.
Next TranscodeGraphql(const ContextPtr& ctx) {
  GraphqlState& state = *ctx->graphql;
  const views::ClientProfiles& clients = *ctx->snapshot->clients;
  if (!clients.empty() && ctx->identity) {
    const views::ClientProfiles::Caller caller =
        clients.Resolve(ctx->client, ctx->identity->client_id);
    ctx->client = caller.profile;
    ctx->client_verified = caller.verified;
  }
  state.view = state.endpoint->ViewFor(ctx->client, ctx->client_verified);
  if (state.view == nullptr) return Answer(*ctx, NotFoundResponse(*ctx));
  auto media = graphql::Negotiate(ctx->request.Header("accept"));
  if (!media.ok()) return Answer(*ctx, RequestError(406, media.status().message(), {}));
  state.media = *media;
  const bool get = ctx->request.method == "GET";
  auto request = get ? graphql::ReadGet(ctx->request.Query())
                     : graphql::ReadPost(ctx->request.Header("content-type"), ctx->request.body);
  if (!request.ok()) {
    return Answer(*ctx, RequestError(StatusOfReadError(request.status()),
                                     request.status().message(), state.media));
  }
  if (absl::Status resolved = ResolveDocument(*state.view, *request); !resolved.ok()) {
    const int status = resolved.code() == absl::StatusCode::kPermissionDenied ? 403 : 400;
    return Answer(*ctx, RequestError(status, resolved.message(), state.media));
  }
  state.prepared = graphql::Prepare(*state.view->schema, *request, state.view->limits,
                                    state.view->documents.get());
  if (!state.prepared.errors.empty()) {
    http::Response response;
    response.status = graphql::StatusFor(state.media, state.prepared.failure);
    response.headers.emplace_back("Content-Type", graphql::ContentTypeOf(state.media));
    response.body = graphql::ErrorsBody(state.prepared.errors);
    return Answer(*ctx, std::move(response));
  }
  if (get && state.prepared.operation->type != graphql::Operation::Type::kQuery) {
    http::Response response =
        RequestError(405, "a GET request runs queries only: send mutations with POST", state.media);
    response.headers.emplace_back("Allow", "POST");
    return Answer(*ctx, std::move(response));
  }
  return Next::kContinue;
}

Next CallGraphql(const ContextPtr& ctx) {
  GraphqlState& state = *ctx->graphql;
  graphql::Execute(state.view->schema, state.endpoint->values, std::move(state.prepared),
                   state.view->limits, LoopCaller(ctx), [ctx](graphql::ExecutionResult result) {
                     Resume(ctx, "call", [ctx, result = std::move(result)]() mutable {
                       if (result.calls > 0) ctx->upstream_code = result.failed_calls > 0 ? 2 : 0;
                       ctx->graphql->result = std::move(result);
                       return Next::kContinue;
                     });
                   });
  return Suspend(*ctx);
}

// Executed: a response with data, 200 in either media type.
Next RespondGraphql(const ContextPtr& ctx) {
  GraphqlState& state = *ctx->graphql;
  http::Response response;
  response.status = 200;
  response.headers.emplace_back("Content-Type", graphql::ContentTypeOf(state.media));
  response.body = std::move(state.result->body);
  return Answer(*ctx, std::move(response));
}

}  // namespace protogate::gateway
