#pragma once

// Internal to the http folder: the ResponseWriter the server makes for each
// request it hands to its Handler (Handler::Handle receives it wrapped in a
// Responder). It is a thin, per-request view on its Session: every call names
// the request's sequence number, so a Responder kept past its request can no
// longer touch the connection's next request. It keeps its Session alive;
// while a request waits for its handler nothing else does, so dropping the
// last Responder unanswered destroys the Session, which closes the connection
// (mid-stream too: the client sees a body cut short) and settles in_flight.
//
// Example (inside Session::Dispatch):
//   handler->Handle(std::move(request),
//                   Responder(std::make_shared<RequestWriter>(shared_from_this(), seq)));
//
// Shutdown: OnShutdown callbacks are posted to the loop once, when the
// server's drain timeout passes with the request still in flight.
//
// Cancellation: OnCancel callbacks are posted to the loop once, when the
// client closes its connection while the request is handled (watched from the
// first OnCancel on), when a write of the answer fails or times out, or when
// the connection is closed under the request. When the server stops its
// loops after the drain timeout, the callbacks are destroyed unrun (no loop is
// left to run them) and cancelled() turns true.
//
// Thread-safety: Post, OnLoop, Respond and cancelled from any thread. The
// streaming calls and OnCancel belong on the request's event loop; called
// elsewhere, they are posted there.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "http/message.h"

namespace protogate::http {

class Session;

// The BodyStream of a request whose handler reads the body as it arrives;
// like RequestWriter a per-request view on its Session (Read from any
// thread: it is posted to the loop).
class RequestBodyReader final : public BodyStream {
 public:
  RequestBodyReader(std::shared_ptr<Session> session, uint64_t seq)
      : session_(std::move(session)), seq_(seq) {}
  void Read(absl::Duration timeout, absl::AnyInvocable<void(BodyPiece piece)> done) override;

 private:
  const std::shared_ptr<Session> session_;
  const uint64_t seq_;
};

// The WebSocket the session opened for a request: a handle on the session
// (thread-safe: calls are posted to the loop).
class SessionWebSocket final : public WebSocket {
 public:
  explicit SessionWebSocket(std::shared_ptr<Session> session) : session_(std::move(session)) {}
  void ReadNext() override;
  void Send(std::string text, absl::AnyInvocable<void(bool written)> written) override;
  void Close(int code, std::string reason) override;

 private:
  const std::shared_ptr<Session> session_;
};

class RequestWriter final : public ResponseWriter,
                            public std::enable_shared_from_this<RequestWriter> {
 public:
  RequestWriter(std::shared_ptr<Session> session, uint64_t seq);
  ~RequestWriter() override;
  RequestWriter(const RequestWriter&) = delete;
  RequestWriter& operator=(const RequestWriter&) = delete;

  void Post(absl::AnyInvocable<void()> task) override;
  void PostAfter(absl::Duration delay, absl::AnyInvocable<void()> task) override;
  bool OnLoop() const override;
  void Respond(Response response) override;
  void WriteHead(int status, HeaderList headers) override;
  void WriteChunk(std::string bytes, absl::AnyInvocable<void(bool written)> written) override;
  void Finish(HeaderList trailers) override;
  void Abort() override;
  std::shared_ptr<WebSocket> AcceptWebSocket(WebSocketOptions options,
                                             WebSocket::Handlers handlers) override;
  void OnCancel(absl::AnyInvocable<void()> callback) override;
  bool cancelled() const override { return cancelled_.load(std::memory_order_acquire); }
  void OnShutdown(absl::AnyInvocable<void()> callback) override;

  uint64_t seq() const { return seq_; }
  // The session gave up on the request: posts the OnCancel callbacks to the
  // loop, once. Loop only.
  void Cancel();
  // The drain timeout passed with the request in flight: posts the
  // OnShutdown callbacks to the loop, once. Loop only.
  void Shutdown();
  // The loop has stopped for good: cancelled() from now on, callbacks unrun.
  void Abandon() { cancelled_.store(true, std::memory_order_release); }

 private:
  const std::shared_ptr<Session> session_;
  const uint64_t seq_;
  std::atomic<bool> cancelled_{false};
  bool cancel_delivered_ = false;                        // loop only
  std::vector<absl::AnyInvocable<void()>> on_cancel_;    // loop only
  bool shutdown_delivered_ = false;                      // loop only
  std::vector<absl::AnyInvocable<void()>> on_shutdown_;  // loop only
};

}  // namespace protogate::http
