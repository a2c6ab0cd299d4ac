#pragma once

// An asynchronous HTTP/1.1 server on Boost.Beast/Asio: one io_context per
// event-loop thread, one strand-free session per connection (each session's
// handlers run on its own io_context's single thread).
//
// Behaviour:
// - keep-alive, pipelined requests answered in order (a connection handles
//   one request at a time; bytes of the next stay buffered);
// - limits: header bytes → 431, body bytes → 413, a request not fully read
//   within read_timeout → 408; idle keep-alive connections are closed after
//   idle_timeout; a malformed request → 400 and the connection is closed;
// - Shutdown(): stop accepting, let in-flight requests finish (each answered
//   with "Connection: close"), close idle connections, and return once all
//   connections are gone or drain_timeout has passed.
//
// Example:
//   Server server(options, &handler);
//   ASSIGN_OR_RETURN(int port, server.Start());
//   ...
//   server.Shutdown();   // from any thread except an event loop
//
// Thread-safety: Start/Shutdown from one controlling thread.

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "http/message.h"

namespace protogate::http {

struct ServerOptions {
  std::string host = "0.0.0.0";
  int port = 8080;  // 0 picks a free port (tests)
  int threads = 0;  // event-loop threads; 0 means one per core
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 4 * 1024 * 1024;
  std::chrono::milliseconds read_timeout{15000};
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds drain_timeout{10000};
  // Client connections open at once; one more is answered 503 and closed
  // (a flood of idle connections must not exhaust the process's descriptors).
  int max_connections = 10000;
  ErrorRenderer error_renderer;  // required
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
