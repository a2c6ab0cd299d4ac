// Streamed answers (WriteHead / WriteChunk / Finish), cancellation and loop
// affinity of the per-request ResponseWriter, checked on the wire.

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "http/message.h"
#include "http/server.h"
#include "support/http_client.h"
#include "unit/http/test_server.h"

namespace protogate::http {
namespace {

using test::HttpClient;
using test::HttpRequest;
using test::HttpResponse;
using testing::FunctionHandler;
using testing::RenderError;
using testing::Running;
using testing::StartServer;
using testing::TestOptions;

constexpr std::chrono::seconds kWait{10};

// What the handlers saw, for the test thread to wait on.
class Events {
 public:
  void Add(std::string event) {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(std::move(event));
    cv_.notify_all();
  }
  // False when `event` did not happen within kWait.
  bool WaitFor(const std::string& event) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kWait, [&] { return Has(event); });
  }
  bool Happened(const std::string& event) {
    std::lock_guard<std::mutex> lock(mu_);
    return Has(event);
  }
  std::vector<std::string> All() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }

 private:
  bool Has(const std::string& event) const {
    for (const std::string& e : events_) {
      if (e == event) return true;
    }
    return false;
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> events_;
};

// Writes chunks[index...] one after another, each once the previous one is
// reported written, then finishes with `trailers`. On the loop.
void StreamFrom(Responder respond, std::shared_ptr<const std::vector<std::string>> chunks,
                size_t index, HeaderList trailers, Events* events) {
  if (index == chunks->size()) {
    respond->Finish(std::move(trailers));
    events->Add("finished");
    return;
  }
  ResponseWriter& writer = respond.writer();
  writer.WriteChunk(
      (*chunks)[index], [respond = std::move(respond), chunks, index,
                         trailers = std::move(trailers), events](bool written) mutable {
        events->Add(absl::StrCat("written ", index, " ", written));
        if (written) StreamFrom(std::move(respond), chunks, index + 1, std::move(trailers), events);
      });
}

// A handler that streams `chunks` after a head of `status` and `headers`.
FunctionHandler Streaming(std::vector<std::string> chunks, Events* events, int status = 200,
                          HeaderList headers = {}, HeaderList trailers = {}) {
  auto shared = std::make_shared<const std::vector<std::string>>(std::move(chunks));
  return FunctionHandler([=](Request, Responder respond) {
    respond->WriteHead(status, headers);
    StreamFrom(std::move(respond), shared, 0, trailers, events);
  });
}

// A raw loopback connection, to see the exact bytes on the wire.
class RawConnection {
 public:
  // receive_buffer > 0: SO_RCVBUF, fixed before connecting (no autotuning).
  explicit RawConnection(int port, int receive_buffer = 0)
      : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    if (receive_buffer > 0) {
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return connected_; }

