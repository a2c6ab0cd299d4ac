// End to end: client-streaming methods over HTTP/1.1, through the real
// gateway to the demo orders service's ImportOrders: NDJSON and JSON-array
// bodies, each message sent upstream as it is parsed, backpressure from a
// slow service to the uploading client, malformed streams, failures of the
// service mid-upload, limits and the client going away.

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "auth/api_key.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/eventually.h"
#include "support/gateway_under_test.h"

namespace protogate::test {
namespace {

using ::testing::HasSubstr;

constexpr char kImport[] = "/v1/orders:import";

// One order as an NDJSON line; `note_bytes` pads it.
std::string OrderLine(int n, size_t note_bytes = 0) {
  return absl::StrCat(R"({"userId":"u-)", n, R"(","items":[{"productId":"p-1","quantity":)", n,
                      R"(,"unitPriceCents":"100"}],"note":")", std::string(note_bytes, '.'),
                      "\"}\n");
}

HttpRequest Upload(std::string body, TestHeaders headers = {}) {
  headers.emplace_back("Content-Type", "application/x-ndjson");
  return {
      .method = "POST", .target = kImport, .headers = std::move(headers), .body = std::move(body)};
}

// The chunked framing of one piece of a body.
std::string Chunk(absl::string_view bytes) {
  return absl::StrCat(absl::Hex(bytes.size()), "\r\n", bytes, "\r\n");
}

std::string ChunkedHead(absl::string_view content_type = "application/x-ndjson") {
  return absl::StrCat("POST ", kImport, " HTTP/1.1\r\nHost: t\r\nContent-Type: ", content_type,
                      "\r\nTransfer-Encoding: chunked\r\n\r\n");
}

TEST(ClientStreamTest, AnNdjsonBodyIsOneMessagePerLine) {
  GatewayUnderTest gw;
  HttpResponse response = gw.Call(Upload(OrderLine(1) + OrderLine(2) + OrderLine(3)));
  ASSERT_EQ(response.status, 200) << response.body;
  nlohmann::json answer = GatewayUnderTest::Json(response);
  EXPECT_EQ(answer["imported"], 3);
  EXPECT_EQ(answer["totalCents"], "600");  // int64 as a JSON string
  EXPECT_EQ(answer["orderIds"].size(), 3u);
  EXPECT_EQ(gw.backend().import_gate().sent(), 3);
}

TEST(ClientStreamTest, AJsonArrayBodyIsOneMessagePerElement) {
  GatewayUnderTest gw;
  const std::string body = absl::StrCat(
      "[", R"({"userId":"u-1","items":[{"productId":"p-1","quantity":2,"unitPriceCents":"5"}]})",
      ",\n", R"({"userId":"u-2","items":[{"productId":"p-2","quantity":1,"unitPriceCents":"7"}]})",
      "]");
  HttpResponse response = gw.Call({.method = "POST",
                                   .target = kImport,
                                   .headers = {{"Content-Type", "application/json"}},
                                   .body = body});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(GatewayUnderTest::Json(response)["imported"], 2);
  EXPECT_EQ(GatewayUnderTest::Json(response)["totalCents"], "17");

  HttpResponse none = gw.Call({.method = "POST", .target = kImport, .body = "[]"});
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(GatewayUnderTest::Json(none)["imported"], nullptr);  // 0 is a default: not printed
}

TEST(ClientStreamTest, AnEmptyBodyIsAnEmptyStream) {
  GatewayUnderTest gw;
  HttpResponse response = gw.Call({.method = "POST", .target = kImport});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(GatewayUnderTest::Json(response), nlohmann::json::object());
}

// Each message reaches the service while the rest of the body has not been
// sent yet: nothing waits for the whole upload.
TEST(ClientStreamTest, EachMessageIsSentUpstreamAsItArrives) {
  GatewayUnderTest gw;
  const demo_services::StreamGate& gate = gw.backend().import_gate();
  auto client = HttpClient::Connect(gw.port());
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE((*client)->SendRaw(ChunkedHead()).ok());
  for (int n = 1; n <= 3; ++n) {
    const std::string line = OrderLine(n);
    // The message split across two chunks: it is whole only with the second.
    ASSERT_TRUE((*client)->SendRaw(Chunk(line.substr(0, 10))).ok());
    ASSERT_TRUE((*client)->SendRaw(Chunk(line.substr(10))).ok());
    EXPECT_TRUE(Eventually([&] { return gate.sent() == n; })) << n << ": " << gate.sent();
  }
  ASSERT_TRUE((*client)->SendRaw("0\r\n\r\n").ok());
  auto response = (*client)->ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(GatewayUnderTest::Json(*response)["imported"], 3);
  // The connection serves on.
  auto next = (*client)->RoundTrip({.target = "/v1/orders/o-1"});
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->status, 200);
}

