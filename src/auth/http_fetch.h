#pragma once

// A minimal blocking HTTP/1.1 GET for fetching a JWKS from an http:// URL.
// Runs its own short-lived Asio context, bounded by `timeout` as a whole
// (resolve, connect, write, read) and by `max_body_bytes`.
//
// Blocks the calling thread: call it only from a background thread (the key
// refresher) or a control thread (startup), never from an event loop.
// Thread-safe.

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace protogate::auth {

struct HttpUrl {
  std::string host;
  std::string port = "80";
  std::string target = "/";
};

// "http://host[:port][/path]"; IPv6 hosts in brackets.
absl::StatusOr<HttpUrl> ParseHttpUrl(const std::string& url);

// The body of a 200 answer; Unavailable for transport errors, timeouts and
// other statuses.
absl::StatusOr<std::string> HttpGet(const std::string& url, absl::Duration timeout,
                                    size_t max_body_bytes = 1 << 20);

}  // namespace protogate::auth
