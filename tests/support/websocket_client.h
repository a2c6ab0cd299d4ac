#pragma once

// A blocking loopback WebSocket client (Boost.Beast) for end-to-end tests:
// the handshake's HTTP answer as it came (101, or the refusal with its
// body), text messages both ways, and the close code the server sent.
//
// Example:
//   auto ws = WebSocketClient::Connect(port, "/v1/orders/o-1:chat");
//   ASSERT_EQ((*ws)->handshake().status, 101);
//   ASSERT_TRUE((*ws)->Send(R"({"text":"hi"})").ok());
//   auto message = (*ws)->Read();    // {"orderId":"o-1","text":"re: hi",...}
//
// Each call is bounded by the timeout; thread-safety: one thread at a time.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "support/http_client.h"

namespace protogate::test {

struct WebSocketMessage {
  std::string text = {};  // a message's payload (text or binary)
  bool closed = false;    // the server closed: close_code and reason say how
  int close_code = 0;
  std::string reason = {};
};

class WebSocketClient {
 public:
  struct Options {
    TestHeaders headers{};                    // added to the upgrade request
    std::vector<std::string> subprotocols{};  // Sec-WebSocket-Protocol, in order
    std::chrono::milliseconds timeout{10000};
  };

  // Connects and sends the upgrade request. OK whatever the server answered:
  // handshake().status is 101 when the WebSocket is open.
  static absl::StatusOr<std::unique_ptr<WebSocketClient>> Connect(int port, std::string target,
                                                                  Options options);
  static absl::StatusOr<std::unique_ptr<WebSocketClient>> Connect(int port, std::string target);
  ~WebSocketClient();
  WebSocketClient(const WebSocketClient&) = delete;
  WebSocketClient& operator=(const WebSocketClient&) = delete;

  const HttpResponse& handshake() const { return handshake_; }

  absl::Status Send(absl::string_view text);
  // The next message, or the server's close (closed = true).
  absl::StatusOr<WebSocketMessage> Read();
  // Sends a close frame with `code` and waits for the server's (messages
  // before it are dropped): the code the server closed with.
  absl::StatusOr<int> Close(int code = 1000);

 private:
  struct Impl;
  explicit WebSocketClient(Options options);

  Options options_;
  HttpResponse handshake_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace protogate::test
