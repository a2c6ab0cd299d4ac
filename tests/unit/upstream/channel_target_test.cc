#include "upstream/channel_target.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace protogate::upstream {
namespace {

using ::testing::HasSubstr;

std::string TargetOf(const std::vector<std::string>& addresses) {
  auto target = ChannelTarget(addresses);
  EXPECT_TRUE(target.ok()) << target.status();
  return target.ok() ? *target : "";
}

std::string ErrorOf(const std::vector<std::string>& addresses) {
  auto target = ChannelTarget(addresses);
  EXPECT_FALSE(target.ok()) << *target;
  EXPECT_EQ(target.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(target.status().message());
}

TEST(ChannelTargetTest, Ipv4LiteralsShareOneIpv4Target) {
  EXPECT_EQ(TargetOf({"127.0.0.1:50051"}), "ipv4:127.0.0.1:50051");
  EXPECT_EQ(TargetOf({"10.0.0.1:1", "10.0.0.2:2"}), "ipv4:10.0.0.1:1,10.0.0.2:2");
}

TEST(ChannelTargetTest, Ipv6LiteralsShareOneIpv6Target) {
  EXPECT_EQ(TargetOf({"[::1]:50051"}), "ipv6:[::1]:50051");
  EXPECT_EQ(TargetOf({"[::1]:1", "[fd00::20]:2"}), "ipv6:[::1]:1,[fd00::20]:2");
}

TEST(ChannelTargetTest, HostNameGoesThroughTheDnsResolver) {
  EXPECT_EQ(TargetOf({"localhost:50051"}), "dns:///localhost:50051");
  EXPECT_EQ(TargetOf({"users.internal.example:443"}), "dns:///users.internal.example:443");
  // Looks numeric but is no IPv4 literal: only DNS can say what it means.
  EXPECT_EQ(TargetOf({"1.2.3:80"}), "dns:///1.2.3:80");
}

TEST(ChannelTargetTest, SeveralHostNamesAreRefused) {
  std::string error = ErrorOf({"a.example:1", "b.example:1"});
  EXPECT_THAT(error, HasSubstr("\"a.example:1\""));
  EXPECT_THAT(error, HasSubstr("one host name"));
}

TEST(ChannelTargetTest, HostNameBesideLiteralsIsRefused) {
  EXPECT_THAT(ErrorOf({"127.0.0.1:1", "localhost:2"}), HasSubstr("\"localhost:2\""));
}

TEST(ChannelTargetTest, MixedIpFamiliesAreRefused) {
  std::string error = ErrorOf({"127.0.0.1:1", "[::1]:2"});
  EXPECT_THAT(error, HasSubstr("IPv4 and IPv6"));
}

TEST(ChannelTargetTest, MalformedAddressesAreRefused) {
  EXPECT_THAT(ErrorOf({}), HasSubstr("no address"));
  EXPECT_THAT(ErrorOf({"127.0.0.1"}), HasSubstr("host:port"));
  EXPECT_THAT(ErrorOf({"::1:80"}), HasSubstr("brackets"));
  EXPECT_THAT(ErrorOf({"[::1]"}), HasSubstr("host:port"));
  EXPECT_THAT(ErrorOf({"[nope]:80"}), HasSubstr("IPv6"));
  EXPECT_THAT(ErrorOf({"localhost:0"}), HasSubstr("port"));
  EXPECT_THAT(ErrorOf({"localhost:99999"}), HasSubstr("port"));
  EXPECT_THAT(ErrorOf({":80"}), HasSubstr("host"));
}

}  // namespace
}  // namespace protogate::upstream
