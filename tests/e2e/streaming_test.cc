// End to end: server-streaming methods over HTTP/1.1, through the real gateway
// to the demo orders service's WatchOrder: each format, ordering, errors before
// and after the first message, per-message flush, backpressure, cancellation
// and the stream deadline.

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/eventually.h"
#include "support/gateway_under_test.h"

namespace protogate::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kWatch[] = "/v1/orders/o-1:watch";

// The target of a stream of `events` big (64 KiB) events.
std::string BigStream(int events) {
  return std::string(kWatch) + "?maxEvents=" + std::to_string(events) + "&paddingBytes=65536";
}

// Waits (bounded) until the service stops sending: every buffer between it
// and a client that does not read is full.
bool HeldBack(const demo_services::StreamGate& gate) {
  int64_t before = -1;
  return Eventually([&] {
    const int64_t now = gate.sent();
    if (now == before) return true;
    before = now;
    absl::SleepFor(absl::Milliseconds(300));
    return false;
  });
}

std::vector<nlohmann::json> NdjsonLines(const std::string& body) {
  std::vector<nlohmann::json> lines;
  for (absl::string_view line : absl::StrSplit(body, '\n', absl::SkipEmpty())) {
    lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

TEST(ServerStreamTest, NdjsonByDefaultOneMessagePerLineInOrder) {
  GatewayUnderTest gw;
  HttpResponse response = gw.Call({.target = std::string(kWatch) + "?maxEvents=3"});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.Header("Content-Type"), "application/x-ndjson");
  EXPECT_EQ(response.Header("Transfer-Encoding"), "chunked");
  EXPECT_FALSE(response.Header("X-Request-Id").empty());
  std::vector<nlohmann::json> lines = NdjsonLines(response.body);
  ASSERT_EQ(lines.size(), 3u) << response.body;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(lines[i]["sequence"], i + 1);
    EXPECT_EQ(lines[i]["orderId"], "o-1");
  }
  EXPECT_EQ(lines[0]["status"], "ORDER_STATUS_PLACED");
}

TEST(ServerStreamTest, ServerSentEventsCarryAnIdPerMessage) {
  GatewayUnderTest gw;
  HttpResponse response = gw.Call({.target = std::string(kWatch) + "?maxEvents=2",
                                   .headers = {{"Accept", "text/event-stream"}}});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.Header("Content-Type"), "text/event-stream");
  EXPECT_EQ(response.Header("Cache-Control"), "no-cache");
  std::vector<std::string> events = absl::StrSplit(response.body, "\n\n", absl::SkipEmpty());
  ASSERT_EQ(events.size(), 2u) << response.body;
  for (int i = 0; i < 2; ++i) {
    std::vector<std::string> lines = absl::StrSplit(events[i], '\n');
    ASSERT_EQ(lines.size(), 2u) << events[i];
    EXPECT_EQ(lines[0], "id: " + std::to_string(i + 1));
    ASSERT_TRUE(absl::StartsWith(lines[1], "data: ")) << lines[1];
    EXPECT_EQ(nlohmann::json::parse(lines[1].substr(6))["sequence"], i + 1);
  }
}

TEST(ServerStreamTest, JsonArrayWhenAcceptPrefersItAndFieldsNarrowEachMessage) {
  GatewayUnderTest gw;
  HttpResponse response =
      gw.Call({.target = std::string(kWatch) + "?maxEvents=2&fields=sequence,status",
               .headers = {{"Accept", "text/event-stream;q=0.5, application/json"}}});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.Header("Content-Type"), "application/json");
  EXPECT_EQ(GatewayUnderTest::Json(response),
            nlohmann::json::parse(R"([{"sequence":1,"status":"ORDER_STATUS_PLACED"},
                                      {"sequence":2,"status":"ORDER_STATUS_SHIPPED"}])"));

  HttpResponse empty = gw.Call({.target = std::string(kWatch) + "?maxEvents=-1",
                                .headers = {{"Accept", "application/json"}}});
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(empty.body, "[]");
  HttpResponse empty_lines = gw.Call({.target = std::string(kWatch) + "?maxEvents=-1"});
  ASSERT_EQ(empty_lines.status, 200) << empty_lines.body;
  EXPECT_EQ(empty_lines.body, "");
}

