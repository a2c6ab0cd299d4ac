#include "support/gateway_under_test.h"

#include <chrono>

#include "gtest/gtest.h"

namespace protogate::test {

config::GatewayConfig DemoGatewayConfig(const DemoBackend& backend) {
  config::GatewayConfig config;
  config.source_path = "e2e-test-config";
  config.listen_host = "127.0.0.1";
  config.listen_port = 0;
  config.threads = 2;
  config.descriptors = PROTOGATE_DEMO_DESCRIPTORS;
  config.access_log = false;
  config.log_level = "warn";
  // The first check also dials the auth service; under a sanitizer on a busy
  // machine that can take longer than the 200 ms default, and a 503 there
  // would be the machine's speed, not the behaviour under test.
  config.auth.external.timeout = std::chrono::seconds(10);
  config.upstreams = {
      {.service = "demo.users.v1.UserService",
       .addresses = {backend.users_address()},
       .method_timeouts = {}},
      {.service = "demo.orders.v1.OrderService",
       .addresses = {backend.orders_address()},
       .method_timeouts = {}},
      {.service = "demo.catalog.v1.CatalogService",
       .addresses = {backend.catalog_address()},
       .method_timeouts = {}},
  };
  return config;
}

GatewayUnderTest::GatewayUnderTest(std::function<void(config::GatewayConfig&)> adjust,
                                   gateway::GatewayServerOptions options)
    : backend_(std::make_unique<DemoBackend>()) {
  config_ = DemoGatewayConfig(*backend_);
  if (adjust) adjust(config_);
  auto gateway = gateway::GatewayServer::Create(config_, std::move(options));
  if (!gateway.ok()) {
    ADD_FAILURE() << "gateway: " << gateway.status();
    return;
  }
  gateway_ = *std::move(gateway);
  auto port = gateway_->Start();
  if (!port.ok()) {
    ADD_FAILURE() << "gateway start: " << port.status();
    return;
  }
  port_ = *port;
}

GatewayUnderTest::~GatewayUnderTest() {
  if (gateway_) gateway_->Shutdown();
}

HttpResponse GatewayUnderTest::Call(const HttpRequest& request) {
  auto client = HttpClient::Connect(port_);
  if (!client.ok()) {
    ADD_FAILURE() << "connect: " << client.status();
    return {};
  }
  auto response = (*client)->RoundTrip(request);
  if (!response.ok()) {
    ADD_FAILURE() << request.method << " " << request.target << ": " << response.status();
    return {};
  }
  return *std::move(response);
}

nlohmann::json GatewayUnderTest::Json(const HttpResponse& response) {
  nlohmann::json json = nlohmann::json::parse(response.body, nullptr, false);
  if (json.is_discarded()) {
    ADD_FAILURE() << "body is not JSON: " << response.body;
    return nullptr;
  }
  return json;
}

bool JsonContains(const nlohmann::json& actual, const nlohmann::json& expected,
                  std::string* where) {
  if (!expected.is_object()) {
    if (actual == expected) return true;
    *where = "expected " + expected.dump() + ", got " + actual.dump();
    return false;
  }
  if (!actual.is_object()) {
    *where = "expected an object, got " + actual.dump();
    return false;
  }
  for (const auto& [key, value] : expected.items()) {
    if (!actual.contains(key)) {
      *where = "missing key \"" + key + "\" in " + actual.dump();
      return false;
    }
    if (!JsonContains(actual[key], value, where)) {
      *where = key + ": " + *where;
      return false;
    }
  }
  return true;
}

}  // namespace protogate::test
