// End to end: HTTP/1.1 behaviour of the gateway in front of real services —
// keep-alive, pipelining, limits, health endpoints — all answered in the one
// JSON error model.

#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "support/gateway_under_test.h"

namespace protogate::test {
namespace {

TEST(GatewayHttpTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  GatewayUnderTest gw;
  auto client = HttpClient::Connect(gw.port());
  ASSERT_TRUE(client.ok());
  for (const char* id : {"1", "2", "3"}) {
    auto response = (*client)->RoundTrip({.target = std::string("/v1/users/") + id});
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(GatewayUnderTest::Json(*response)["userId"], id);
  }
}

TEST(GatewayHttpTest, PipelinedRequestsAreAnsweredInOrder) {
  GatewayUnderTest gw;
  auto client = HttpClient::Connect(gw.port());
  ASSERT_TRUE(client.ok());
  std::string batch;
  // The first call is the slowest, so an out-of-order server would answer it last.
  batch += (*client)->Serialize({.target = "/v1/sleep/200"});
  batch += (*client)->Serialize({.target = "/v1/users/2"});
  batch += (*client)->Serialize({.target = "/nope"});
  batch += (*client)->Serialize({.target = "/v1/users/3"});
  ASSERT_TRUE((*client)->SendRaw(batch).ok());
  auto first = (*client)->ReadResponse();
  auto second = (*client)->ReadResponse();
  auto third = (*client)->ReadResponse();
  auto fourth = (*client)->ReadResponse();
  ASSERT_TRUE(first.ok() && second.ok() && third.ok() && fourth.ok());
  EXPECT_EQ(first->status, 200);
  EXPECT_TRUE(GatewayUnderTest::Json(*first).contains("slept")) << first->body;
  EXPECT_EQ(GatewayUnderTest::Json(*second)["userId"], "2");
  EXPECT_EQ(third->status, 404);
  EXPECT_EQ(GatewayUnderTest::Json(*fourth)["userId"], "3");
}

TEST(GatewayHttpTest, OversizedBodyIs413WithJsonError) {
  GatewayUnderTest gw([](config::GatewayConfig& c) { c.limits.max_body_bytes = 1024; });
  HttpResponse response =
      gw.Call({.method = "POST", .target = "/v1/echo", .body = std::string(4096, ' ')});
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(GatewayUnderTest::Json(response)["code"], 8);
}

TEST(GatewayHttpTest, OversizedHeadersAre431WithJsonError) {
  GatewayUnderTest gw([](config::GatewayConfig& c) { c.limits.max_header_bytes = 2048; });
  HttpResponse response =
      gw.Call({.target = "/v1/users/1", .headers = {{"X-Big", std::string(8192, 'a')}}});
  EXPECT_EQ(response.status, 431);
  EXPECT_EQ(GatewayUnderTest::Json(response)["code"], 8);
}

TEST(GatewayHttpTest, MalformedRequestIs400AndCloses) {
  GatewayUnderTest gw;
  auto client = HttpClient::Connect(gw.port());
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->SendRaw("GET /v1/users/1 HTTP/1.1\r\nHost x\r\n\r\n").ok());
  auto response = (*client)->ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(GatewayUnderTest::Json(*response)["code"], 3);
  EXPECT_TRUE((*client)->WaitForClose().ok());
}

TEST(GatewayHttpTest, SlowRequestIs408) {
  GatewayUnderTest gw(
      [](config::GatewayConfig& c) { c.limits.read_timeout = std::chrono::milliseconds(200); });
  auto client = HttpClient::Connect(gw.port());
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(
      (*client)->SendRaw("POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{").ok());
  auto response = (*client)->ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 408);
  EXPECT_EQ(GatewayUnderTest::Json(*response)["code"], 4);
}

TEST(GatewayHttpTest, HeadIsServedByTheGetRouteWithoutABody) {
  GatewayUnderTest gw;
  auto client = HttpClient::Connect(gw.port());
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->Send({.method = "HEAD", .target = "/v1/users/1"}).ok());
  auto response = (*client)->ReadResponse(/*head_request=*/true);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(response->body.empty());
  EXPECT_NE(response->Header("Content-Length"), "0");
}

