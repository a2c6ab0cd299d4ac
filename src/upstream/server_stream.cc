#include "upstream/server_stream.h"

#include <atomic>
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

// A generic call is a bidirectional stream whatever the method's kind. A
// server stream writes its one request message, then reads its answers one
// by one as the caller asks; a client stream writes as the caller asks and
// reads its answer (and the end) by itself. A hold keeps gRPC from ending
// the call (OnDone) while the caller may still start an operation: it goes
// once the read side has ended (or the call is cancelled with no read in
// flight) and no write is in flight.
class GrpcStream final : public BidiStream,
                         public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  // kBidi: writes as the caller asks, reads as it asks.
  enum class Mode { kServer, kClient, kBidi };

  GrpcStream(std::shared_ptr<grpc::GenericStub> stub, StreamHandlers handlers, Mode mode)
      : stub_(std::move(stub)), handlers_(std::move(handlers)), mode_(mode) {}

  // Owns itself until OnDone.
  void Start(std::shared_ptr<GrpcStream> self, UnaryCallRequest request) {
    self_ = std::move(self);
    AddMetadata(context_, request.metadata);
    if (request.deadline != absl::InfiniteFuture()) {
      context_.set_deadline(absl::ToChronoTime(request.deadline));
    }
    stub_->PrepareBidiStreamingCall(&context_, request.method_path, grpc::StubOptions(), this);
    AddHold();
    if (mode_ == Mode::kServer) {
      request_ = ToByteBuffer(std::move(request.request));
      StartWriteLast(&request_, grpc::WriteOptions());
    }
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
      if (released_ || reading_ || read_ended_) return;
      reading_ = true;
    }
    StartRead(&incoming_);
  }

  void Write(std::string message, std::function<void(bool)> written) override {
    bool taken = false;
    {
      absl::MutexLock lock(&mu_);
      taken = !released_ && !read_ended_ && !cancelled_ && !writes_done_ && !writing_;
      if (taken) {
        writing_ = true;
        written_ = std::move(written);
      }
    }
    if (!taken) return written(false);  // the call has ended, or a write is on its way
    outgoing_ = ToByteBuffer(std::move(message));
    StartWrite(&outgoing_, grpc::WriteOptions());
  }

  void WritesDone() override {
    {
      absl::MutexLock lock(&mu_);
      if (released_ || read_ended_ || cancelled_ || writes_done_) return;
      writes_done_ = true;
      if (writing_) {  // after the write on its way
        writes_done_queued_ = true;
        return;
      }
      writing_ = true;
    }
    StartWritesDone();
  }

  void Cancel() override {
    context_.TryCancel();
    {
      absl::MutexLock lock(&mu_);
      cancelled_ = true;
    }
    // Operations in flight end (not ok) and let go of the hold; without
    // any, nobody else would.
    MaybeRelease();
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      {
        absl::MutexLock lock(&mu_);
        reading_ = false;
        read_ended_ = true;
      }
      return MaybeRelease();
    }
    std::string message = Flatten(incoming_);
    incoming_.Clear();
    if (handlers_.head && !head_delivered_.exchange(true, std::memory_order_relaxed)) {
      handlers_.head(CopyMetadata(context_.GetServerInitialMetadata()));
    }
    if (mode_ == Mode::kClient) {
      handlers_.message(std::move(message));
      return StartRead(&incoming_);  // the end of the call, after the answer
    }
    {
      absl::MutexLock lock(&mu_);
      reading_ = false;
    }
    handlers_.message(std::move(message));
    MaybeRelease();  // cancelled while this message was on its way
  }

  void OnWriteDone(bool ok) override {
    if (mode_ == Mode::kServer) return;  // the one request message
    std::function<void(bool)> written;
    bool writes_done = false;
    {
      absl::MutexLock lock(&mu_);
      written = std::move(written_);
      written_ = nullptr;
      writes_done = writes_done_queued_ && ok && !cancelled_;
      writes_done_queued_ = false;
      writing_ = writes_done;
    }
    if (writes_done) StartWritesDone();
    if (written) written(ok);
    MaybeRelease();
  }

  void OnWritesDoneDone(bool) override {
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
    }
    MaybeRelease();
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
    std::shared_ptr<GrpcStream> self = std::move(self_);
  }

 private:
  void MaybeRelease() {
    {
      absl::MutexLock lock(&mu_);
      if (released_ || writing_) return;
      if (!read_ended_ && !(cancelled_ && !reading_)) return;
      released_ = true;
    }
    RemoveHold();
  }

  std::shared_ptr<GrpcStream> self_;
  std::shared_ptr<grpc::GenericStub> stub_;
  grpc::ClientContext context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer outgoing_;
  grpc::ByteBuffer incoming_;
  std::atomic<bool> head_delivered_{false};
  StreamHandlers handlers_;
  const Mode mode_;
  absl::Mutex mu_;
  bool reading_ ABSL_GUARDED_BY(mu_) = false;     // a read is in flight
  bool read_ended_ ABSL_GUARDED_BY(mu_) = false;  // the service's side has ended
  bool writing_ ABSL_GUARDED_BY(mu_) = false;     // a write or the writes' end is in flight
  bool writes_done_ ABSL_GUARDED_BY(mu_) = false;
  bool writes_done_queued_ ABSL_GUARDED_BY(mu_) = false;  // behind the write in flight
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool released_ ABSL_GUARDED_BY(mu_) = false;  // the hold is gone: no more operations
  std::function<void(bool)> written_ ABSL_GUARDED_BY(mu_);
};

// Answers a call that could not start.
class EndedStream final : public BidiStream {
 public:
  void ReadNext() override {}
  void Write(std::string, std::function<void(bool)> written) override { written(false); }
  void WritesDone() override {}
  void Cancel() override {}
};

// Starts a call of `mode`; with no upstream to call, ends `handlers` at once.
std::shared_ptr<BidiStream> StartCall(std::shared_ptr<grpc::GenericStub> stub,
                                      UnaryCallRequest request, StreamHandlers handlers,
                                      GrpcStream::Mode mode) {
  if (stub == nullptr) {
    UnaryCallResult unavailable;
    unavailable.code = static_cast<int>(grpc::StatusCode::UNAVAILABLE);
    unavailable.message = "no upstream for this call";
    handlers.done(std::move(unavailable));
    return std::make_shared<EndedStream>();
  }
  auto stream = std::make_shared<GrpcStream>(std::move(stub), std::move(handlers), mode);
  stream->Start(stream, std::move(request));
  return stream;
}

}  // namespace

std::shared_ptr<ServerStream> GrpcStreams::Open(std::shared_ptr<grpc::GenericStub> stub,
                                                UnaryCallRequest request, StreamHandlers handlers) {
  return StartCall(std::move(stub), std::move(request), std::move(handlers),
                   GrpcStream::Mode::kServer);
}

std::shared_ptr<ClientStream> GrpcStreams::OpenClient(std::shared_ptr<grpc::GenericStub> stub,
                                                      UnaryCallRequest request,
                                                      StreamHandlers handlers) {
  return StartCall(std::move(stub), std::move(request), std::move(handlers),
                   GrpcStream::Mode::kClient);
}

std::shared_ptr<BidiStream> GrpcStreams::OpenBidi(std::shared_ptr<grpc::GenericStub> stub,
                                                  UnaryCallRequest request,
                                                  StreamHandlers handlers) {
  return StartCall(std::move(stub), std::move(request), std::move(handlers),
                   GrpcStream::Mode::kBidi);
}

}  // namespace protogate::upstream
