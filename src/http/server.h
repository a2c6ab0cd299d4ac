#pragma once

// An asynchronous HTTP/1.1 server on Boost.Beast/Asio: one io_context per
// event-loop thread, one strand-free session per connection (each session's
// handlers run on its own io_context's single thread).
//
// Behaviour:
// - keep-alive, pipelined requests answered in order (a connection handles
//   one request at a time; bytes of the next stay buffered);
// - limits: header bytes → 431, body bytes → 413, a request not fully read
//   within read_timeout → 408 (a body the handler streams, BodyStream in
//   message.h, has its own limit and each read its own timeout, and its
//   errors go to the handler); idle keep-alive connections are closed after
//   idle_timeout; a malformed request → 400 and the connection is closed;
// - Shutdown(): stop accepting, let in-flight requests finish (each answered
//   with "Connection: close"), close idle connections, and return once all
//   connections are gone or drain_timeout has passed; requests still in
//   flight then (streams, WebSockets) get their OnShutdown callbacks and up
//   to shutdown_grace to end with a last word before the loops stop;
// - the answers the server gives by itself (400, 408, 413, 431, 503 while
//   draining or over max_connections) are reported to on_local_answer, so
//   the host logs and counts them like its handler's answers;
// - each request's Responder is a handle on a ResponseWriter (message.h).
//   A whole answer (Respond) is framed by Content-Length. A streamed answer
//   (WriteHead, WriteChunk..., Finish) is chunked for HTTP/1.1, with the
//   handler's trailers only when the request said "TE: trailers";
//   close-delimited for HTTP/1.0 (the connection closes after Finish); head
//   only for HEAD, and no body for 204/304. One chunk is in flight at a time:
//   `written` runs once its bytes are in the socket, so a slow client slows
//   its producer; each write is bounded by idle_timeout. A kept-alive
//   connection serves its next request after the stream ends. Framing,
//   Connection, Date and Keep-Alive fields of the handler are dropped, and so
//   are invalid fields, in heads and trailers alike;
// - cancellation: OnCancel callbacks run once, on the loop, when the client
//   closes its connection while its request is handled (watched from the
//   first OnCancel; bytes of a pipelined request are not a close), when a
//   write of the answer fails or times out, or when the connection closes
//   under the request. After the drain timeout the loops stop: callbacks
//   still registered are destroyed unrun and cancelled() turns true;
// - Post runs a task on the request's loop from any thread; once the loop
//   has stopped, the task is destroyed unrun on the caller's thread.
//
// Example:
//   Server server(options, &handler);
//   ASSIGN_OR_RETURN(int port, server.Start());
//   ...
//   server.Shutdown();   // from any thread except an event loop
//
// Thread-safety: Start/Shutdown from one controlling thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "http/message.h"

namespace protogate::http {

// An answer the server gave by itself, without the handler.
struct LocalAnswer {
  int status = 0;
  // As far as the request was parsed: empty when the request line never
  // arrived whole (and always for a connection refused over max_connections).
  std::string method = {};
  std::string target = {};
  std::string remote_address = {};  // "127.0.0.1:53412"; empty if the peer was already gone
  // From the request's first byte to the answer (zero for a refused connection).
  std::chrono::steady_clock::duration elapsed = {};
};

// Called on the connection's event loop once the answer is rendered and
// before it is written (so a client that has the answer finds it counted).
// Must not block; must be thread-safe (every loop calls it).
using LocalAnswerObserver = std::function<void(const LocalAnswer&)>;

struct ServerOptions {
  std::string host = "0.0.0.0";
  int port = 8080;  // 0 picks a free port (tests)
  int threads = 0;  // event-loop threads; 0 means one per core
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 4 * 1024 * 1024;
  // A body the handler reads as it arrives (Handler::StreamsBody).
  uint64_t max_stream_body_bytes = uint64_t{1} << 30;
  std::chrono::milliseconds read_timeout{15000};
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds drain_timeout{10000};
  // After drain_timeout, the requests still in flight get their OnShutdown
  // callbacks and this long to end before the loops stop.
  std::chrono::milliseconds shutdown_grace{1000};
  // Client connections open at once; one more is answered 503 and closed
  // (a flood of idle connections must not exhaust the process's descriptors).
  int max_connections = 10000;
  ErrorRenderer error_renderer;                   // required
  LocalAnswerObserver on_local_answer = nullptr;  // optional
};

class Server {
 public:
  Server(ServerOptions options, Handler* handler);  // handler outlives the server
  ~Server();                                        // calls Shutdown()

  // Binds, listens and starts the event loops. Returns the bound port.
  absl::StatusOr<int> Start();

  // Graceful stop as described above; idempotent.
  void Shutdown();

  // Number of requests currently being handled (for drain and metrics).
  int in_flight() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace protogate::http
