#pragma once

// Internal to the http folder: the ResponseWriter the server makes for each
// request it hands to its Handler (Handler::Handle receives it wrapped in a
// Responder). It is a thin, per-request view on its Session: every answer it
// gives names the request's sequence number, so a Responder kept past its
// request can no longer touch the connection's next request.
//
// Example (inside Session::Dispatch):
//   handler->Handle(std::move(request),
//                   Responder(std::make_shared<RequestWriter>(shared_from_this(), seq)));
//
// Thread-safety: Post, OnLoop, Respond and cancelled from any thread; the
// streaming calls and OnCancel on the request's event loop only.

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "http/message.h"

namespace protogate::http {

class Session;

class RequestWriter final : public ResponseWriter {
 public:
  RequestWriter(std::shared_ptr<Session> session, uint64_t seq);
  ~RequestWriter() override;
  RequestWriter(const RequestWriter&) = delete;
  RequestWriter& operator=(const RequestWriter&) = delete;

  void Post(absl::AnyInvocable<void()> task) override;
  bool OnLoop() const override;
  void Respond(Response response) override;
  void WriteHead(int status, HeaderList headers) override;
  void WriteChunk(std::string bytes, absl::AnyInvocable<void(bool written)> written) override;
  void Finish(HeaderList trailers) override;
  void OnCancel(absl::AnyInvocable<void()> callback) override;
  bool cancelled() const override { return cancelled_.load(std::memory_order_acquire); }

  uint64_t seq() const { return seq_; }
  // The session gave up on the request: runs the OnCancel callbacks (posted
  // to the loop, never inline). Loop only.
  void Cancel();

 private:
  const std::shared_ptr<Session> session_;
  const uint64_t seq_;
  std::atomic<bool> cancelled_{false};
  std::vector<absl::AnyInvocable<void()>> on_cancel_;  // loop only
};

}  // namespace protogate::http
