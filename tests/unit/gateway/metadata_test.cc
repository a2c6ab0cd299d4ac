#include "gateway/metadata.h"

#include <set>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace protogate::gateway {
namespace {

const std::vector<std::string> kAllowList = {"authorization", "x-request-id", "traceparent",
                                             "tracestate"};

TEST(ForwardedMetadataTest, AllowListedHeadersPassUnderTheirOwnName) {
  http::HeaderList headers = {{"authorization", "Bearer t"},
                              {"traceparent", "00-ab-cd-01"},
                              {"accept", "application/json"},
                              {"cookie", "secret=1"}};
  upstream::Metadata metadata = *ForwardedMetadata(headers, kAllowList);
  upstream::Metadata expected = {{"authorization", "Bearer t"}, {"traceparent", "00-ab-cd-01"}};
  EXPECT_EQ(metadata, expected);
}

TEST(ForwardedMetadataTest, GrpcMetadataPrefixIsStripped) {
  http::HeaderList headers = {{"grpc-metadata-tenant", "acme"}, {"grpc-metadata-trace-bin", "x"}};
  upstream::Metadata metadata = *ForwardedMetadata(headers, kAllowList);
  upstream::Metadata expected = {{"tenant", "acme"}, {"trace-bin", "x"}};
  EXPECT_EQ(metadata, expected);
}

TEST(ForwardedMetadataTest, HopByHopHeadersAreNeverForwarded) {
  std::vector<std::string> allow = {
      "connection", "te",         "transfer-encoding",   "upgrade",
      "host",       "keep-alive", "proxy-authorization", "content-length",
      "trailer",    "x-ok"};
  http::HeaderList headers;
  for (const auto& name : allow) headers.emplace_back(name, "v");
  headers.emplace_back("grpc-metadata-connection", "close");
  headers.emplace_back("grpc-metadata-proxy-x", "1");
  upstream::Metadata metadata = *ForwardedMetadata(headers, allow);
  upstream::Metadata expected = {{"x-ok", "v"}};
  EXPECT_EQ(metadata, expected);
}

TEST(ForwardedMetadataTest, EmptyGrpcMetadataNameIsDropped) {
  http::HeaderList headers = {{"grpc-metadata-", "v"}};
  EXPECT_TRUE(ForwardedMetadata(headers, kAllowList)->empty());
}

TEST(ForwardedMetadataTest, NonAsciiValuesAreRefusedNamingTheHeader) {
  for (const std::string& value : {std::string("\xff\xfe", 2), std::string("caf\xc3\xa9"),
                                   std::string("a\x01b"), std::string("tab\there")}) {
    http::HeaderList headers = {{"grpc-metadata-tenant", value}};
    auto metadata = ForwardedMetadata(headers, kAllowList);
    ASSERT_FALSE(metadata.ok()) << value;
    EXPECT_EQ(metadata.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StrContains(metadata.status().message(), "header grpc-metadata-tenant"))
        << metadata.status();
  }
  http::HeaderList allowed = {{"traceparent", std::string("\x80", 1)}};
  EXPECT_FALSE(ForwardedMetadata(allowed, kAllowList).ok());
  // Headers that are not forwarded may hold anything.
  http::HeaderList ignored = {{"user-agent", std::string("\xff", 1)}};
  EXPECT_TRUE(ForwardedMetadata(ignored, kAllowList).ok());
}

TEST(ForwardedMetadataTest, BinaryKeysTakeAnyBytes) {
  http::HeaderList headers = {{"grpc-metadata-blob-bin", std::string("\x00\xff", 2)}};
  auto metadata = ForwardedMetadata(headers, kAllowList);
  ASSERT_TRUE(metadata.ok()) << metadata.status();
  EXPECT_EQ(metadata->at(0).second, std::string("\x00\xff", 2));
}

TEST(ForwardedMetadataTest, InvalidKeysAreRefusedAndGrpcKeysDropped) {
  http::HeaderList bad_key = {{"grpc-metadata-a!b", "v"}};
  EXPECT_EQ(ForwardedMetadata(bad_key, kAllowList).status().code(),
            absl::StatusCode::kInvalidArgument);
  http::HeaderList grpc_key = {{"grpc-metadata-grpc-timeout", "1S"}};
  EXPECT_TRUE(ForwardedMetadata(grpc_key, kAllowList)->empty());
}

TEST(RequestIdTest, OnlySafeIdsAreKept) {
  EXPECT_TRUE(IsSafeRequestId("3f2a-9c_1.2:x+y/z=@"));
  EXPECT_TRUE(IsSafeRequestId(std::string(128, 'a')));
  EXPECT_FALSE(IsSafeRequestId(std::string(129, 'a')));
  EXPECT_FALSE(IsSafeRequestId(""));
  EXPECT_FALSE(IsSafeRequestId(std::string("\xff\xfe", 2)));
  EXPECT_FALSE(IsSafeRequestId("a b"));
  EXPECT_FALSE(IsSafeRequestId("a\"b"));
  EXPECT_TRUE(IsSafeRequestId(NewRequestId()));
}

TEST(ResponseMetadataTest, BecomesGrpcMetadataHeadersWithBinaryValuesInBase64) {
  http::HeaderList headers;
  AppendResponseMetadata({{"x-echo", "yes"}, {"blob-bin", std::string("\x00\xff", 2)}}, headers);
  http::HeaderList expected = {{"Grpc-Metadata-x-echo", "yes"}, {"Grpc-Metadata-blob-bin", "AP8="}};
  EXPECT_EQ(headers, expected);
}

TEST(GrpcTimeoutTest, ParsesEveryUnit) {
  EXPECT_EQ(ParseGrpcTimeout("2H"), absl::Hours(2));
  EXPECT_EQ(ParseGrpcTimeout("3M"), absl::Minutes(3));
  EXPECT_EQ(ParseGrpcTimeout("5S"), absl::Seconds(5));
  EXPECT_EQ(ParseGrpcTimeout("100m"), absl::Milliseconds(100));
  EXPECT_EQ(ParseGrpcTimeout("7u"), absl::Microseconds(7));
  EXPECT_EQ(ParseGrpcTimeout("9n"), absl::Nanoseconds(9));
  EXPECT_EQ(ParseGrpcTimeout("99999999S"), absl::Seconds(99999999));
}

TEST(GrpcTimeoutTest, RefusesMalformedValues) {
  for (const char* bad : {"", "S", "10", "10s", "-1S", "+1S", "1.5S", "123456789S", "1 S", "1SS"}) {
    EXPECT_FALSE(ParseGrpcTimeout(bad).has_value()) << bad;
  }
}

TEST(RequestIdTest, IsThirtyTwoHexCharactersAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string id = NewRequestId();
    ASSERT_EQ(id.size(), 32u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 100u);
}

}  // namespace
}  // namespace protogate::gateway