TEST(ServerStreamTest, AFailureBeforeTheFirstMessageIsAnOrdinaryAnswer) {
  GatewayUnderTest gw;
  HttpResponse response = gw.Call({.target = "/v1/orders/nope:watch"});
  EXPECT_EQ(response.status, 404) << response.body;
  EXPECT_EQ(response.Header("Content-Type"), "application/json");
  EXPECT_EQ(GatewayUnderTest::Json(response)["code"], 5);
  // A bad request is refused before any call, as on unary routes.
  EXPECT_EQ(gw.Call({.target = std::string(kWatch) + "?maxEvents=many"}).status, 400);
}

TEST(ServerStreamTest, AFailureAfterTheFirstMessageEndsEachFormatWithAnError) {
  GatewayUnderTest gw;
  const std::string target = std::string(kWatch) + "?maxEvents=3&failAfter=2";

  HttpResponse ndjson = gw.Call({.target = target});
  ASSERT_EQ(ndjson.status, 200);
  std::vector<nlohmann::json> lines = NdjsonLines(ndjson.body);
  ASSERT_EQ(lines.size(), 3u) << ndjson.body;
  EXPECT_EQ(lines[1]["sequence"], 2);
  EXPECT_EQ(lines[2]["error"]["code"], 10);
  EXPECT_EQ(lines[2]["error"]["message"], "watch failed after 2 events");
  EXPECT_TRUE(lines[2]["error"]["details"].is_array());

  HttpResponse sse = gw.Call({.target = target, .headers = {{"Accept", "text/event-stream"}}});
  ASSERT_EQ(sse.status, 200);
  EXPECT_THAT(sse.body, HasSubstr("id: 2\n"));
  EXPECT_THAT(sse.body, HasSubstr("event: error\ndata: {\"code\":10,"));

  // With TE: trailers the status is also in the chunked trailers.
  HttpResponse array =
      gw.Call({.target = target, .headers = {{"Accept", "application/json"}, {"TE", "trailers"}}});
  ASSERT_EQ(array.status, 200);
  nlohmann::json elements = GatewayUnderTest::Json(array);
  ASSERT_EQ(elements.size(), 3u) << array.body;
  EXPECT_EQ(elements[2]["error"]["code"], 10);
  EXPECT_EQ(array.Header("grpc-status"), "10");
  EXPECT_EQ(array.Header("grpc-message"), "watch failed after 2 events");
}

TEST(ServerStreamTest, AWellEndedStreamSaysSoInItsTrailers) {
  GatewayUnderTest gw;
  HttpResponse response =
      gw.Call({.target = std::string(kWatch) + "?maxEvents=1", .headers = {{"TE", "trailers"}}});
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.Header("grpc-status"), "0");
  EXPECT_FALSE(response.HasHeader("grpc-message"));
}

// The service sends an event only when the test allows it: the client holding
// event k while event k+1 does not exist yet proves the gateway flushed it.
TEST(ServerStreamTest, EachMessageReachesTheClientBeforeTheNextExists) {
  GatewayUnderTest gw;
  demo_services::StreamGate& gate = gw.backend().watch_gate();
  gate.Close();
  auto client = HttpClient::Connect(gw.port());
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE((*client)->Send({.target = std::string(kWatch) + "?maxEvents=3"}).ok());
  gate.Allow(1);
  auto head = (*client)->ReadHead();
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->status, 200);
  for (int sequence = 1; sequence <= 3; ++sequence) {
    auto body = (*client)->ReadBodyUntil("\"sequence\":" + std::to_string(sequence));
    ASSERT_TRUE(body.ok()) << body.status();
    // Only `sequence` events were allowed: the next one does not exist yet.
    EXPECT_LE(gate.sent(), sequence);
    EXPECT_EQ(NdjsonLines(*body).size(), static_cast<size_t>(sequence));
    gate.Allow(1);
  }
  auto rest = (*client)->ReadRest();
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(NdjsonLines(rest->body).size(), 3u);
}