TEST(GatewayHttpTest, HealthAndReadiness) {
  GatewayUnderTest gw;
  HttpResponse health = gw.Call({.target = "/healthz"});
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(GatewayUnderTest::Json(health)["status"], "ok");
  HttpResponse ready = gw.Call({.target = "/readyz"});
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(GatewayUnderTest::Json(ready)["status"], "ready");
}

// The public listener says ready or not and nothing more; the admin
// listener names the routes, services and channel states.
TEST(GatewayHttpTest, ReadinessDetailsAreTheAdminListenersOnly) {
  GatewayUnderTest gw([](config::GatewayConfig& c) {
    c.admin = {.enabled = true, .host = "127.0.0.1", .port = 0};
  });
  HttpResponse ready = gw.Call({.target = "/readyz"});
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, R"({"status":"ready"})");
  EXPECT_EQ(ready.body.find("demo."), std::string::npos);

  auto admin = HttpClient::Connect(gw.gateway().admin_port());
  ASSERT_TRUE(admin.ok()) << admin.status();
  auto detailed = (*admin)->RoundTrip({.target = "/readyz"});
  ASSERT_TRUE(detailed.ok()) << detailed.status();
  EXPECT_EQ(detailed->status, 200);
  nlohmann::json body = GatewayUnderTest::Json(*detailed);
  EXPECT_EQ(body["status"], "ready");
  EXPECT_TRUE(body["upstreams"].contains("demo.users.v1.UserService")) << body;
  EXPECT_GT(body["routes"].get<int>(), 10);
}

TEST(GatewayShutdownTest, InFlightRequestFinishesBeforeShutdownReturns) {
  GatewayUnderTest gw;
  auto client = HttpClient::Connect(gw.port());
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->Send({.target = "/v1/sleep/300"}).ok());
  // In flight once the service has counted the call.
  for (int i = 0; i < 500 && gw.backend().stats(DemoService::kCatalog).in_flight == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(gw.backend().stats(DemoService::kCatalog).in_flight, 1);
  std::thread shutdown([&] { gw.gateway().Shutdown(); });
  auto response = (*client)->ReadResponse();
  shutdown.join();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(response->Header("Connection"), "close");
  // New connections are refused once it has stopped.
  EXPECT_FALSE(HttpClient::Connect(gw.port()).ok());
}

TEST(GatewayReloadTest, ReloadSwapsTheSnapshotAndABadOneIsRefused) {
  GatewayUnderTest gw;
  ASSERT_EQ(GatewayUnderTest::Json(gw.Call({.target = "/v1/users/1"}))["userId"], "1");

  config::GatewayConfig proto_names = gw.config();
  proto_names.transcoding.use_proto_field_names = true;
  ASSERT_TRUE(gw.gateway().Reload(proto_names).ok());
  EXPECT_EQ(GatewayUnderTest::Json(gw.Call({.target = "/v1/users/1"}))["user_id"], "1");

  config::GatewayConfig broken = proto_names;
  broken.descriptors = "/nonexistent/descriptors.pb";
  absl::Status status = gw.gateway().Reload(broken);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("/nonexistent/descriptors.pb"), std::string::npos) << status;
  // The previous snapshot keeps serving.
  EXPECT_EQ(GatewayUnderTest::Json(gw.Call({.target = "/v1/users/1"}))["user_id"], "1");
}

TEST(GatewayConfigTest, RoutedServiceWithoutUpstreamIsRefusedNamingIt) {
  DemoBackend backend;
  config::GatewayConfig config = DemoGatewayConfig(backend);
  config.upstreams.pop_back();  // no catalog upstream
  auto gateway = gateway::GatewayServer::Create(config);
  ASSERT_FALSE(gateway.ok());
  EXPECT_NE(gateway.status().message().find("demo.catalog.v1.CatalogService"), std::string::npos)
      << gateway.status();
}

TEST(GatewayConfigTest, UpstreamForUnknownServiceIsRefused) {
  DemoBackend backend;
  config::GatewayConfig config = DemoGatewayConfig(backend);
  config.upstreams.push_back(
      {.service = "demo.nope.v1.Missing", .addresses = {"127.0.0.1:1"}, .method_timeouts = {}});
  auto gateway = gateway::GatewayServer::Create(config);
  ASSERT_FALSE(gateway.ok());
  EXPECT_NE(gateway.status().message().find("demo.nope.v1.Missing"), std::string::npos);
}

}  // namespace
}  // namespace protogate::test
