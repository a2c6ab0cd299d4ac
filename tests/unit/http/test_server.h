#pragma once

// What the HTTP server's tests share: options for a server on a free
// loopback port, a handler made of a function, and starting one.
//
// Example:
//   FunctionHandler handler([](Request request, Responder respond) { respond({}); });
//   Running running = StartServer(&handler);
//   auto client = test::HttpClient::Connect(running.port);

#include <chrono>
#include <functional>
#include <memory>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "http/message.h"
#include "http/server.h"

namespace protogate::http::testing {

// The gateway's error model, in miniature.
inline Response RenderError(int status, absl::string_view message) {
  Response response;
  response.status = status;
  response.headers = {{"content-type", "application/json"}};
  response.body =
      absl::StrCat(R"({"code":)", status, R"(,"message":")", message, R"(","details":[]})");
  return response;
}

// 127.0.0.1, a free port, two loops, ten-second timeouts.
inline ServerOptions TestOptions() {
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.threads = 2;
  options.read_timeout = std::chrono::seconds(10);
  options.idle_timeout = std::chrono::seconds(10);
  options.drain_timeout = std::chrono::seconds(10);
  options.error_renderer = RenderError;
  return options;
}

class FunctionHandler : public Handler {
 public:
  explicit FunctionHandler(std::function<void(Request, Responder)> fn) : fn_(std::move(fn)) {}
  void Handle(Request request, Responder respond) override {
    fn_(std::move(request), std::move(respond));
  }

 private:
  std::function<void(Request, Responder)> fn_;
};

struct Running {
  std::unique_ptr<Server> server;
  int port = 0;
};

inline Running StartServer(Handler* handler, ServerOptions options = TestOptions()) {
  Running running;
  running.server = std::make_unique<Server>(std::move(options), handler);
  absl::StatusOr<int> port = running.server->Start();
  EXPECT_TRUE(port.ok()) << port.status();
  if (port.ok()) running.port = *port;
  return running;
}

}  // namespace protogate::http::testing