// A loopback connection written without blocking, to see when the gateway
// stops reading.
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  }
  ~RawConnection() { ::close(fd_); }
  bool connected() const { return connected_; }

  // Writes `bytes` from `*offset` on until they are all out (true) or the
  // peer has taken nothing for `stall` (false).
  bool WriteUntilStalled(const std::string& bytes, size_t* offset, int stall_ms) {
    while (*offset < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + *offset, bytes.size() - *offset, MSG_NOSIGNAL);
      if (n > 0) {
        *offset += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
      pollfd watch{.fd = fd_, .events = POLLOUT, .revents = 0};
      if (::poll(&watch, 1, stall_ms) == 0) return false;
    }
    return true;
  }

  // Reads until the peer closes or `needle` has come (bounded).
  std::string ReadUntil(absl::string_view needle) {
    std::string in;
    const absl::Time until = absl::Now() + absl::Seconds(20);
    while (!absl::StrContains(in, needle) && absl::Now() < until) {
      pollfd watch{.fd = fd_, .events = POLLIN, .revents = 0};
      if (::poll(&watch, 1, 100) <= 0) continue;
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      in.append(buffer, static_cast<size_t>(n));
    }
    return in;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// A service that does not read holds the client back through the gateway:
// the gateway reads the next piece of the body only once the message before
// is written upstream, so its client's writes stall far before the end of a
// body bigger than every buffer on the way; let go, it all arrives.
TEST(ClientStreamTest, ASlowServiceHoldsTheUploadingClientBack) {
  GatewayUnderTest gw;
  demo_services::StreamGate& gate = gw.backend().import_gate();
  gate.Close();
  constexpr int kMessages = 3000;  // 16 KiB each: 48 MiB in all
  std::string body;
  for (int n = 1; n <= kMessages; ++n) body += Chunk(OrderLine(n, 16 * 1024));
  body += "0\r\n\r\n";
  const std::string request = ChunkedHead() + body;

  RawConnection connection(gw.port());
  ASSERT_TRUE(connection.connected());
  size_t offset = 0;
  EXPECT_FALSE(connection.WriteUntilStalled(request, &offset, 2000))
      << "the whole upload was taken while the service read nothing";
  EXPECT_LT(offset, request.size() / 2);
  EXPECT_EQ(gate.sent(), 0);

  gate.Open();
  ASSERT_TRUE(connection.WriteUntilStalled(request, &offset, 20000));
  const std::string answer = connection.ReadUntil("}");
  EXPECT_THAT(answer, HasSubstr("HTTP/1.1 200 OK"));
  EXPECT_THAT(answer, HasSubstr(absl::StrCat("\"imported\":", kMessages)));
  EXPECT_EQ(gate.sent(), kMessages);
}

TEST(ClientStreamTest, AMalformedMessageIsRefusedByNumberAndTheCallCancelled) {
  GatewayUnderTest gw;
  HttpResponse response = gw.Call(Upload(OrderLine(1) + "{\"userId\": nope}\n" + OrderLine(3)));
  EXPECT_EQ(response.status, 400) << response.body;
  nlohmann::json error = GatewayUnderTest::Json(response);
  EXPECT_EQ(error["code"], 3);
  EXPECT_THAT(error["message"].get<std::string>(), HasSubstr("request stream: message 2"));
  EXPECT_TRUE(Eventually([&] { return gw.backend().import_gate().cancelled() == 1; }));

  HttpResponse framing = gw.Call(Upload(OrderLine(1) + "42\n"));
  EXPECT_EQ(framing.status, 400) << framing.body;
  EXPECT_THAT(GatewayUnderTest::Json(framing)["message"].get<std::string>(),
              HasSubstr("message 2 at byte"));

  HttpResponse unfinished = gw.Call(Upload("[" + std::string(R"({"userId":"u-1"})")));
  EXPECT_EQ(unfinished.status, 400) << unfinished.body;
  EXPECT_THAT(GatewayUnderTest::Json(unfinished)["message"].get<std::string>(),
              HasSubstr("closing ]"));
}

// The service refusing an order ends the call: its error is the answer, and
// the gateway reads no more of the body (the connection closes after).
TEST(ClientStreamTest, TheServiceEndingTheCallEarlyIsTheAnswer) {
  GatewayUnderTest gw;
  std::string body = OrderLine(1) + R"({"items":[]})" + "\n";
  for (int n = 3; n <= 50; ++n) body += OrderLine(n);
  HttpResponse response = gw.Call(Upload(body));
  EXPECT_EQ(response.status, 400) << response.body;
  nlohmann::json error = GatewayUnderTest::Json(response);
  EXPECT_EQ(error["code"], 3);
  EXPECT_THAT(error["message"].get<std::string>(), HasSubstr("order 2: "));
  EXPECT_FALSE(error["details"].empty());  // the service's BadRequest
  // Whether the connection closes after it depends on how much of the body
  // the gateway had read by then (tests/unit/http covers that rule).
}

TEST(ClientStreamTest, AMessageOverTheLimitIs413) {
  GatewayUnderTest gw([](config::GatewayConfig& config) { config.limits.max_body_bytes = 1024; });
  // The whole upload may exceed max_body_bytes; one message may not.
  std::string body;
  for (int n = 1; n <= 20; ++n) body += OrderLine(n, 100);
  HttpResponse fine = gw.Call(Upload(body));
  EXPECT_EQ(fine.status, 200) << fine.body;
  EXPECT_EQ(GatewayUnderTest::Json(fine)["imported"], 20);

  HttpResponse over = gw.Call(Upload(OrderLine(1) + OrderLine(2, 2000)));
  EXPECT_EQ(over.status, 413) << over.body;
  EXPECT_THAT(GatewayUnderTest::Json(over)["message"].get<std::string>(),
              HasSubstr("message 2 exceeds 1024 bytes"));
}

TEST(ClientStreamTest, TheWholeUploadIsBoundedByItsOwnLimit) {
  GatewayUnderTest gw(
      [](config::GatewayConfig& config) { config.streaming.max_upload_bytes = 4096; });
  std::string body;
  for (int n = 1; n <= 100; ++n) body += OrderLine(n);
  HttpResponse over = gw.Call(Upload(body));
  EXPECT_EQ(over.status, 413) << over.body;
  EXPECT_THAT(GatewayUnderTest::Json(over)["message"].get<std::string>(),
              HasSubstr("exceeds 4096 bytes"));
}

// Credentials are checked before the body is read: a refused caller gets its
// 401 without the 100 Continue its client waits for, and the service never
// sees a call; an accepted one uploads.
TEST(ClientStreamTest, AuthenticationComesBeforeTheBody) {
  const std::string key = *auth::NewApiKey("importer");
  GatewayUnderTest gw([&key](config::GatewayConfig& config) {
    auto hash = auth::HashApiKey(key);
    ASSERT_TRUE(hash.ok()) << hash.status();
    config.auth.enabled = true;
    config.auth.has_api_keys = true;
    config.auth.api_keys.keys = {
        {.id = "importer", .hash = *hash, .client_id = "importer", .scopes = {"orders:write"}}};
    config.auth.policies = {
        {.selector = "demo.orders.v1.OrderService.ImportOrders", .scopes = {"orders:write"}}};
  });
  const std::string line = OrderLine(1);
  auto head = [&](absl::string_view api_key) {
    return absl::StrCat("POST ", kImport, " HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n",
                        "X-Api-Key: ", api_key, "\r\nContent-Length: ", line.size(), "\r\n\r\n");
  };

  auto refused = HttpClient::Connect(gw.port());
  ASSERT_TRUE(refused.ok()) << refused.status();
  ASSERT_TRUE((*refused)->SendRaw(head("pk_forged")).ok());
  auto no = (*refused)->ReadResponse();
  ASSERT_TRUE(no.ok()) << no.status();
  EXPECT_EQ(no->status, 401) << no->body;
  EXPECT_EQ(gw.backend().import_gate().started(), 0);

  auto accepted = HttpClient::Connect(gw.port());
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  ASSERT_TRUE((*accepted)->SendRaw(head(key)).ok());
  auto interim = (*accepted)->ReadHead();
  ASSERT_TRUE(interim.ok()) << interim.status();
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE((*accepted)->SendRaw(line).ok());
  auto yes = (*accepted)->ReadResponse();
  ASSERT_TRUE(yes.ok()) << yes.status();
  EXPECT_EQ(yes->status, 200) << yes->body;
  EXPECT_EQ(GatewayUnderTest::Json(*yes)["imported"], 1);
}

TEST(ClientStreamTest, TheClientGoingAwayMidUploadCancelsTheCall) {
  GatewayUnderTest gw;
  const demo_services::StreamGate& gate = gw.backend().import_gate();
  {
    auto client = HttpClient::Connect(gw.port());
    ASSERT_TRUE(client.ok()) << client.status();
    ASSERT_TRUE((*client)->SendRaw(ChunkedHead() + Chunk(OrderLine(1))).ok());
    ASSERT_TRUE(Eventually([&] { return gate.sent() == 1; }));
  }  // closed mid-body
  EXPECT_TRUE(Eventually([&] { return gate.cancelled() == 1; })) << gate.cancelled();
  EXPECT_EQ(gw.Call(Upload(OrderLine(1))).status, 200);
}

TEST(ClientStreamTest, AClientThatStopsSendingTimesOut) {
  GatewayUnderTest gw([](config::GatewayConfig& config) {
    config.streaming.idle_timeout = std::chrono::milliseconds(300);
  });
  auto client = HttpClient::Connect(gw.port());
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE((*client)->SendRaw(ChunkedHead() + Chunk(OrderLine(1))).ok());
  auto response = (*client)->ReadResponse();  // no more bytes come
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 408) << response->body;
  EXPECT_TRUE(Eventually([&] { return gw.backend().import_gate().cancelled() == 1; }));
}

// An upload still coming at the drain timeout is answered 503 (and its
// call cancelled) rather than cut off without a word.
TEST(ClientStreamTest, AnUploadUnfinishedAtTheDrainTimeoutIsAnswered503) {
  GatewayUnderTest gw(
      [](config::GatewayConfig& config) { config.drain_timeout = std::chrono::milliseconds(200); });
  const demo_services::StreamGate& gate = gw.backend().import_gate();
  auto client = HttpClient::Connect(gw.port());
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE((*client)->SendRaw(ChunkedHead() + Chunk(OrderLine(1))).ok());
  ASSERT_TRUE(Eventually([&] { return gate.sent() == 1; }));
  std::thread shutdown([&] { gw.gateway().Shutdown(); });
  auto response = (*client)->ReadResponse();
  shutdown.join();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 503) << response->body;
  nlohmann::json error = GatewayUnderTest::Json(*response);
  EXPECT_EQ(error["code"], 14);
  EXPECT_THAT(error["message"].get<std::string>(), HasSubstr("drain_timeout"));
  EXPECT_TRUE(Eventually([&] { return gate.cancelled() == 1; })) << gate.cancelled();
}

}  // namespace
}  // namespace protogate::test
