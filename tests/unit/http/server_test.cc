#include "http/server.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "http/message.h"
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
constexpr std::chrono::milliseconds kShort{200};

// Answers at once: the request body comes back as the response body, the
// rest as x-echo-* headers.
Response Echo(const Request& request) {
  Response response;
  response.headers = {{"content-type", "text/plain"},
                      {"x-echo-method", request.method},
                      {"x-echo-target", request.target},
                      {"x-echo-path", std::string(request.Path())},
                      {"x-echo-query", std::string(request.Query())},
                      {"x-echo-remote", request.remote_address}};
  for (const auto& [name, value] : request.headers) {
    if (absl::StartsWith(name, "x-test-")) {
      response.headers.emplace_back(absl::StrCat("x-echo-header-", name.substr(7)), value);
    }
  }
  response.body = request.body;
  return response;
}

class EchoHandler : public Handler {
 public:
  void Handle(Request request, Responder respond) override { respond(Echo(request)); }
};

// Keeps every request with its Responder until the test answers it.
class HoldingHandler : public Handler {
 public:
  struct Pending {
    Request request;
    Responder respond;
  };

  void Handle(Request request, Responder respond) override {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(absl::StrCat("handle ", request.target));
    pending_.push_back({std::move(request), std::move(respond)});
    ++handled_;
    cv_.notify_all();
  }

  // False when fewer than `count` requests arrived within kWait.
  bool WaitForHandled(int count) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kWait, [&] { return handled_ >= count; });
  }

  Pending Take() {
    std::lock_guard<std::mutex> lock(mu_);
    Pending oldest = std::move(pending_.front());
    pending_.pop_front();
    return oldest;
  }

  void Note(std::string event) {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(std::move(event));
  }

  std::vector<std::string> events() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> pending_;
  std::vector<std::string> events_;
  int handled_ = 0;
};

// Answers every request from a thread of its own.
class ThreadedHandler : public Handler {
 public:
  ~ThreadedHandler() override {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& thread : threads_) thread.join();
  }
  void Handle(Request request, Responder respond) override {
    std::lock_guard<std::mutex> lock(mu_);
    threads_.emplace_back([request = std::move(request), respond = std::move(respond)] {
      Response response = Echo(request);
      response.headers.emplace_back("x-answered-by", "worker");
      respond(std::move(response));
    });
  }

 private:
  std::mutex mu_;
  std::vector<std::thread> threads_;
};

std::unique_ptr<HttpClient> Dial(int port) {
  absl::StatusOr<std::unique_ptr<HttpClient>> client = HttpClient::Connect(port);
  EXPECT_TRUE(client.ok()) << client.status();
  return client.ok() ? std::move(*client) : nullptr;
}

// Raw bytes on a fresh connection; the first response to them.
absl::StatusOr<HttpResponse> SendOnNewConnection(int port, const std::string& bytes) {
  absl::StatusOr<std::unique_ptr<HttpClient>> client = HttpClient::Connect(port);
  if (!client.ok()) return client.status();
  if (absl::Status sent = (*client)->SendRaw(bytes); !sent.ok()) return sent;
  return (*client)->ReadResponse();
}

HttpRequest Get(std::string target) {
  HttpRequest request;
  request.target = std::move(target);
  return request;
}

HttpRequest Post(std::string target, std::string body) {
  HttpRequest request;
  request.method = "POST";
  request.target = std::move(target);
  request.body = std::move(body);
  return request;
}

// An error answer the server produced itself: rendered, and closing.
void ExpectRenderedErrorAndClose(HttpClient& client, int status) {
  absl::StatusOr<HttpResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, status);
  EXPECT_EQ(response->Header("content-type"), "application/json");
  EXPECT_TRUE(absl::StartsWith(response->body, absl::StrCat(R"({"code":)", status, ",")))
      << response->body;
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_EQ(response->Header("content-length"), std::to_string(response->body.size()));
  EXPECT_TRUE(client.WaitForClose().ok());
}

TEST(HttpServerTest, SimpleGet) {
  EchoHandler handler;
  Running running = StartServer(&handler);
  ASSERT_NE(running.port, 0);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);

  absl::StatusOr<HttpResponse> response = client->RoundTrip(Get("/v1/items/7?view=full"));

  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->version, 11);
  EXPECT_EQ(response->Header("x-echo-method"), "GET");
  EXPECT_EQ(response->Header("x-echo-target"), "/v1/items/7?view=full");
  EXPECT_EQ(response->Header("x-echo-path"), "/v1/items/7");
  EXPECT_EQ(response->Header("x-echo-query"), "view=full");
  EXPECT_EQ(response->Header("server"), "protogate");
  EXPECT_EQ(response->Header("content-length"), "0");
  EXPECT_TRUE(response->HasHeader("date"));
  EXPECT_FALSE(response->HasHeader("connection"));
  EXPECT_EQ(response->body, "");
}