  bool Send(absl::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads until what was received (since the last call) ends with `suffix`,
  // or the peer closes, or kWait passes; returns what was received.
  std::string ReadUntilSuffix(absl::string_view suffix) {
    return Read([&](const std::string& got) { return absl::EndsWith(got, suffix); });
  }
  std::string ReadUntilClose() {
    return Read([](const std::string&) { return false; });
  }
  std::string ReadBytes(size_t count) {
    return Read([&](const std::string& got) { return got.size() >= count; }, count);
  }
  bool closed() const { return closed_; }

  // Closes with a reset (unread bytes, or SO_LINGER 0).
  void Reset() {
    linger option{.l_onoff = 1, .l_linger = 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &option, sizeof(option));
    ::close(fd_);
    fd_ = -1;
  }
  void Close() {
    ::close(fd_);
    fd_ = -1;
  }

 private:
  template <class Done>
  std::string Read(Done done, size_t max = SIZE_MAX) {
    std::string got;
    const auto give_up = std::chrono::steady_clock::now() + kWait;
    while (!done(got) && std::chrono::steady_clock::now() < give_up) {
      pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buffer[65536];
      const size_t want = std::min(sizeof(buffer), max - got.size());
      const ssize_t n = ::recv(fd_, buffer, want, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      got.append(buffer, static_cast<size_t>(n));
    }
    return got;
  }

  int fd_;
  bool connected_ = false;
  bool closed_ = false;
};

std::pair<std::string, std::string> SplitHead(const std::string& bytes) {
  const size_t end = bytes.find("\r\n\r\n");
  if (end == std::string::npos) return {bytes, ""};
  return {bytes.substr(0, end + 4), bytes.substr(end + 4)};
}

constexpr char kGet[] = "GET /s HTTP/1.1\r\nHost: x\r\n\r\n";

TEST(HttpStreamingTest, ChunkedFramingIsExactOnTheWire) {
  Events events;
  const std::string big(300, 'x');
  FunctionHandler handler = Streaming({"hello", "", big}, &events, 200,
                                      {{"content-type", "text/plain"},
                                       {"Content-Length", "99"},
                                       {"Transfer-Encoding", "gzip"},
                                       {"x-split", "a\r\nx-injected: 1"}},
                                      {{"x-checksum", "abc"}});
  Running running = StartServer(&handler);
  RawConnection client(running.port);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(kGet));

  const auto [head, body] = SplitHead(client.ReadUntilSuffix("0\r\n\r\n"));

  EXPECT_TRUE(absl::StartsWith(head, "HTTP/1.1 200 OK\r\n")) << head;
  EXPECT_TRUE(absl::StrContains(head, "\r\nTransfer-Encoding: chunked\r\n")) << head;
  EXPECT_TRUE(absl::StrContains(head, "\r\ncontent-type: text/plain\r\n")) << head;
  EXPECT_TRUE(absl::StrContains(head, "\r\nServer: protogate\r\n")) << head;
  EXPECT_TRUE(absl::StrContains(head, "\r\nDate: ")) << head;
  EXPECT_FALSE(absl::StrContains(head, "Content-Length")) << head;
  EXPECT_FALSE(absl::StrContains(head, "gzip")) << head;
  EXPECT_FALSE(absl::StrContains(head, "x-split")) << head;
  EXPECT_FALSE(absl::StrContains(head, "Connection")) << head;
  // The empty chunk is not sent (it would end the body); no TE: trailers,
  // so no trailer section.
  EXPECT_EQ(body, absl::StrCat("5\r\nhello\r\n12c\r\n", big, "\r\n0\r\n\r\n"));
  ASSERT_TRUE(events.WaitFor("finished"));
  EXPECT_EQ(events.All(),
            (std::vector<std::string>{"written 0 1", "written 1 1", "written 2 1", "finished"}));
}

TEST(HttpStreamingTest, TrailersAreSentOnlyToAClientThatAcceptsThem) {
  Events events;
  FunctionHandler handler =
      Streaming({"data"}, &events, 200, {{"trailer", "x-checksum"}},
                {{"x-checksum", "abc"}, {"content-length", "4"}, {"bad name", "v"}});
  Running running = StartServer(&handler);
  for (const bool accepts : {true, false}) {
    SCOPED_TRACE(accepts ? "TE: trailers" : "no TE");
    RawConnection client(running.port);
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(
        client.Send(absl::StrCat("GET /t HTTP/1.1\r\nHost: x\r\nConnection: close\r\n",
                                 accepts ? "TE: deflate;q=0.5, Trailers\r\n" : "", "\r\n")));

    const auto [head, body] = SplitHead(client.ReadUntilClose());

    EXPECT_TRUE(absl::StrContains(head, "\r\nTransfer-Encoding: chunked\r\n")) << head;
    EXPECT_TRUE(absl::StrContains(head, "\r\nConnection: close\r\n")) << head;
    EXPECT_TRUE(absl::StrContains(head, "\r\ntrailer: x-checksum\r\n")) << head;
    EXPECT_EQ(body,
              accepts ? "4\r\ndata\r\n0\r\nx-checksum: abc\r\n\r\n" : "4\r\ndata\r\n0\r\n\r\n");
    EXPECT_TRUE(client.closed());
  }
}

TEST(HttpStreamingTest, Http10ClientGetsACloseDelimitedBody) {
  Events events;
  FunctionHandler handler = Streaming({"one,", "two"}, &events, 200, {}, {{"x-t", "dropped"}});
  Running running = StartServer(&handler);
  RawConnection client(running.port);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));

  const auto [head, body] = SplitHead(client.ReadUntilClose());

  EXPECT_TRUE(client.closed());
  EXPECT_TRUE(absl::StartsWith(head, "HTTP/1.0 200 OK\r\n")) << head;
  EXPECT_TRUE(absl::StrContains(head, "\r\nConnection: close\r\n")) << head;
  EXPECT_FALSE(absl::StrContains(head, "Transfer-Encoding")) << head;
  EXPECT_FALSE(absl::StrContains(head, "Content-Length")) << head;
  EXPECT_EQ(body, "one,two");
}

