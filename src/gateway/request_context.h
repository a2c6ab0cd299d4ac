#pragma once

// Internal to the request pipeline (request_handler.h): the state one
// request carries through its phases, the phases' signature, and how a phase
// waits for an asynchronous result.
//
// A phase is `Next Phase(const ContextPtr&)`, run on the request's event
// loop. It returns kContinue (the next phase runs), Answer(...) (straight to
// the log phase), or Suspend(...) after starting asynchronous work whose
// completion calls Resume(...).
//
// Thread-safety: a RequestContext is touched only on its request's event
// loop, by one phase or resumption at a time; other threads only hold the
// shared_ptr and call Resume/RunOnLoop, which post to that loop.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "aggregate/composite_execution.h"
#include "auth/auth_engine.h"
#include "gateway/request_handler.h"
#include "gateway/snapshot.h"
#include "graphql/executor.h"
#include "http/message.h"
#include "routing/route_table.h"
#include "transcode/field_selection.h"
#include "upstream/server_stream.h"
#include "upstream/unary_call.h"

namespace protogate::gateway {

enum class Next { kContinue, kAnswered, kSuspended };

struct GraphqlEndpoint;  // graphql_endpoint.h
struct GraphqlView;      // graphql_endpoint.h
struct StreamState;      // stream_phases.cc
struct UploadState;      // upload_phases.cc
struct SocketState;      // websocket_phases.cc

// What every message of a streamed request takes besides its JSON: the path
// variables and the query (transcode, client- and bidirectional-streaming
// routes).
struct MessageParts {
  std::vector<routing::VariableBinding> bindings;
  std::vector<std::pair<std::string, std::string>> query;
};

// What a request to the GraphQL endpoint carries through its phases.
struct GraphqlState {
  const GraphqlEndpoint* endpoint = nullptr;             // route (the snapshot's)
  const GraphqlView* view = nullptr;                     // transcode: the caller's (the endpoint's)
  std::optional<absl::Status> auth_failure{};            // authenticate: credentials refused
  graphql::MediaType media = graphql::MediaType::kJson;  // transcode
  graphql::Prepared prepared{};                          // transcode
  std::optional<graphql::ExecutionResult> result{};      // call
};

struct RequestContext {
  // Set before the first phase.
  const RequestHandlerOptions* options = nullptr;
  upstream::UnaryCaller* caller = nullptr;
  upstream::StreamCaller* streams = nullptr;
  std::shared_ptr<const Snapshot> snapshot;
  http::Request request;
  http::Responder respond;
  absl::Time start;

  // What the phases found, in phase order.
  std::string request_id;                    // admit
  auth::Credentials credentials;             // credentials
  int client = views::kUnrecognised;         // client, then client_view: the caller's profile
  bool client_verified = false;              // client_view: recognised by its identity
  std::string client_prefix;                 // client: the path prefix taken off the target
  std::optional<routing::RouteMatch> match;  // route (bindings move on to transcode)
  const Route* route = nullptr;              // route
  std::optional<auth::Identity> identity;    // authenticate, unless the route is public
  std::shared_ptr<const transcode::FieldSelection> selection;  // transcode: the client's `fields`
  std::string field_mask;     // transcode: the selection's proto paths, comma-separated
  std::string request_bytes;  // transcode, unary routes
  std::optional<aggregate::CompositeRequest> composite;  // transcode, composite routes
  int upstream_code = -1;                                // call; -1: no upstream call was made
  std::optional<upstream::UnaryCallResult> result;       // call, unary
  std::optional<aggregate::CompositeResponse> composite_result;  // call, composite
  std::shared_ptr<StreamState> stream;                           // call, server-streaming routes
  std::optional<MessageParts> message_parts;  // transcode, client- and bidi-streaming routes
  std::shared_ptr<UploadState> upload;        // call, client-streaming routes
  std::shared_ptr<SocketState> socket;        // call, bidirectional-streaming routes
  bool streamed = false;                // call: the answer left as a stream; log sends nothing
  absl::AnyInvocable<void()> send_end;  // call: what ends a streamed answer, after log
  std::string call_timings;             // composite: "user:0:1.2ms,..." for the access log
  std::optional<GraphqlState> graphql;  // route: set for the GraphQL endpoint
  bool document = false;                // route: the request is for the API document
  http::Response answer;                // what the log phase sends