// The last resort: a handler that throws gets its request answered 500 in the
// error model, and the connection and the loop serve on.
TEST(HttpServerTest, AHandlerThatThrowsAnswers500AndTheServerServesOn) {
  FunctionHandler handler([](Request request, Responder respond) {
    if (request.Path() == "/boom") throw std::runtime_error("boom");
    respond(Echo(request));
  });
  Running running = StartServer(&handler);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);
  for (int round = 0; round < 3; ++round) {
    absl::StatusOr<HttpResponse> boom = client->RoundTrip(Get("/boom"));
    ASSERT_TRUE(boom.ok()) << boom.status();
    EXPECT_EQ(boom->status, 500);
    EXPECT_EQ(boom->body, R"({"code":500,"message":"internal error","details":[]})");
    absl::StatusOr<HttpResponse> fine = client->RoundTrip(Get("/fine"));
    ASSERT_TRUE(fine.ok()) << fine.status();
    EXPECT_EQ(fine->status, 200);
  }
}

TEST(HttpServerTest, RequestHasLowercaseHeaderNamesInOrderAndRemoteAddress) {
  std::mutex mu;
  Request seen;
  FunctionHandler handler([&](Request request, Responder respond) {
    {
      std::lock_guard<std::mutex> lock(mu);
      seen = request;
    }
    respond(Response{});
  });
  Running running = StartServer(&handler);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);
  HttpRequest request = Get("/x");
  request.method = "PURGE";
  request.headers = {
      {"X-Custom-Thing", "Value With Case"}, {"ACCEPT", "a/b"}, {"x-custom-thing", "second"}};

  absl::StatusOr<HttpResponse> response = client->RoundTrip(request);

  ASSERT_TRUE(response.ok()) << response.status();
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(seen.method, "PURGE");
  EXPECT_EQ(seen.target, "/x");
  ASSERT_EQ(seen.headers.size(), 4u);
  EXPECT_EQ(seen.headers[0].first, "host");
  EXPECT_EQ(seen.headers[1],
            (std::pair<std::string, std::string>("x-custom-thing", "Value With Case")));
  EXPECT_EQ(seen.headers[2], (std::pair<std::string, std::string>("accept", "a/b")));
  EXPECT_EQ(seen.Header("x-custom-thing"), "Value With Case");
  EXPECT_TRUE(absl::StartsWith(seen.remote_address, "127.0.0.1:")) << seen.remote_address;
}

TEST(HttpServerTest, PostBodyIsDelivered) {
  EchoHandler handler;
  Running running = StartServer(&handler);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);
  const std::string body(100000, 'b');

  absl::StatusOr<HttpResponse> response = client->RoundTrip(Post("/upload", body));

  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("x-echo-method"), "POST");
  EXPECT_EQ(response->body, body);
}

TEST(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  EchoHandler handler;
  Running running = StartServer(&handler);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);

  std::string remote;
  for (int i = 0; i < 5; ++i) {
    absl::StatusOr<HttpResponse> response =
        client->RoundTrip(Post(absl::StrCat("/r", i), absl::StrCat("body", i)));
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->body, absl::StrCat("body", i));
    EXPECT_EQ(response->Header("x-echo-target"), absl::StrCat("/r", i));
    if (i == 0) remote = std::string(response->Header("x-echo-remote"));
    EXPECT_EQ(response->Header("x-echo-remote"), remote);  // the same connection
  }
}

TEST(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  EchoHandler handler;
  Running running = StartServer(&handler);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);
  std::string bytes;
  for (int i = 0; i < 3; ++i) {
    bytes += client->Serialize(Post(absl::StrCat("/p", i), absl::StrCat("payload-", i)));
  }

  ASSERT_TRUE(client->SendRaw(bytes).ok());

  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<HttpResponse> response = client->ReadResponse();
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->Header("x-echo-target"), absl::StrCat("/p", i));
    EXPECT_EQ(response->body, absl::StrCat("payload-", i));
  }
}

TEST(HttpServerTest, PipelinedRequestWaitsUntilTheEarlierOneIsAnswered) {
  HoldingHandler handler;
  Running running = StartServer(&handler);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client
                  ->SendRaw(client->Serialize(Get("/a")) + client->Serialize(Get("/b")) +
                            client->Serialize(Get("/c")))
                  .ok());

  // Answer each from another thread; the next is handed over only afterwards.
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(handler.WaitForHandled(i));
    HoldingHandler::Pending pending = handler.Take();
    std::thread answer([&handler, pending = std::move(pending)]() mutable {
      handler.Note(absl::StrCat("answer ", pending.request.target));
      Response response;
      response.body = pending.request.target;
      pending.respond(std::move(response));
    });
    answer.join();
  }

  for (const char* target : {"/a", "/b", "/c"}) {
    absl::StatusOr<HttpResponse> response = client->ReadResponse();
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->body, target);
  }
  EXPECT_EQ(handler.events(), (std::vector<std::string>{"handle /a", "answer /a", "handle /b",
                                                        "answer /b", "handle /c", "answer /c"}));
}

TEST(HttpServerTest, ResponderMayBeCalledFromAnotherThread) {
  ThreadedHandler handler;
  Running running = StartServer(&handler);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);

  for (int i = 0; i < 10; ++i) {
    absl::StatusOr<HttpResponse> response = client->RoundTrip(Post("/t", absl::StrCat(i)));
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->Header("x-answered-by"), "worker");
    EXPECT_EQ(response->body, absl::StrCat(i));
  }
}

