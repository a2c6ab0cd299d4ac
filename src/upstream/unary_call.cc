#include "upstream/unary_call.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/completion_queue.h"
#include "grpcpp/support/async_unary_call.h"
#include "grpcpp/support/byte_buffer.h"
#include "observability/logger.h"
#include "upstream/call_parts.h"

namespace protogate::upstream {
namespace {

// Owns everything the call needs alive until its completion.
struct CallState {
  std::shared_ptr<grpc::GenericStub> stub;
  grpc::ClientContext context;
  // After the context: destroyed first (it lives in the call the context owns).
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader;
  grpc::ByteBuffer response;
  grpc::Status status;
  std::function<void(UnaryCallResult)> done;
};

void Complete(CallState* state);
void CompleteGuarded(CallState* state) noexcept;

// Finish's completion is always ok: the outcome is in the status.
void Complete(CallState* state) {
  const grpc::Status& status = state->status;
  UnaryCallResult result;
  result.code = status.error_code();
  result.message = status.error_message();
  result.status_details = status.error_details();
  if (status.ok()) result.response = Flatten(state->response);
  result.initial_metadata = CopyMetadata(state->context.GetServerInitialMetadata());
  result.trailing_metadata = CopyMetadata(state->context.GetServerTrailingMetadata());
  auto done = std::move(state->done);
  delete state;
  done(std::move(result));
}

// The last resort for this thread: an exception from a completion must not
// end the process (callers guard their own requests; this keeps every other
// call on the queue completing).
void CompleteGuarded(CallState* state) noexcept {
  try {
    Complete(state);
  } catch (const std::exception& e) {
    PG_LOG(kError, "upstream: exception escaped a call completion: ", e.what());
  } catch (...) {
    PG_LOG(kError, "upstream: exception escaped a call completion");
  }
}

}  // namespace

namespace {

UnaryCallResult Refused(absl::string_view why) {
  UnaryCallResult result;
  result.code = static_cast<int>(grpc::StatusCode::UNAVAILABLE);
  result.message = std::string(why);
  return result;
}

// A completion should wait for the event loop to finish what it is doing
// rather than preempt it on wake-up (one switch there and one back, per
// call): SCHED_BATCH drops that wake-up preemption and lets completions pile
// up into batches. Best effort.
void Drain(grpc::CompletionQueue* cq) {
  pthread_setname_np(pthread_self(), "upstream-cq");
  sched_param param{};
  pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
  void* tag = nullptr;
  bool ok = false;
  while (cq->Next(&tag, &ok)) CompleteGuarded(static_cast<CallState*>(tag));
}

}  // namespace

// Calls complete on completion queues drained by threads of our own, rather
// than on the callback API's pollers: gRPC 1.51 runs those as at least two
// threads that hand polling to each other on every wake-up, which measured
// as about one extra context switch per request on a one-CPU gateway. One
// queue and thread per two CPUs keeps a small gateway at a single poller,
// with nobody to hand off to, while a larger one spreads the completion work
// (response transcoding) over several threads.
CallQueues::CallQueues() {
  cpu_set_t cpus;
  int count = 2;
  if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0) count = CPU_COUNT(&cpus);
  const int threads = std::clamp(count / 2, 1, 16);
  for (int i = 0; i < threads; ++i) {
    queues_.push_back(std::make_unique<grpc::CompletionQueue>());
    threads_.emplace_back(Drain, queues_.back().get());
  }
}

CallQueues::~CallQueues() { Shutdown(); }

void CallQueues::Shutdown() {
  stopped_.store(true, std::memory_order_release);
  // Next() goes on returning the calls still in flight and reports the end
  // only once the last of them has completed.
  for (auto& cq : queues_) {
    if (!threads_.empty()) cq->Shutdown();
  }
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

void CallQueues::Call(std::shared_ptr<grpc::GenericStub> stub, UnaryCallRequest request,
                      UnaryDone done) {
  if (stub == nullptr) return done(Refused("no upstream for this call"));
  // A shut-down queue takes no new call; the server stops its requests
  // before it stops the queues, so this only answers stragglers.
  if (stopped_.load(std::memory_order_acquire)) return done(Refused("the gateway is stopping"));
  auto* state = new CallState();
  state->stub = std::move(stub);
  state->done = std::move(done);
  AddMetadata(state->context, request.metadata);
  if (request.deadline != absl::InfiniteFuture()) {
    state->context.set_deadline(absl::ToChronoTime(request.deadline));
  }
  grpc::ByteBuffer buffer = ToByteBuffer(std::move(request.request));
  state->reader =
      state->stub->PrepareUnaryCall(&state->context, request.method_path, buffer, Next());
  state->reader->StartCall();
  state->reader->Finish(&state->response, &state->status, state);
}

}  // namespace protogate::upstream
