#include "gateway/gateway_server.h"

#include <csignal>

#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "gateway/error_response.h"
#include "observability/logger.h"

namespace protogate::gateway {
namespace {

http::ServerOptions ServerOptionsFrom(const config::GatewayConfig& config) {
  http::ServerOptions options;
  options.host = config.listen_host;
  options.port = config.listen_port;
  options.threads = config.threads;
  options.max_header_bytes = config.limits.max_header_bytes;
  options.max_body_bytes = config.limits.max_body_bytes;
  options.max_stream_body_bytes = config.streaming.max_upload_bytes;
  options.read_timeout = config.limits.read_timeout;
  options.idle_timeout = config.limits.idle_timeout;
  options.max_connections = config.limits.max_connections;
  options.drain_timeout = config.drain_timeout;
  options.error_renderer = [](int status, absl::string_view message) {
    return HttpErrorResponse(status, message);
  };
  return options;
}

}  // namespace

absl::StatusOr<std::unique_ptr<GatewayServer>> GatewayServer::Create(
    const config::GatewayConfig& config, GatewayServerOptions options) {
  auto resources = std::make_unique<ServerResources>();
  ASSIGN_OR_RETURN(auto snapshot, BuildSnapshot(config, nullptr, std::make_shared<GatewayMetrics>(),
                                                {}, resources.get()));
  RETURN_IF_ERROR(snapshot->Activate());
  resources->Commit();
  return std::unique_ptr<GatewayServer>(
      new GatewayServer(std::move(resources), std::move(snapshot), std::move(options)));
}

GatewayServer::GatewayServer(std::unique_ptr<ServerResources> resources,
                             std::shared_ptr<const Snapshot> first, GatewayServerOptions options)
    : resources_(std::move(resources)),
      metrics_(first->metrics),
      handler_(&snapshots_, &resources_->caller(), {.on_phase = std::move(options.on_phase)}),
      admin_handler_(&snapshots_, &status_, metrics_.get()) {
  snapshots_.Set(std::move(first));
  status_.RecordLoaded(absl::Now(), /*is_reload=*/false);
  metrics_->SetGeneration(status_.Get().generation);
}

std::vector<std::string> GatewayServer::WatchedFiles(const config::GatewayConfig& config) {
  std::vector<std::string> files = {config.source_path};
  if (!config.descriptors.empty()) files.push_back(config.descriptors);
  const config::AuthConfig& auth = config.auth;
  for (const auto& issuer : auth.jwt.issuers) {
    if (!issuer.jwks_file.empty()) files.push_back(issuer.jwks_file);
    if (!issuer.hmac_secret_file.empty()) files.push_back(issuer.hmac_secret_file);
  }
  if (!auth.stamping.signing_key_file.empty()) files.push_back(auth.stamping.signing_key_file);
  if (!config.graphql.trusted_documents.empty()) files.push_back(config.graphql.trusted_documents);
  return files;
}

absl::Status GatewayServer::StartAdmin(const config::GatewayConfig& config) {
  if (!config.admin.enabled) return absl::OkStatus();
  http::ServerOptions options = ServerOptionsFrom(config);
  options.host = config.admin.host;
  options.port = config.admin.port;
  options.threads = 1;
  admin_server_ = std::make_unique<http::Server>(options, &admin_handler_);
  ASSIGN_OR_RETURN(admin_port_, admin_server_->Start());
  PG_LOG(kInfo, "admin pages on ", config.admin.host, ":", admin_port_);
  return absl::OkStatus();
}

absl::StatusOr<int> GatewayServer::Start() {
  const config::GatewayConfig& config = snapshots_.Get()->config;
  observability::Logger::Get().set_level(observability::ParseLogLevel(config.log_level));
  http::ServerOptions options = ServerOptionsFrom(config);
  // The HTTP layer's own answers go through the pipeline's log phase.
  options.on_local_answer = [this](const http::LocalAnswer& answer) {
    handler_.LogLocalAnswer(answer);
  };
  server_ = std::make_unique<http::Server>(std::move(options), &handler_);
  ASSIGN_OR_RETURN(int port, server_->Start());
  PG_LOG(kInfo, "listening on ", config.listen_host, ":", port, " with ",
         snapshots_.Get()->route_list.size(), " routes");
  RETURN_IF_ERROR(StartAdmin(config));
  if (config.reload.watch && !config.source_path.empty()) {
    // The watcher asks for the current snapshot's files, so a reload that
    // names another descriptor set is followed.
    watcher_ = std::make_unique<FileWatcher>(
        config.reload.poll_interval, [this] { return WatchedFiles(snapshots_.Get()->config); },
        [this] {
          PG_LOG(kInfo, "watched files changed: reloading");
          (void)Reload();
        });
    watcher_->Start();
  }
  return port;
}

absl::Status GatewayServer::Reload() {
  absl::MutexLock lock(&reload_mu_);
  auto config = config::LoadGatewayConfig(snapshots_.Get()->config.source_path);
  if (!config.ok()) return Refuse(config.status());
  return Install(*config);
}

absl::Status GatewayServer::Reload(const config::GatewayConfig& config) {
  absl::MutexLock lock(&reload_mu_);
  return Install(config);
}

absl::Status GatewayServer::Install(const config::GatewayConfig& config) {
  absl::Status installed = BuildAndSwap(config);
  // The snapshot built (kept or dropped) and the one replaced are let go by
  // now: what no snapshot holds any more is released here, on this thread,
  // never on a request's.
  resources_->ReleaseIdle();
  return installed;
}

absl::Status GatewayServer::BuildAndSwap(const config::GatewayConfig& config) {
  auto current = snapshots_.Get();
  auto next = BuildSnapshot(config, current.get(), metrics_, {}, resources_.get());
  // The last step that can fail is Activate: once it succeeds, the swap follows.
  absl::Status built = next.ok() ? (*next)->Activate() : next.status();
  if (!built.ok()) {
    resources_->Abandon();
    return Refuse(built);
  }
  snapshots_.Set(*std::move(next));
  resources_->Commit();
  status_.RecordLoaded(absl::Now(), /*is_reload=*/true);
  metrics_->RecordReload(/*ok=*/true, status_.Get().generation);
  PG_LOG(kInfo, "reloaded: ", snapshots_.Get()->route_list.size(), " routes");
  return absl::OkStatus();
}

absl::Status GatewayServer::Refuse(const absl::Status& error) {
  PG_LOG(kError, "reload refused, still serving the previous snapshot: ", error.message());
  status_.RecordRefused(absl::Now(), std::string(error.message()));
  metrics_->RecordReload(/*ok=*/false, status_.Get().generation);
  return error;
}

void GatewayServer::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  // The watcher first: a reload must not race the drain.
  if (watcher_) watcher_->Stop();
  if (admin_server_) admin_server_->Shutdown();
  // In-flight requests finish here; none is left to start a call after.
  if (server_) server_->Shutdown();
  resources_->Shutdown();
  observability::Logger::Get().Flush();
}

int RunUntilSignalled(GatewayServer& gateway) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  for (;;) {
    int signal = 0;
    if (sigwait(&signals, &signal) != 0) continue;
    if (signal == SIGHUP) {
      PG_LOG(kInfo, "SIGHUP: reloading");
      (void)gateway.Reload();
      continue;
    }
    PG_LOG(kInfo, "signal ", signal, ": draining and stopping");
    gateway.Shutdown();
    PG_LOG(kInfo, "stopped");
    observability::Logger::Get().Flush();
    return 0;
  }
}

}  // namespace protogate::gateway
