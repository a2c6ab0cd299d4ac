#pragma once

// Unary gRPC calls over a generic stub with byte buffers, on gRPC's
// asynchronous API: no thread waits for them. CallQueues makes them: calls
// complete on a few completion queues, each drained by one thread of its own
// (one per two CPUs the process may use; a single one on a one-CPU gateway).
// The server owns one CallQueues (gateway/server_resources.h) and stops it
// at exit, after its last call.
//
// Example:
//   upstream::CallQueues calls;
//   calls.Call(channels.StubFor("demo.users.v1.UserService"),
//              {.method_path = "/demo.users.v1.UserService/GetUser",
//               .request = bytes, .metadata = {{"x-request-id", "abc"}},
//               .deadline = absl::Now() + absl::Seconds(5)},
//              [](UnaryCallResult r) { ... });   // runs on a completion thread
//   calls.Shutdown();   // waits for the calls in flight, joins the threads

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/completion_queue.h"
#include "grpcpp/generic/generic_stub.h"
#include "upstream/unary_caller.h"

namespace protogate::upstream {

// The completion queues of unary calls and their threads, as a UnaryCaller.
//
// Call: `done` is called exactly once, on a completion thread; it must not
// block, as other calls complete on the same thread. `stub` is held until the
// call completes. Answered inline with UNAVAILABLE, without a call: a null
// `stub`, and any call once Shutdown has begun.
//
// Thread-safety: Call from any thread, but not racing Shutdown (the server
// stops its requests first); construction, Shutdown and destruction on one
// controlling thread, never on a completion thread.
class CallQueues : public UnaryCaller {
 public:
  // Starts the threads: one per two CPUs this process may run on, 1 to 16.
  CallQueues();
  // Shutdown().
  ~CallQueues();

  CallQueues(const CallQueues&) = delete;
  CallQueues& operator=(const CallQueues&) = delete;

  void Call(std::shared_ptr<grpc::GenericStub> stub, UnaryCallRequest request,
            UnaryDone done) override;

  // Refuses new calls, shuts the queues down, and returns once every call in
  // flight has completed (each has its deadline) and the threads have ended.
  // Idempotent.
  void Shutdown();

  int thread_count() const { return static_cast<int>(queues_.size()); }

  // This object behind the UnaryCaller seam.
  UnaryCaller& caller() { return *this; }

 private:
  grpc::CompletionQueue* Next() {
    if (queues_.size() == 1) return queues_.front().get();
    return queues_[next_.fetch_add(1, std::memory_order_relaxed) % queues_.size()].get();
  }

  std::vector<std::unique_ptr<grpc::CompletionQueue>> queues_;
  std::vector<std::thread> threads_;
  std::atomic<uint64_t> next_{0};
  std::atomic<bool> stopped_{false};
};

}  // namespace protogate::upstream
