#include "http/request_writer.h"

#include <chrono>
#include <utility>

#include "http/session.h"

namespace protogate::http {

void RequestBodyReader::Read(absl::Duration timeout,
                             absl::AnyInvocable<void(BodyPiece piece)> done) {
  const auto millis = std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout));
  if (!session_->OnLoop()) {
    session_->PostToLoop(
        [session = session_, seq = seq_, millis, done = std::move(done)]() mutable {
          session->ReadBodyPiece(seq, millis, std::move(done));
        });
    return;
  }
  session_->ReadBodyPiece(seq_, millis, std::move(done));
}

RequestWriter::RequestWriter(std::shared_ptr<Session> session, uint64_t seq)
    : session_(std::move(session)), seq_(seq) {}

RequestWriter::~RequestWriter() = default;

void RequestWriter::Post(absl::AnyInvocable<void()> task) { session_->PostToLoop(std::move(task)); }

void RequestWriter::PostAfter(absl::Duration delay, absl::AnyInvocable<void()> task) {
  session_->PostToLoopAfter(delay, std::move(task));
}

bool RequestWriter::OnLoop() const { return session_->OnLoop(); }

void RequestWriter::Respond(Response response) { session_->Respond(seq_, std::move(response)); }

void RequestWriter::WriteHead(int status, HeaderList headers) {
  if (!OnLoop()) {
    Post([self = shared_from_this(), status, headers = std::move(headers)]() mutable {
      self->WriteHead(status, std::move(headers));
    });
    return;
  }
  session_->StreamHead(seq_, status, std::move(headers));
}

void RequestWriter::WriteChunk(std::string bytes, absl::AnyInvocable<void(bool written)> written) {
  if (!OnLoop()) {
    Post([self = shared_from_this(), bytes = std::move(bytes),
          written = std::move(written)]() mutable {
      self->WriteChunk(std::move(bytes), std::move(written));
    });
    return;
  }
  session_->StreamChunk(seq_, std::move(bytes), std::move(written));
}

void RequestWriter::Finish(HeaderList trailers) {
  if (!OnLoop()) {
    Post([self = shared_from_this(), trailers = std::move(trailers)]() mutable {
      self->Finish(std::move(trailers));
    });
    return;
  }
  session_->StreamFinish(seq_, std::move(trailers));
}

void RequestWriter::Abort() {
  if (!OnLoop()) {
    Post([self = shared_from_this()] { self->Abort(); });
    return;
  }
  session_->StreamAbort(seq_);
}

std::shared_ptr<WebSocket> RequestWriter::AcceptWebSocket(WebSocketOptions options,
                                                          WebSocket::Handlers handlers) {
  if (!OnLoop()) return nullptr;
  return session_->AcceptWebSocket(seq_, std::move(options), std::move(handlers));
}

void SessionWebSocket::ReadNext() {
  if (!session_->OnLoop()) {
    session_->PostToLoop([session = session_] { session->WsRead(); });
    return;
  }
  session_->WsRead();
}

void SessionWebSocket::Send(std::string text, absl::AnyInvocable<void(bool written)> written) {
  if (!session_->OnLoop()) {
    session_->PostToLoop(
        [session = session_, text = std::move(text), written = std::move(written)]() mutable {
          session->WsSend(std::move(text), std::move(written));
        });
    return;
  }
  session_->WsSend(std::move(text), std::move(written));
}

void SessionWebSocket::Close(int code, std::string reason) {
  if (!session_->OnLoop()) {
    session_->PostToLoop([session = session_, code, reason = std::move(reason)]() mutable {
      session->WsClose(code, std::move(reason));
    });
    return;
  }
  session_->WsClose(code, std::move(reason));
}

void RequestWriter::OnCancel(absl::AnyInvocable<void()> callback) {
  if (!OnLoop()) {
    Post([self = shared_from_this(), callback = std::move(callback)]() mutable {
      self->OnCancel(std::move(callback));
    });
    return;
  }
  if (cancel_delivered_) {
    callback();
    return;
  }
  on_cancel_.push_back(std::move(callback));
  session_->WatchForCancel(seq_);
}

void RequestWriter::Cancel() {
  if (cancel_delivered_) return;
  cancel_delivered_ = true;
  cancelled_.store(true, std::memory_order_release);
  for (auto& callback : on_cancel_) session_->PostToLoop(std::move(callback));
  on_cancel_.clear();
}

void RequestWriter::OnShutdown(absl::AnyInvocable<void()> callback) {
  if (!OnLoop()) {
    Post([self = shared_from_this(), callback = std::move(callback)]() mutable {
      self->OnShutdown(std::move(callback));
    });
    return;
  }
  if (shutdown_delivered_) {
    callback();
    return;
  }
  on_shutdown_.push_back(std::move(callback));
}

void RequestWriter::Shutdown() {
  if (shutdown_delivered_) return;
  shutdown_delivered_ = true;
  for (auto& callback : on_shutdown_) session_->PostToLoop(std::move(callback));
  on_shutdown_.clear();
}

}  // namespace protogate::http
