#pragma once

// THE list of a request's phases, in order (read this file to see the whole
// path of a request through the gateway):
//
//   1. admit      – take the current snapshot, assign the request id (the
//                   client's only when safe), take the credentials out of the
//                   request (two of a kind: 400)
//   2. health     – /healthz and /readyz answer here
//   3. route      – match method + path (404, or 405 with Allow)
//   4. authenticate – the route's policy: credential → identity (401, 403, 503)
//   5. transcode  – path variables, query and JSON body → protobuf request (400)
//   6. call       – unary gRPC call with forwarded metadata, the stamped
//                   identity and the deadline; a composite route runs its
//                   plan instead (aggregate/: many calls, one composed answer)
//   7. respond    – protobuf → JSON, or the upstream status → HTTP error
//   8. log        – access log, always, whatever happened
//
// A failing phase short-circuits to Finish(), the one place that renders the
// answer and logs it. Every step runs behind a last-resort guard: an
// exception that escapes a phase answers its request 500 and is logged.
//
// Thread-safety: Handle runs on an event-loop thread; phases 7–8 run on the
// gRPC thread that completes the call, and phases 5–8 on a gRPC thread when
// an external auth service answered phase 4. Per-request state lives in one
// RequestContext owned by the phases that are still running.

#include <memory>

#include "gateway/snapshot_holder.h"
#include "http/message.h"

namespace protogate::gateway {

class RequestHandler : public http::Handler {
 public:
  explicit RequestHandler(const SnapshotHolder* snapshots) : snapshots_(snapshots) {}

  void Handle(http::Request request, http::Responder respond) override;

 private:
  const SnapshotHolder* snapshots_;
};

}  // namespace protogate::gateway
