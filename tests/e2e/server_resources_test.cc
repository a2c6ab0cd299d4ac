// The gateway's resources across reloads: a reload keeps the channels whose
// addresses it did not change (the same channel, its connections open) and
// releases the one it replaced once no request holds the old snapshot.

#include <memory>

#include "gateway/gateway_server.h"
#include "gtest/gtest.h"
#include "support/gateway_under_test.h"

namespace protogate {
namespace {

using test::GatewayUnderTest;

constexpr char kUsers[] = "demo.users.v1.UserService";
constexpr char kOrders[] = "demo.orders.v1.OrderService";

TEST(GatewayResourcesReloadTest, AReloadKeepsUnchangedChannelsAndReleasesTheReplacedOne) {
  GatewayUnderTest gw;
  ASSERT_EQ(gw.Call({.target = "/v1/users/1"}).status, 200);
  auto stub_of = [&](const char* service) {
    return gw.gateway().snapshot()->channels->StubFor(service);
  };
  const std::shared_ptr<grpc::GenericStub> users = stub_of(kUsers);
  const std::weak_ptr<grpc::GenericStub> orders = stub_of(kOrders);
  const gateway::ServerResources& resources = gw.gateway().resources();
  const int channels = resources.upstream_channels().live;

  config::GatewayConfig moved = gw.config();
  for (auto& upstream : moved.upstreams) {
    if (upstream.service == kOrders) upstream.addresses = {"127.0.0.1:1"};
  }
  ASSERT_TRUE(gw.gateway().Reload(moved).ok());
  EXPECT_EQ(stub_of(kUsers), users);
  EXPECT_NE(stub_of(kOrders), orders.lock());
  EXPECT_EQ(resources.upstream_channels().live, channels);
  // Released by a reload once the request that used the old snapshot has
  // let go of it (a bounded hang guard: each reload looks again).
  for (int i = 0; i < 100 && !orders.expired(); ++i) ASSERT_TRUE(gw.gateway().Reload(moved).ok());
  EXPECT_TRUE(orders.expired());
  EXPECT_EQ(resources.upstream_channels().retired, 0);
  EXPECT_EQ(gw.Call({.target = "/v1/users/1"}).status, 200);
  EXPECT_EQ(stub_of(kUsers), users);
}

}  // namespace
}  // namespace protogate