TEST(HttpServerTest, ManyConnectionsOverSeveralLoops) {
  ThreadedHandler threaded;
  EchoHandler echo;
  ServerOptions options = TestOptions();
  options.threads = 4;
  for (Handler* handler : std::vector<Handler*>{&echo, &threaded}) {
    Running running = StartServer(handler, options);
    std::atomic<int> ok{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < 8; ++c) {
      clients.emplace_back([&, c] {
        absl::StatusOr<std::unique_ptr<HttpClient>> client = HttpClient::Connect(running.port);
        if (!client.ok()) return;
        for (int i = 0; i < 20; ++i) {
          const std::string body = absl::StrCat(c, "-", i);
          absl::StatusOr<HttpResponse> response = (*client)->RoundTrip(Post("/m", body));
          if (response.ok() && response->body == body) ++ok;
        }
      });
    }
    for (auto& thread : clients) thread.join();
    EXPECT_EQ(ok.load(), 8 * 20);
  }
}

TEST(HttpServerTest, HugeHeaderGets431AndClose) {
  EchoHandler handler;
  ServerOptions options = TestOptions();
  options.max_header_bytes = 1024;
  Running running = StartServer(&handler, options);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);
  HttpRequest request = Get("/");
  request.headers = {{"x-big", std::string(4000, 'h')}};

  ASSERT_TRUE(client->Send(request).ok());

  ExpectRenderedErrorAndClose(*client, 431);
}

TEST(HttpServerTest, HeaderJustUnderTheLimitIsAccepted) {
  EchoHandler handler;
  ServerOptions options = TestOptions();
  options.max_header_bytes = 1024;
  Running running = StartServer(&handler, options);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);
  HttpRequest request = Get("/");
  request.headers = {{"x-big", std::string(800, 'h')}};

  absl::StatusOr<HttpResponse> response = client->RoundTrip(request);

  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
}

TEST(HttpServerTest, BigBodyGets413AndClose) {
  EchoHandler handler;
  ServerOptions options = TestOptions();
  options.max_body_bytes = 1024;
  Running running = StartServer(&handler, options);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);

  ASSERT_TRUE(client->Send(Post("/upload", std::string(64 * 1024, 'x'))).ok());

  absl::StatusOr<HttpResponse> response = client->ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 413);
  EXPECT_TRUE(absl::StrContains(response->body, "1024")) << response->body;
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_TRUE(client->WaitForClose().ok());
}

TEST(HttpServerTest, BodyAtTheLimitIsAccepted) {
  EchoHandler handler;
  ServerOptions options = TestOptions();
  options.max_body_bytes = 1024;
  Running running = StartServer(&handler, options);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);

  absl::StatusOr<HttpResponse> response =
      client->RoundTrip(Post("/upload", std::string(1024, 'x')));

  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body.size(), 1024u);
}

TEST(HttpServerTest, BigChunkedBodyGets413AndClose) {
  EchoHandler handler;
  ServerOptions options = TestOptions();
  options.max_body_bytes = 16;
  Running running = StartServer(&handler, options);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);

  ASSERT_TRUE(client
                  ->SendRaw("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "10\r\n0123456789abcdef\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n")
                  .ok());

  ExpectRenderedErrorAndClose(*client, 413);
}

