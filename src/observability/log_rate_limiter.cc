#include "observability/log_rate_limiter.h"

#include <algorithm>

namespace protogate::observability {

LogRateLimiter::LogRateLimiter(int lines_per_second, Clock clock)
    : rate_(std::max(1, lines_per_second)), clock_(std::move(clock)) {}

LogRateLimiter::Decision LogRateLimiter::Admit(absl::string_view kind) {
  const absl::Time now = clock_();
  absl::MutexLock lock(&mu_);
  auto it = buckets_.find(kind);
  const bool inserted = it == buckets_.end();
  if (inserted) it = buckets_.emplace(std::string(kind), Bucket{}).first;
  Bucket& bucket = it->second;
  if (inserted) {
    bucket.tokens = rate_;
  } else {
    const double elapsed = std::max(0.0, absl::ToDoubleSeconds(now - bucket.refilled));
    bucket.tokens = std::min(rate_, bucket.tokens + elapsed * rate_);
  }
  bucket.refilled = now;
  if (bucket.tokens < 1) {
    ++bucket.suppressed;
    return {};
  }
  bucket.tokens -= 1;
  Decision decision{.write = true, .suppressed = bucket.suppressed};
  bucket.suppressed = 0;
  return decision;
}

LogRateLimiter& RefusalLogLimiter() {
  static LogRateLimiter* limiter = new LogRateLimiter();
  return *limiter;
}

void LogLimited(Logger& logger, LogRateLimiter& limiter, absl::string_view kind, LogLevel level,
                absl::string_view message) {
  if (!logger.Enabled(level)) return;
  const LogRateLimiter::Decision decision = limiter.Admit(kind);
  if (!decision.write) return;
  if (decision.suppressed > 0) {
    logger.Log(level, kind, ": suppressed ", decision.suppressed, " similar lines");
  }
  logger.Log(level, message);
}

}  // namespace protogate::observability
