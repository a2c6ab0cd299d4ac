#include "gateway/gateway_metrics.h"

#include <iterator>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace protogate::gateway {
namespace {

using observability::CodeCounters;
using observability::LatencyBuckets;

constexpr int kMaxHttpStatus = 599;
constexpr int kMaxGrpcCode = 16;  // UNAUTHENTICATED

std::string HttpStatusName(int status) { return absl::StrCat(status); }

// "NOT_FOUND", as gRPC and Abseil spell the canonical codes.
std::string GrpcCodeName(int code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

// The methods of RFC 9110 (and PATCH), then the label of every other one
// (observability::kOtherLabelValue).
constexpr absl::string_view kMethods[] = {"GET",   "HEAD",    "POST",  "PUT",     "DELETE",
                                          "PATCH", "OPTIONS", "TRACE", "CONNECT", "OTHER"};
constexpr int kOtherMethod = static_cast<int>(std::size(kMethods)) - 1;

// The index of a standard HTTP method in kMethods (case-sensitive, as HTTP
// methods are), or -1.
int StandardMethod(absl::string_view method) {
  for (int i = 0; i < kOtherMethod; ++i) {
    if (kMethods[i] == method) return i;
  }
  return -1;
}

// "/pkg.Service/Method" → {"pkg.Service", "Method"}.
std::pair<std::string, std::string> SplitMethodPath(absl::string_view path) {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  const size_t slash = path.rfind('/');
  if (slash == absl::string_view::npos) return {"", std::string(path)};
  return {std::string(path.substr(0, slash)), std::string(path.substr(slash + 1))};
}

}  // namespace

void UpstreamMetrics::Record(int grpc_code, absl::Duration elapsed) {
  calls.For(grpc_code).Increment();
  duration->Observe(absl::ToDoubleSeconds(elapsed));
}

RouteMetrics::RouteMetrics(observability::Family<observability::Counter>* requests,
                           observability::Histogram* duration, std::string route,
                           bool keeps_custom_methods)
    : requests_(requests),
      duration_(duration),
      route_(std::move(route)),
      keeps_custom_methods_(keeps_custom_methods) {
  static_assert(std::size(kMethods) == kMethodSlots);
}

void RouteMetrics::RecordRequest(absl::string_view method, int http_status,
                                 absl::Duration elapsed) {
  RequestsFor(method, http_status).Increment();
  duration_->Observe(absl::ToDoubleSeconds(elapsed));
}

observability::Counter& RouteMetrics::RequestsFor(absl::string_view method, int http_status) {
  const int known = StandardMethod(method);
  if (known >= 0) return CodesFor(known).For(http_status);
  // A client picks the method of an unrouted request: any name but the
  // standard ones would be a new series forever.
  if (!keeps_custom_methods_) return CodesFor(kOtherMethod).For(http_status);
  return requests_->WithLabels({route_, std::string(method), HttpStatusName(http_status)});
}

CodeCounters& RouteMetrics::CodesFor(int known_method) {
  std::atomic<CodeCounters*>& slot = by_method_[known_method];
  if (CodeCounters* table = slot.load(std::memory_order_acquire)) return *table;
  absl::MutexLock lock(&mu_);
  std::unique_ptr<CodeCounters>& table = tables_[known_method];
  if (table == nullptr) {
    table = std::make_unique<CodeCounters>(
        requests_, observability::LabelValues{route_, std::string(kMethods[known_method])},
        kMaxHttpStatus, &HttpStatusName);
    slot.store(table.get(), std::memory_order_release);
  }
  return *table;
}

ClientMetrics::ClientMetrics(observability::Family<observability::Counter>* requests,
                             std::vector<std::string> clients, std::vector<std::string> routes)
    : requests_(requests), clients_(std::move(clients)), routes_(std::move(routes)) {
  routes_.insert(routes_.begin(), "");
  const size_t cells = clients_.size() * routes_.size();
  cells_.reset(new std::atomic<CodeCounters*>[cells]);
  for (size_t i = 0; i < cells; ++i) cells_[i].store(nullptr, std::memory_order_relaxed);
}

void ClientMetrics::Record(int profile, int route_id, int http_status) {
  const size_t client = static_cast<size_t>(profile + 1);
  const size_t route = static_cast<size_t>(route_id + 1);
  if (client >= clients_.size() || route >= routes_.size()) return;
  CellFor(client * routes_.size() + route).For(http_status).Increment();
}

CodeCounters& ClientMetrics::CellFor(size_t cell) {
  std::atomic<CodeCounters*>& slot = cells_[cell];
  if (CodeCounters* table = slot.load(std::memory_order_acquire)) return *table;
  absl::MutexLock lock(&mu_);
  if (CodeCounters* table = slot.load(std::memory_order_acquire)) return *table;
  const size_t client = cell / routes_.size();
  const size_t route = cell % routes_.size();
  tables_.push_back(std::make_unique<CodeCounters>(
      requests_, observability::LabelValues{clients_[client], routes_[route]}, kMaxHttpStatus,
      &HttpStatusName));
  slot.store(tables_.back().get(), std::memory_order_release);
  return *tables_.back();
}

GatewayMetrics::GatewayMetrics(size_t max_series_per_family)
    : registry_(max_series_per_family),
      requests_(registry_.AddCounter("protogate_http_requests_total",
                                     "HTTP requests answered, by route, HTTP method and status.",
                                     {"route", "method", "code"})),
      request_duration_(registry_.AddHistogram(
          "protogate_http_request_duration_seconds",
          "Time from a request's arrival to its response, by route.", {"route"}, LatencyBuckets())),
      upstream_calls_(registry_.AddCounter("protogate_upstream_calls_total",
                                           "gRPC calls to internal services, by gRPC status.",
                                           {"service", "method", "code"})),
      upstream_duration_(registry_.AddHistogram("protogate_upstream_call_duration_seconds",
                                                "Duration of gRPC calls to internal services.",
                                                {"service", "method"}, LatencyBuckets())),
      composite_call_duration_(registry_.AddHistogram(
          "protogate_composite_call_duration_seconds",
          "Duration of each named call of a composite route, fan-out included.", {"route", "call"},
          LatencyBuckets())),
      client_requests_(registry_.AddCounter(
          "protogate_client_requests_total",
          "HTTP requests answered, by the caller's client profile, route and status.",
          {"client", "route", "code"})),
      generation_(registry_
                      .AddGauge("protogate_snapshot_generation",
                                "Generation of the serving snapshot (1 at start, +1 per reload).",
                                {})
                      .WithLabels({})),
      reloads_(
          registry_.AddCounter("protogate_reloads_total", "Reloads tried, by result.", {"result"})),
      reloads_ok_(reloads_.WithLabels({"ok"})),
      reloads_error_(reloads_.WithLabels({"error"})),
      unrouted_(ForRoute("", /*keeps_custom_methods=*/false)) {}

std::unique_ptr<RouteMetrics> GatewayMetrics::ForRoute(const std::string& route,
                                                       bool keeps_custom_methods) {
  return std::make_unique<RouteMetrics>(&requests_, &request_duration_.WithLabels({route}), route,
                                        keeps_custom_methods);
}

std::unique_ptr<ClientMetrics> GatewayMetrics::ForClients(std::vector<std::string> clients,
                                                          std::vector<std::string> routes) {
  return std::make_unique<ClientMetrics>(&client_requests_, std::move(clients), std::move(routes));
}

std::unique_ptr<UpstreamMetrics> GatewayMetrics::ForUpstream(const std::string& service,
                                                             const std::string& method) {
  return std::make_unique<UpstreamMetrics>(UpstreamMetrics{
      .calls = CodeCounters(&upstream_calls_, {service, method}, kMaxGrpcCode, &GrpcCodeName),
      .duration = &upstream_duration_.WithLabels({service, method})});
}

std::unique_ptr<RouteMetrics> GatewayMetrics::ForUnaryRoute(const std::string& route,
                                                            const std::string& method_path) {
  std::unique_ptr<RouteMetrics> metrics = ForRoute(route, /*keeps_custom_methods=*/true);
  auto [service, method] = SplitMethodPath(method_path);
  metrics->upstream = ForUpstream(service, method);
  return metrics;
}

std::unique_ptr<RouteMetrics> GatewayMetrics::ForCompositeRoute(
    const std::string& route, const std::vector<CallName>& calls) {
  std::unique_ptr<RouteMetrics> metrics = ForRoute(route, /*keeps_custom_methods=*/true);
  for (const CallName& call : calls) {
    auto [service, method] = SplitMethodPath(call.method_path);
    metrics->calls.push_back(
        {.upstream = ForUpstream(service, method),
         .duration = &composite_call_duration_.WithLabels({route, call.call})});
  }
  return metrics;
}

void GatewayMetrics::RecordReload(bool ok, int64_t generation) {
  (ok ? reloads_ok_ : reloads_error_).Increment();
  SetGeneration(generation);
}

}  // namespace protogate::gateway