TEST(HttpServerTest, MalformedRequestsGet400AndClose) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"bad method token", "G@T / HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"bad version", "GET / HTTP/1.x\r\nHost: x\r\n\r\n"},
      {"unknown protocol", "GET / FTP/1.1\r\nHost: x\r\n\r\n"},
      {"missing version", "GET /\r\nHost: x\r\n\r\n"},
      {"bad content-length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"},
      {"negative content-length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"},
      {"conflicting content-lengths",
       "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"},
      {"bad chunk size",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"},
      {"chunk without its CRLF",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n"},
      {"content-length with chunked",
       "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
       "5\r\nhello\r\n0\r\n\r\n"},
      {"content-length overflows",
       "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n"},
      {"unsupported transfer coding",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nabc"},
      {"chunked applied twice",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n"},
      {"chunked not last",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n"},
      {"duplicate transfer-encoding",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
       "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
      {"space in target", "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"NUL in target", std::string("GET /a\0b HTTP/1.1\r\nHost: x\r\n\r\n", 30)},
      {"bare LF line endings", "GET / HTTP/1.1\nHost: x\n\n"},
      {"field without name", "GET / HTTP/1.1\r\n: value\r\n\r\n"},
      {"space in field name", "GET / HTTP/1.1\r\nHo st: x\r\n\r\n"},
      {"space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n"},
      {"control character in value", "GET / HTTP/1.1\r\nHost: x\x01y\r\n\r\n"},
      {"missing colon", "GET / HTTP/1.1\r\nHost x\r\n\r\n"},
      {"HTTP/1.1 without Host", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n"},
      {"two Host headers", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"},
      {"two Host headers in HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n"},
      {"TLS on the plain port",
       std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + "\r\n\r\n"},
  };
  EchoHandler handler;
  Running running = StartServer(&handler);
  for (const auto& [name, bytes] : cases) {
    SCOPED_TRACE(name);
    auto client = Dial(running.port);
    ASSERT_NE(client, nullptr);
    ASSERT_TRUE(client->SendRaw(bytes).ok());
    ExpectRenderedErrorAndClose(*client, 400);
  }
}

// What on_local_answer reported, kept for the test thread.
class LocalAnswers {
 public:
  LocalAnswerObserver Observer() {
    return [this](const LocalAnswer& answer) {
      std::lock_guard<std::mutex> lock(mu_);
      answers_.push_back(answer);
    };
  }
  std::vector<LocalAnswer> Get() {
    std::lock_guard<std::mutex> lock(mu_);
    return answers_;
  }

 private:
  std::mutex mu_;
  std::vector<LocalAnswer> answers_;
};

// The observer runs before the answer is written, so once the client has
// the answer it has been called: no waiting.
TEST(HttpServerTest, LocalAnswersAreReportedWithStatusRequestAndRemote) {
  struct Case {
    std::string name;
    std::string bytes;
    int status;
    std::string method;
    std::string target;
  };
  const std::vector<Case> cases = {
      {"431", "GET /big?q=1 HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'h') + "\r\n\r\n",
       431, "GET", "/big?q=1"},
      {"413", "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n", 413, "POST",
       "/upload"},
      {"400 after the request line", "GET /a HTTP/1.1\r\nHost x\r\n\r\n", 400, "GET", "/a"},
      {"400 before it", "G@T / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "", ""},
  };
  EchoHandler handler;
  LocalAnswers answers;
  ServerOptions options = TestOptions();
  options.max_header_bytes = 1024;
  options.max_body_bytes = 1024;
  options.on_local_answer = answers.Observer();
  Running running = StartServer(&handler, options);
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    SCOPED_TRACE(c.name);
    auto client = Dial(running.port);
    ASSERT_NE(client, nullptr);
    ASSERT_TRUE(client->SendRaw(c.bytes).ok());
    ExpectRenderedErrorAndClose(*client, c.status);
    std::vector<LocalAnswer> got = answers.Get();
    ASSERT_EQ(got.size(), i + 1);
    EXPECT_EQ(got[i].status, c.status);
    EXPECT_EQ(got[i].method, c.method);
    EXPECT_EQ(got[i].target, c.target);
    EXPECT_TRUE(absl::StartsWith(got[i].remote_address, "127.0.0.1:")) << got[i].remote_address;
    EXPECT_GE(got[i].elapsed.count(), 0);
  }
  // The handler's own answers are not reported.
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);
  ASSERT_EQ(client->RoundTrip(Get("/fine"))->status, 200);
  EXPECT_EQ(answers.Get().size(), cases.size());
}

TEST(HttpServerTest, A408IsReported) {
  EchoHandler handler;
  LocalAnswers answers;
  ServerOptions options = TestOptions();
  options.read_timeout = kShort;
  options.on_local_answer = answers.Observer();
  Running running = StartServer(&handler, options);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(
      client->SendRaw("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{").ok());
  ExpectRenderedErrorAndClose(*client, 408);
  std::vector<LocalAnswer> got = answers.Get();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].status, 408);
  EXPECT_EQ(got[0].method, "POST");
  EXPECT_EQ(got[0].target, "/slow");
}

TEST(HttpServerTest, ARefusedConnectionIsReportedAs503) {
  EchoHandler handler;
  LocalAnswers answers;
  ServerOptions options = TestOptions();
  options.max_connections = 1;
  options.on_local_answer = answers.Observer();
  Running running = StartServer(&handler, options);
  auto first = Dial(running.port);
  ASSERT_NE(first, nullptr);
  ASSERT_EQ(first->RoundTrip(Get("/a"))->status, 200);
  auto second = Dial(running.port);
  ASSERT_NE(second, nullptr);
  absl::StatusOr<HttpResponse> refused = second->ReadResponse();
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_EQ(refused->status, 503);
  std::vector<LocalAnswer> got = answers.Get();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].status, 503);
  EXPECT_TRUE(got[0].method.empty());
  EXPECT_TRUE(absl::StartsWith(got[0].remote_address, "127.0.0.1:")) << got[0].remote_address;
}

TEST(HttpServerTest, HostProblemsAreNamedInTheError) {
  EchoHandler handler;
  Running running = StartServer(&handler);
  for (const auto& [bytes, message] : std::vector<std::pair<std::string, std::string>>{
           {"GET / HTTP/1.1\r\n\r\n", "missing Host header"},
           {"GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", "more than one Host header"}}) {
    SCOPED_TRACE(bytes);
    absl::StatusOr<HttpResponse> response = SendOnNewConnection(running.port, bytes);
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, 400);
    EXPECT_TRUE(absl::StrContains(response->body, message)) << response->body;
  }
}

// HTTP/1.0 has no Host requirement; HTTP/1.1 servers must accept a target in
// absolute form and route on its path (RFC 9112 §3.2.2).
TEST(HttpServerTest, HostlessHttp10AndAbsoluteFormTargetsAreServed) {
  EchoHandler handler;
  Running running = StartServer(&handler);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"GET /v1/a?b=c HTTP/1.0\r\n\r\n", "/v1/a?b=c"},
      {"GET http://example.com:8080/v1/a?b=c HTTP/1.1\r\nHost: x\r\n\r\n", "/v1/a?b=c"},
      {"GET HTTPS://example.com HTTP/1.1\r\nHost: x\r\n\r\n", "/"},
      {"GET http://example.com?b=c HTTP/1.1\r\nHost: x\r\n\r\n", "/?b=c"},
  };
  for (const auto& [bytes, target] : cases) {
    SCOPED_TRACE(bytes);
    absl::StatusOr<HttpResponse> response = SendOnNewConnection(running.port, bytes);
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->Header("x-echo-target"), target);
  }
}

