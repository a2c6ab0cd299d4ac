#pragma once

// Plain HTTP request/response values exchanged between the HTTP server and
// its handler. The http layer knows nothing of gRPC or of routes.

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace protogate::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // as received, e.g. "GET", "PURGE"
  std::string target;  // origin-form: path plus optional "?query"
  HeaderList headers;  // names lowercased, values as received, in order
  std::string body;
  std::string remote_address;  // "127.0.0.1:53412"

  // First value of a header (name must be lowercase); empty when absent.
  absl::string_view Header(absl::string_view lowercase_name) const;
  absl::string_view Path() const;   // target up to '?'
  absl::string_view Query() const;  // after '?', empty when none
};

struct Response {
  int status = 200;
  HeaderList headers;  // Content-Length, Date, Connection are set by the server
  std::string body;
};

// Completes one request. Call exactly once, from any thread: the server
// posts the write back to the connection's own event loop (a call on that
// loop's thread writes at once). Later calls are ignored; dropping the
// Responder uncalled closes the connection; an answer given after Shutdown()
// gave up on the request is dropped safely.
using Responder = std::function<void(Response)>;

// Builds the body of an error the server answers on its own (malformed
// request 400, 408, 413, 431, 503 while draining), so that those share the
// gateway's error model. Must be thread-safe.
using ErrorRenderer = std::function<Response(int status, absl::string_view message)>;

class Handler {
 public:
  virtual ~Handler() = default;
  // Called on an event-loop thread; must not block. `respond` may be called
  // later from another thread.
  virtual void Handle(Request request, Responder respond) = 0;
};

}  // namespace protogate::http
