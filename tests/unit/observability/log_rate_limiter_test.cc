#include "observability/log_rate_limiter.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace protogate::observability {
namespace {

class FakeClock {
 public:
  absl::Time Now() const { return now_; }
  void Advance(absl::Duration d) { now_ += d; }
  LogRateLimiter::Clock AsClock() {
    return [this] { return now_; };
  }

 private:
  absl::Time now_ = absl::FromUnixSeconds(1000);
};

TEST(LogRateLimiterTest, AdmitsTheRateThenSuppressesAndCounts) {
  FakeClock clock;
  LogRateLimiter limiter(5, clock.AsClock());
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.Admit("auth").write) << i;
  for (int i = 0; i < 7; ++i) EXPECT_FALSE(limiter.Admit("auth").write) << i;
  clock.Advance(absl::Seconds(1));
  LogRateLimiter::Decision next = limiter.Admit("auth");
  EXPECT_TRUE(next.write);
  EXPECT_EQ(next.suppressed, 7u);
  EXPECT_EQ(limiter.Admit("auth").suppressed, 0u);  // reported once
}

TEST(LogRateLimiterTest, KindsHaveTheirOwnBuckets) {
  FakeClock clock;
  LogRateLimiter limiter(1, clock.AsClock());
  EXPECT_TRUE(limiter.Admit("auth").write);
  EXPECT_FALSE(limiter.Admit("auth").write);
  EXPECT_TRUE(limiter.Admit("http").write);
}

TEST(LogRateLimiterTest, RefillsAtTheRateUpToTheDepth) {
  FakeClock clock;
  LogRateLimiter limiter(4, clock.AsClock());
  for (int i = 0; i < 4; ++i) limiter.Admit("k");
  clock.Advance(absl::Milliseconds(500));  // two tokens
  EXPECT_TRUE(limiter.Admit("k").write);
  EXPECT_TRUE(limiter.Admit("k").write);
  EXPECT_FALSE(limiter.Admit("k").write);
  clock.Advance(absl::Hours(1));  // never more than the depth
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(limiter.Admit("k").write);
  EXPECT_FALSE(limiter.Admit("k").write);
}

TEST(LogRateLimiterTest, LogLimitedWritesASummaryBeforeTheNextLine) {
  FakeClock clock;
  LogRateLimiter limiter(2, clock.AsClock());
  std::string out;
  Logger logger(Logger::Options{.sink = [&out](absl::string_view b) { absl::StrAppend(&out, b); },
                                .background_flush = false});
  for (int i = 0; i < 100; ++i) {
    LogLimited(logger, limiter, "auth", LogLevel::kInfo, absl::StrCat("refused ", i));
  }
  clock.Advance(absl::Seconds(1));
  LogLimited(logger, limiter, "auth", LogLevel::kInfo, "refused again");
  logger.Flush();
  std::vector<std::string> lines = absl::StrSplit(out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 4u) << out;
  EXPECT_TRUE(absl::EndsWith(lines[0], "refused 0"));
  EXPECT_TRUE(absl::EndsWith(lines[1], "refused 1"));
  EXPECT_TRUE(absl::EndsWith(lines[2], "auth: suppressed 98 similar lines")) << lines[2];
  EXPECT_TRUE(absl::EndsWith(lines[3], "refused again"));
}

TEST(LogRateLimiterTest, DisabledLevelsTakeNoToken) {
  FakeClock clock;
  LogRateLimiter limiter(1, clock.AsClock());
  std::string out;
  Logger logger(Logger::Options{.sink = [&out](absl::string_view b) { absl::StrAppend(&out, b); },
                                .background_flush = false});
  logger.set_level(LogLevel::kError);
  LogLimited(logger, limiter, "auth", LogLevel::kInfo, "hidden");
  EXPECT_TRUE(limiter.Admit("auth").write);
}

}  // namespace
}  // namespace protogate::observability