TEST(HttpServerTest, ConnectionsBeyondTheLimitGet503AndTheLimitFreesUp) {
  EchoHandler handler;
  ServerOptions options = TestOptions();
  options.max_connections = 2;
  Running running = StartServer(&handler, options);
  // Two connections, each proven open by a full round trip.
  auto first = Dial(running.port);
  auto second = Dial(running.port);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  ASSERT_EQ(first->RoundTrip(Get("/a"))->status, 200);
  ASSERT_EQ(second->RoundTrip(Get("/b"))->status, 200);

  auto third = Dial(running.port);
  ASSERT_NE(third, nullptr);
  absl::StatusOr<HttpResponse> refused = third->ReadResponse();
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->Header("retry-after"), "1");
  EXPECT_TRUE(absl::StrContains(refused->body, "too many open connections")) << refused->body;
  EXPECT_TRUE(third->WaitForClose().ok());
  // The open connections keep being served.
  EXPECT_EQ(first->RoundTrip(Get("/c"))->status, 200);

  // Once one closes, a new connection is served again (bounded polling: the
  // server notices the close asynchronously).
  first.reset();
  int status = 0;
  for (int attempt = 0; attempt < 200 && status != 200; ++attempt) {
    auto next = Dial(running.port);
    ASSERT_NE(next, nullptr);
    absl::StatusOr<HttpResponse> response = next->RoundTrip(Get("/d"));
    status = response.ok() ? response->status : 0;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(status, 200);
}

// RFC 9112 §5.2 lets a server replace obs-fold with spaces instead of
// rejecting it; Beast does that, so the handler sees one joined value.
TEST(HttpServerTest, ObsoleteLineFoldingIsUnfolded) {
  EchoHandler handler;
  Running running = StartServer(&handler);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);

  ASSERT_TRUE(client->SendRaw("GET / HTTP/1.1\r\nHost: x\r\nX-Test-Fold: a\r\n  b\r\n\r\n").ok());

  absl::StatusOr<HttpResponse> response = client->ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("x-echo-header-fold"), "a b");
}

TEST(HttpServerTest, ChunkedIsCaseInsensitive) {
  EchoHandler handler;
  Running running = StartServer(&handler);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);

  ASSERT_TRUE(client
                  ->SendRaw("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:  Chunked \r\n\r\n"
                            "3\r\nabc\r\n0\r\n\r\n")
                  .ok());

  absl::StatusOr<HttpResponse> response = client->ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, "abc");
}

TEST(HttpServerTest, ErrorAfterGoodRequestsOnTheSameConnection) {
  EchoHandler handler;
  Running running = StartServer(&handler);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->RoundTrip(Get("/ok")).ok());

  ASSERT_TRUE(client->SendRaw("BAD REQUEST LINE\r\n\r\n").ok());

  ExpectRenderedErrorAndClose(*client, 400);
}

TEST(HttpServerTest, SlowPartialHeaderGets408) {
  EchoHandler handler;
  ServerOptions options = TestOptions();
  options.read_timeout = kShort;
  Running running = StartServer(&handler, options);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);

  ASSERT_TRUE(client->SendRaw("GET /slow HTTP/1.1\r\nHost: x\r\n").ok());

  ExpectRenderedErrorAndClose(*client, 408);
}

TEST(HttpServerTest, SlowPartialBodyGets408) {
  EchoHandler handler;
  ServerOptions options = TestOptions();
  options.read_timeout = kShort;
  Running running = StartServer(&handler, options);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);

  ASSERT_TRUE(
      client->SendRaw("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc").ok());

  ExpectRenderedErrorAndClose(*client, 408);
}

TEST(HttpServerTest, ReadTimeoutDoesNotCountIdleTimeBeforeTheRequest) {
  EchoHandler handler;
  ServerOptions options = TestOptions();
  options.read_timeout = kShort;
  Running running = StartServer(&handler, options);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->RoundTrip(Get("/first")).ok());

  // The connection idles longer than read_timeout, but idle_timeout is long:
  // the next request is still served. (The wait is the scenario, not a sync.)
  std::this_thread::sleep_for(3 * kShort);
  absl::StatusOr<HttpResponse> response = client->RoundTrip(Get("/second"));

  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
}

TEST(HttpServerTest, IdleKeepAliveConnectionIsClosedSilently) {
  EchoHandler handler;
  ServerOptions options = TestOptions();
  options.idle_timeout = kShort;
  Running running = StartServer(&handler, options);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);
  absl::StatusOr<HttpResponse> response = client->RoundTrip(Get("/"));
  ASSERT_TRUE(response.ok()) << response.status();

  EXPECT_TRUE(client->WaitForClose().ok());  // no bytes: a silent close
}

