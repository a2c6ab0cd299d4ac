#pragma once

#include <grpcpp/grpcpp.h>

#include <array>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "demo_services/call_recorder.h"
#include "demo_services/catalog_service.h"
#include "demo_services/identity_verifier.h"
#include "demo_services/orders_service.h"
#include "demo_services/service_controls.h"
#include "demo_services/users_service.h"

namespace protogate::demo_services {

// The three demo services.
enum class DemoService { kUsers, kOrders, kCatalog };
inline constexpr std::array<DemoService, 3> kAllDemoServices = {
    DemoService::kUsers, DemoService::kOrders, DemoService::kCatalog};

// "users", "orders", "catalog".
absl::string_view DemoServiceName(DemoService service);
std::optional<DemoService> ParseDemoService(absl::string_view name);

struct DemoServerOptions {
  // "host:port" for each service; port 0 picks a free port (see port()).
  std::string users_address = "127.0.0.1:0";
  std::string orders_address = "127.0.0.1:0";
  std::string catalog_address = "127.0.0.1:0";
  // How long a stopping server lets in-flight calls finish before cancelling them.
  absl::Duration shutdown_grace = absl::Milliseconds(500);
  // The gateway's JWKS file (auth.stamping.jwks_out) that identity tokens are
  // verified with; it may appear after Start(). Empty: none (see identity_verifier()).
  std::string gateway_jwks_file;
  // Print on stdout what each call that records masks received (the demo's
  // services log; tests read ServiceControls::last_mask instead).
  bool log_masks = false;
};

// Runs the demo services, each on its own grpc::Server (plaintext, callback API),
// so that one can go down and come back on the same port while the others keep
// serving. The service objects (and so their state and counters) live as long as
// the DemoServer and survive restarts.
//
// Example:
//   DemoServer server;                       // all on 127.0.0.1, free ports
//   if (absl::Status s = server.Start(); !s.ok()) return s;
//   std::string target = server.address(DemoService::kUsers);  // "127.0.0.1:41234"
//   ...
//   server.Shutdown();                       // or let the destructor do it
//
// Threading: Start/Shutdown/StopService/RestartService serialize on an internal
// mutex and block until the servers are up or down; call them from a control
// thread, never from inside a gRPC callback. Accessors may be called from any thread.
class DemoServer {
 public:
  explicit DemoServer(DemoServerOptions options = {});
  ~DemoServer();  // Shutdown()

  DemoServer(const DemoServer&) = delete;
  DemoServer& operator=(const DemoServer&) = delete;

  // Binds and starts all three services. On error (e.g. a port in use) none is left
  // running and the status names the service and address.
  absl::Status Start();
  // Stops every running service; idempotent.
  void Shutdown();

  // Stops one service (its port closes, in-flight calls get shutdown_grace).
  absl::Status StopService(DemoService service);
  // Starts one service again on the port it was bound to (stopping it first if it is
  // running). FAILED_PRECONDITION before Start(); UNAVAILABLE if the port is taken.
  absl::Status RestartService(DemoService service);

  bool running(DemoService service) const;
  // The bound port (stays known while the service is stopped); 0 before Start().
  int port(DemoService service) const;
  // "host:port" with the bound port, e.g. "127.0.0.1:41234".
  std::string address(DemoService service) const;

  UserService& users() { return users_; }
  OrderService& orders() { return orders_; }
  CatalogService& catalog() { return catalog_; }
  // Verifies the gateway's identity tokens for every service of this server (the
  // users service's WhoAmI uses it); its key source can be changed at any time.
  IdentityVerifier& identity_verifier() { return identity_verifier_; }
  ServiceControls& controls(DemoService service);
  const ServiceControls& controls(DemoService service) const;
  CallStats stats(DemoService service) const { return controls(service).stats(); }

 private:
  struct Host {
    grpc::Service* service = nullptr;
    std::string requested_address;
    std::string host;  // the host part of requested_address
    int port = 0;
    std::unique_ptr<grpc::Server> server;
  };

  absl::Status StartLocked(Host& host, const std::string& address)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void StopLocked(Host& host) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const DemoServerOptions options_;
  IdentityVerifier identity_verifier_;  // before the services that point at it
  UserService users_;
  OrderService orders_;
  CatalogService catalog_;

  mutable absl::Mutex mu_;
  std::array<Host, 3> hosts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace protogate::demo_services
