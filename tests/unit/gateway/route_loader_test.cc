#include "gateway/route_loader.h"

#include "google/protobuf/descriptor.pb.h"
#include "gtest/gtest.h"
#include "support/demo_registry.h"
#include "transcode/type_registry.h"

namespace protogate::gateway {
namespace {

class RouteLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    google::protobuf::FileDescriptorSet set;
    ASSERT_TRUE(set.ParseFromString(test::DemoDescriptorSetBytes()));
    for (const auto& file : set.file()) files_.push_back(file.name());
    registry_ = test::DemoRegistry();
    ASSERT_NE(registry_, nullptr);
  }

  std::vector<RouteSpec> Load() {
    auto specs = LoadRouteSpecs(registry_->pool(), files_);
    EXPECT_TRUE(specs.ok()) << specs.status();
    return specs.ok() ? *specs : std::vector<RouteSpec>{};
  }

  const RouteSpec* Find(const std::vector<RouteSpec>& specs, const std::string& method,
                        const std::string& tmpl) {
    for (const auto& spec : specs) {
      if (spec.http_method == method && spec.path_template == tmpl) return &spec;
    }
    return nullptr;
  }

  std::vector<std::string> files_;
  std::shared_ptr<const transcode::TypeRegistry> registry_;
};

TEST_F(RouteLoaderTest, ReadsEveryBindingIncludingAdditionalOnes) {
  std::vector<RouteSpec> specs = Load();
  const RouteSpec* primary = Find(specs, "GET", "/v1/orders/{order_id}");
  const RouteSpec* extra = Find(specs, "GET", "/v1/users/{user_id}/orders/{order_id}");
  ASSERT_NE(primary, nullptr);
  ASSERT_NE(extra, nullptr);
  EXPECT_EQ(primary->method->full_name(), "demo.orders.v1.OrderService.GetOrder");
  EXPECT_EQ(extra->method, primary->method);
}

TEST_F(RouteLoaderTest, KeepsBodyResponseBodyAndCustomKinds) {
  std::vector<RouteSpec> specs = Load();
  const RouteSpec* create = Find(specs, "POST", "/v1/users");
  ASSERT_NE(create, nullptr);
  EXPECT_EQ(create->body, "user");
  const RouteSpec* profile = Find(specs, "GET", "/v1/{name=users/*}/profile");
  ASSERT_NE(profile, nullptr);
  EXPECT_EQ(profile->response_body, "profile");
  const RouteSpec* purge = Find(specs, "PURGE", "/v1/orders/{order_id}");
  ASSERT_NE(purge, nullptr);
  EXPECT_EQ(purge->method->name(), "PurgeOrder");
}

TEST_F(RouteLoaderTest, NamesTheSourceLineOfEachRule) {
  std::vector<RouteSpec> specs = Load();
  const RouteSpec* get_user = Find(specs, "GET", "/v1/users/{user_id}");
  ASSERT_NE(get_user, nullptr);
  EXPECT_EQ(get_user->source.rfind("demo/users/v1/users.proto:", 0), 0u) << get_user->source;
  EXPECT_NE(
      get_user->Describe().find("demo.users.v1.UserService.GetUser (GET /v1/users/{user_id})"),
      std::string::npos);
}

TEST_F(RouteLoaderTest, IgnoresFilesNotInThePoolAndMethodsWithoutRules) {
  auto specs = LoadRouteSpecs(registry_->pool(), {"no/such.proto", "google/protobuf/empty.proto"});
  ASSERT_TRUE(specs.ok());
  EXPECT_TRUE(specs->empty());
}

}  // namespace
}  // namespace protogate::gateway