TEST(HttpStreamingTest, HeadRequestGetsTheHeadOnlyAndTheConnectionServesOn) {
  Events events;
  FunctionHandler handler = Streaming({"never", "sent"}, &events, 200, {{"x-h", "1"}});
  Running running = StartServer(&handler);
  RawConnection client(running.port);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send("HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n"));

  const std::string first = client.ReadUntilSuffix("\r\n\r\n");
  ASSERT_TRUE(events.WaitFor("finished"));
  EXPECT_EQ(events.All(), (std::vector<std::string>{"written 0 1", "written 1 1", "finished"}));
  EXPECT_TRUE(absl::StartsWith(first, "HTTP/1.1 200 OK\r\n")) << first;
  EXPECT_TRUE(absl::StrContains(first, "\r\nx-h: 1\r\n")) << first;
  // The next request's answer follows the head directly: nothing in between.
  ASSERT_TRUE(client.Send(kGet));
  const std::string second = client.ReadUntilSuffix("0\r\n\r\n");
  EXPECT_TRUE(absl::StartsWith(second, "HTTP/1.1 200 OK\r\n")) << second;
  EXPECT_EQ(SplitHead(second).second, "5\r\nnever\r\n4\r\nsent\r\n0\r\n\r\n");
}

TEST(HttpStreamingTest, NoContentStreamHasNoBodyAndNoFraming) {
  Events events;
  FunctionHandler handler = Streaming({"ignored"}, &events, 204);
  Running running = StartServer(&handler);
  auto client = HttpClient::Connect(running.port);
  ASSERT_TRUE(client.ok()) << client.status();
  for (int round = 0; round < 2; ++round) {  // and the connection serves on
    absl::StatusOr<HttpResponse> response = (*client)->RoundTrip(HttpRequest{});
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, 204);
    EXPECT_EQ(response->body, "");
    EXPECT_FALSE(response->HasHeader("transfer-encoding"));
    EXPECT_FALSE(response->HasHeader("content-length"));
  }
}

TEST(HttpStreamingTest, KeepAliveAfterAStreamedAnswer) {
  Events events;
  FunctionHandler handler([&](Request request, Responder respond) {
    if (request.Path() == "/whole") {
      Response response;
      response.body = "whole";
      respond(std::move(response));
      return;
    }
    respond->WriteHead(200, {});
    StreamFrom(std::move(respond),
               std::make_shared<const std::vector<std::string>>(
                   std::vector<std::string>{"a", request.target}),
               0, {}, &events);
  });
  Running running = StartServer(&handler);
  auto client = HttpClient::Connect(running.port);
  ASSERT_TRUE(client.ok()) << client.status();
  std::string remote;
  for (const char* target : {"/s1", "/s2", "/whole", "/s3"}) {
    HttpRequest request;
    request.target = target;
    absl::StatusOr<HttpResponse> response = (*client)->RoundTrip(request);
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->body,
              target == std::string("/whole") ? "whole" : absl::StrCat("a", target));
  }
}

TEST(HttpStreamingTest, ASecondChunkBeforeTheFirstIsWrittenIsRefused) {
  Events events;
  FunctionHandler handler([&](Request, Responder respond) {
    respond->WriteHead(200, {});
    respond->WriteChunk("first", [&events, respond](bool written) {
      events.Add(absl::StrCat("first ", written));
      respond->WriteChunk("third", [&events, respond](bool written) {
        events.Add(absl::StrCat("third ", written));
        respond->Finish({});
      });
    });
    respond->WriteChunk("second",
                        [&events](bool written) { events.Add(absl::StrCat("second ", written)); });
  });
  Running running = StartServer(&handler);
  auto client = HttpClient::Connect(running.port);
  ASSERT_TRUE(client.ok()) << client.status();

  absl::StatusOr<HttpResponse> response = (*client)->RoundTrip(HttpRequest{});

  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, "firstthird");
  EXPECT_TRUE(events.WaitFor("third 1"));
  EXPECT_TRUE(events.Happened("first 1"));
  EXPECT_TRUE(events.Happened("second 0"));
}

