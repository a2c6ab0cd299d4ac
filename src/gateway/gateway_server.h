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
#include "gateway/snapshot_holder.h"
#include "http/server.h"

namespace protogate::gateway {

class GatewayServer {
 public:
  // Builds the first snapshot; fails with the reason (file, route, …).
  static absl::StatusOr<std::unique_ptr<GatewayServer>> Create(const config::GatewayConfig& config);

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

  void Shutdown();

  std::shared_ptr<const Snapshot> snapshot() const { return snapshots_.Get(); }
  const ReloadStatus& reload_status() const { return status_; }
  const GatewayMetrics& metrics() const { return *metrics_; }
  int admin_port() const { return admin_port_; }  // 0 when there is no admin listener

  // The files whose change triggers a reload when watching.
  static std::vector<std::string> WatchedFiles(const config::GatewayConfig& config);

 private:
  explicit GatewayServer(std::shared_ptr<const Snapshot> first);
  absl::Status Install(const config::GatewayConfig& config)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(reload_mu_);
  absl::Status StartAdmin(const config::GatewayConfig& config);
  // A reload that failed: logged, kept for the admin status, counted.
  absl::Status Refuse(const absl::Status& error) ABSL_EXCLUSIVE_LOCKS_REQUIRED(reload_mu_);

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
};

// Runs until SIGTERM or SIGINT (graceful shutdown, returns 0); SIGHUP reloads.
int RunUntilSignalled(GatewayServer& gateway);

}  // namespace protogate::gateway
