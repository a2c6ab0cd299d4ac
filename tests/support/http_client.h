#pragma once

// A blocking HTTP/1.1 client for tests: one loopback connection, requests
// built from parts or sent as raw bytes, one parsed response per read. The
// connection stays open between calls (keep-alive, pipelining); every wait is
// bounded by a timeout and reported as an error rather than a hang.
//
// Example:
//   ASSERT_OK_AND_ASSIGN(auto client, HttpClient::Connect(port));
//   absl::StatusOr<HttpResponse> response = client->RoundTrip({.target = "/v1/items/7"});
//   EXPECT_EQ(response->status, 200);
//   EXPECT_EQ(response->Header("Content-Type"), "application/json");
//
// Thread-safety: one HttpClient is used by one thread at a time.

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace protogate::test {

using TestHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string target = "/";
  // Sent in order, as given. Host is added unless present; Content-Length is
  // added when there is a body and neither Content-Length nor
  // Transfer-Encoding is present.
  TestHeaders headers{};
  std::string body{};
  std::string version = "HTTP/1.1";
};

struct HttpResponse {
  int version = 11;  // 10 or 11
  int status = 0;
  std::string reason;
  TestHeaders headers;  // as received
  std::string body;     // de-chunked

  // First value of a header, case-insensitively; empty when absent.
  absl::string_view Header(absl::string_view name) const;
  bool HasHeader(absl::string_view name) const;
};

class HttpClient {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    // Bound on each wait (connect, write, read). Expiry is DeadlineExceeded
    // and leaves the connection closed.
    std::chrono::milliseconds timeout{10000};
  };

  static absl::StatusOr<std::unique_ptr<HttpClient>> Connect(int port);
  static absl::StatusOr<std::unique_ptr<HttpClient>> Connect(int port, Options options);

  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // The bytes Send() would write for `request`.
  std::string Serialize(const HttpRequest& request) const;

  absl::Status Send(const HttpRequest& request);
  absl::Status SendRaw(absl::string_view bytes);

  // Reads one response (also an interim 1xx). `head_request`: the response
  // answers a HEAD, so it has no body whatever its Content-Length says.
  // Unavailable when the server closed before a complete response.
  absl::StatusOr<HttpResponse> ReadResponse(bool head_request = false);

  // A streamed response, read as it comes: its head (status and headers),
  // then body bytes until they hold `needle` (the body so far; NotFound
  // when the body ended without it), then the rest with the trailers
  // (among `headers`). Each wait is bounded by the timeout.
  absl::StatusOr<HttpResponse> ReadHead();
  absl::StatusOr<std::string> ReadBodyUntil(absl::string_view needle);
  absl::StatusOr<HttpResponse> ReadRest();

  // Send + ReadResponse.
  absl::StatusOr<HttpResponse> RoundTrip(const HttpRequest& request);

  // Waits until the server closes the connection. OK on EOF or reset;
  // FailedPrecondition if bytes arrive instead; DeadlineExceeded on timeout.
  absl::Status WaitForClose();

  // Half-closes our sending side (the server sees EOF).
  absl::Status ShutdownWrite();

  int port() const { return port_; }

 private:
  struct Impl;
  HttpClient(int port, Options options);

  int port_;
  Options options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace protogate::test
