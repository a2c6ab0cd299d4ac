#pragma once

// Plain HTTP request/response values exchanged between the HTTP server and
// its handler. The http layer knows nothing of gRPC or of routes.

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace protogate::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class BodyStream;

struct Request {
  std::string method;  // as received, e.g. "GET", "PURGE"
  std::string target;  // origin-form: path plus optional "?query"
  HeaderList headers;  // names lowercased, values as received, in order
  std::string body;
  // Set instead of `body` when the handler reads the body as it arrives
  // (Handler::StreamsBody); null otherwise.
  std::shared_ptr<BodyStream> body_stream;
  std::string remote_address;  // "127.0.0.1:53412"

  // First value of a header (name must be lowercase); empty when absent.
  absl::string_view Header(absl::string_view lowercase_name) const;
  absl::string_view Path() const;   // target up to '?'
  absl::string_view Query() const;  // after '?', empty when none
  // The client takes trailers (its TE lists "trailers", RFC 9110 10.1.4):
  // a streamed answer's trailers reach it.
  bool AcceptsTrailers() const;
};

// One piece of a request body read as it arrives (BodyStream).
struct BodyPiece {
  std::string bytes = {};  // may be empty
  bool last = false;       // the body ends with these bytes
  // The body cannot be read on: the HTTP status that says why (400
  // malformed framing or the client gone, 408 too slow, 413 over
  // max_stream_body_bytes) and what happened; 0 while all is well.
  int error_status = 0;
  std::string error = {};
};

// The body of a request whose handler reads it as it arrives
// (Handler::StreamsBody): for uploads too big to hold whole, or meant to flow
// on as they come. The next bytes are read from the connection only when
// asked for, so a slow consumer slows its client down (TCP flow control).
// The interim "100 Continue" a client may expect goes out with the first
// Read. An answer given before the body was read to its end closes the
// connection after the answer.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // Reads the next piece, one Read at a time: `done` runs on the request's
  // loop, never inline, once bytes have come (at most about 64 KiB), the body
  // has ended, or it failed; the client's next bytes are waited for at most
  // `timeout` (then a 408 piece). After the last piece or an error, every
  // Read reports the same end again.
  virtual void Read(absl::Duration timeout, absl::AnyInvocable<void(BodyPiece piece)> done) = 0;
};

// A WebSocket (RFC 6455) the server opened for a request
// (ResponseWriter::AcceptWebSocket): whole messages both ways, one read and
// one send at a time, so each side's pace reaches the other. On the request's
// loop (calls from elsewhere are posted there).
class WebSocket {
 public:
  struct Handlers {
    // One whole message from the client (text or binary); the next is read
    // only after ReadNext.
    absl::AnyInvocable<void(std::string message)> message = nullptr;
    // Once, last: the client closed (its close code), the connection dropped
    // or timed out (1006), a message was over the limit (1009), the handshake
    // failed (1002), or our Close completed (its code).
    absl::AnyInvocable<void(int code, std::string reason)> closed = nullptr;
  };
  virtual ~WebSocket() = default;
  // Reads the next message (the first one too).
  virtual void ReadNext() = 0;
  // Sends `text` as one text message; `written` runs once it is out (true)
  // or never will be (false). One at a time.
  virtual void Send(std::string text, absl::AnyInvocable<void(bool written)> written) = 0;
  // Sends a close frame with `code` (after the message on its way) and ends
  // the connection once the client answers it.
  virtual void Close(int code, std::string reason) = 0;
};

struct WebSocketOptions {
  std::string subprotocol = {};  // Sec-WebSocket-Protocol of the answer; "" for none
  size_t max_message_bytes = 1 << 20;
  // Nothing from the client for half of it: a ping; for all of it: closed.
  absl::Duration idle_timeout = absl::Minutes(5);
};

struct Response {
  int status = 200;
  HeaderList headers;  // Content-Length, Date, Connection are set by the server
  std::string body;
};

