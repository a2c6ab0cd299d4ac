#pragma once

// The answers the HTTP layer gives by itself (400 malformed, 408, 413, 431,
// 503 while draining or over max_connections; http::ServerOptions::
// on_local_answer) are logged and counted like every other answer: an
// access-log line (if access_log is on; request_id="" and route="") and
// protogate_http_requests_total{route=""} with its duration.
//
// A client can cause these at will, so their access lines are rate-limited
// (kLinesPerSecond; then one "http: suppressed N similar lines" before the
// next one written). The metrics count every one.
//
// Thread-safety: called from any event loop; the snapshot is immutable.

#include "gateway/snapshot.h"
#include "http/server.h"

namespace protogate::gateway {

inline constexpr int kLocalAnswerLogLinesPerSecond = 100;

void RecordLocalAnswer(const Snapshot& snapshot, const http::LocalAnswer& answer);

}  // namespace protogate::gateway