TEST(HttpServerTest, ConnectionThatNeverSendsIsClosedSilently) {
  EchoHandler handler;
  ServerOptions options = TestOptions();
  options.idle_timeout = kShort;
  Running running = StartServer(&handler, options);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);

  EXPECT_TRUE(client->WaitForClose().ok());
}

TEST(HttpServerTest, ClientClosingMidRequestIsHandledQuietly) {
  EchoHandler handler;
  Running running = StartServer(&handler);
  {
    auto client = Dial(running.port);
    ASSERT_NE(client, nullptr);
    ASSERT_TRUE(
        client->SendRaw("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab").ok());
    ASSERT_TRUE(client->ShutdownWrite().ok());
    EXPECT_TRUE(client->WaitForClose().ok());
  }
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);
  EXPECT_TRUE(client->RoundTrip(Get("/still-serving")).ok());
}

TEST(HttpServerTest, Http10ClosesAfterTheAnswer) {
  EchoHandler handler;
  Running running = StartServer(&handler);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);

  ASSERT_TRUE(client->SendRaw("GET /old HTTP/1.0\r\n\r\n").ok());

  absl::StatusOr<HttpResponse> response = client->ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->version, 10);
  EXPECT_EQ(response->Header("x-echo-target"), "/old");
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_TRUE(client->WaitForClose().ok());
}

TEST(HttpServerTest, Http10WithKeepAliveStaysOpen) {
  EchoHandler handler;
  Running running = StartServer(&handler);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);

  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(client->SendRaw("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").ok());
    absl::StatusOr<HttpResponse> response = client->ReadResponse();
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, 200);
    EXPECT_TRUE(absl::EqualsIgnoreCase(response->Header("connection"), "keep-alive"));
  }
}

TEST(HttpServerTest, ConnectionCloseRequestIsHonoured) {
  EchoHandler handler;
  Running running = StartServer(&handler);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);
  HttpRequest last = Get("/last");
  last.headers = {{"Connection", "close"}};

  // A request pipelined after "Connection: close" is not served.
  ASSERT_TRUE(client->SendRaw(client->Serialize(last) + client->Serialize(Get("/never"))).ok());

  absl::StatusOr<HttpResponse> response = client->ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->Header("x-echo-target"), "/last");
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_TRUE(client->WaitForClose().ok());
}

TEST(HttpServerTest, HeadAnswerHasContentLengthButNoBody) {
  FunctionHandler handler([](Request request, Responder respond) {
    Response response;
    response.body = "hello, " + request.method;
    respond(std::move(response));
  });
  Running running = StartServer(&handler);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);
  HttpRequest head = Get("/");
  head.method = "HEAD";

  absl::StatusOr<HttpResponse> response = client->RoundTrip(head);

  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("content-length"), "11");  // "hello, HEAD"
  EXPECT_EQ(response->body, "");
  // Had body bytes been sent, this answer would be garbled.
  absl::StatusOr<HttpResponse> next = client->RoundTrip(Get("/"));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->body, "hello, GET");
}

TEST(HttpServerTest, ChunkedRequestBodyIsDecoded) {
  EchoHandler handler;
  Running running = StartServer(&handler);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);

  ASSERT_TRUE(client
                  ->SendRaw("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n")
                  .ok());

  absl::StatusOr<HttpResponse> response = client->ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello world");
  EXPECT_TRUE(client->RoundTrip(Get("/after")).ok());  // framing stayed intact
}

TEST(HttpServerTest, Expect100ContinueGetsAnInterimAnswerBeforeTheBody) {
  EchoHandler handler;
  Running running = StartServer(&handler);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);

  ASSERT_TRUE(client
                  ->SendRaw("POST /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                            "Content-Length: 5\r\n\r\n")
                  .ok());
  absl::StatusOr<HttpResponse> interim = client->ReadResponse();
  ASSERT_TRUE(interim.ok()) << interim.status();
  EXPECT_EQ(interim->status, 100);

  ASSERT_TRUE(client->SendRaw("hello").ok());
  absl::StatusOr<HttpResponse> response = client->ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello");
}

TEST(HttpServerTest, Expect100ContinueOverTheBodyLimitGets413Instead) {
  EchoHandler handler;
  ServerOptions options = TestOptions();
  options.max_body_bytes = 10;
  Running running = StartServer(&handler, options);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);

  ASSERT_TRUE(client
                  ->SendRaw("POST /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                            "Content-Length: 11\r\n\r\n")
                  .ok());

  ExpectRenderedErrorAndClose(*client, 413);
}

TEST(HttpServerTest, InFlightCountsRequestsAwaitingTheirResponder) {
  HoldingHandler handler;
  Running running = StartServer(&handler);
  auto first = Dial(running.port);
  auto second = Dial(running.port);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(running.server->in_flight(), 0);

  ASSERT_TRUE(first->Send(Get("/1")).ok());
  ASSERT_TRUE(handler.WaitForHandled(1));
  EXPECT_EQ(running.server->in_flight(), 1);
  ASSERT_TRUE(second->Send(Get("/2")).ok());
  ASSERT_TRUE(handler.WaitForHandled(2));
  EXPECT_EQ(running.server->in_flight(), 2);

  handler.Take().respond(Response{});
  EXPECT_EQ(running.server->in_flight(), 1);
  handler.Take().respond(Response{});
  EXPECT_EQ(running.server->in_flight(), 0);
  EXPECT_TRUE(first->ReadResponse().ok());
  EXPECT_TRUE(second->ReadResponse().ok());
}

