#pragma once

// A small leveled logger (Debian's Abseil has no absl/log). Lines go to
// stderr as "2026-11-26T13:00:00.123Z level message"; a background thread
// flushes them in batches so that request threads never wait on stderr.
//
// Example:
//   Logger::Get().Log(LogLevel::kWarn, "reload refused: ", status.ToString());
//
// Thread-safe. Flush() writes everything pending (called at shutdown).

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace protogate::observability {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// "debug", "info", "warn", "error"; anything else gives kInfo.
LogLevel ParseLogLevel(absl::string_view name);

class Logger {
 public:
  static Logger& Get();

  void set_level(LogLevel level) { level_ = level; }
  bool Enabled(LogLevel level) const { return level >= level_; }

  template <typename... Args>
  void Log(LogLevel level, const Args&... args) {
    if (!Enabled(level)) return;
    Write(level, absl::StrCat(args...));
  }

  // An access-log line (already formatted); written whatever the level.
  void Access(std::string line);

  void Flush();

 private:
  Logger();
  ~Logger();
  void Write(LogLevel level, absl::string_view message);
  void Append(std::string line);
  void FlushLoop();

  LogLevel level_ = LogLevel::kInfo;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string pending_;
  std::thread flusher_;
};

#define PG_LOG(level, ...)                                                                   \
  ::protogate::observability::Logger::Get().Log(::protogate::observability::LogLevel::level, \
                                                __VA_ARGS__)

}  // namespace protogate::observability
