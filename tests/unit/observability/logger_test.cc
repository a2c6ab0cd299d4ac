#include "observability/logger.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace protogate::observability {
namespace {

// A logger that writes only when the test flushes, into `out`.
std::unique_ptr<Logger> CapturingLogger(std::string* out, size_t max_pending = 1 << 20) {
  return std::make_unique<Logger>(
      Logger::Options{.max_pending_bytes = max_pending,
                      .sink = [out](absl::string_view batch) { absl::StrAppend(out, batch); },
                      .background_flush = false});
}

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

TEST(LoggerTest, LineHasTimeLevelAndMessage) {
  std::string out;
  auto logger = CapturingLogger(&out);
  logger->Log(LogLevel::kWarn, "reload refused: ", 3, " errors");
  logger->Flush();
  ASSERT_EQ(Lines(out).size(), 1u) << out;
  EXPECT_TRUE(absl::EndsWith(out, "Z warn reload refused: 3 errors\n")) << out;
}

TEST(LoggerTest, AClientCannotInjectALineOrInvalidUtf8IntoAMessage) {
  std::string out;
  auto logger = CapturingLogger(&out);
  logger->Log(LogLevel::kInfo, "auth: GET /x\n2026-01-01T00:00:00.000Z error forged \xff\\");
  logger->Flush();
  ASSERT_EQ(Lines(out).size(), 1u) << out;
  EXPECT_TRUE(absl::StrContains(out, "/x\\n2026-01-01T00:00:00.000Z error forged \\xff\\\\\n"))
      << out;
}

TEST(LoggerTest, AccessLinesAreKeptToOneLineToo) {
  std::string out;
  auto logger = CapturingLogger(&out);
  logger->Access("access path=\"/a\\\"b\" raw\nsecond");
  logger->Flush();
  EXPECT_EQ(out, "access path=\"/a\\\"b\" raw\\nsecond\n");
}

TEST(LoggerTest, LevelsBelowTheThresholdAreNotWritten) {
  std::string out;
  auto logger = CapturingLogger(&out);
  logger->set_level(LogLevel::kWarn);
  logger->Log(LogLevel::kInfo, "quiet");
  logger->Log(LogLevel::kError, "loud");
  logger->Flush();
  EXPECT_FALSE(absl::StrContains(out, "quiet"));
  EXPECT_TRUE(absl::StrContains(out, "loud"));
}

TEST(LoggerTest, PendingBytesAreBoundedAndDropsAreCountedAndReported) {
  std::string out;
  auto logger = CapturingLogger(&out, /*max_pending=*/1000);
  const std::string line(90, 'x');  // 91 bytes with the newline
  for (int i = 0; i < 25; ++i) logger->Access(line);
  EXPECT_EQ(logger->dropped_lines(), 15u);
  logger->Flush();
  std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 11u) << out;
  EXPECT_TRUE(absl::EndsWith(lines.back(), " warn logger: dropped 15 lines")) << lines.back();
  // Drained: lines fit again, and the report is not repeated.
  out.clear();
  logger->Access(line);
  logger->Flush();
  EXPECT_EQ(out, line + "\n");
  EXPECT_EQ(logger->dropped_lines(), 15u);
}

TEST(LoggerTest, TheProcessLoggerCanBeCaptured) {
  auto captured = std::make_shared<std::string>();
  Logger::Get().set_sink(
      [captured](absl::string_view batch) { absl::StrAppend(captured.get(), batch); });
  Logger::Get().Access("access probe");
  Logger::Get().Flush();
  Logger::Get().set_sink(nullptr);
  EXPECT_TRUE(absl::StrContains(*captured, "access probe\n")) << *captured;
}

}  // namespace
}  // namespace protogate::observability
