#include "auth/base64url.h"

#include "gtest/gtest.h"

namespace protogate::auth {
namespace {

TEST(Base64UrlTest, RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(bytes)), bytes);
    bytes.push_back(static_cast<char>(0xf0 + i));
  }
}

TEST(Base64UrlTest, EncodesUrlSafeWithoutPadding) {
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64UrlEncode("a"), "YQ");
}

TEST(Base64UrlTest, RefusesNonCanonicalText) {
  for (const char* text : {"YQ==", "YQ=", "Y", "Y Q", "YR", "+/8", "a\n"}) {
    EXPECT_FALSE(Base64UrlDecode(text).has_value()) << text;
  }
  EXPECT_FALSE(Base64UrlDecode(absl::string_view("YQ\0", 3)).has_value());
  EXPECT_TRUE(Base64UrlDecode("YQ").has_value());
  EXPECT_EQ(Base64UrlDecode(""), std::string());
}

}  // namespace
}  // namespace protogate::auth
