// Request bodies the handler reads as they arrive (Handler::StreamsBody,
// BodyStream), checked on the wire: pieces in order, reads only as asked,
// limits, timeouts, the interim 100 Continue, and answers given before the
// body's end.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "http/message.h"
#include "http/server.h"
#include "support/http_client.h"
#include "unit/http/test_server.h"

namespace protogate::http {
namespace {

using test::HttpClient;
using testing::StartServer;
using testing::TestOptions;

// Pieces the handler has read, for the test thread to wait on.
class Pieces {
 public:
  void Add(const std::string& bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    read_ += bytes;
    cv_.notify_all();
  }
  bool WaitFor(absl::string_view bytes) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10),
                        [&] { return absl::StrContains(read_, bytes); });
  }
  std::string read() {
    std::lock_guard<std::mutex> lock(mu_);
    return read_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::string read_;
};

// Streams the bodies of /stream…; answers with what it read ("N pieces:
// bytes") or the error piece's status. /refuse answers 401 without reading.
class StreamingHandler : public Handler {
 public:
  bool StreamsBody(const Request& head) override {
    return absl::StartsWith(head.target, "/stream") || head.target == "/refuse";
  }

  void Handle(Request request, Responder respond) override {
    if (request.target == "/refuse") {
      respond({.status = 401, .headers = {}, .body = "no"});
      return;
    }
    if (request.body_stream == nullptr) {
      respond({.status = 200, .headers = {}, .body = absl::StrCat("whole: ", request.body)});
      return;
    }
    auto read = std::make_shared<Reading>();
    read->body = request.body_stream;
    read->respond = respond;
    ReadOn(read);
  }

  absl::Duration timeout = absl::Seconds(10);
  Pieces pieces;

 private:
  struct Reading {
    std::shared_ptr<BodyStream> body;
    Responder respond;
    int count = 0;
    std::string bytes;
  };

  void ReadOn(const std::shared_ptr<Reading>& read) {
    read->body->Read(timeout, [this, read](BodyPiece piece) {
      EXPECT_TRUE(read->respond->OnLoop());
      if (piece.error_status != 0) {
        read->respond({.status = piece.error_status, .headers = {}, .body = piece.error});
        return;
      }
      pieces.Add(piece.bytes);
      if (!piece.bytes.empty()) ++read->count;
      read->bytes += piece.bytes;
      if (!piece.last) return ReadOn(read);
      read->respond({.status = 200,
                     .headers = {},
                     .body = absl::StrCat(read->count, " pieces: ", read->bytes)});
    });
  }
};

std::string Chunk(absl::string_view bytes) {
  return absl::StrCat(absl::Hex(bytes.size()), "\r\n", bytes, "\r\n");
}

constexpr char kChunkedHead[] =
    "POST /stream HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";

TEST(BodyStreamTest, PiecesArriveInOrderAsTheClientSendsThem) {
  StreamingHandler handler;
  testing::Running running = StartServer(&handler);
  auto client = HttpClient::Connect(running.port);
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE((*client)->SendRaw(absl::StrCat(kChunkedHead, Chunk("first|"))).ok());
  // The handler has the first piece while the rest is not even sent.
  ASSERT_TRUE(handler.pieces.WaitFor("first|"));
  ASSERT_TRUE((*client)->SendRaw(Chunk("second|")).ok());
  ASSERT_TRUE(handler.pieces.WaitFor("second|"));
  ASSERT_TRUE((*client)->SendRaw(Chunk("third") + "0\r\n\r\n").ok());
  auto response = (*client)->ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "3 pieces: first|second|third");
  // The connection carries the next request, a body gathered whole.
  auto next = (*client)->RoundTrip({.method = "POST", .target = "/whole", .body = "abc"});
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->body, "whole: abc");
}

TEST(BodyStreamTest, AContentLengthBodyOverTheWholeLimitStreams) {
  StreamingHandler handler;
  ServerOptions options = TestOptions();
  options.max_body_bytes = 16;
  testing::Running running = StartServer(&handler, options);
  auto client = HttpClient::Connect(running.port);
  ASSERT_TRUE(client.ok()) << client.status();
  const std::string body(1000, 'x');
  auto streamed = (*client)->RoundTrip({.method = "POST", .target = "/stream", .body = body});
  ASSERT_TRUE(streamed.ok()) << streamed.status();
  EXPECT_EQ(streamed->status, 200);
  EXPECT_TRUE(absl::EndsWith(streamed->body, body));
  // A body gathered whole keeps its own limit.
  auto whole = (*client)->RoundTrip({.method = "POST", .target = "/whole", .body = body});
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_EQ(whole->status, 413);
}

