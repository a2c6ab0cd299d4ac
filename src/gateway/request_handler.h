#pragma once

// The request pipeline. A request runs THE list of phases, in order
// (kPhases in request_handler.cc is the one place they are listed):
//
//   admit        – the request id (the client's only when safe)
//   health       – /healthz, /readyz and the published JWKS answer here
//   credentials  – take the credentials out of the request (two of a kind: 400)
//   client       – the caller's profile by its request (header, Host, path
//                  prefix, which comes off the path)
//   route        – match method + path (404, or 405 with Allow); a route no
//                  caller recognised like this could use is a 404; the
//                  GraphQL endpoint and the API document (openapi.path) take
//                  their own branch of the later phases
//   authenticate – the route's policy: credential → identity (401, 403, 503)
//   client_view  – the profile by the identity's client id, which wins; a
//                  route the profile may not use is a 404
//   rate_limit   – (nothing yet)
//   transcode    – path variables, query and JSON body → protobuf request (400)
//   call         – one unary gRPC call with forwarded metadata, the stamped
//                  identity and the deadline; a composite route runs its plan
//                  instead (aggregate/: many calls, one composed answer); a
//                  server-streaming route writes each message as it comes
//                  and goes on to log when the stream ends
//   respond      – protobuf → JSON, the upstream status → the error model, or
//                  the composite's result rendered
//   log          – metrics, access log, X-Request-Id, and the answer leaves
//
// A phase continues, answers (straight to log, the one exit, which always
// runs), or suspends for an asynchronous result (authenticate with an auth
// service or a JWKS refetch, call). Every asynchronous completion resumes
// the request on its own event loop (http::ResponseWriter::Post) before the
// next phase runs, so per-request state is touched by one thread at a time,
// without locks, and no transcoding or composition runs on gRPC's or the
// refresher's threads. Every phase runs behind a last-resort guard: an
// exception answers its request 500 and is logged.
//
// The answers the HTTP layer gives by itself (400, 408, 413, 431, 503) go
// through the log phase too: LogLocalAnswer.
//
// Thread-safety: Handle on any event loop; LogLocalAnswer from any thread.

#include <functional>

#include "absl/strings/string_view.h"
#include "gateway/snapshot_holder.h"
#include "http/message.h"
#include "http/server.h"
#include "upstream/server_stream.h"
#include "upstream/unary_caller.h"

namespace protogate::gateway {

// One step of one request, as the pipeline runs it: a phase that ran, or an
// asynchronous result the request resumed with.
struct PhaseEvent {
  absl::string_view request_id;
  absl::string_view phase;  // a name of the phase list
  bool resumed = false;     // a completion of `phase`, not the phase itself
};

struct RequestHandlerOptions {
  // Test hook: called after each phase ran and before each resumption (a
  // result that comes inline, within its phase, is none), on the thread
  // that runs it. Must be thread-safe.
  std::function<void(const PhaseEvent&)> on_phase = nullptr;
  // Makes the server-streaming calls; null: real gRPC calls.
  upstream::StreamCaller* streams = nullptr;
};

class RequestHandler : public http::Handler {
 public:
  using Options = RequestHandlerOptions;

  // `caller` makes the upstream calls (the server's CallQueues; scripted in
  // tests) and outlives the requests' calls.
  RequestHandler(const SnapshotHolder* snapshots, upstream::UnaryCaller* caller,
                 Options options = {});

  void Handle(http::Request request, http::Responder respond) override;
  // The body of a request for a client-streaming route streams.
  bool StreamsBody(const http::Request& head) override;

  // The log phase of an answer the HTTP layer gave by itself.
  void LogLocalAnswer(const http::LocalAnswer& answer) const;

 private:
  const SnapshotHolder* snapshots_;
  upstream::UnaryCaller* caller_;
  Options options_;
  upstream::GrpcStreams grpc_streams_;
};

}  // namespace protogate::gateway
