#include "upstream/server_stream.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/client_callback.h"
#include "upstream/call_parts.h"

namespace protogate::upstream {
namespace {

// A generic call is a bidirectional stream whatever the method's kind: one
// request message, then its answers read one by one. A hold keeps gRPC from
// ending the call (OnDone) while the caller may still ask for a message.
class GrpcServerStream final : public ServerStream,
                               public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  GrpcServerStream(std::shared_ptr<grpc::GenericStub> stub, StreamHandlers handlers)
      : stub_(std::move(stub)), handlers_(std::move(handlers)) {}

  // Owns itself until OnDone.
  void Start(std::shared_ptr<GrpcServerStream> self, UnaryCallRequest request) {
    self_ = std::move(self);
    AddMetadata(context_, request.metadata);
    if (request.deadline != absl::InfiniteFuture()) {
      context_.set_deadline(absl::ToChronoTime(request.deadline));
    }
    request_ = ToByteBuffer(std::move(request.request));
    stub_->PrepareBidiStreamingCall(&context_, request.method_path, grpc::StubOptions(), this);
    AddHold();
    StartWriteLast(&request_, grpc::WriteOptions());
    {
      absl::MutexLock lock(&mu_);
      reading_ = true;
    }
    StartRead(&incoming_);
    StartCall();
  }

  void ReadNext() override {
    {
      absl::MutexLock lock(&mu_);
      if (released_ || reading_) return;
      reading_ = true;
    }
    StartRead(&incoming_);
  }

  void Cancel() override {
    context_.TryCancel();
    // A read in flight ends (not ok) and lets go of the hold; without one,
    // nobody else would.
    Release(/*only_when_idle=*/true);
  }

  void OnReadDone(bool ok) override {
    if (!ok) return Release(/*only_when_idle=*/false);
    std::string message = Flatten(incoming_);
    incoming_.Clear();
    {
      absl::MutexLock lock(&mu_);
      reading_ = false;
    }
    handlers_.message(std::move(message));
  }

  void OnDone(const grpc::Status& status) override {
    UnaryCallResult end;
    end.code = status.error_code();
    end.message = status.error_message();
    end.status_details = status.error_details();
    end.initial_metadata = CopyMetadata(context_.GetServerInitialMetadata());
    end.trailing_metadata = CopyMetadata(context_.GetServerTrailingMetadata());
    auto done = std::move(handlers_.done);
    handlers_ = {};
    done(std::move(end));
    // The last reference may be this one: nothing of `this` after it.
    std::shared_ptr<GrpcServerStream> self = std::move(self_);
  }

 private:
  void Release(bool only_when_idle) {
    {
      absl::MutexLock lock(&mu_);
      if (released_ || (only_when_idle && reading_)) return;
      released_ = true;
      reading_ = false;
    }
    RemoveHold();
  }

  std::shared_ptr<GrpcServerStream> self_;
  std::shared_ptr<grpc::GenericStub> stub_;
  grpc::ClientContext context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer incoming_;
  StreamHandlers handlers_;
  absl::Mutex mu_;
  bool reading_ ABSL_GUARDED_BY(mu_) = false;   // a read is in flight
  bool released_ ABSL_GUARDED_BY(mu_) = false;  // the hold is gone: no more reads
};

// Answers a call that could not start.
class EndedStream final : public ServerStream {
 public:
  void ReadNext() override {}
  void Cancel() override {}
};

}  // namespace

std::shared_ptr<ServerStream> GrpcStreams::Open(std::shared_ptr<grpc::GenericStub> stub,
                                                UnaryCallRequest request, StreamHandlers handlers) {
  if (stub == nullptr) {
    UnaryCallResult unavailable;
    unavailable.code = static_cast<int>(grpc::StatusCode::UNAVAILABLE);
    unavailable.message = "no upstream for this call";
    handlers.done(std::move(unavailable));
    return std::make_shared<EndedStream>();
  }
  auto stream = std::make_shared<GrpcServerStream>(std::move(stub), std::move(handlers));
  stream->Start(stream, std::move(request));
  return stream;
}

}  // namespace protogate::upstream
