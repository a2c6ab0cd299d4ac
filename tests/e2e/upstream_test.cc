// End to end: gRPC statuses, error details, metadata both ways, deadlines,
// upstream failures and recovery, load balancing, every form of upstream address.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "demo_services/demo_server.h"
#include "gtest/gtest.h"
#include "support/gateway_under_test.h"

namespace protogate::test {
namespace {

HttpRequest Fail(int code, const std::string& bad_field = "") {
  nlohmann::json body = {{"code", code}, {"message", "failure " + std::to_string(code)}};
  if (!bad_field.empty()) body["badField"] = bad_field;
  return {.method = "POST", .target = "/v1/fail", .body = body.dump()};
}

TEST(StatusMappingTest, EveryGrpcCodeMapsToTheStandardHttpStatus) {
  GatewayUnderTest gw;
  const std::vector<std::pair<int, int>> table = {
      {1, 499}, {2, 500},  {3, 400},  {4, 504},  {5, 404},  {6, 409},  {7, 403},  {8, 429},
      {9, 400}, {10, 409}, {11, 400}, {12, 501}, {13, 500}, {14, 503}, {15, 500}, {16, 401}};
  for (const auto& [code, http_status] : table) {
    HttpResponse response = gw.Call(Fail(code));
    EXPECT_EQ(response.status, http_status) << "grpc code " << code;
    nlohmann::json body = GatewayUnderTest::Json(response);
    EXPECT_EQ(body["code"], code);
    EXPECT_EQ(body["message"], "failure " + std::to_string(code));
    EXPECT_TRUE(body["details"].is_array());
  }
}

TEST(StatusMappingTest, KnownDetailsAreRenderedAsJson) {
  GatewayUnderTest gw;
  HttpResponse response = gw.Call(Fail(3, "email"));
  ASSERT_EQ(response.status, 400);
  nlohmann::json details = GatewayUnderTest::Json(response)["details"];
  ASSERT_EQ(details.size(), 1u) << details;
  EXPECT_EQ(details[0]["@type"], "type.googleapis.com/google.rpc.BadRequest");
  EXPECT_EQ(details[0]["fieldViolations"][0]["field"], "email");
}

TEST(MetadataTest, AllowListedAndGrpcMetadataHeadersReachTheService) {
  GatewayUnderTest gw;
  HttpResponse response = gw.Call({.method = "POST",
                                   .target = "/v1/echo",
                                   .headers = {{"Authorization", "Bearer abc"},
                                               {"Traceparent", "00-0af7-b7ad-01"},
                                               {"Grpc-Metadata-Tenant", "acme"},
                                               {"Cookie", "session=secret"},
                                               {"X-Custom", "not-forwarded"},
                                               {"Connection", "keep-alive"}},
                                   .body = "{}"});
  ASSERT_EQ(response.status, 200) << response.body;
  nlohmann::json metadata = GatewayUnderTest::Json(response)["metadata"];
  EXPECT_EQ(metadata["authorization"], "Bearer abc");
  EXPECT_EQ(metadata["traceparent"], "00-0af7-b7ad-01");
  EXPECT_EQ(metadata["tenant"], "acme");
  EXPECT_FALSE(metadata.contains("cookie")) << metadata;
  EXPECT_FALSE(metadata.contains("x-custom")) << metadata;
  EXPECT_FALSE(metadata.contains("connection")) << metadata;
  EXPECT_FALSE(metadata.contains("host")) << metadata;
}

TEST(MetadataTest, RequestIdIsGeneratedForwardedAndReturned) {
  GatewayUnderTest gw;
  HttpResponse generated = gw.Call({.method = "POST", .target = "/v1/echo", .body = "{}"});
  std::string id(generated.Header("X-Request-Id"));
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(GatewayUnderTest::Json(generated)["metadata"]["x-request-id"], id);

  HttpResponse kept = gw.Call({.method = "POST",
                               .target = "/v1/echo",
                               .headers = {{"X-Request-Id", "req-42"}},
                               .body = "{}"});
  EXPECT_EQ(kept.Header("X-Request-Id"), "req-42");
  EXPECT_EQ(GatewayUnderTest::Json(kept)["metadata"]["x-request-id"], "req-42");
}

TEST(MetadataTest, ServiceHeadersAndTrailersComeBackAsGrpcMetadataHeaders) {
  GatewayUnderTest gw;
  HttpResponse response = gw.Call({.method = "POST", .target = "/v1/echo", .body = "{}"});
  EXPECT_EQ(response.Header("Grpc-Metadata-x-echo-initial"), "yes");
  EXPECT_EQ(response.Header("Grpc-Metadata-x-echo-trailer"), "done");
}

TEST(DeadlineTest, ConfiguredTimeoutExpiryIs504) {
  GatewayUnderTest gw([](config::GatewayConfig& c) {
    c.upstreams[2].method_timeouts["Sleep"] = std::chrono::milliseconds(100);
  });
  HttpResponse response = gw.Call({.target = "/v1/sleep/5000"});
  EXPECT_EQ(response.status, 504) << response.body;
  EXPECT_EQ(GatewayUnderTest::Json(response)["code"], 4);
}

TEST(DeadlineTest, GrpcTimeoutHeaderShortensTheDeadline) {
  GatewayUnderTest gw;  // the configured timeout (5 s) would let a 3 s sleep finish
  HttpResponse response =
      gw.Call({.target = "/v1/sleep/3000", .headers = {{"grpc-timeout", "50m"}}});
  EXPECT_EQ(response.status, 504) << response.body;
}

TEST(DeadlineTest, GrpcTimeoutHeaderNeverLengthensTheDeadline) {
  GatewayUnderTest gw([](config::GatewayConfig& c) {
    c.upstreams[2].method_timeouts["Sleep"] = std::chrono::milliseconds(100);
  });
  HttpResponse response =
      gw.Call({.target = "/v1/sleep/5000", .headers = {{"grpc-timeout", "60S"}}});
  EXPECT_EQ(response.status, 504) << response.body;
}

TEST(DeadlineTest, ShortSleepWithinTheDeadlineAnswers) {
  GatewayUnderTest gw;
  HttpResponse response = gw.Call({.target = "/v1/sleep/1", .headers = {{"grpc-timeout", "10S"}}});
  EXPECT_EQ(response.status, 200) << response.body;
}

TEST(DeadlineTest, MalformedGrpcTimeoutIs400) {
  GatewayUnderTest gw;
  HttpResponse response = gw.Call({.target = "/v1/sleep/1", .headers = {{"grpc-timeout", "soon"}}});
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(GatewayUnderTest::Json(response)["code"], 3);
}

TEST(UpstreamFailureTest, DownServiceIs503AndTheGatewayRecovers) {
  GatewayUnderTest gw;
  ASSERT_EQ(gw.Call({.target = "/v1/orders/o-1"}).status, 200);
  ASSERT_TRUE(gw.backend().StopService(DemoService::kOrders).ok());
  HttpResponse down = gw.Call({.target = "/v1/orders/o-1"});
  EXPECT_EQ(down.status, 503) << down.body;
  EXPECT_EQ(GatewayUnderTest::Json(down)["code"], 14);
  // The other services keep answering.
  EXPECT_EQ(gw.Call({.target = "/v1/users/1"}).status, 200);

  ASSERT_TRUE(gw.backend().RestartService(DemoService::kOrders).ok());
  // gRPC reconnects with a short backoff; poll a bounded number of times.
  int status = 0;
  for (int i = 0; i < 100 && status != 200; ++i) {
    status = gw.Call({.target = "/v1/orders/o-1"}).status;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(status, 200);
}

TEST(UpstreamFailureTest, ServiceStoppingMidCallGives5xxWithJsonBody) {
  GatewayUnderTest gw;
  std::thread stopper;
  HttpResponse response;
  {
    auto client = HttpClient::Connect(gw.port());
    ASSERT_TRUE(client.ok());
    ASSERT_TRUE((*client)->Send({.target = "/v1/sleep/3000"}).ok());
    // The call is in flight once the service has counted it.
    for (int i = 0; i < 200 && gw.backend().stats(DemoService::kCatalog).in_flight == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(gw.backend().StopService(DemoService::kCatalog).ok());
    auto answer = (*client)->ReadResponse();
    ASSERT_TRUE(answer.ok()) << answer.status();
    response = *answer;
  }
  EXPECT_TRUE(response.status == 502 || response.status == 503 || response.status == 499)
      << response.status << " " << response.body;
  EXPECT_TRUE(GatewayUnderTest::Json(response).contains("code"));
}

TEST(LoadBalancingTest, SeveralAddressesAreUsedRoundRobin) {
  DemoBackend second;
  GatewayUnderTest gw([&](config::GatewayConfig& c) {
    c.upstreams[0].addresses.push_back(second.users_address());
  });
  for (int i = 0; i < 20; ++i) ASSERT_EQ(gw.Call({.target = "/v1/users/1"}).status, 200);
  int first_calls = gw.backend().stats(DemoService::kUsers).total_calls;
  int second_calls = second.stats(DemoService::kUsers).total_calls;
  EXPECT_EQ(first_calls + second_calls, 20);
  EXPECT_GE(first_calls, 5);
  EXPECT_GE(second_calls, 5);
}

// Whether a socket can be bound to [::1] here (containers often have no IPv6).
bool Ipv6LoopbackAvailable() {
  int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return bound;
}

// The demo services on [::1], free ports.
std::unique_ptr<demo_services::DemoServer> StartOnIpv6Loopback() {
  demo_services::DemoServerOptions options;
  options.users_address = options.orders_address = options.catalog_address = "[::1]:0";
  auto server = std::make_unique<demo_services::DemoServer>(options);
  absl::Status started = server->Start();
  EXPECT_TRUE(started.ok()) << started;
  return started.ok() ? std::move(server) : nullptr;
}

std::string Ipv6UsersAddress(const demo_services::DemoServer& server) {
  return "[::1]:" + std::to_string(server.port(DemoService::kUsers));
}

TEST(UpstreamAddressTest, HostNameAddressIsResolvedAndCalled) {
  GatewayUnderTest gw([](config::GatewayConfig& c) {
    const std::string& address = c.upstreams[0].addresses[0];
    c.upstreams[0].addresses = {"localhost" + address.substr(address.rfind(':'))};
  });
  for (int i = 0; i < 4; ++i) {
    HttpResponse response = gw.Call({.target = "/v1/users/1"});
    EXPECT_EQ(response.status, 200) << response.body;
  }
  EXPECT_EQ(gw.backend().stats(DemoService::kUsers).total_calls, 4);
}

TEST(UpstreamAddressTest, Ipv6LiteralAddressIsCalled) {
  if (!Ipv6LoopbackAvailable()) GTEST_SKIP() << "no IPv6 loopback ([::1]) on this machine";
  auto server = StartOnIpv6Loopback();
  ASSERT_NE(server, nullptr);
  GatewayUnderTest gw(
      [&](config::GatewayConfig& c) { c.upstreams[0].addresses = {Ipv6UsersAddress(*server)}; });
  HttpResponse response = gw.Call({.target = "/v1/users/1"});
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(server->stats(DemoService::kUsers).total_calls, 1);
  EXPECT_EQ(gw.backend().stats(DemoService::kUsers).total_calls, 0);
}

TEST(UpstreamAddressTest, SeveralIpv6LiteralsAreUsedRoundRobin) {
  if (!Ipv6LoopbackAvailable()) GTEST_SKIP() << "no IPv6 loopback ([::1]) on this machine";
  auto first = StartOnIpv6Loopback();
  auto second = StartOnIpv6Loopback();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  GatewayUnderTest gw([&](config::GatewayConfig& c) {
    c.upstreams[0].addresses = {Ipv6UsersAddress(*first), Ipv6UsersAddress(*second)};
  });
  for (int i = 0; i < 20; ++i) {
    HttpResponse response = gw.Call({.target = "/v1/users/1"});
    ASSERT_EQ(response.status, 200) << response.body;
  }
  const int first_calls = first->stats(DemoService::kUsers).total_calls;
  const int second_calls = second->stats(DemoService::kUsers).total_calls;
  EXPECT_EQ(first_calls + second_calls, 20);
  EXPECT_GE(first_calls, 5);
  EXPECT_GE(second_calls, 5);
}

TEST(UpstreamAddressTest, AListTheGatewayCannotDialIsRefusedAtLoad) {
  DemoBackend backend;
  config::GatewayConfig config = DemoGatewayConfig(backend);
  config.upstreams[0].addresses = {"a.example:50051", "b.example:50051"};
  auto gateway = gateway::GatewayServer::Create(config);
  ASSERT_FALSE(gateway.ok());
  EXPECT_NE(gateway.status().message().find("demo.users.v1.UserService"), std::string::npos)
      << gateway.status();
  EXPECT_NE(gateway.status().message().find("one host name"), std::string::npos)
      << gateway.status();
}

}  // namespace
}  // namespace protogate::test