TEST(BodyStreamTest, AStreamedBodyOverItsLimitEndsWith413) {
  StreamingHandler handler;
  ServerOptions options = TestOptions();
  options.max_stream_body_bytes = 100;
  testing::Running running = StartServer(&handler, options);
  auto client = HttpClient::Connect(running.port);
  ASSERT_TRUE(client.ok()) << client.status();
  std::string request = kChunkedHead;
  for (int i = 0; i < 10; ++i) request += Chunk(std::string(30, 'y'));
  request += "0\r\n\r\n";
  ASSERT_TRUE((*client)->SendRaw(request).ok());
  auto response = (*client)->ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->body, "request body exceeds 100 bytes");
  EXPECT_EQ(response->Header("Connection"), "close");
  // A Content-Length over it is refused with the head.
  auto client2 = HttpClient::Connect(running.port);
  ASSERT_TRUE(client2.ok()) << client2.status();
  auto long_one =
      (*client2)->RoundTrip({.method = "POST", .target = "/stream", .body = std::string(200, 'z')});
  ASSERT_TRUE(long_one.ok()) << long_one.status();
  EXPECT_EQ(long_one->status, 413);
}

TEST(BodyStreamTest, AClientThatStopsSendingGets408) {
  StreamingHandler handler;
  handler.timeout = absl::Milliseconds(200);
  testing::Running running = StartServer(&handler);
  auto client = HttpClient::Connect(running.port);
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE((*client)->SendRaw(absl::StrCat(kChunkedHead, Chunk("some"))).ok());
  auto response = (*client)->ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 408);
  EXPECT_EQ(response->body, "request body not received within 200 ms");
}

TEST(BodyStreamTest, AClientThatGoesAwayMidBodyEndsTheBodyWithAnError) {
  StreamingHandler handler;
  testing::Running running = StartServer(&handler);
  auto client = HttpClient::Connect(running.port);
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE((*client)->SendRaw(absl::StrCat(kChunkedHead, Chunk("half"))).ok());
  ASSERT_TRUE(handler.pieces.WaitFor("half"));
  ASSERT_TRUE((*client)->ShutdownWrite().ok());
  auto response = (*client)->ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(response->body, "the client closed the connection before the body ended");
}

TEST(BodyStreamTest, MalformedChunkFramingIs400) {
  StreamingHandler handler;
  testing::Running running = StartServer(&handler);
  auto client = HttpClient::Connect(running.port);
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE((*client)->SendRaw(absl::StrCat(kChunkedHead, "zz\r\nabc\r\n")).ok());
  auto response = (*client)->ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 400);
  EXPECT_TRUE(absl::StartsWith(response->body, "malformed HTTP request body: ")) << response->body;
}

// 100 Continue goes out with the first read: a handler that refuses the
// request without reading answers without it, and the connection closes.
TEST(BodyStreamTest, ContinueOnlyWhenTheBodyIsRead) {
  StreamingHandler handler;
  testing::Running running = StartServer(&handler);
  constexpr char kExpecting[] =
      " HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n";

  auto refused = HttpClient::Connect(running.port);
  ASSERT_TRUE(refused.ok()) << refused.status();
  ASSERT_TRUE((*refused)->SendRaw(absl::StrCat("POST /refuse", kExpecting)).ok());
  auto no = (*refused)->ReadResponse();
  ASSERT_TRUE(no.ok()) << no.status();
  EXPECT_EQ(no->status, 401);
  EXPECT_EQ(no->Header("Connection"), "close");

  auto read = HttpClient::Connect(running.port);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_TRUE((*read)->SendRaw(absl::StrCat("POST /stream", kExpecting)).ok());
  auto interim = (*read)->ReadHead();
  ASSERT_TRUE(interim.ok()) << interim.status();
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE((*read)->SendRaw("hello").ok());
  auto response = (*read)->ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "1 pieces: hello");
}

// An answer before the body's end: the unread rest is dropped and the
// connection closes after the answer (its bytes are no next request).
TEST(BodyStreamTest, AnAnswerBeforeTheBodyEndsClosesTheConnection) {
  StreamingHandler handler;
  testing::Running running = StartServer(&handler);
  auto client = HttpClient::Connect(running.port);
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE(
      (*client)
          ->SendRaw(
              "POST /refuse HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nGET /")
          .ok());
  auto response = (*client)->ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 401);
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE((*client)->WaitForClose().ok());
}

}  // namespace
}  // namespace protogate::http