// A client that does not read holds the stream back: the next chunk is asked
// for only once the previous one is in the socket, so the chunks in flight
// never exceed what the socket buffers hold.
TEST(HttpStreamingTest, WrittenCallbacksFollowTheClientsReading) {
  constexpr size_t kChunks = 128;
  // 32 MiB in all: far more than the connection buffers, with the client's
  // receive buffer fixed at 64 KiB and the server's send buffer capped by
  // tcp_wmem (4 MiB by default).
  constexpr size_t kChunkBytes = 256 << 10;
  std::atomic<size_t> written{0};
  std::atomic<bool> in_order{true};
  Events events;
  std::function<void(Responder, size_t)> write_from = [&](Responder respond, size_t index) {
    if (index == kChunks) {
      respond->Finish({});
      return;
    }
    ResponseWriter& writer = respond.writer();
    writer.WriteChunk(std::string(kChunkBytes, static_cast<char>('a' + index % 26)),
                      [&, respond = std::move(respond), index](bool ok) mutable {
                        if (!ok || written.load() != index) in_order = false;
                        written.store(index + 1);
                        events.Add(absl::StrCat("written ", index));
                        if (ok) write_from(std::move(respond), index + 1);
                      });
  };
  FunctionHandler handler([&](Request, Responder respond) {
    respond->WriteHead(200, {});
    write_from(std::move(respond), 0);
  });
  Running running = StartServer(&handler);
  RawConnection client(running.port, /*receive_buffer=*/64 << 10);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(kGet));

  ASSERT_TRUE(events.WaitFor("written 0"));
  EXPECT_LT(written.load(), kChunks);  // nothing has been read yet

  std::string all = client.ReadUntilSuffix("0\r\n\r\n");
  const std::string body = SplitHead(all).second;
  ASSERT_TRUE(absl::EndsWith(body, "\r\n0\r\n\r\n")) << body.size();
  EXPECT_EQ(written.load(), kChunks);
  EXPECT_TRUE(in_order.load());
  // Each chunk is "40000\r\n", 256 KiB and "\r\n"; then the last chunk.
  EXPECT_EQ(body.size(), kChunks * (7 + kChunkBytes + 2) + 5);
  EXPECT_EQ(body.substr(0, 8), "40000\r\na");
}

// Keeps each request's Responder until the test lets go; each asks to hear
// of its cancellation.
class HoldingHandler : public Handler {
 public:
  explicit HoldingHandler(Events* events) : events_(events) {}

  void Handle(Request request, Responder respond) override {
    const std::string target = request.target;
    respond->OnCancel([events = events_, target] { events->Add("cancel " + target); });
    std::lock_guard<std::mutex> lock(mu_);
    held_.push_back(std::move(respond));
    events_->Add("handle " + target);
  }

  Responder Take() {
    std::lock_guard<std::mutex> lock(mu_);
    Responder oldest = std::move(held_.front());
    held_.erase(held_.begin());
    return oldest;
  }

 private:
  Events* events_;
  std::mutex mu_;
  std::vector<Responder> held_;
};

Response Body(std::string body) {
  Response response;
  response.body = std::move(body);
  return response;
}

TEST(HttpCancellationTest, ClientClosingWhileTheRequestIsHeldCancelsIt) {
  Events events;
  HoldingHandler handler(&events);
  Running running = StartServer(&handler);
  auto client = HttpClient::Connect(running.port);
  ASSERT_TRUE(client.ok()) << client.status();
  HttpRequest request;
  request.target = "/held";
  ASSERT_TRUE((*client)->Send(request).ok());
  ASSERT_TRUE(events.WaitFor("handle /held"));
  Responder respond = handler.Take();
  EXPECT_FALSE(respond->cancelled());

  client->reset();  // closes the connection

  ASSERT_TRUE(events.WaitFor("cancel /held"));
  EXPECT_TRUE(respond->cancelled());
  // Registered late, a callback runs at once.
  bool late = false;
  respond->Post([&] {
    respond->OnCancel([&] { late = true; });
    events.Add("late registered");
  });
  ASSERT_TRUE(events.WaitFor("late registered"));
  EXPECT_TRUE(late);
  respond(Body("too late"));  // dropped safely
  respond = Responder();
  EXPECT_EQ(running.server->in_flight(), 0);
}

