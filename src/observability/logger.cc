#include "observability/logger.h"

#include <unistd.h>

#include <chrono>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace protogate::observability {
namespace {

constexpr size_t kFlushBytes = 64 * 1024;

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

void WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) return;  // stderr gone: nothing sensible left to do
    done += static_cast<size_t>(n);
  }
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
  static Logger* logger = new Logger();
  return *logger;
}

Logger::Logger() : flusher_([this] { FlushLoop(); }) { flusher_.detach(); }

Logger::~Logger() = default;

void Logger::Write(LogLevel level, absl::string_view message) {
  Append(absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
                      " ", LevelName(level), " ", message, "\n"));
}

void Logger::Access(std::string line) {
  line.push_back('\n');
  Append(std::move(line));
}

void Logger::Append(std::string line) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_.append(line);
  if (pending_.size() >= kFlushBytes) cv_.notify_one();
}

void Logger::Flush() {
  std::string batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batch.swap(pending_);
  }
  WriteAll(STDERR_FILENO, batch);
}

void Logger::FlushLoop() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(100));
    }
    Flush();
  }
}

}  // namespace protogate::observability
