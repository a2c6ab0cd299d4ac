#include "observability/log_text.h"

#include <string>

#include "gtest/gtest.h"

namespace protogate::observability {
namespace {

TEST(LogTextTest, ControlBytesAreEscaped) {
  EXPECT_EQ(EscapeLogText("a\nb\rc\td", LogEscape::kMessage), "a\\nb\\rc\\td");
  EXPECT_EQ(EscapeLogText(std::string("x\0y\x1b[31m\x7f", 9), LogEscape::kMessage),
            "x\\x00y\\x1b[31m\\x7f");
}

TEST(LogTextTest, InvalidUtf8BecomesHexText) {
  EXPECT_EQ(EscapeLogText("\xff", LogEscape::kMessage), "\\xff");
  EXPECT_EQ(EscapeLogText("ok\xc3(", LogEscape::kMessage), "ok\\xc3(");              // truncated
  EXPECT_EQ(EscapeLogText("\xc0\xaf", LogEscape::kMessage), "\\xc0\\xaf");           // overlong
  EXPECT_EQ(EscapeLogText("\xed\xa0\x80", LogEscape::kMessage), "\\xed\\xa0\\x80");  // surrogate
  EXPECT_EQ(EscapeLogText("\xf4\x90\x80\x80", LogEscape::kMessage),
            "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
}

TEST(LogTextTest, ValidUtf8IsKeptButLineBreakingCodePointsAreNot) {
  EXPECT_EQ(EscapeLogText("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", LogEscape::kMessage),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(EscapeLogText("a\xc2\x85"
                          "b\xe2\x80\xa8",
                          LogEscape::kMessage),
            "a\\xc2\\x85b\\xe2\\x80\\xa8");  // NEL, LINE SEPARATOR
}

TEST(LogTextTest, BackslashAndQuoteDependOnTheMode) {
  EXPECT_EQ(EscapeLogText(R"(a\n"b")", LogEscape::kLine), R"(a\n"b")");
  EXPECT_EQ(EscapeLogText(R"(a\n"b")", LogEscape::kMessage), R"(a\\n"b")");
  EXPECT_EQ(EscapeLogText(R"(a\n"b")", LogEscape::kQuoted), R"(a\\n\"b\")");
}

TEST(LogTextTest, EscapingAnEscapedLineForTheLineAgainChangesNothing) {
  const std::string once = EscapeLogText("a\n\xff\"\\", LogEscape::kQuoted);
  EXPECT_EQ(EscapeLogText(once, LogEscape::kLine), once);
}

}  // namespace
}  // namespace protogate::observability
