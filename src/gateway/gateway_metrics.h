#pragma once

// The gateway's metrics, served at GET /metrics on the admin listener:
//
//   protogate_http_requests_total{route,method,code}       counter
//   protogate_http_request_duration_seconds{route}         histogram
//   protogate_upstream_calls_total{service,method,code}    counter (gRPC code name)
//   protogate_upstream_call_duration_seconds{service,method} histogram
//   protogate_composite_call_duration_seconds{route,call}  histogram
//   protogate_client_requests_total{client,route,code}     counter (with `clients:` only)
//   protogate_snapshot_generation                          gauge
//   protogate_reloads_total{result}                        counter ("ok" | "error")
//
// `route` is the route's selector (the gRPC method's full name, or the
// composite's name); requests that matched no route count under route="".
// `method` is bounded: GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, TRACE
// and CONNECT keep their name; a route also keeps the custom method it is
// served under (only the route table's methods reach a route); any other
// method counts as "OTHER". Every family is capped as observability/metrics.h
// describes (protogate_metric_series_dropped_total counts the folds).
// `client` is the caller's profile name ("default" for callers no profile
// claims), so that family is bounded by profiles × routes × codes.
//
// Each route of a snapshot gets a RouteMetrics when the snapshot is built:
// the series it updates, found once so that a request never takes the
// registry's locks for a code it has seen before. Series are keyed by labels,
// not by snapshot, so they carry on across reloads.
//
// Example:
//   auto metrics = std::make_shared<GatewayMetrics>();
//   std::unique_ptr<RouteMetrics> route = metrics->ForUnaryRoute(
//       "demo.users.v1.UserService.GetUser", "/demo.users.v1.UserService/GetUser");
//   route->RecordRequest("GET", 200, elapsed);
//   route->upstream->Record(0, elapsed);
//
// Thread-safety: every member may be called from any thread. A RouteMetrics
// points into its GatewayMetrics' registry: the snapshot that holds one also
// holds the GatewayMetrics (Snapshot::metrics).

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "observability/metrics.h"

namespace protogate::gateway {

// One upstream method: calls by gRPC code, and their durations.
struct UpstreamMetrics {
  observability::CodeCounters calls;
  observability::Histogram* duration;

  void Record(int grpc_code, absl::Duration elapsed);
};

// One named call of a composite route.
struct CompositeCallMetrics {
  std::unique_ptr<UpstreamMetrics> upstream;
  observability::Histogram* duration;  // the call as a whole (all its fan-out)
};

// One route (or the requests that matched none).
class RouteMetrics {
 public:
  // `keeps_custom_methods`: methods other than the standard nine keep their
  // name (a route: only its own methods reach it); otherwise they count as
  // "OTHER" (requests that matched no route).
  RouteMetrics(observability::Family<observability::Counter>* requests,
               observability::Histogram* duration, std::string route, bool keeps_custom_methods);

  // `method` is the request's HTTP method, as received.
  void RecordRequest(absl::string_view method, int http_status, absl::Duration elapsed);

  std::unique_ptr<UpstreamMetrics> upstream;  // unary routes
  std::vector<CompositeCallMetrics> calls;    // composite routes, in the plan's call order

 private:
  // The nine standard methods and OTHER; a route's custom method locks.
  static constexpr int kMethodSlots = 10;

  observability::Counter& RequestsFor(absl::string_view method, int http_status);
  observability::CodeCounters& CodesFor(int known_method);

  observability::Family<observability::Counter>* requests_;
  observability::Histogram* duration_;
  const std::string route_;
  const bool keeps_custom_methods_;
  absl::Mutex mu_;  // creates a method's table; readers go through by_method_
  std::unique_ptr<observability::CodeCounters> tables_[kMethodSlots] ABSL_GUARDED_BY(mu_);
  std::atomic<observability::CodeCounters*> by_method_[kMethodSlots] = {};
};

// A snapshot's requests by client profile. Profile -1 (views::kUnrecognised)
// is "default"; route -1 is a request that matched no route. A cell's table
// is made on first use, so a profile × route pair nobody calls costs one
// pointer.
class ClientMetrics {
 public:
  // `clients`: the label of profile -1, then of each profile by index;
  // `routes`: each route's label by route id.
  ClientMetrics(observability::Family<observability::Counter>* requests,
                std::vector<std::string> clients, std::vector<std::string> routes);

  void Record(int profile, int route_id, int http_status);

 private:
  observability::CodeCounters& CellFor(size_t cell);

  observability::Family<observability::Counter>* requests_;
  const std::vector<std::string> clients_;
  std::vector<std::string> routes_;  // "" first (no route), then by route id
  absl::Mutex mu_;                   // creates a cell's table
  std::vector<std::unique_ptr<observability::CodeCounters>> tables_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<std::atomic<observability::CodeCounters*>[]> cells_;
};

class GatewayMetrics {
 public:
  // `max_series_per_family` caps every family (observability/metrics.h).
  explicit GatewayMetrics(size_t max_series_per_family = observability::kDefaultMaxSeriesPerFamily);

  // A route calling one method ("/demo.users.v1.UserService/GetUser"). The
  // upstream series are labelled service="demo.users.v1.UserService",
  // method="GetUser".
  std::unique_ptr<RouteMetrics> ForUnaryRoute(const std::string& route,
                                              const std::string& method_path);

  struct CallName {
    std::string call;         // "user"
    std::string method_path;  // "/demo.users.v1.UserService/GetUser"
  };
  // A composite route and its calls, in the plan's order.
  std::unique_ptr<RouteMetrics> ForCompositeRoute(const std::string& route,
                                                  const std::vector<CallName>& calls);

  // Requests that matched no route.
  RouteMetrics& unrouted() { return *unrouted_; }

  // A snapshot's client profiles (ClientMetrics' arguments).
  std::unique_ptr<ClientMetrics> ForClients(std::vector<std::string> clients,
                                            std::vector<std::string> routes);

  // A reload's outcome; `generation` is the one serving after it.
  void RecordReload(bool ok, int64_t generation);
  void SetGeneration(int64_t generation) { generation_.Set(static_cast<double>(generation)); }

  std::string Render() const { return registry_.Render(); }

 private:
  std::unique_ptr<RouteMetrics> ForRoute(const std::string& route, bool keeps_custom_methods);
  std::unique_ptr<UpstreamMetrics> ForUpstream(const std::string& service,
                                               const std::string& method);

  observability::Registry registry_;
  observability::Family<observability::Counter>& requests_;
  observability::Family<observability::Histogram>& request_duration_;
  observability::Family<observability::Counter>& upstream_calls_;
  observability::Family<observability::Histogram>& upstream_duration_;
  observability::Family<observability::Histogram>& composite_call_duration_;
  observability::Family<observability::Counter>& client_requests_;
  observability::Gauge& generation_;
  observability::Family<observability::Counter>& reloads_;
  observability::Counter& reloads_ok_;
  observability::Counter& reloads_error_;
  std::unique_ptr<RouteMetrics> unrouted_;
};

}  // namespace protogate::gateway
