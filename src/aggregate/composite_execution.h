#pragma once

// Runs a CompositePlan for one HTTP request: every call whose inputs are
// known is in flight at once, a dependent call starts as soon as the calls it
// needs have answered, a for_each call keeps at most `concurrency` calls in
// flight (or makes one batch call), and the answer is composed once every
// call has finished, the same whatever order they finished in.
//
// Failures: a required call that fails (or cannot run because a call it
// needs has no output) ends the composite at once with that call's status
// and details, which the gateway renders, e.g.
//   503 {"code":14,"message":"call \"orders\" failed: UNAVAILABLE: ...","details":[...]}
// An optional call that fails gets its fallback (or null) in the answer,
// an entry in "errors" ({"call","code","message"}, in config order) and
// makes the response partial (the caller adds X-Protogate-Partial: true).
//
// Deadlines: each call gets min(its start + its timeout, the composite's
// deadline); a call not started by the composite's deadline fails with
// DEADLINE_EXCEEDED without being sent. No timer is needed: every started
// call ends by its own deadline.
//
// Every call carries the caller's metadata plus x-request-id and
// x-protogate-request-start (RFC 3339, UTC, microseconds) of this request,
// the same on every call, and x-protogate-field-mask when the answer reads
// only part of its output (the same paths go into the request's read mask
// field, when the method has one the config does not set).
//
// Selections: a call nothing the client kept reads is skipped (not made,
// not an error, "skipped" in the timings); the answer is composed from the
// narrowed template.
//
// Example:
//   ExecuteComposite(plan, {.bindings = ..., .request_id = id, .start = now,
//                           .deadline = now + plan->timeout()},
//                    [](CompositeResponse r) { ... }, starter);
//
// Threading: no thread waits, and nothing is locked: an execution runs on
// one thread at a time, the one that calls ExecuteComposite and then those
// the starter calls its `done` on (the gateway: always the request's event
// loop). `done` runs exactly once: from a call's `done`, or inline in
// ExecuteComposite when nothing needed a call (or the request was refused
// before any call). A starter may complete a call inline.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "aggregate/answer_selection.h"
#include "aggregate/composite_plan.h"
#include "routing/route_table.h"
#include "upstream/unary_call.h"

namespace protogate::aggregate {

inline constexpr char kRequestStartMetadata[] = "x-protogate-request-start";

struct CompositeRequest {
  std::vector<routing::VariableBinding> bindings{};
  std::vector<std::pair<std::string, std::string>> query{};
  std::string body{};
  Json auth = Json::object();     // hook: the authenticated caller ($auth.<claim>)
  upstream::Metadata metadata{};  // forwarded to every call
  // Added to the calls of one service (by full name), e.g. an identity token
  // whose audience is that service.
  std::map<std::string, upstream::Metadata> service_metadata{};
  std::string request_id{};
  absl::Time start = absl::Now();
  absl::Time deadline = absl::InfiniteFuture();  // the composite's; the caller bounds it
  // What the client keeps of the answer (answer_selection.h); null: the
  // whole answer (plan->whole()).
  std::shared_ptr<const SelectedPlan> selection{};
};

struct CallTiming {
  std::string call;
  int code = 0;          // gRPC code; of the first failure for a for_each call
  bool ran = false;      // false: never started (a dependency failed, or the composite ended)
  bool skipped = false;  // not made: nothing the client kept reads it
  int calls = 0;         // upstream calls made (for_each: one per item)
  absl::Duration duration;
};

// What a composite ends with; the gateway renders it (the error model, the
// partial header).
struct CompositeResponse {
  // OK, or the failure the composite ends with (its gRPC code and message).
  absl::Status status;
  std::string details = "[]";       // the failure's details, a JSON array
  std::string body;                 // the composed JSON object when status is OK
  bool partial = false;             // some optional call failed (see "errors" in the body)
  std::vector<CallTiming> timings;  // config order

  // For the access log: "user:0:1.2ms,orders:5:0.8ms,products:0:3.1ms:x3,recs:-,
  // stats:skipped"
  std::string TimingsForLog() const;
};

// Starts one upstream call of the plan (on `call.stub`; `call.index` names
// it). The gateway's starter makes the call through its upstream::
// UnaryCaller and brings the result back to the request's event loop; tests
// script the answers.
using CallStarter = std::function<void(const PlanCall& call, upstream::UnaryCallRequest request,
                                       std::function<void(upstream::UnaryCallResult)> done)>;

void ExecuteComposite(std::shared_ptr<const CompositePlan> plan, CompositeRequest request,
                      std::function<void(CompositeResponse)> done, CallStarter starter);

}  // namespace protogate::aggregate
