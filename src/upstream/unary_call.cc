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

namespace protogate::upstream {
namespace {

// Up to this size a request is copied into gRPC's slice (small ones inline,
// with no allocation) rather than handed over with a release callback, which
// costs two allocations of its own.
constexpr size_t kCopyRequestBytes = 256;

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

bool IsValidKey(absl::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool IsValidAsciiValue(absl::string_view value) {
  for (char c : value) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// Keys gRPC owns itself; passing them would corrupt the call.
bool IsReservedKey(absl::string_view key) {
  return absl::StartsWith(key, "grpc-") || absl::StartsWith(key, ":") || key == "content-type" ||
         key == "te" || key == "user-agent" || key == "host";
}

void AddMetadata(grpc::ClientContext& context, const Metadata& metadata) {
  for (const auto& [key, value] : metadata) {
    if (!IsValidKey(key) || IsReservedKey(key)) continue;
    if (absl::EndsWith(key, "-bin")) {
      context.AddMetadata(key, value);
    } else if (IsValidAsciiValue(value)) {
      context.AddMetadata(key, value);
    }
  }
}

Metadata CopyMetadata(const std::multimap<grpc::string_ref, grpc::string_ref>& from) {
  Metadata out;
  out.reserve(from.size());
  for (const auto& [key, value] : from) {
    absl::string_view k(key.data(), key.size());
    if (IsReservedKey(k)) continue;
    out.emplace_back(std::string(k), std::string(value.data(), value.size()));
  }
  return out;
}

std::string Flatten(const grpc::ByteBuffer& buffer) {
  grpc::Slice single;
  if (buffer.TrySingleSlice(&single).ok()) {  // the usual small answer: no slice list
    return std::string(reinterpret_cast<const char*>(single.begin()), single.size());
  }
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  out.reserve(buffer.Length());
  for (const grpc::Slice& slice : slices) {
    out.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return out;
}

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
  grpc::ByteBuffer buffer;
  if (request.request.size() <= kCopyRequestBytes) {
    grpc::Slice slice(request.request.data(), request.request.size());
    buffer = grpc::ByteBuffer(&slice, 1);
  } else {
    // Hand a large request to gRPC without copying it.
    auto* owned = new std::string(std::move(request.request));
    grpc::Slice slice(
        owned->data(), owned->size(), [](void* p) { delete static_cast<std::string*>(p); }, owned);
    buffer = grpc::ByteBuffer(&slice, 1);
  }
  state->reader =
      state->stub->PrepareUnaryCall(&state->context, request.method_path, buffer, Next());
  state->reader->StartCall();
  state->reader->Finish(&state->response, &state->status, state);
}

}  // namespace protogate::upstream
