#pragma once

// The real gateway (GatewayServer, in-process) in front of the real demo
// services (DemoBackend), both on free loopback ports, plus helpers to talk
// to it over real HTTP.
//
// Example:
//   GatewayUnderTest gw;                         // serving once constructed
//   auto response = gw.Call({.target = "/v1/users/1"});
//   EXPECT_EQ(response.status, 200);
//   EXPECT_EQ(gw.Json(response)["email"], "ada@example.com");
//
// Threading: use from the test thread.

#include <functional>
#include <memory>
#include <string>

#include "config/gateway_config.h"
#include "gateway/gateway_server.h"
#include "nlohmann/json.hpp"
#include "support/demo_backend.h"
#include "support/http_client.h"

namespace protogate::test {

// A config pointing at `backend`, listening on 127.0.0.1:0 with two event
// loops, no access log.
config::GatewayConfig DemoGatewayConfig(const DemoBackend& backend);

class GatewayUnderTest {
 public:
  // `adjust` may change the config before the gateway starts.
  // `options` reach GatewayServer::Create (test hooks).
  explicit GatewayUnderTest(std::function<void(config::GatewayConfig&)> adjust = nullptr,
                            gateway::GatewayServerOptions options = {});
  ~GatewayUnderTest();

  int port() const { return port_; }
  DemoBackend& backend() { return *backend_; }
  gateway::GatewayServer& gateway() { return *gateway_; }
  const config::GatewayConfig& config() const { return config_; }

  // One request on a fresh connection; a transport failure fails the test
  // and gives status 0.
  HttpResponse Call(const HttpRequest& request);

  // The body as JSON; a body that is not JSON fails the test and gives null.
  static nlohmann::json Json(const HttpResponse& response);

 private:
  std::unique_ptr<DemoBackend> backend_;
  config::GatewayConfig config_;
  std::unique_ptr<gateway::GatewayServer> gateway_;
  int port_ = 0;
};

// True when every key of `expected` is in `actual` with an equal value,
// recursively for objects (arrays and scalars compare exactly); `where`
// receives the first difference.
bool JsonContains(const nlohmann::json& actual, const nlohmann::json& expected, std::string* where);

}  // namespace protogate::test
