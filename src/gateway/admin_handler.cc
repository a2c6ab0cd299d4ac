#include "gateway/admin_handler.h"

#include "absl/strings/str_cat.h"
#include "common/json_text.h"
#include "gateway/error_response.h"
#include "nlohmann/json.hpp"

namespace protogate::gateway {
namespace {

using Json = nlohmann::ordered_json;

http::Response JsonAnswer(const Json& body) {
  http::Response response;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = common::JsonText(body);
  return response;
}

Json TimeOrNull(absl::Time time) {
  if (time == absl::InfinitePast()) return nullptr;
  return absl::FormatTime(absl::RFC3339_full, time, absl::UTCTimeZone());
}

const char* PolicyName(const auth::Policy* policy) {
  if (policy == nullptr) return "unknown";
  switch (policy->kind) {
    case auth::Policy::Kind::kPublic:
      return "public";
    case auth::Policy::Kind::kDeny:
      return "deny";
    case auth::Policy::Kind::kAuthenticated:
      return "authenticated";
  }
  return "unknown";
}

Json Status(const Snapshot& snapshot, const ReloadStatus::View& reload) {
  Json body;
  body["generation"] = reload.generation;
  body["loaded_at"] = TimeOrNull(reload.loaded_at);
  body["config_path"] = snapshot.config.source_path;
  const bool reflection =
      snapshot.config.descriptor_source == config::DescriptorSource::kReflection;
  body["descriptor_source"] = reflection ? "reflection" : "file";
  body["descriptor_path"] = reflection ? Json(nullptr) : Json(snapshot.config.descriptors);
  body["route_count"] = snapshot.route_list.size();
  body["watching"] = snapshot.config.reload.watch && !snapshot.config.source_path.empty();
  body["reload_attempts"] = reload.attempts;
  body["last_reload_attempt"] = TimeOrNull(reload.last_attempt);
  body["last_reload_error"] = reload.last_error ? Json(*reload.last_error) : Json(nullptr);
  return body;
}

Json Routes(const Snapshot& snapshot) {
  Json routes = Json::array();
  for (const Route& route : snapshot.route_list) {
    routes.push_back({{"route", route.description},
                      {"grpc_method", route.method_path},
                      {"service", route.service},
                      {"timeout_ms", route.timeout.count()},
                      {"auth", PolicyName(route.policy)}});
  }
  return {{"routes", std::move(routes)}};
}

Json Readiness(const Snapshot& snapshot) {
  Json upstreams = Json::object();
  for (const auto& [service, state] : snapshot.channels->States()) upstreams[service] = state;
  return {{"status", "ready"}, {"routes", snapshot.routes.size()}, {"upstreams", upstreams}};
}

http::Response MetricsAnswer(const GatewayMetrics& metrics) {
  http::Response response;
  response.headers.emplace_back("Content-Type", observability::kExpositionContentType);
  response.body = metrics.Render();
  return response;
}

}  // namespace

http::Response AdminHandler::Answer(const http::Request& request) const {
  const absl::string_view path = request.Path();
  const bool known = path == "/healthz" || path == "/readyz" || path == "/admin/status" ||
                     path == "/admin/routes" || path == "/metrics";
  if (!known) return ErrorResponse(absl::NotFoundError(absl::StrCat("no admin page ", path)));
  if (request.method != "GET" && request.method != "HEAD") {
    http::Response response = HttpErrorResponse(405, "admin pages answer GET only");
    response.headers.emplace_back("Allow", "GET, HEAD");
    return response;
  }
  if (path == "/healthz") return JsonAnswer({{"status", "ok"}});
  if (path == "/metrics") return MetricsAnswer(*metrics_);
  const std::shared_ptr<const Snapshot> snapshot = snapshots_->Get();
  if (path == "/readyz") return JsonAnswer(Readiness(*snapshot));
  if (path == "/admin/routes") return JsonAnswer(Routes(*snapshot));
  return JsonAnswer(Status(*snapshot, status_->Get()));
}

void AdminHandler::Handle(http::Request request, http::Responder respond) {
  respond(Answer(request));
}

}  // namespace protogate::gateway