// A client that stops reading holds the service back through the gateway
// (one message at a time, then HTTP/2 flow control): far fewer events are
// sent than asked for, and closing the connection cancels the call.
TEST(ServerStreamTest, AClientThatDoesNotReadHoldsTheServiceBack) {
  GatewayUnderTest gw;
  demo_services::StreamGate& gate = gw.backend().watch_gate();
  constexpr int kEvents = 4000;  // 64 KiB each: 256 MiB if nothing held it back
  auto client = HttpClient::Connect(gw.port());
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE((*client)->Send({.target = BigStream(kEvents)}).ok());
  ASSERT_TRUE((*client)->ReadHead().ok());
  ASSERT_TRUE(HeldBack(gate));
  EXPECT_LT(gate.sent(), kEvents / 4) << "sent while the client did not read";
  client->reset();  // the client goes away
  EXPECT_TRUE(Eventually([&] { return gate.cancelled() == 1; })) << gate.cancelled();
  EXPECT_LT(gate.sent(), kEvents);
}

TEST(ServerStreamTest, TheClientGoingAwayCancelsTheUpstreamCall) {
  GatewayUnderTest gw;
  demo_services::StreamGate& gate = gw.backend().watch_gate();
  gate.Close();
  gate.Allow(1);
  {
    auto client = HttpClient::Connect(gw.port());
    ASSERT_TRUE(client.ok()) << client.status();
    ASSERT_TRUE((*client)->Send({.target = std::string(kWatch) + "?maxEvents=5"}).ok());
    ASSERT_TRUE((*client)->ReadHead().ok());
    ASSERT_TRUE((*client)->ReadBodyUntil("\"sequence\":1").ok());
  }  // closed, with the service waiting to send event 2
  EXPECT_TRUE(Eventually([&] { return gate.cancelled() == 1; })) << gate.cancelled();
  EXPECT_EQ(gate.sent(), 1);
  // The gateway serves on.
  gate.Open();
  EXPECT_EQ(gw.Call({.target = std::string(kWatch) + "?maxEvents=1"}).status, 200);
}

TEST(ServerStreamTest, TheStreamDeadlineEndsAStreamWithAnError) {
  GatewayUnderTest gw([](config::GatewayConfig& config) {
    config.streaming.timeout = std::chrono::milliseconds(500);
  });
  demo_services::StreamGate& gate = gw.backend().watch_gate();
  gate.Close();
  gate.Allow(1);  // the second event never comes
  HttpResponse response = gw.Call({.target = std::string(kWatch) + "?maxEvents=2"});
  ASSERT_EQ(response.status, 200) << response.body;
  std::vector<nlohmann::json> lines = NdjsonLines(response.body);
  ASSERT_EQ(lines.size(), 2u) << response.body;
  EXPECT_EQ(lines[0]["sequence"], 1);
  EXPECT_EQ(lines[1]["error"]["code"], 4);  // DEADLINE_EXCEEDED
  EXPECT_TRUE(Eventually([&] { return gate.cancelled() == 1; })) << gate.cancelled();
}

TEST(ServerStreamTest, AnIdleEventStreamGetsHeartbeats) {
  GatewayUnderTest gw([](config::GatewayConfig& config) {
    config.streaming.heartbeat = std::chrono::milliseconds(50);
  });
  demo_services::StreamGate& gate = gw.backend().watch_gate();
  gate.Close();  // no event yet
  auto client = HttpClient::Connect(gw.port());
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE((*client)
                  ->Send({.target = std::string(kWatch) + "?maxEvents=1",
                          .headers = {{"Accept", "text/event-stream"}}})
                  .ok());
  auto head = (*client)->ReadHead();  // sent with the first heartbeat
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->status, 200);
  auto body = (*client)->ReadBodyUntil(": heartbeat\n\n: heartbeat\n\n");
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(gate.sent(), 0);
  gate.Allow(1);
  auto rest = (*client)->ReadRest();
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_THAT(rest->body, HasSubstr("id: 1\ndata: {\"sequence\":1,"));
  EXPECT_THAT(rest->body, Not(HasSubstr("event: error")));
}

