#pragma once

// A small leveled logger (Debian's Abseil has no absl/log). Lines go to
// stderr as "2026-11-26T13:00:00.123Z level message"; a background thread
// flushes them in batches so that request threads never wait on stderr.
//
// Every line is escaped here, on the one write path (observability/log_text.h):
// a message (kMessage) or an access line (kLine; its fields are quoted and
// escaped by access_log.h) can never hold a newline, a control byte or invalid
// UTF-8, whatever part of it a client sent.
//
// Bounded: at most max_pending_bytes (4 MiB by default) wait to be written.
// A line that does not fit is dropped and counted (dropped_lines()); the next
// flush writes the lines pending, then "logger: dropped N lines".
//
// Example:
//   Logger::Get().Log(LogLevel::kWarn, "reload refused: ", status.ToString());
//
// Thread-safety: every member may be called from any thread. Flush() writes
// everything logged before it was called (also used at shutdown).

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace protogate::observability {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// "debug", "info", "warn", "error"; anything else gives kInfo.
LogLevel ParseLogLevel(absl::string_view name);

class Logger {
 public:
  // Receives whole lines, each ending in '\n', in batches; called by one
  // thread at a time.
  using Sink = std::function<void(absl::string_view batch)>;

  static constexpr size_t kDefaultMaxPendingBytes = 4 * 1024 * 1024;

  struct Options {
    size_t max_pending_bytes = kDefaultMaxPendingBytes;
    Sink sink = nullptr;           // null: stderr
    bool background_flush = true;  // false: lines wait for Flush() (tests)
  };

  // The process's logger (stderr, defaults).
  static Logger& Get();

  explicit Logger(Options options);
  ~Logger();  // stops the background thread, then flushes
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  void set_level(LogLevel level) { level_.store(level, std::memory_order_relaxed); }
  bool Enabled(LogLevel level) const { return level >= level_.load(std::memory_order_relaxed); }

  template <typename... Args>
  void Log(LogLevel level, const Args&... args) {
    if (!Enabled(level)) return;
    Write(level, absl::StrCat(args...));
  }

  // An access-log line (formatted by access_log.h); written whatever the level.
  void Access(absl::string_view line);

  // Replaces where lines go (null: stderr again); tests capture the
  // process's log with it. The previous sink may still receive one batch.
  void set_sink(Sink sink);

  // Lines dropped because the pending buffer was full, since the start.
  uint64_t dropped_lines() const { return dropped_total_.load(std::memory_order_relaxed); }

  void Flush();

 private:
  void Write(LogLevel level, absl::string_view message);
  void Append(std::string line);
  void FlushLoop();

  const size_t max_pending_bytes_;
  std::atomic<LogLevel> level_{LogLevel::kInfo};
  std::atomic<uint64_t> dropped_total_{0};
  absl::Mutex write_mu_;  // held while a batch is written: Flush() waits for the one in progress
  absl::Mutex mu_;
  absl::CondVar cv_;
  std::string pending_ ABSL_GUARDED_BY(mu_);
  uint64_t dropped_since_flush_ ABSL_GUARDED_BY(mu_) = 0;
  Sink sink_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread flusher_;
};

#define PG_LOG(level, ...)                                                                   \
  ::protogate::observability::Logger::Get().Log(::protogate::observability::LogLevel::level, \
                                                __VA_ARGS__)

}  // namespace protogate::observability