TEST(HttpServerTest, DroppedResponderClosesTheConnection) {
  FunctionHandler handler([](Request, Responder) {});
  Running running = StartServer(&handler);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);

  ASSERT_TRUE(client->Send(Get("/")).ok());

  EXPECT_TRUE(client->WaitForClose().ok());
  EXPECT_EQ(running.server->in_flight(), 0);
}

TEST(HttpServerTest, OnlyTheFirstResponderCallCounts) {
  std::mutex mu;
  Responder stale;
  FunctionHandler handler([&](Request request, Responder respond) {
    std::lock_guard<std::mutex> lock(mu);
    if (stale) {
      Response late;
      late.body = "stale";
      stale(std::move(late));  // belongs to the previous request: ignored
    }
    stale = respond;
    Response first;
    first.body = request.target;
    respond(std::move(first));
    Response second;
    second.body = "twice";
    respond(std::move(second));  // ignored
  });
  Running running = StartServer(&handler);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);

  for (const char* target : {"/one", "/two", "/three"}) {
    absl::StatusOr<HttpResponse> response = client->RoundTrip(Get(target));
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->body, target);
  }
  EXPECT_EQ(running.server->in_flight(), 0);
  running.server->Shutdown();
  std::lock_guard<std::mutex> lock(mu);
  stale = Responder();
}

TEST(HttpServerTest, ServerOwnsFramingHeadersAndDropsInvalidOnes) {
  FunctionHandler handler([](Request, Responder respond) {
    Response response;
    response.status = 201;
    response.headers = {{"Content-Length", "999"},
                        {"Connection", "close"},
                        {"Transfer-Encoding", "chunked"},
                        {"x-split", "a\r\nx-injected: yes"},
                        {"bad name", "v"},
                        {"x-good", "ok"},
                        {"Server", "custom"}};
    response.body = "abc";
    respond(std::move(response));
  });
  Running running = StartServer(&handler);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);

  absl::StatusOr<HttpResponse> response = client->RoundTrip(Get("/"));

  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->Header("content-length"), "3");
  EXPECT_EQ(response->body, "abc");
  EXPECT_FALSE(response->HasHeader("connection"));
  EXPECT_FALSE(response->HasHeader("transfer-encoding"));
  EXPECT_FALSE(response->HasHeader("x-split"));
  EXPECT_FALSE(response->HasHeader("x-injected"));
  EXPECT_EQ(response->Header("x-good"), "ok");
  EXPECT_EQ(response->Header("server"), "custom");
  EXPECT_TRUE(client->RoundTrip(Get("/again")).ok());  // still keep-alive
}

TEST(HttpServerTest, NoContentAnswerHasNoBody) {
  FunctionHandler handler([](Request, Responder respond) {
    Response response;
    response.status = 204;
    response.body = "ignored";
    respond(std::move(response));
  });
  Running running = StartServer(&handler);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);

  absl::StatusOr<HttpResponse> response = client->RoundTrip(Get("/"));

  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 204);
  EXPECT_EQ(response->body, "");
  EXPECT_FALSE(response->HasHeader("content-length"));
  absl::StatusOr<HttpResponse> next = client->RoundTrip(Get("/"));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->status, 204);
}

TEST(HttpServerTest, InvalidStatusFromHandlerBecomes500) {
  FunctionHandler handler([](Request, Responder respond) {
    Response response;
    response.status = 42;
    respond(std::move(response));
  });
  Running running = StartServer(&handler);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);

  ASSERT_TRUE(client->Send(Get("/")).ok());

  ExpectRenderedErrorAndClose(*client, 500);
}

TEST(HttpServerTest, ShutdownDrainsAnInFlightRequest) {
  HoldingHandler handler;
  Running running = StartServer(&handler);
  auto busy = Dial(running.port);
  auto idle = Dial(running.port);
  ASSERT_NE(busy, nullptr);
  ASSERT_NE(idle, nullptr);
  ASSERT_TRUE(busy->Send(Get("/slow")).ok());
  ASSERT_TRUE(handler.WaitForHandled(1));

  std::atomic<bool> shutdown_returned{false};
  std::thread shutdown([&] {
    running.server->Shutdown();
    shutdown_returned = true;
  });
  // The idle connection is closed once draining has begun.
  EXPECT_TRUE(idle->WaitForClose().ok());
  EXPECT_FALSE(shutdown_returned.load());
  EXPECT_EQ(running.server->in_flight(), 1);
  Response answer;
  answer.body = "done";
  handler.Take().respond(std::move(answer));

  absl::StatusOr<HttpResponse> response = busy->ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "done");
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_TRUE(busy->WaitForClose().ok());
  shutdown.join();
  EXPECT_TRUE(shutdown_returned.load());
  EXPECT_EQ(running.server->in_flight(), 0);
}