// The answer side of one request, made by the server for each request it
// hands to its Handler. Nothing above http/ knows the protocol behind it.
//
// Two ways to answer, either exactly once:
// - Respond(response): the whole answer at once, from any thread;
// - WriteHead, then WriteChunk as often as needed, then Finish (or Abort): a
//   streamed answer, on the request's event loop only. HTTP/1.1 frames it chunked;
//   an HTTP/1.0 client gets it close-delimited; a HEAD request gets the head
//   only (chunks are reported written and dropped).
// A second answer is ignored. Dropping every Responder of a request without
// answering closes the connection; an answer given after Server::Shutdown()
// gave up on the request is dropped safely.
//
// Loop affinity: Post() runs a task on the request's own event loop, so a
// handler whose work completes on another thread (an upstream call, an auth
// service) continues where the request lives, one thread at a time.
class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;

  // Runs `task` on the request's event loop, after whatever runs there now
  // (never inline). From any thread. When the loop has stopped for good the
  // task is destroyed unrun, on the calling thread.
  virtual void Post(absl::AnyInvocable<void()> task) = 0;
  // Runs `task` on the request's event loop once `delay` has passed (a
  // stream's heartbeat, an idle check). From any thread; like Post, a task
  // the stopped loop can no longer run is destroyed unrun.
  virtual void PostAfter(absl::Duration delay, absl::AnyInvocable<void()> task) = 0;
  // True on the request's event-loop thread.
  virtual bool OnLoop() const = 0;

  // The whole answer. From any thread: off the loop it is posted there.
  virtual void Respond(Response response) = 0;

  // Streaming, on the loop only. Status and headers (Content-Length among
  // them is dropped: the server frames the body).
  virtual void WriteHead(int status, HeaderList headers) = 0;
  // One piece of the body. `written` runs on the loop once the bytes are
  // handed to the socket (true) or can never be (false: the client went
  // away); produce the next chunk only then. One chunk at a time.
  virtual void WriteChunk(std::string bytes, absl::AnyInvocable<void(bool written)> written) = 0;
  // Ends the body. `trailers` are sent when the client accepts them (HTTP/1.1
  // chunked, with "TE: trailers"), otherwise dropped.
  virtual void Finish(HeaderList trailers) = 0;
  // Ends the body as failed instead: once what was written is out, the
  // connection closes without the body's proper end (no last chunk), so the
  // client can tell it was cut short. For a body whose format has no room
  // for an error (raw bytes) and a client that takes no trailers.
  virtual void Abort() = 0;

  // Answers the request by opening a WebSocket on its connection (the 101
  // handshake). On the loop only; null when the request is no WebSocket
  // upgrade over HTTP/1.1 or was answered already. The connection is the
  // WebSocket's from then on, and counts as a request in flight until it
  // closes.
  virtual std::shared_ptr<WebSocket> AcceptWebSocket(WebSocketOptions options,
                                                     WebSocket::Handlers handlers) = 0;

  // Cancellation: the client went away (closed its connection, a write
  // failed) or the server gave up on the request (drain timeout). `callback`
  // runs once, on the loop; at once when already cancelled.
  virtual void OnCancel(absl::AnyInvocable<void()> callback) = 0;
  virtual bool cancelled() const = 0;

  // The server's drain timeout passed with this request still in flight (a
  // long stream, an upload, a WebSocket): `callback` runs once, on the loop,
  // so the handler ends its answer now with a last word of its own (a
  // stream's error element, a WebSocket's close code); the loops stop
  // ServerOptions::shutdown_grace later. Never runs for a request that ended
  // before.
  virtual void OnShutdown(absl::AnyInvocable<void()> callback) = 0;
};

// A copyable handle on a request's ResponseWriter; calling it answers the
// whole response at once.
class Responder {
 public:
  Responder() = default;
  explicit Responder(std::shared_ptr<ResponseWriter> writer) : writer_(std::move(writer)) {}

  void operator()(Response response) const { writer_->Respond(std::move(response)); }
  ResponseWriter* operator->() const { return writer_.get(); }
  ResponseWriter& writer() const { return *writer_; }
  explicit operator bool() const { return writer_ != nullptr; }

 private:
  std::shared_ptr<ResponseWriter> writer_;
};

// Builds the body of an error the server answers on its own (malformed
// request 400, 408, 413, 431, 503 while draining), so that those share the
// gateway's error model. Must be thread-safe.
using ErrorRenderer = std::function<Response(int status, absl::string_view message)>;

class Handler {
 public:
  virtual ~Handler() = default;
  // Called on the request's event-loop thread; must not block. `respond`
  // may answer later, from another thread.
  virtual void Handle(Request request, Responder respond) = 0;
  // Asked on the loop once the head of a request with a body is in: true
  // hands the request to Handle at once, its body to be read as it arrives
  // (request.body_stream), bounded by ServerOptions::max_stream_body_bytes
  // rather than max_body_bytes. Must not block.
  virtual bool StreamsBody(const Request& head) { return false; }
};

}  // namespace protogate::http
