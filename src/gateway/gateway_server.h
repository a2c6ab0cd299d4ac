#pragma once

// Wires the gateway together: config → snapshot → request handler → HTTP
// server; reloads the snapshot on demand; stops gracefully.
//
// Example:
//   ASSIGN_OR_RETURN(auto gateway, GatewayServer::Create(config));
//   ASSIGN_OR_RETURN(int port, gateway->Start());
//   gateway->Reload();      // re-reads the config file and descriptor set
//   gateway->Shutdown();    // drains in-flight requests
//
// Thread-safety: Start, Reload and Shutdown from one controlling thread
// (main, or a test); requests run on the server's event loops.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "config/gateway_config.h"
#include "gateway/request_handler.h"
#include "gateway/snapshot_holder.h"
#include "http/server.h"

namespace protogate::gateway {

class GatewayServer {
 public:
  // Builds the first snapshot; fails with the reason (file, route, …).
  static absl::StatusOr<std::unique_ptr<GatewayServer>> Create(const config::GatewayConfig& config);

  // Listens on the configured address; returns the bound port.
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

 private:
  explicit GatewayServer(std::shared_ptr<const Snapshot> first);

  SnapshotHolder snapshots_;
  RequestHandler handler_;
  std::unique_ptr<http::Server> server_;
};

// Runs until SIGTERM or SIGINT (graceful shutdown, returns 0); SIGHUP reloads.
int RunUntilSignalled(GatewayServer& gateway);

}  // namespace protogate::gateway
