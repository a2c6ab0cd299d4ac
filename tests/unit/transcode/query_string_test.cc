#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "transcode/request_transcoder.h"

namespace protogate::transcode {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs Parsed(absl::string_view raw) {
  auto pairs = ParseQueryString(raw);
  EXPECT_TRUE(pairs.ok()) << raw << ": " << pairs.status();
  return pairs.ok() ? *pairs : Pairs{};
}

TEST(QueryStringTest, Empty) {
  EXPECT_EQ(Parsed(""), Pairs{});
  EXPECT_EQ(Parsed("&&&"), Pairs{});
}

TEST(QueryStringTest, PairsInOrder) {
  EXPECT_EQ(Parsed("a=1&b=x&a=2"), (Pairs{{"a", "1"}, {"b", "x"}, {"a", "2"}}));
}

TEST(QueryStringTest, NameWithoutValue) {
  EXPECT_EQ(Parsed("flag&x="), (Pairs{{"flag", ""}, {"x", ""}}));
}

TEST(QueryStringTest, EmptyName) { EXPECT_EQ(Parsed("=v"), (Pairs{{"", "v"}})); }

TEST(QueryStringTest, OnlyTheFirstEqualsSplits) {
  EXPECT_EQ(Parsed("filter=a=b&c==d"), (Pairs{{"filter", "a=b"}, {"c", "=d"}}));
}

TEST(QueryStringTest, PlusIsSpace) {
  EXPECT_EQ(Parsed("q=red+shoes&a+b=c"), (Pairs{{"q", "red shoes"}, {"a b", "c"}}));
}

TEST(QueryStringTest, PercentDecoding) {
  EXPECT_EQ(Parsed("q=a%20b%2Bc%26d%3De&m%5Bk%5D=v"), (Pairs{{"q", "a b+c&d=e"}, {"m[k]", "v"}}));
  EXPECT_EQ(Parsed("x=%c3%A9"), (Pairs{{"x", "\xc3\xa9"}}));
  EXPECT_EQ(Parsed("x=%00"), (Pairs{{"x", std::string(1, '\0')}}));
  EXPECT_EQ(Parsed("x=%25"), (Pairs{{"x", "%"}}));
}

TEST(QueryStringTest, DecodedOnce) { EXPECT_EQ(Parsed("x=%2541"), (Pairs{{"x", "%41"}})); }

TEST(QueryStringTest, BracketsAndDotsKept) {
  EXPECT_EQ(Parsed("attributes[color]=red&price.min_cents=5"),
            (Pairs{{"attributes[color]", "red"}, {"price.min_cents", "5"}}));
}

TEST(QueryStringTest, MalformedEscapes) {
  for (const char* raw : {"x=%", "x=%4", "x=%G1", "x=%4g", "%=1", "a=1&b=%zz", "x=100%"}) {
    auto pairs = ParseQueryString(raw);
    ASSERT_FALSE(pairs.ok()) << raw;
    EXPECT_EQ(pairs.status().code(), absl::StatusCode::kInvalidArgument) << raw;
    EXPECT_NE(pairs.status().message().find("malformed percent escape"), std::string::npos)
        << pairs.status();
  }
}

TEST(QueryStringTest, MalformedEscapeIsQuoted) {
  auto pairs = ParseQueryString("x=%G1");
  ASSERT_FALSE(pairs.ok());
  EXPECT_EQ(pairs.status().message(), "malformed percent escape in query string: \"%G1\"");
}

TEST(QueryStringTest, FeedsTheTranscoderQuery) {
  auto pairs = ParseQueryString("page_size=10&roles=ROLE_ADMIN&roles=2");
  ASSERT_TRUE(pairs.ok());
  HttpRequestParts parts{.query = *pairs};
  EXPECT_EQ(parts.query.size(), 3u);
}

}  // namespace
}  // namespace protogate::transcode
