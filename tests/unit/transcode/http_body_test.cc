#include "transcode/http_body.h"

#include <string>

#include "gtest/gtest.h"
#include "support/demo_registry.h"

namespace protogate::transcode {
namespace {

TEST(HttpBodyTest, WhatIsAppendedParsesBack) {
  std::string wire;
  AppendHttpBody("text/csv", std::string("a\0b", 3), &wire);
  auto body = ParseHttpBody(wire);
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(body->content_type, "text/csv");
  EXPECT_EQ(body->data, std::string("a\0b", 3));
  EXPECT_EQ(body->MediaType(), "text/csv");
}

TEST(HttpBodyTest, AnEmptyMessageIsAnEmptyBodyOfNoNamedType) {
  auto body = ParseHttpBody("");
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(body->data, "");
  EXPECT_EQ(body->MediaType(), "application/octet-stream");
}

TEST(HttpBodyTest, ExtensionsAreSkippedAndALaterFieldWins) {
  std::string wire;
  AppendHttpBody("text/plain", "first", &wire);
  wire += std::string("\x1a\x02\x0a\x00", 4);  // extensions: one (empty) Any
  AppendHttpBody("", "second", &wire);
  auto body = ParseHttpBody(wire);
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(body->content_type, "text/plain");
  EXPECT_EQ(body->data, "second");
}

TEST(HttpBodyTest, BytesThatAreNoHttpBodyAreAnInternalError) {
  EXPECT_EQ(ParseHttpBody("\x12\x05"
                          "ab")
                .status()
                .code(),
            absl::StatusCode::kInternal);                                             // cut
  EXPECT_EQ(ParseHttpBody("\x10\x01").status().code(), absl::StatusCode::kInternal);  // a varint
}

TEST(HttpBodyTest, TheTypeIsKnownByItsFullName) {
  EXPECT_TRUE(IsHttpBody(test::DemoRegistry()->FindMessage("google.api.HttpBody")));
  EXPECT_FALSE(IsHttpBody(test::DemoRegistry()->FindMessage("demo.orders.v1.Order")));
  EXPECT_FALSE(IsHttpBody(nullptr));
}

}  // namespace
}  // namespace protogate::transcode
