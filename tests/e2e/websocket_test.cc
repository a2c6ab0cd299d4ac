// End to end: bidirectional-streaming methods over WebSocket, through the
// real gateway to the demo orders service's ChatAboutOrder: frames both ways
// in order, the end of the call in the close code, errors, authentication on
// the upgrade request (a header, or a bearer-token subprotocol for
// browsers), limits and the client going away.

#include <memory>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "demo_auth/demo_auth_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/eventually.h"
#include "support/gateway_under_test.h"
#include "support/websocket_client.h"

namespace protogate::test {
namespace {

using ::testing::HasSubstr;

constexpr char kChat[] = "/v1/orders/o-1:chat";

nlohmann::json Frame(WebSocketClient& ws) {
  auto message = ws.Read();
  EXPECT_TRUE(message.ok()) << message.status();
  if (!message.ok() || message->closed) return nullptr;
  return nlohmann::json::parse(message->text, nullptr, false);
}

// The close the server ends with, after any frames still coming.
WebSocketMessage CloseOf(WebSocketClient& ws) {
  for (int i = 0; i < 1000; ++i) {
    auto message = ws.Read();
    if (!message.ok()) return {.text = std::string(message.status().message())};
    if (message->closed) return *message;
  }
  return {};
}

// A chat WebSocket, open (101); null after a test failure.
std::unique_ptr<WebSocketClient> OpenChat(int port) {
  auto ws = WebSocketClient::Connect(port, kChat);
  EXPECT_TRUE(ws.ok()) << ws.status();
  if (!ws.ok()) return nullptr;
  EXPECT_EQ((*ws)->handshake().status, 101) << (*ws)->handshake().body;
  if ((*ws)->handshake().status != 101) return nullptr;
  return *std::move(ws);
}

TEST(WebSocketTest, EachFrameIsAnsweredInOrderAndACloseEndsTheCallWell) {
  GatewayUnderTest gw;
  auto ws = OpenChat(gw.port());
  ASSERT_NE(ws, nullptr);
  for (int sequence = 1; sequence <= 3; ++sequence) {
    const std::string text = absl::StrCat("question ", sequence);
    ASSERT_TRUE(ws->Send(absl::StrCat(R"({"text":")", text, R"("})")).ok());
    // Answered before the next is sent: nothing waits for the end.
    nlohmann::json answer = Frame(*ws);
    EXPECT_EQ(answer["orderId"], "o-1");  // the path variable, on every message
    EXPECT_EQ(answer["text"], "re: " + text);
    EXPECT_EQ(answer["from"], "support");
    EXPECT_EQ(answer["sequence"], sequence);
  }
  auto code = ws->Close(1000);  // the end of the client's messages
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 1000);
  // The service counts an answer once its write completes, which may come
  // after the client has read it (and after Beast answered the close).
  EXPECT_TRUE(Eventually([&] { return gw.backend().chat_gate().sent() == 3; }))
      << gw.backend().chat_gate().sent();
  EXPECT_EQ(gw.backend().chat_gate().cancelled(), 0);
}

TEST(WebSocketTest, TheServicesFailureIsALastFrameAndACloseCodeOf4000PlusItsStatus) {
  GatewayUnderTest gw;
  auto ws = OpenChat(gw.port());
  ASSERT_NE(ws, nullptr);
  ASSERT_TRUE(ws->Send(R"({"text":"hello"})").ok());
  EXPECT_EQ(Frame(*ws)["sequence"], 1);
  ASSERT_TRUE(ws->Send(R"({"text":"fail"})").ok());
  nlohmann::json error = Frame(*ws);
  EXPECT_EQ(error["error"]["code"], 9);  // FAILED_PRECONDITION
  EXPECT_EQ(error["error"]["message"], "chat failed at message 2");
  WebSocketMessage closed = CloseOf(*ws);
  EXPECT_TRUE(closed.closed) << closed.text;
  EXPECT_EQ(closed.close_code, 4009);
}

TEST(WebSocketTest, AFrameThatIsNoMessageEndsTheCallWith1007) {
  GatewayUnderTest gw;
  auto ws = OpenChat(gw.port());
  ASSERT_NE(ws, nullptr);
  // One answered message first: the service's side of the call exists.
  ASSERT_TRUE(ws->Send(R"({"text":"hi"})").ok());
  EXPECT_EQ(Frame(*ws)["sequence"], 1);
  ASSERT_TRUE(ws->Send(R"({"text": 42})").ok());
  nlohmann::json error = Frame(*ws);
  EXPECT_EQ(error["error"]["code"], 3);
  EXPECT_THAT(error["error"]["message"].get<std::string>(), HasSubstr("WebSocket message 2: "));
  WebSocketMessage closed = CloseOf(*ws);
  EXPECT_EQ(closed.close_code, 1007);
  EXPECT_TRUE(Eventually([&] { return gw.backend().chat_gate().cancelled() == 1; }));
}

TEST(WebSocketTest, AMessageOverTheLimitCloses1009) {
  GatewayUnderTest gw([](config::GatewayConfig& config) { config.limits.max_body_bytes = 64; });
  auto ws = OpenChat(gw.port());
  ASSERT_NE(ws, nullptr);
  ASSERT_TRUE(ws->Send(R"({"text":"hi"})").ok());
  EXPECT_EQ(Frame(*ws)["sequence"], 1);
  ASSERT_TRUE(ws->Send(absl::StrCat(R"({"text":")", std::string(200, 'x'), R"("})")).ok());
  WebSocketMessage closed = CloseOf(*ws);
  EXPECT_EQ(closed.close_code, 1009) << closed.text;
  EXPECT_TRUE(Eventually([&] { return gw.backend().chat_gate().cancelled() == 1; }));
}

TEST(WebSocketTest, TooManyFramesASecondClose1008) {
  GatewayUnderTest gw(
      [](config::GatewayConfig& config) { config.streaming.max_messages_per_second = 2; });
  auto ws = OpenChat(gw.port());
  ASSERT_NE(ws, nullptr);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(ws->Send(R"({"text":"spam"})").ok());
  bool limited = false;
  WebSocketMessage closed;
  for (int i = 0; i < 100; ++i) {
    auto message = ws->Read();
    ASSERT_TRUE(message.ok()) << message.status();
    if (message->closed) {
      closed = *message;
      break;
    }
    limited = limited || absl::StrContains(message->text, "messages per second");
  }
  EXPECT_TRUE(limited);
  EXPECT_EQ(closed.close_code, 1008);
}

TEST(WebSocketTest, APlainRequestToABidiRouteIs426) {
  GatewayUnderTest gw;
  HttpResponse response = gw.Call({.target = kChat});
  EXPECT_EQ(response.status, 426) << response.body;
  EXPECT_EQ(response.Header("Upgrade"), "websocket");
  EXPECT_THAT(GatewayUnderTest::Json(response)["message"].get<std::string>(),
              HasSubstr("open a WebSocket"));
}

TEST(WebSocketTest, TheClientGoingAwayCancelsTheCall) {
  GatewayUnderTest gw;
  {
    auto ws = OpenChat(gw.port());
    ASSERT_NE(ws, nullptr);
    ASSERT_TRUE(ws->Send(R"({"text":"hi"})").ok());
    EXPECT_EQ(Frame(*ws)["sequence"], 1);
  }  // the TCP connection closes without a close frame
  EXPECT_TRUE(Eventually([&] { return gw.backend().chat_gate().cancelled() == 1; }));
}

// The upgrade request is authenticated like any request: a refused caller
// gets its error answer instead of the 101; a browser's bearer token comes as
// the subprotocol "bearer.<token>" next to protogate.v1, which the gateway
// answers with.
TEST(WebSocketTest, TheUpgradeIsAuthenticated) {
  demo_auth::DemoAuthServer auth;
  ASSERT_TRUE(auth.Start().ok());
  GatewayUnderTest gw([&auth](config::GatewayConfig& config) {
    config.auth.enabled = true;
    config.auth.has_external = true;
    config.auth.external.address = auth.address();
    config.auth.policies = {
        {.selector = "demo.orders.v1.OrderService.ChatAboutOrder", .scopes = {"orders:write"}}};
  });
  auto anonymous = WebSocketClient::Connect(gw.port(), kChat);
  ASSERT_TRUE(anonymous.ok()) << anonymous.status();
  EXPECT_EQ((*anonymous)->handshake().status, 401);
  EXPECT_EQ(nlohmann::json::parse((*anonymous)->handshake().body)["code"], 16);

  auto header = WebSocketClient::Connect(
      gw.port(), kChat, {.headers = {{"Authorization", "Bearer demo-token-alice"}}});
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_EQ((*header)->handshake().status, 101);

  auto browser = WebSocketClient::Connect(
      gw.port(), kChat, {.subprotocols = {"protogate.v1", "bearer.demo-token-alice"}});
  ASSERT_TRUE(browser.ok()) << browser.status();
  ASSERT_EQ((*browser)->handshake().status, 101);
  EXPECT_EQ((*browser)->handshake().Header("Sec-WebSocket-Protocol"), "protogate.v1");
  ASSERT_TRUE((*browser)->Send(R"({"text":"hi"})").ok());
  EXPECT_EQ(Frame(**browser)["text"], "re: hi");

  auto forged = WebSocketClient::Connect(gw.port(), kChat,
                                         {.subprotocols = {"protogate.v1", "bearer.forged"}});
  ASSERT_TRUE(forged.ok()) << forged.status();
  EXPECT_EQ((*forged)->handshake().status, 401);
  // Closed before the gateway stops: a WebSocket still open when its loop
  // stops for good is not released (see the server's drain).
  EXPECT_TRUE((*header)->Close().ok());
  EXPECT_TRUE((*browser)->Close().ok());
}

// A WebSocket still open at the drain timeout gets the error frame and a
// 1001 (going away) close; its call is cancelled.
TEST(WebSocketTest, ASocketOpenAtTheDrainTimeoutClosesGoingAway) {
  GatewayUnderTest gw(
      [](config::GatewayConfig& config) { config.drain_timeout = std::chrono::milliseconds(200); });
  auto ws = OpenChat(gw.port());
  ASSERT_NE(ws, nullptr);
  ASSERT_TRUE(ws->Send(R"({"text":"hi"})").ok());
  EXPECT_EQ(Frame(*ws)["sequence"], 1);
  std::thread shutdown([&] { gw.gateway().Shutdown(); });
  nlohmann::json error = Frame(*ws);
  WebSocketMessage closed = CloseOf(*ws);
  shutdown.join();
  EXPECT_EQ(error["error"]["code"], 14);
  EXPECT_THAT(error["error"]["message"].get<std::string>(), HasSubstr("drain_timeout"));
  EXPECT_TRUE(closed.closed) << closed.text;
  EXPECT_EQ(closed.close_code, 1001);
  EXPECT_TRUE(Eventually([&] { return gw.backend().chat_gate().cancelled() == 1; }));
}

}  // namespace
}  // namespace protogate::test