TEST(HttpServerTest, ShutdownDoesNotServeRequestsPipelinedBehindTheInFlightOne) {
  HoldingHandler handler;
  Running running = StartServer(&handler);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->SendRaw(client->Serialize(Get("/1")) + client->Serialize(Get("/2"))).ok());
  ASSERT_TRUE(handler.WaitForHandled(1));
  auto probe = Dial(running.port);
  ASSERT_NE(probe, nullptr);

  std::thread shutdown([&] { running.server->Shutdown(); });
  EXPECT_TRUE(probe->WaitForClose().ok());
  handler.Take().respond(Response{});

  absl::StatusOr<HttpResponse> response = client->ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_TRUE(client->WaitForClose().ok());
  client.reset();  // ends the server's lingering read of the unserved bytes
  shutdown.join();
  EXPECT_EQ(handler.events(), std::vector<std::string>{"handle /1"});
}

TEST(HttpServerTest, ShutdownClosesIdleConnectionsAndStopsAccepting) {
  EchoHandler handler;
  Running running = StartServer(&handler);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->RoundTrip(Get("/")).ok());

  running.server->Shutdown();

  EXPECT_TRUE(client->WaitForClose().ok());
  EXPECT_FALSE(HttpClient::Connect(running.port).ok());
}

TEST(HttpServerTest, ShutdownGivesUpAfterTheDrainTimeout) {
  HoldingHandler handler;
  ServerOptions options = TestOptions();
  options.drain_timeout = kShort;
  Running running = StartServer(&handler, options);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Send(Get("/forever")).ok());
  ASSERT_TRUE(handler.WaitForHandled(1));

  running.server->Shutdown();  // returns although the request is unanswered

  EXPECT_FALSE(client->ReadResponse().ok());  // the connection is gone
  // A late answer is dropped safely, also once the server itself is gone.
  HoldingHandler::Pending pending = handler.Take();
  running.server.reset();
  pending.respond(Response{});
}

TEST(HttpServerTest, ShutdownWhileClientsAreBusyNeitherCrashesNorHangs) {
  ThreadedHandler handler;  // answers race with the loops stopping
  ServerOptions options = TestOptions();
  options.drain_timeout = std::chrono::milliseconds(500);
  Running running = StartServer(&handler, options);
  std::atomic<int> answered{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&] {
      for (;;) {
        absl::StatusOr<std::unique_ptr<HttpClient>> client = HttpClient::Connect(running.port);
        if (!client.ok()) return;  // refused: the server has stopped
        for (int i = 0; i < 10; ++i) {
          absl::StatusOr<HttpResponse> response = (*client)->RoundTrip(Post("/busy", "x"));
          if (!response.ok()) break;
          EXPECT_TRUE(response->status == 200 || response->status == 503) << response->status;
          ++answered;
        }
      }
    });
  }
  const auto give_up = std::chrono::steady_clock::now() + kWait;
  while (answered.load() < 20 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::yield();
  }

  running.server->Shutdown();

  for (auto& thread : clients) thread.join();
  EXPECT_GE(answered.load(), 20);
  EXPECT_EQ(running.server->in_flight(), 0);
}

TEST(HttpServerTest, ShutdownIsIdempotentAndFineWithoutStart) {
  EchoHandler handler;
  {
    Server never_started(TestOptions(), &handler);
    never_started.Shutdown();
    never_started.Shutdown();
    EXPECT_FALSE(never_started.Start().ok());
  }
  Running running = StartServer(&handler);
  running.server->Shutdown();
  running.server->Shutdown();
  EXPECT_FALSE(running.server->Start().ok());
}

TEST(HttpServerTest, StartOnABusyPortFailsClearly) {
  EchoHandler handler;
  Running first = StartServer(&handler);
  ASSERT_NE(first.port, 0);
  ServerOptions options = TestOptions();
  options.port = first.port;
  Server second(options, &handler);

  absl::StatusOr<int> port = second.Start();

  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StrContains(port.status().message(), "address already in use"))
      << port.status();
  EXPECT_TRUE(absl::StrContains(port.status().message(), absl::StrCat(":", first.port)))
      << port.status();
  // The first server is unaffected.
  auto client = Dial(first.port);
  ASSERT_NE(client, nullptr);
  EXPECT_TRUE(client->RoundTrip(Get("/")).ok());
}

TEST(HttpServerTest, StartRejectsBadOptions) {
  EchoHandler handler;
  ServerOptions no_renderer = TestOptions();
  no_renderer.error_renderer = nullptr;
  EXPECT_EQ(Server(no_renderer, &handler).Start().status().code(),
            absl::StatusCode::kInvalidArgument);
  ServerOptions bad_host = TestOptions();
  bad_host.host = "not an address";
  EXPECT_EQ(Server(bad_host, &handler).Start().status().code(), absl::StatusCode::kInvalidArgument);
  ServerOptions bad_port = TestOptions();
  bad_port.port = 70000;
  EXPECT_EQ(Server(bad_port, &handler).Start().status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Server(TestOptions(), nullptr).Start().status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(HttpServerTest, ZeroThreadsMeansOnePerCore) {
  EchoHandler handler;
  ServerOptions options = TestOptions();
  options.threads = 0;
  Running running = StartServer(&handler, options);
  auto client = Dial(running.port);
  ASSERT_NE(client, nullptr);
  EXPECT_TRUE(client->RoundTrip(Get("/")).ok());
}

}  // namespace
}  // namespace protogate::http
