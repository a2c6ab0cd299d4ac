#include "routing/percent_encoding.h"

#include <string>

#include "gtest/gtest.h"

namespace protogate::routing {
namespace {

std::string Decoded(absl::string_view raw) {
  std::string out;
  AppendPercentDecoded(raw, &out);
  return out;
}

std::string PartiallyDecoded(absl::string_view raw) {
  std::string out;
  AppendPartiallyDecoded(raw, &out);
  return out;
}

TEST(PercentEncodingTest, ValidatesEscapes) {
  EXPECT_TRUE(IsValidPercentEncoding(""));
  EXPECT_TRUE(IsValidPercentEncoding("abc"));
  EXPECT_TRUE(IsValidPercentEncoding("%2F%2f%00%ff"));
  EXPECT_FALSE(IsValidPercentEncoding("%"));
  EXPECT_FALSE(IsValidPercentEncoding("a%2"));
  EXPECT_FALSE(IsValidPercentEncoding("%G1"));
  EXPECT_FALSE(IsValidPercentEncoding("%1G"));
  EXPECT_FALSE(IsValidPercentEncoding("%%41"));
}

TEST(PercentEncodingTest, DecodesEveryEscape) {
  EXPECT_EQ(Decoded("a%20b%2F%2f%25"), "a b//%");
  EXPECT_EQ(Decoded("%00"), std::string(1, '\0'));
  EXPECT_EQ(Decoded("%FF"), "\xFF");
}

TEST(PercentEncodingTest, PartialDecodingKeepsReservedEscapes) {
  EXPECT_EQ(PartiallyDecoded("a%2fb%20c%3A%41"), "a%2fb c%3AA");
  EXPECT_EQ(PartiallyDecoded("%2F%2f%3a%3A"), "%2F%2f%3a%3A");
  EXPECT_EQ(PartiallyDecoded("%25%7E"), "%~");
}

TEST(PercentEncodingTest, ClassifiesCharacters) {
  for (char c : std::string(":/?#[]@!$&'()*+,;=")) EXPECT_TRUE(IsReservedChar(c)) << c;
  for (char c : std::string("aZ09-._~%\" <>\\^`{|}")) EXPECT_FALSE(IsReservedChar(c)) << c;
  EXPECT_FALSE(IsReservedChar('\0'));
  for (char c : std::string("aZ09-._~!$&'()*+,;=:@")) EXPECT_TRUE(IsPathChar(c)) << c;
  for (char c : std::string("/?#[]%\" <>\\^`{|}")) EXPECT_FALSE(IsPathChar(c)) << c;
}

TEST(PercentEncodingTest, EncodesLiteralsForTheParser) {
  EXPECT_EQ(EncodeLiteral("a b/c%*", false), "a%20b%2Fc%25%2A");
  EXPECT_EQ(EncodeLiteral("a:b@c", false), "a:b@c");
  EXPECT_EQ(EncodeLiteral("a:b", true), "a%3Ab");
  EXPECT_EQ(EncodeLiteral(std::string("\0\xff", 2), false), "%00%FF");
}

}  // namespace
}  // namespace protogate::routing
