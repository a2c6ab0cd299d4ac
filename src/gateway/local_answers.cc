#include "gateway/local_answers.h"

#include "absl/time/time.h"
#include "observability/access_log.h"
#include "observability/log_rate_limiter.h"
#include "observability/logger.h"

namespace protogate::gateway {
namespace {

observability::LogRateLimiter& LocalAnswerLogLimiter() {
  static auto* limiter = new observability::LogRateLimiter(kLocalAnswerLogLinesPerSecond);
  return *limiter;
}

}  // namespace

void RecordLocalAnswer(const Snapshot& snapshot, const http::LocalAnswer& answer) {
  const absl::Duration elapsed = absl::FromChrono(answer.elapsed);
  snapshot.metrics->unrouted().RecordRequest(answer.method, answer.status, elapsed);
  if (!snapshot.config.access_log) return;
  const observability::LogRateLimiter::Decision decision = LocalAnswerLogLimiter().Admit("http");
  if (!decision.write) return;
  observability::Logger& logger = observability::Logger::Get();
  if (decision.suppressed > 0) {
    logger.Log(observability::LogLevel::kWarn, "http: suppressed ", decision.suppressed,
               " similar lines");
  }
  const absl::string_view target = answer.target;
  logger.Access(observability::FormatAccessLine({
      .method = answer.method,
      .path = target.substr(0, target.find('?')),
      .status = answer.status,
      .duration = elapsed,
      .remote = answer.remote_address,
  }));
}

}  // namespace protogate::gateway