// The watch starts with the first OnCancel; a close that came before is
// seen all the same.
TEST(HttpCancellationTest, ACloseBeforeOnCancelIsSeenOnceItIsAsked) {
  Events events;
  std::mutex mu;
  Responder held;
  FunctionHandler handler([&](Request, Responder respond) {
    std::lock_guard<std::mutex> lock(mu);
    held = std::move(respond);
    events.Add("handled");
  });
  Running running = StartServer(&handler);
  {
    auto client = HttpClient::Connect(running.port);
    ASSERT_TRUE(client.ok()) << client.status();
    ASSERT_TRUE((*client)->Send(HttpRequest{}).ok());
    ASSERT_TRUE(events.WaitFor("handled"));
  }  // closed
  Responder respond;
  {
    std::lock_guard<std::mutex> lock(mu);
    respond = std::move(held);
  }

  respond->OnCancel([&] { events.Add("cancelled"); });  // posted to the loop

  EXPECT_TRUE(events.WaitFor("cancelled"));
  EXPECT_TRUE(respond->cancelled());
}

TEST(HttpCancellationTest, ClientResettingMidStreamCancelsAndFailsTheWrite) {
  Events events;
  std::function<void(Responder, int)> write_from = [&](Responder respond, int index) {
    ResponseWriter& writer = respond.writer();
    writer.WriteChunk(std::string(64 << 10, 'z'),
                      [&, respond = std::move(respond), index](bool written) mutable {
                        if (!written) {
                          events.Add("write failed");
                          return;
                        }
                        write_from(std::move(respond), index + 1);
                      });
  };
  FunctionHandler handler([&](Request, Responder respond) {
    respond->OnCancel([&] { events.Add("cancelled"); });
    respond->WriteHead(200, {});
    write_from(std::move(respond), 0);
  });
  Running running = StartServer(&handler);
  RawConnection client(running.port);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(kGet));
  ASSERT_FALSE(client.ReadBytes(100).empty());

  client.Reset();

  EXPECT_TRUE(events.WaitFor("cancelled"));
  EXPECT_TRUE(events.WaitFor("write failed"));
}

TEST(HttpCancellationTest, AClientThatStopsReadingIsClosedAfterTheIdleTimeout) {
  Events events;
  std::function<void(Responder)> write_more = [&](Responder respond) {
    ResponseWriter& writer = respond.writer();
    writer.WriteChunk(std::string(256 << 10, 'z'),
                      [&, respond = std::move(respond)](bool written) mutable {
                        if (written) {
                          write_more(std::move(respond));
                        } else {
                          events.Add("write failed");
                        }
                      });
  };
  FunctionHandler handler([&](Request, Responder respond) {
    respond->OnCancel([&] { events.Add("cancelled"); });
    respond->WriteHead(200, {});
    write_more(std::move(respond));
  });
  ServerOptions options = TestOptions();
  options.idle_timeout = std::chrono::milliseconds(200);
  Running running = StartServer(&handler, options);
  RawConnection client(running.port, /*receive_buffer=*/64 << 10);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(kGet));  // and never reads

  EXPECT_TRUE(events.WaitFor("cancelled"));
  EXPECT_TRUE(events.WaitFor("write failed"));
  EXPECT_EQ(running.server->in_flight(), 0);
}

TEST(HttpCancellationTest, APipelinedRequestDoesNotCancelTheOneBeforeIt) {
  Events events;
  HoldingHandler handler(&events);
  Running running = StartServer(&handler);
  auto client = HttpClient::Connect(running.port);
  ASSERT_TRUE(client.ok()) << client.status();
  HttpRequest first;
  first.target = "/first";
  HttpRequest second;
  second.target = "/second";
  ASSERT_TRUE((*client)->Send(first).ok());
  ASSERT_TRUE(events.WaitFor("handle /first"));

  // The next request arrives while the first is held, and then the client
  // closes its sending side: it still waits for both answers.
  ASSERT_TRUE((*client)->Send(second).ok());
  ASSERT_TRUE((*client)->ShutdownWrite().ok());
  handler.Take()(Body("one"));
  absl::StatusOr<HttpResponse> one = (*client)->ReadResponse();
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->body, "one");
  ASSERT_TRUE(events.WaitFor("handle /second"));
  handler.Take()(Body("two"));
  absl::StatusOr<HttpResponse> two = (*client)->ReadResponse();
  ASSERT_TRUE(two.ok()) << two.status();
  EXPECT_EQ(two->body, "two");

  EXPECT_FALSE(events.Happened("cancel /first"));
  EXPECT_EQ(events.All()[0], "handle /first");
  EXPECT_EQ(events.All()[1], "handle /second");
}

