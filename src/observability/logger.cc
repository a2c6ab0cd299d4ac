#include "observability/logger.h"

#include <unistd.h>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "observability/log_text.h"

namespace protogate::observability {
namespace {

constexpr size_t kFlushBytes = 64 * 1024;
constexpr absl::Duration kFlushInterval = absl::Milliseconds(100);

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

void WriteAll(int fd, absl::string_view data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) return;  // stderr gone: nothing sensible left to do
    done += static_cast<size_t>(n);
  }
}

std::string FormatLine(LogLevel level, absl::string_view message) {
  std::string line =
      absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()), " ",
                   LevelName(level), " ");
  AppendLogEscaped(message, LogEscape::kMessage, line);
  line.push_back('\n');
  return line;
}

}  // namespace

LogLevel ParseLogLevel(absl::string_view name) {
  if (name == "debug") return LogLevel::kDebug;
  if (name == "warn") return LogLevel::kWarn;
  if (name == "error") return LogLevel::kError;
  return LogLevel::kInfo;
}

Logger& Logger::Get() {
  // Leaked on purpose: gRPC and event-loop threads may log during exit.
  static Logger* logger = new Logger(Options{});
  return *logger;
}

Logger::Logger(Options options)
    : max_pending_bytes_(options.max_pending_bytes), sink_(std::move(options.sink)) {
  if (options.background_flush) flusher_ = std::thread([this] { FlushLoop(); });
}

Logger::~Logger() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    cv_.Signal();
  }
  if (flusher_.joinable()) flusher_.join();
  Flush();
}

void Logger::Write(LogLevel level, absl::string_view message) {
  Append(FormatLine(level, message));
}

void Logger::Access(absl::string_view line) {
  std::string escaped;
  AppendLogEscaped(line, LogEscape::kLine, escaped);
  escaped.push_back('\n');
  Append(std::move(escaped));
}

void Logger::Append(std::string line) {
  absl::MutexLock lock(&mu_);
  if (pending_.size() + line.size() > max_pending_bytes_) {
    // Dropping beats growing without bound while stderr is slow or stuck.
    ++dropped_since_flush_;
    dropped_total_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  pending_.append(line);
  if (pending_.size() >= kFlushBytes) cv_.Signal();
}

void Logger::set_sink(Sink sink) {
  absl::MutexLock lock(&mu_);
  sink_ = std::move(sink);
}

void Logger::Flush() {
  absl::MutexLock write_lock(&write_mu_);
  std::string batch;
  uint64_t dropped = 0;
  Sink sink;
  {
    absl::MutexLock lock(&mu_);
    batch.swap(pending_);
    dropped = dropped_since_flush_;
    dropped_since_flush_ = 0;
    sink = sink_;
  }
  if (dropped > 0)
    batch += FormatLine(LogLevel::kWarn, absl::StrCat("logger: dropped ", dropped, " lines"));
  if (batch.empty()) return;
  if (sink) {
    sink(batch);
  } else {
    WriteAll(STDERR_FILENO, batch);
  }
}

void Logger::FlushLoop() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      cv_.WaitWithTimeout(&mu_, kFlushInterval);
      if (stopping_) return;
    }
    Flush();
  }
}

}  // namespace protogate::observability