  // The driver's (request_handler.cc).
  size_t next_phase = 0;
  bool in_phase = false;               // a phase is running right now
  std::optional<Next> resumed_inline;  // a completion came before its phase returned
  bool finished = false;               // the log phase ran: nothing runs after it
};
using ContextPtr = std::shared_ptr<RequestContext>;

using PhaseFunction = Next (*)(const ContextPtr&);

// A JSON answer (the error model has its own: error_response.h).
inline http::Response JsonResponse(int status, std::string body) {
  http::Response response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = std::move(body);
  return response;
}

// Sets the answer and ends the phases there (the log phase sends it).
inline Next Answer(RequestContext& ctx, http::Response response) {
  ctx.answer = std::move(response);
  return Next::kAnswered;
}

// What a phase returns once it has started asynchronous work that calls
// Resume: the outcome when that work already completed inline.
Next Suspend(RequestContext& ctx);

// Delivers an asynchronous result of `phase` from any thread: `step` runs on
// the request's event loop (inline when called there) and says how the
// request goes on; the next phases follow.
void Resume(const ContextPtr& ctx, const char* phase, absl::AnyInvocable<Next()> step);

// Runs `task` on the request's event loop behind the request's guard (inline
// when called there), without moving the request on: for intermediate
// results, such as one call of a composite.
void RunOnLoop(const ContextPtr& ctx, const char* phase, absl::AnyInvocable<void()> task);

// The phases (front_phases.cc: admit → rate_limit; upstream_phases.cc:
// transcode → respond; request_handler.cc: log). A request to the GraphQL
// endpoint takes its own branch of route, authenticate, transcode, call and
// respond (graphql_phases.cc); one for the API document, its own branch of
// route, authenticate and respond (document_phases.cc).
Next Admit(const ContextPtr& ctx);
Next ServeHealth(const ContextPtr& ctx);
Next TakeCredentials(const ContextPtr& ctx);
Next MatchRoute(const ContextPtr& ctx);
Next RecogniseClient(const ContextPtr& ctx);
Next ApplyClientView(const ContextPtr& ctx);
Next Authenticate(const ContextPtr& ctx);
Next ApplyRateLimit(const ContextPtr& ctx);
Next Transcode(const ContextPtr& ctx);
Next Call(const ContextPtr& ctx);
Next Respond(const ContextPtr& ctx);
Next Log(const ContextPtr& ctx);

// The call phase of a server-streaming route (stream_phases.cc): each
// message is written to the client as it comes; the log phase runs when the
// stream has ended.
Next CallStream(const ContextPtr& ctx);
// Why a stream, upload or WebSocket still running at the drain timeout ends
// (UNAVAILABLE: the client may retry elsewhere).
absl::Status CutByShutdown();

// The transcode and call phases of a client-streaming route
// (upload_phases.cc): each JSON object of the body is one message, written
// upstream as it arrives; the answer is left in `result` for the respond
// phase, as a unary call's. The transcode phase serves bidirectional routes
// too (the query and `fields` once, for every message).
Next TranscodeStreamedRequest(const ContextPtr& ctx);
Next CallUpload(const ContextPtr& ctx);
// One message of a streamed request: its JSON object with the message parts
// (path variables, query), the read mask and the profile's view pushed down.
absl::StatusOr<std::string> TranscodeMessage(const RequestContext& ctx, absl::string_view json);

// The call phase of a bidirectional-streaming route (websocket_phases.cc):
// a WebSocket, one JSON message per frame each way; 426 for a request that
// is no WebSocket upgrade.
Next CallSocket(const ContextPtr& ctx);
// The bearer token a browser sends as a WebSocket subprotocol
// ("bearer.<token>"); empty when none.
std::string WebSocketBearer(const http::Request& request);

// Whether the route `head` goes to takes a stream, so that the HTTP layer
// hands over its body as it arrives (front_phases.cc).
bool TakesRequestStream(const Snapshot& snapshot, const http::Request& head);

// Shared by the unary and the streaming call (upstream_phases.cc): the
// route's call (deadline, metadata, stamp, field mask; takes request_bytes),
// the printer of its answers (the caller's profile's when it renames), and
// an upstream's failure in the error model.
absl::StatusOr<upstream::UnaryCallRequest> UpstreamCallOf(RequestContext& ctx);
const transcode::ResponseTranscoder& ResponsePrinter(const RequestContext& ctx);
http::Response UpstreamErrorResponse(const RequestContext& ctx,
                                     const upstream::UnaryCallResult& result);

// The GraphQL endpoint's branches (graphql_phases.cc): route (false when the
// request is not for the endpoint), authenticate, transcode, call, respond.
bool MatchGraphql(const ContextPtr& ctx, Next* next);
Next AuthenticateGraphql(const ContextPtr& ctx);
Next TranscodeGraphql(const ContextPtr& ctx);
Next CallGraphql(const ContextPtr& ctx);
Next RespondGraphql(const ContextPtr& ctx);

// The API document's branches (document_phases.cc): route (false when the
// request is not for the document), authenticate, respond.
bool MatchDocument(const ContextPtr& ctx, Next* next);
Next AuthenticateDocument(const ContextPtr& ctx);
Next RespondDocument(const ContextPtr& ctx);

// For a request whose parts each have their own policy, or none: the caller
// is established with any configured authenticator when the request carries
// credentials, and goes on anonymous when it carries none (or auth is off).
// Refused credentials go on as `refused` says.
using RefusedCredentials = Next (*)(RequestContext& ctx, const absl::Status& status);
Next AuthenticateCaller(const ContextPtr& ctx, RefusedCredentials refused);

// The 404 of a path no route serves ("no route for GET /mobile/v1/nothing",
// the path as the client sent it): also what a route the caller's client
// profile may not use answers.
http::Response NotFoundResponse(const RequestContext& ctx);

}  // namespace protogate::gateway