TEST(HttpCancellationTest, AWatchedRequestLeavesTheConnectionServing) {
  Events events;
  FunctionHandler handler([&](Request request, Responder respond) {
    respond->OnCancel([&events, target = request.target] { events.Add("cancel " + target); });
    respond(Body(request.target));
  });
  Running running = StartServer(&handler);
  auto client = HttpClient::Connect(running.port);
  ASSERT_TRUE(client.ok()) << client.status();
  std::string pipelined;
  for (int i = 0; i < 3; ++i) {
    HttpRequest request;
    request.target = absl::StrCat("/p", i);
    pipelined += (*client)->Serialize(request);
  }
  ASSERT_TRUE((*client)->SendRaw(pipelined).ok());
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<HttpResponse> response = (*client)->ReadResponse();
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->body, absl::StrCat("/p", i));
  }
  for (int i = 0; i < 5; ++i) {
    HttpRequest request;
    request.target = absl::StrCat("/r", i);
    absl::StatusOr<HttpResponse> response = (*client)->RoundTrip(request);
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->body, request.target);
  }
  EXPECT_TRUE(events.All().empty());
}

TEST(HttpWriterTest, PostFromAnotherThreadRunsOnTheRequestsLoop) {
  std::mutex mu;
  std::thread::id loop_thread;
  std::thread::id task_thread;
  bool on_loop_in_handler = false;
  bool on_loop_elsewhere = true;
  bool on_loop_in_task = false;
  std::vector<std::thread> workers;
  FunctionHandler handler([&](Request, Responder respond) {
    std::lock_guard<std::mutex> lock(mu);
    loop_thread = std::this_thread::get_id();
    on_loop_in_handler = respond->OnLoop();
    workers.emplace_back([&, respond] {
      {
        std::lock_guard<std::mutex> lock(mu);
        on_loop_elsewhere = respond->OnLoop();
      }
      respond->Post([&, respond] {
        {
          std::lock_guard<std::mutex> lock(mu);
          task_thread = std::this_thread::get_id();
          on_loop_in_task = respond->OnLoop();
        }
        respond(Body("posted"));
      });
    });
  });
  Running running = StartServer(&handler);
  auto client = HttpClient::Connect(running.port);
  ASSERT_TRUE(client.ok()) << client.status();

  absl::StatusOr<HttpResponse> response = (*client)->RoundTrip(HttpRequest{});

  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, "posted");
  std::lock_guard<std::mutex> lock(mu);
  for (std::thread& worker : workers) worker.join();
  EXPECT_EQ(task_thread, loop_thread);
  EXPECT_TRUE(on_loop_in_handler);
  EXPECT_FALSE(on_loop_elsewhere);
  EXPECT_TRUE(on_loop_in_task);
}

// Tells whether it was run and whether it was destroyed.
struct Probe {
  std::atomic<bool> ran{false};
  std::atomic<bool> destroyed{false};
};

absl::AnyInvocable<void()> ProbeTask(std::shared_ptr<Probe> probe) {
  struct Guard {
    std::shared_ptr<Probe> probe;
    ~Guard() {
      if (probe) probe->destroyed = true;
    }
  };
  return [guard = std::make_unique<Guard>(Guard{std::move(probe)})] { guard->probe->ran = true; };
}

TEST(HttpWriterTest, PostAfterShutdownIsDroppedSafely) {
  Events events;
  HoldingHandler handler(&events);
  ServerOptions options = TestOptions();
  options.drain_timeout = std::chrono::milliseconds(100);
  Running running = StartServer(&handler, options);
  auto client = HttpClient::Connect(running.port);
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE((*client)->Send(HttpRequest{}).ok());
  ASSERT_TRUE(events.WaitFor("handle /"));
  Responder respond = handler.Take();

  running.server->Shutdown();  // gives up on the held request

  EXPECT_TRUE(respond->cancelled());
  auto after_shutdown = std::make_shared<Probe>();
  respond->Post(ProbeTask(after_shutdown));
  EXPECT_FALSE(after_shutdown->ran);
  EXPECT_TRUE(after_shutdown->destroyed);
  running.server.reset();
  auto after_destruction = std::make_shared<Probe>();
  respond->Post(ProbeTask(after_destruction));
  EXPECT_FALSE(after_destruction->ran);
  EXPECT_TRUE(after_destruction->destroyed);
  respond->WriteHead(200, {});  // off the loop, and no loop left: dropped
  respond(Body("late"));
}

}  // namespace
}  // namespace protogate::http
