// The `reload:` and `admin_listen:` sections of the gateway config.

#include "config/gateway_config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace protogate::config {
namespace {

using ::testing::HasSubstr;

constexpr char kBase[] =
    "descriptors: d.pb\nupstreams:\n  - {service: a.B, addresses: [127.0.0.1:1]}\n";

absl::StatusOr<GatewayConfig> Parse(const std::string& extra) {
  return ParseGatewayConfig(std::string(kBase) + extra, "gw.yaml");
}

TEST(ReloadConfigTest, DefaultsWatchEverySecondAndNoAdminListener) {
  auto config = Parse("");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->reload.watch);
  EXPECT_EQ(config->reload.poll_interval, std::chrono::seconds(1));
  EXPECT_FALSE(config->admin.enabled);
}

TEST(ReloadConfigTest, ReadsWatchAndPollInterval) {
  auto config = Parse("reload: {watch: false, poll_interval: 250ms}\n");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->reload.watch);
  EXPECT_EQ(config->reload.poll_interval, std::chrono::milliseconds(250));
}

TEST(ReloadConfigTest, TooShortIntervalAndUnknownKeysAreErrorsWithPositions) {
  auto short_interval = Parse("reload:\n  poll_interval: 1ms\n");
  ASSERT_FALSE(short_interval.ok());
  EXPECT_THAT(short_interval.status().message(), HasSubstr("gw.yaml:5:18: reload.poll_interval"));
  auto unknown = Parse("reload: {watc: true}\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), HasSubstr("watc"));
}

TEST(ReloadConfigTest, ReadsTheAdminListener) {
  auto config = Parse("admin_listen: 127.0.0.1:9901\n");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->admin.enabled);
  EXPECT_EQ(config->admin.host, "127.0.0.1");
  EXPECT_EQ(config->admin.port, 9901);
  auto bad = Parse("admin_listen: nowhere\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("gw.yaml:4:15: admin_listen"));
}

}  // namespace
}  // namespace protogate::config
