#include "support/demo_backend.h"

#include <gtest/gtest.h>

namespace protogate::test {
namespace {

demo_services::DemoServerOptions LoopbackOptions() {
  demo_services::DemoServerOptions options;
  options.users_address = "127.0.0.1:0";
  options.orders_address = "127.0.0.1:0";
  options.catalog_address = "127.0.0.1:0";
  // Tests stop services with calls in flight on purpose; they should not wait long.
  options.shutdown_grace = absl::Milliseconds(100);
  return options;
}

}  // namespace

DemoBackend::DemoBackend() : server_(LoopbackOptions()), start_status_(server_.Start()) {
  // A constructor cannot ASSERT; the addresses of an unstarted backend end in ":0",
  // so the test's own calls fail fast too.
  EXPECT_TRUE(start_status_.ok()) << "demo services did not start: " << start_status_;
}

DemoBackend::~DemoBackend() { server_.Shutdown(); }

std::string DemoBackend::users_address() const { return address(DemoService::kUsers); }
std::string DemoBackend::orders_address() const { return address(DemoService::kOrders); }
std::string DemoBackend::catalog_address() const { return address(DemoService::kCatalog); }

std::string DemoBackend::address(DemoService service) const { return server_.address(service); }

CallStats DemoBackend::stats(DemoService service) const { return server_.stats(service); }

void DemoBackend::ResetStats() {
  for (DemoService service : demo_services::kAllDemoServices) {
    server_.controls(service).recorder().Reset();
  }
}

void DemoBackend::SetResponseDelay(DemoService service, absl::Duration delay) {
  server_.controls(service).set_response_delay(delay);
}

absl::Status DemoBackend::StopService(DemoService service) { return server_.StopService(service); }

absl::Status DemoBackend::RestartService(DemoService service) {
  return server_.RestartService(service);
}

absl::Status DemoBackend::SetGatewayJwks(const std::string& jwks_json) {
  return server_.identity_verifier().SetJwks(jwks_json);
}

void DemoBackend::SetGatewayJwksFile(const std::string& path) {
  server_.identity_verifier().SetJwksFile(path);
}

}  // namespace protogate::test
