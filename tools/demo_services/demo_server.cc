#include "demo_services/demo_server.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"

namespace protogate::demo_services {
namespace {

size_t IndexOf(DemoService service) { return static_cast<size_t>(service); }

// "127.0.0.1:0" → "127.0.0.1"; "[::1]:0" → "[::1]".
std::string HostPart(absl::string_view address) {
  const size_t colon = address.rfind(':');
  return std::string(colon == absl::string_view::npos ? address : address.substr(0, colon));
}

}  // namespace

absl::string_view DemoServiceName(DemoService service) {
  switch (service) {
    case DemoService::kUsers:
      return "users";
    case DemoService::kOrders:
      return "orders";
    case DemoService::kCatalog:
      return "catalog";
  }
  return "unknown";
}

std::optional<DemoService> ParseDemoService(absl::string_view name) {
  for (DemoService service : kAllDemoServices) {
    if (DemoServiceName(service) == name) return service;
  }
  return std::nullopt;
}

DemoServer::DemoServer(DemoServerOptions options)
    : options_(std::move(options)), users_(&identity_verifier_) {
  if (!options_.gateway_jwks_file.empty()) {
    identity_verifier_.SetJwksFile(options_.gateway_jwks_file);
  }
  if (options_.log_masks) {
    users_.controls().set_mask_log("users");
    orders_.controls().set_mask_log("orders");
    catalog_.controls().set_mask_log("catalog");
  }
  absl::MutexLock lock(&mu_);
  hosts_[IndexOf(DemoService::kUsers)].service = &users_;
  hosts_[IndexOf(DemoService::kUsers)].requested_address = options_.users_address;
  hosts_[IndexOf(DemoService::kOrders)].service = &orders_;
  hosts_[IndexOf(DemoService::kOrders)].requested_address = options_.orders_address;
  hosts_[IndexOf(DemoService::kCatalog)].service = &catalog_;
  hosts_[IndexOf(DemoService::kCatalog)].requested_address = options_.catalog_address;
}

DemoServer::~DemoServer() { Shutdown(); }

absl::Status DemoServer::Start() {
  absl::MutexLock lock(&mu_);
  for (DemoService service : kAllDemoServices) {
    Host& host = hosts_[IndexOf(service)];
    if (host.server) continue;
    if (absl::Status status = StartLocked(host, host.requested_address); !status.ok()) {
      for (Host& started : hosts_) StopLocked(started);
      return absl::Status(status.code(),
                          absl::StrCat(DemoServiceName(service), ": ", status.message()));
    }
    host.host = HostPart(host.requested_address);
  }
  return absl::OkStatus();
}

void DemoServer::Shutdown() {
  absl::MutexLock lock(&mu_);
  for (Host& host : hosts_) StopLocked(host);
}

absl::Status DemoServer::StopService(DemoService service) {
  absl::MutexLock lock(&mu_);
  StopLocked(hosts_[IndexOf(service)]);
  return absl::OkStatus();
}

absl::Status DemoServer::RestartService(DemoService service) {
  absl::MutexLock lock(&mu_);
  Host& host = hosts_[IndexOf(service)];
  if (host.port == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(DemoServiceName(service), " was never started"));
  }
  StopLocked(host);
  const int port = host.port;
  absl::Status status = StartLocked(host, absl::StrCat(host.host, ":", port));
  host.port = port;  // keep the port known even if rebinding failed
  return status;
}

bool DemoServer::running(DemoService service) const {
  absl::MutexLock lock(&mu_);
  return hosts_[IndexOf(service)].server != nullptr;
}

int DemoServer::port(DemoService service) const {
  absl::MutexLock lock(&mu_);
  return hosts_[IndexOf(service)].port;
}

std::string DemoServer::address(DemoService service) const {
  absl::MutexLock lock(&mu_);
  const Host& host = hosts_[IndexOf(service)];
  return absl::StrCat(host.host, ":", host.port);
}

ServiceControls& DemoServer::controls(DemoService service) {
  switch (service) {
    case DemoService::kUsers:
      return users_.controls();
    case DemoService::kOrders:
      return orders_.controls();
    case DemoService::kCatalog:
      break;
  }
  return catalog_.controls();
}

const ServiceControls& DemoServer::controls(DemoService service) const {
  switch (service) {
    case DemoService::kUsers:
      return users_.controls();
    case DemoService::kOrders:
      return orders_.controls();
    case DemoService::kCatalog:
      break;
  }
  return catalog_.controls();
}

absl::Status DemoServer::StartLocked(Host& host, const std::string& address) {
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &port);
  // gRPC sets SO_REUSEPORT by default, which would let a stale second instance share
  // the port (and the traffic) silently; a taken port must be an error instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.RegisterService(host.service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    if (server != nullptr) server->Shutdown();
    return absl::UnavailableError(absl::StrCat("cannot listen on ", address));
  }
  host.server = std::move(server);
  host.port = port;
  return absl::OkStatus();
}

void DemoServer::StopLocked(Host& host) {
  if (!host.server) return;
  // Past the grace period gRPC cancels what is still in flight; a pending Sleep then
  // ends at once, so this never waits longer than the grace.
  host.server->Shutdown(absl::ToChronoTime(absl::Now() + options_.shutdown_grace));
  host.server->Wait();
  host.server.reset();
}

}  // namespace protogate::demo_services
