#pragma once

// Bounds log lines a client can cause at will (refusals: bad credentials,
// malformed requests, oversized headers): a token bucket per kind of line,
// `lines_per_second` deep and refilled at that rate. Lines over the rate are
// suppressed and counted; the next line of the kind that is written is
// preceded by "<kind>: suppressed N similar lines".
//
// Kinds are names fixed in the code ("auth", "http"), never client values.
//
// Example:
//   PG_LOG_LIMITED("auth", kInfo, "auth: ", method, " ", path, " refused: ", why);
//
// Thread-safety: every member may be called from any thread.

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "observability/logger.h"

namespace protogate::observability {

class LogRateLimiter {
 public:
  using Clock = std::function<absl::Time()>;

  static constexpr int kDefaultLinesPerSecond = 10;

  explicit LogRateLimiter(int lines_per_second = kDefaultLinesPerSecond, Clock clock = &absl::Now);

  struct Decision {
    bool write = false;
    uint64_t suppressed = 0;  // lines of the kind suppressed since the last one written
  };
  // Takes a token of `kind` if there is one.
  Decision Admit(absl::string_view kind);

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time refilled;
    uint64_t suppressed = 0;
  };

  const double rate_;
  const Clock clock_;
  absl::Mutex mu_;
  std::map<std::string, Bucket, std::less<>> buckets_ ABSL_GUARDED_BY(mu_);
};

// The process's limiter for refusal lines (kDefaultLinesPerSecond per kind).
LogRateLimiter& RefusalLogLimiter();

// Writes `message` at `level` to `logger` if `limiter` admits a line of
// `kind`, after the summary of the lines suppressed before it. Nothing is
// taken from the bucket when `level` is not enabled.
void LogLimited(Logger& logger, LogRateLimiter& limiter, absl::string_view kind, LogLevel level,
                absl::string_view message);

#define PG_LOG_LIMITED(kind, level, ...)                                                       \
  do {                                                                                         \
    ::protogate::observability::Logger& pg_logger = ::protogate::observability::Logger::Get(); \
    if (pg_logger.Enabled(::protogate::observability::LogLevel::level)) {                      \
      ::protogate::observability::LogLimited(                                                  \
          pg_logger, ::protogate::observability::RefusalLogLimiter(), kind,                    \
          ::protogate::observability::LogLevel::level, absl::StrCat(__VA_ARGS__));             \
    }                                                                                          \
  } while (false)

}  // namespace protogate::observability
