// descriptor_source: reflection end to end: the demo services binary (which
// enables gRPC server reflection) as a child process, the real gateway
// in-process, real HTTP over loopback.
//
// The services run out of process because the reflection plugin's library and
// the gateway's reflection client register the same protos; one binary cannot
// hold both. The in-process DemoBackend of GatewayUnderTest is, for the same
// reason, a real gRPC server without reflection.

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "support/gateway_under_test.h"
#include "support/process.h"

namespace protogate::test {
namespace {

constexpr char kUsers[] = "demo.users.v1.UserService";
constexpr char kOrders[] = "demo.orders.v1.OrderService";
constexpr char kCatalog[] = "demo.catalog.v1.CatalogService";

std::string Loopback(int port) { return absl::StrCat("127.0.0.1:", port); }

// Bounded readiness wait: gRPC reports when a connection is up.
bool WaitUntilListening(const std::string& address) {
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  return channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(20));
}

class ReflectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           absl::StrCat("protogate-e2e-", getpid(), "-",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    users_ = Loopback(FreeLoopbackPort());
    orders_ = Loopback(FreeLoopbackPort());
    catalog_ = Loopback(FreeLoopbackPort());
    services_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{PROTOGATE_DEMO_BINARY, "--users=" + users_, "--orders=" + orders_,
                                 "--catalog=" + catalog_},
        (dir_ / "services.log").string());
    for (const std::string& address : {users_, orders_, catalog_}) {
      ASSERT_TRUE(WaitUntilListening(address))
          << address << ": " << ReadWholeFile((dir_ / "services.log").string());
    }
  }

  void TearDown() override {
    services_.reset();
    std::filesystem::remove_all(dir_);
  }

  // The demo config, its upstreams on the child's services, descriptors by
  // reflection and no descriptor set file at all.
  void UseReflection(config::GatewayConfig& config) const {
    config.descriptor_source = config::DescriptorSource::kReflection;
    config.descriptors.clear();
    config.upstreams = {{.service = kUsers, .addresses = {users_}, .method_timeouts = {}},
                        {.service = kOrders, .addresses = {orders_}, .method_timeouts = {}},
                        {.service = kCatalog, .addresses = {catalog_}, .method_timeouts = {}}};
  }

  std::filesystem::path dir_;
  std::string users_, orders_, catalog_;
  std::unique_ptr<ChildProcess> services_;
};

config::UpstreamConfig* FindUpstream(config::GatewayConfig& config, const std::string& service) {
  for (auto& upstream : config.upstreams) {
    if (upstream.service == service) return &upstream;
  }
  return nullptr;
}

TEST_F(ReflectionTest, RoutesComeFromTheServicesWithoutADescriptorSet) {
  GatewayUnderTest gw([this](config::GatewayConfig& config) { UseReflection(config); });
  ASSERT_NE(gw.port(), 0);

  HttpResponse user = gw.Call({.target = "/v1/users/1"});
  ASSERT_EQ(user.status, 200) << user.body;
  EXPECT_EQ(gw.Json(user)["email"], "ada@example.com");

  HttpResponse order = gw.Call({.target = "/v1/orders/o-1"});
  ASSERT_EQ(order.status, 200) << order.body;
  EXPECT_EQ(gw.Json(order)["orderId"], "o-1");
  EXPECT_EQ(gw.Json(order)["status"], "ORDER_STATUS_PLACED");

  HttpResponse product = gw.Call({.target = "/v1/products/p-1"});
  ASSERT_EQ(product.status, 200) << product.body;
  EXPECT_EQ(gw.Json(product)["title"], "The C++ Programming Language");

  // The in-process backend (same services, same routes) saw none of it.
  EXPECT_EQ(gw.backend().stats(DemoService::kUsers).total_calls, 0);
}

