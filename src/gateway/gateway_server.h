#pragma once

// Wires the gateway together: config → snapshot → request handler → HTTP
// server; reloads the snapshot on demand (SIGHUP, or by itself when a watched
// file changes: `reload.watch`); serves the admin pages and metrics
// (`admin_listen`); stops gracefully.
//
// Example:
//   ASSIGN_OR_RETURN(auto gateway, GatewayServer::Create(config));
//   ASSIGN_OR_RETURN(int port, gateway->Start());
//   gateway->Reload();      // re-reads the config file and descriptor set
//   gateway->Shutdown();    // drains in-flight requests
//
// Watched files: the config file, its descriptor set and the auth key files
// it names. The watcher polls on its own thread and calls Reload() there.
//
// The server owns the long-lived resources (ServerResources: channels, the
// unary completion queues, JWKS key sets, auth service channels); each
// reload keeps what the new config still names and retires the rest, which
// is released on the reloading thread once no snapshot holds it. Shutdown
// stops, in order: the watcher, the admin server, the HTTP server (in-flight
// requests finish), then the resources (key-set refreshers, completion
// queues after their last call, channels); see server_resources.h.
//
// Thread-safety: Start and Shutdown from one controlling thread (main, or a
// test); Reload from any thread (reloads are serialized); requests run on the
// server's event loops.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "config/gateway_config.h"
#include "gateway/admin_handler.h"
#include "gateway/file_watcher.h"
#include "gateway/gateway_metrics.h"
#include "gateway/reload_status.h"
#include "gateway/request_handler.h"
#include "gateway/server_resources.h"
#include "gateway/snapshot_holder.h"
#include "http/server.h"

namespace protogate::gateway {

struct GatewayServerOptions {
  // Test hook: sees each phase of each request (RequestHandlerOptions).
  std::function<void(const PhaseEvent&)> on_phase = nullptr;
};

class GatewayServer {
 public:
  // Builds the first snapshot; fails with the reason (file, route, …).
  static absl::StatusOr<std::unique_ptr<GatewayServer>> Create(const config::GatewayConfig& config,
                                                               GatewayServerOptions options = {});

  // Listens on the configured address (and the admin address, when set) and
  // starts watching the files when `reload.watch` is on and the config came
  // from a file. Returns the bound port.
  absl::StatusOr<int> Start();

  // Re-reads the config file (config.source_path) and its descriptor set and
  // swaps the new snapshot in. On error the current snapshot keeps serving
  // and the error is returned (and kept for last_reload_error()). Listener
  // settings (address, threads, limits) need a restart to change.
  absl::Status Reload();

  // Installs an already-parsed config (tests, or callers that read it).
  absl::Status Reload(const config::GatewayConfig& config);

  // Idempotent; from the controlling thread.
  void Shutdown();

  std::shared_ptr<const Snapshot> snapshot() const { return snapshots_.Get(); }
  const ReloadStatus& reload_status() const { return status_; }
  const GatewayMetrics& metrics() const { return *metrics_; }
  const ServerResources& resources() const { return *resources_; }
  int admin_port() const { return admin_port_; }  // 0 when there is no admin listener

  // The files whose change triggers a reload when watching.
  static std::vector<std::string> WatchedFiles(const config::GatewayConfig& config);

 private:
  GatewayServer(std::unique_ptr<ServerResources> resources, std::shared_ptr<const Snapshot> first,
                GatewayServerOptions options);
  absl::Status Install(const config::GatewayConfig& config)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(reload_mu_);
  absl::Status BuildAndSwap(const config::GatewayConfig& config)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(reload_mu_);
  absl::Status StartAdmin(const config::GatewayConfig& config);
  // A reload that failed: logged, kept for the admin status, counted.
  absl::Status Refuse(const absl::Status& error) ABSL_EXCLUSIVE_LOCKS_REQUIRED(reload_mu_);

  // First: outlives every snapshot, request and server below, and is
  // destroyed on the thread that destroys the server.
  std::unique_ptr<ServerResources> resources_;
  std::shared_ptr<GatewayMetrics> metrics_;  // shared with every snapshot
  SnapshotHolder snapshots_;
  RequestHandler handler_;
  std::unique_ptr<http::Server> server_;
  absl::Mutex reload_mu_;  // one reload at a time (signal, watcher, tests)
  ReloadStatus status_;
  AdminHandler admin_handler_;
  std::unique_ptr<http::Server> admin_server_;
  int admin_port_ = 0;
  std::unique_ptr<FileWatcher> watcher_;
  bool shut_down_ = false;
};

// Runs until SIGTERM or SIGINT (graceful shutdown, returns 0); SIGHUP reloads.
int RunUntilSignalled(GatewayServer& gateway);

}  // namespace protogate::gateway