TEST(ServerStreamTest, AStreamIdleForTooLongEndsWithAnErrorAndCancelsTheCall) {
  GatewayUnderTest gw([](config::GatewayConfig& config) {
    config.streaming.idle_timeout = std::chrono::milliseconds(200);
  });
  demo_services::StreamGate& gate = gw.backend().watch_gate();
  gate.Close();
  gate.Allow(1);  // then silence
  HttpResponse response = gw.Call({.target = std::string(kWatch) + "?maxEvents=2"});
  ASSERT_EQ(response.status, 200) << response.body;
  std::vector<nlohmann::json> lines = NdjsonLines(response.body);
  ASSERT_EQ(lines.size(), 2u) << response.body;
  EXPECT_EQ(lines[1]["error"]["code"], 4);
  EXPECT_THAT(lines[1]["error"]["message"].get<std::string>(), HasSubstr("streaming.idle_timeout"));
  EXPECT_TRUE(Eventually([&] { return gate.cancelled() == 1; })) << gate.cancelled();
}

// A client that reads slowly is no idle service: while the gateway waits on
// the client, the service's silence does not count.
TEST(ServerStreamTest, ASlowClientIsNotAnIdleStream) {
  GatewayUnderTest gw([](config::GatewayConfig& config) {
    config.streaming.idle_timeout = std::chrono::milliseconds(100);
  });
  constexpr int kEvents = 1000;  // 64 KiB each: far more than the buffers on the way hold
  auto client = HttpClient::Connect(gw.port());
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE((*client)->Send({.target = BigStream(kEvents)}).ok());
  ASSERT_TRUE((*client)->ReadHead().ok());
  // Not reading for several idle timeouts, until the service is held back.
  demo_services::StreamGate& gate = gw.backend().watch_gate();
  ASSERT_TRUE(HeldBack(gate));
  ASSERT_LT(gate.sent(), kEvents);
  auto rest = (*client)->ReadRest();
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(std::count(rest->body.begin(), rest->body.end(), '\n'), kEvents);
  EXPECT_EQ(rest->body.find("\"error\""), std::string::npos);
}

// A stream still running at the drain timeout ends with an error element
// that says why (UNAVAILABLE: retry elsewhere), and its call is cancelled.
TEST(ServerStreamTest, AStreamOpenAtTheDrainTimeoutEndsWithAnError) {
  GatewayUnderTest gw(
      [](config::GatewayConfig& config) { config.drain_timeout = std::chrono::milliseconds(200); });
  demo_services::StreamGate& gate = gw.backend().watch_gate();
  gate.Close();
  gate.Allow(1);  // then the service waits
  auto client = HttpClient::Connect(gw.port());
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE(
      (*client)
          ->Send({.target = std::string(kWatch) + "?maxEvents=5", .headers = {{"TE", "trailers"}}})
          .ok());
  ASSERT_TRUE((*client)->ReadHead().ok());
  ASSERT_TRUE((*client)->ReadBodyUntil("\"sequence\":1").ok());
  std::thread shutdown([&] { gw.gateway().Shutdown(); });
  auto rest = (*client)->ReadRest();
  shutdown.join();
  ASSERT_TRUE(rest.ok()) << rest.status();
  std::vector<nlohmann::json> lines = NdjsonLines(rest->body);
  ASSERT_EQ(lines.size(), 2u) << rest->body;
  EXPECT_EQ(lines[0]["sequence"], 1);
  EXPECT_EQ(lines[1]["error"]["code"], 14);  // UNAVAILABLE
  EXPECT_THAT(lines[1]["error"]["message"].get<std::string>(), HasSubstr("drain_timeout"));
  EXPECT_EQ(rest->Header("grpc-status"), "14");
  EXPECT_TRUE(Eventually([&] { return gate.cancelled() == 1; })) << gate.cancelled();
}

}  // namespace
}  // namespace protogate::test