TEST_F(ReflectionTest, ServerWithoutReflectionIsNamedWithTheFix) {
  DemoBackend plain;  // real gRPC servers, built without the reflection plugin
  config::GatewayConfig config = DemoGatewayConfig(plain);
  UseReflection(config);
  FindUpstream(config, kOrders)->addresses = {plain.orders_address()};

  auto gateway = gateway::GatewayServer::Create(config);
  ASSERT_FALSE(gateway.ok());
  EXPECT_EQ(gateway.status().code(), absl::StatusCode::kUnimplemented) << gateway.status();
  const std::string message(gateway.status().message());
  EXPECT_TRUE(absl::StrContains(message,
                                absl::StrCat("upstream ", kOrders, " at ", plain.orders_address())))
      << message;
  EXPECT_TRUE(absl::StrContains(message,
                                absl::StrCat("enable server reflection on ", plain.orders_address(),
                                             " or use descriptor_source: file")))
      << message;
  EXPECT_TRUE(absl::StrContains(message, "list_services failed: UNIMPLEMENTED")) << message;
}

TEST_F(ReflectionTest, AddressWhereNothingListensIsNamed) {
  const std::string nowhere = Loopback(FreeLoopbackPort());
  config::GatewayConfig config;
  config.source_path = "e2e-test-config";
  UseReflection(config);
  FindUpstream(config, kCatalog)->addresses = {nowhere};

  auto gateway = gateway::GatewayServer::Create(config);
  ASSERT_FALSE(gateway.ok());
  EXPECT_EQ(gateway.status().code(), absl::StatusCode::kUnavailable) << gateway.status();
  EXPECT_TRUE(absl::StrContains(gateway.status().message(),
                                absl::StrCat("upstream ", kCatalog, " at ", nowhere)))
      << gateway.status();
}

TEST_F(ReflectionTest, ServiceTheServerDoesNotExposeIsNamed) {
  config::GatewayConfig config;
  config.source_path = "e2e-test-config";
  UseReflection(config);
  FindUpstream(config, kUsers)->addresses = {orders_};  // a server of another service

  auto gateway = gateway::GatewayServer::Create(config);
  ASSERT_FALSE(gateway.ok());
  EXPECT_EQ(gateway.status().code(), absl::StatusCode::kNotFound) << gateway.status();
  const std::string message(gateway.status().message());
  EXPECT_TRUE(absl::StrContains(message, absl::StrCat("upstream ", kUsers, " at ", orders_)))
      << message;
  EXPECT_TRUE(absl::StrContains(message, absl::StrCat("does not expose ", kUsers))) << message;
  EXPECT_TRUE(absl::StrContains(message, kOrders)) << message;  // what it does expose
}

TEST_F(ReflectionTest, ReloadFetchesAgainAndAFailedFetchKeepsServing) {
  GatewayUnderTest gw([this](config::GatewayConfig& config) { UseReflection(config); });
  ASSERT_NE(gw.port(), 0);
  const auto first = gw.gateway().snapshot();

  config::GatewayConfig good = gw.config();
  ASSERT_TRUE(gw.gateway().Reload(good).ok());
  EXPECT_NE(gw.gateway().snapshot(), first);  // a new snapshot from a new fetch
  EXPECT_EQ(gw.Call({.target = "/v1/users/1"}).status, 200);

  config::GatewayConfig bad = gw.config();
  FindUpstream(bad, kUsers)->addresses = {gw.backend().users_address()};  // no reflection
  const auto before = gw.gateway().snapshot();
  absl::Status reload = gw.gateway().Reload(bad);
  EXPECT_EQ(reload.code(), absl::StatusCode::kUnimplemented) << reload;
  EXPECT_EQ(gw.gateway().snapshot(), before);
  HttpResponse user = gw.Call({.target = "/v1/users/1"});
  ASSERT_EQ(user.status, 200) << user.body;
  EXPECT_EQ(gw.Json(user)["email"], "ada@example.com");
}

}  // namespace
}  // namespace protogate::test
