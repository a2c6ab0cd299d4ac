#pragma once

// Runs an http::Handler without sockets: TaskLoop stands in for one of the
// HTTP server's event loops (one thread running posted tasks in order), and
// RecordingWriter is the ResponseWriter of one request on it, which keeps
// what the handler answered.
//
// Example:
//   TaskLoop loop;
//   auto recorded = std::make_shared<Recorded>();
//   http::Responder respond(std::make_shared<RecordingWriter>(&loop, recorded));
//   loop.Post([&] { handler.Handle(std::move(request), std::move(respond)); });
//   ASSERT_TRUE(recorded->Wait(absl::Seconds(10)));
//   EXPECT_EQ(recorded->Response().status, 200);
//
// Thread-safety: Post and the RecordingWriter's methods from any thread.
// Header-only, so that fuzz targets use it without the test support library.

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "http/message.h"

namespace protogate::test {

class TaskLoop {
 public:
  TaskLoop() : thread_([this] { Run(); }) {}
  // Runs what was posted before, then stops; later posts are destroyed unrun.
  ~TaskLoop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  TaskLoop(const TaskLoop&) = delete;
  TaskLoop& operator=(const TaskLoop&) = delete;

  void Post(absl::AnyInvocable<void()> task) {
    std::unique_lock<std::mutex> lock(mu_);
    if (stopped_) {
      lock.unlock();
      return;  // destroyed here, outside the loop: as a stopped server does
    }
    tasks_.push_back(std::move(task));
    // Under the lock: the posted task may end the test, and the loop (this
    // condition variable with it) is destroyed once the lock is free.
    wake_.notify_one();
  }

  bool OnLoop() const { return std::this_thread::get_id() == thread_.get_id(); }
  std::thread::id thread_id() const { return thread_.get_id(); }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) break;
      absl::AnyInvocable<void()> task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      task();
      task = nullptr;  // what it holds goes on the loop, too
      lock.lock();
    }
    stopped_ = true;
  }

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<absl::AnyInvocable<void()>> tasks_;
  bool stopping_ = false;
  bool stopped_ = false;
  std::thread thread_;  // last: starts once the rest exists
};

// What a request was answered: one whole Response, or a head, chunks and a
// finish (kept as one Response whose body is the chunks joined). Outlives
// the writer, so that a dropped Responder shows.
struct Recorded {
  mutable absl::Mutex mu;
  int answers ABSL_GUARDED_BY(mu) = 0;
  bool dropped ABSL_GUARDED_BY(mu) = false;  // every Responder went, unanswered
  bool answered_on_loop ABSL_GUARDED_BY(mu) = false;
  bool aborted ABSL_GUARDED_BY(mu) = false;  // a streamed answer ended by Abort()
  // A WebSocket took the request over: its close is the answer, and may
  // come after the writer is gone.
  bool upgraded ABSL_GUARDED_BY(mu) = false;
  http::Response response ABSL_GUARDED_BY(mu);

  // True once answered or dropped; false after `timeout` without either.
  bool Wait(absl::Duration timeout) const {
    absl::MutexLock lock(&mu);
    auto settled = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu) { return answers > 0 || dropped; };
    return mu.AwaitWithTimeout(absl::Condition(&settled), timeout);
  }
  http::Response Response() const {
    absl::MutexLock lock(&mu);
    return response;
  }
};

class RecordingWriter : public http::ResponseWriter {
 public:
  RecordingWriter(TaskLoop* loop, std::shared_ptr<Recorded> recorded)
      : loop_(loop), recorded_(std::move(recorded)) {}
  ~RecordingWriter() override {
    absl::MutexLock lock(&recorded_->mu);
    recorded_->dropped = recorded_->answers == 0 && !recorded_->upgraded;
  }

  void Post(absl::AnyInvocable<void()> task) override { loop_->Post(std::move(task)); }
  // The loop has no clock: timed tasks (stream heartbeats) never run here.
  void PostAfter(absl::Duration, absl::AnyInvocable<void()>) override {}
  bool OnLoop() const override { return loop_->OnLoop(); }

  void Respond(http::Response response) override {
    absl::MutexLock lock(&recorded_->mu);
    if (++recorded_->answers > 1) return;
    recorded_->answered_on_loop = loop_->OnLoop();
    recorded_->response = std::move(response);
  }
  // No connection to upgrade here.
  std::shared_ptr<http::WebSocket> AcceptWebSocket(http::WebSocketOptions,
                                                   http::WebSocket::Handlers) override {
    return nullptr;
  }
  void WriteHead(int status, http::HeaderList headers) override {
    absl::MutexLock lock(&recorded_->mu);
    recorded_->response.status = status;
    recorded_->response.headers = std::move(headers);
  }
  void WriteChunk(std::string bytes, absl::AnyInvocable<void(bool)> written) override {
    {
      absl::MutexLock lock(&recorded_->mu);
      recorded_->response.body += bytes;
    }
    loop_->Post([written = std::move(written)]() mutable { written(true); });
  }
  void Finish(http::HeaderList trailers) override {
    absl::MutexLock lock(&recorded_->mu);
    if (++recorded_->answers > 1) return;
    recorded_->answered_on_loop = loop_->OnLoop();
    http::HeaderList& headers = recorded_->response.headers;
    headers.insert(headers.end(), trailers.begin(), trailers.end());
  }
  void Abort() override {
    absl::MutexLock lock(&recorded_->mu);
    if (++recorded_->answers > 1) return;
    recorded_->answered_on_loop = loop_->OnLoop();
    recorded_->aborted = true;
  }
  void OnCancel(absl::AnyInvocable<void()>) override {}
  bool cancelled() const override { return false; }
  // No server here to shut down.
  void OnShutdown(absl::AnyInvocable<void()>) override {}

 private:
  TaskLoop* const loop_;
  const std::shared_ptr<Recorded> recorded_;
};

}  // namespace protogate::test
