#pragma once

// A minimal blocking HTTP/1.1 GET for fetching a JWKS from an http:// or
// https:// URL. Runs its own short-lived Asio context, bounded by `timeout`
// as a whole (resolve, connect, TLS handshake, write, read) and by
// `max_body_bytes`.
//
// https:// verifies the server's certificate chain (against `ca_file`, or
// the system's trust store when it is empty) and that the certificate names
// the URL's host; SNI is sent. Any failure is an error, never a silent
// downgrade.
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
  bool tls = false;  // https://
  std::string host;
  std::string port = "80";  // 443 for https:// without a port
  std::string target = "/";
};

// "http[s]://host[:port][/path]"; IPv6 hosts in brackets.
absl::StatusOr<HttpUrl> ParseHttpUrl(const std::string& url);

struct HttpGetOptions {
  absl::Duration timeout = absl::Seconds(2);
  size_t max_body_bytes = 1 << 20;
  std::string ca_file{};  // PEM bundle trusted for https://; empty: the system's
};

// The body of a 200 answer; Unavailable for transport and TLS errors,
// timeouts and other statuses.
absl::StatusOr<std::string> HttpGet(const std::string& url, const HttpGetOptions& options);

}  // namespace protogate::auth
