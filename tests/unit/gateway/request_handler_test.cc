// The request pipeline without sockets: the demo config's snapshot, a
// scripted upstream caller that answers from threads of its own (as gRPC's
// completion queues do) or inline, and a TaskLoop standing in for the
// request's event loop. Every phase and every resumption is seen through
// the handler's test hook, with the thread that ran it.

#include "gateway/request_handler.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "config/gateway_config.h"
#include "demo/catalog/v1/catalog.pb.h"
#include "demo/orders/v1/orders.pb.h"
#include "demo/users/v1/users.pb.h"
#include "gateway/snapshot.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "support/task_loop.h"

namespace protogate::gateway {
namespace {

using nlohmann::json;
using upstream::UnaryCallRequest;
using upstream::UnaryCallResult;

// Answers every call by its method path from a script; each answer comes
// from a new thread of its own unless `inline_answers`.
class ScriptedCaller : public upstream::UnaryCaller {
 public:
  ~ScriptedCaller() override {
    for (std::thread& thread : threads_) thread.join();
  }

  void Call(std::shared_ptr<grpc::GenericStub>, UnaryCallRequest request,
            upstream::UnaryDone done) override {
    UnaryCallResult result;
    {
      absl::MutexLock lock(&mu_);
      calls_.push_back(request.method_path);
      auto it = replies_.find(request.method_path);
      if (it == replies_.end()) {
        result.code = 12;  // UNIMPLEMENTED
        result.message = "not scripted";
      } else {
        result = it->second;
      }
    }
    if (inline_answers_) return done(std::move(result));
    absl::MutexLock lock(&mu_);
    threads_.emplace_back([done = std::move(done), result = std::move(result)]() mutable {
      done(std::move(result));
    });
  }

  void Reply(const std::string& method_path, const google::protobuf::Message& message) {
    absl::MutexLock lock(&mu_);
    replies_[method_path].response = message.SerializeAsString();
  }
  void Fail(const std::string& method_path, int code, const std::string& message) {
    absl::MutexLock lock(&mu_);
    replies_[method_path].code = code;
    replies_[method_path].message = message;
  }
  void set_inline_answers(bool value) { inline_answers_ = value; }
  std::vector<std::string> calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  bool inline_answers_ = false;
  mutable absl::Mutex mu_;
  std::map<std::string, UnaryCallResult> replies_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> calls_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_ ABSL_GUARDED_BY(mu_);
};

// Streams the scripted messages of every call from a thread of its own,
// the first at once and each next one after ReadNext (as gRPC does), then
// ends with the scripted status once the gateway asks for more.
class ScriptedStreams : public upstream::StreamCaller {
 public:
  struct Stream : upstream::ServerStream {
    void ReadNext() override {
      absl::MutexLock lock(&mu);
      ++reads;
    }
    void Cancel() override {
      absl::MutexLock lock(&mu);
      cancelled = true;
    }
    // False when cancelled instead.
    bool WaitForRead() {
      absl::MutexLock lock(&mu);
      auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu) { return reads > taken || cancelled; };
      mu.Await(absl::Condition(&ready));
      if (cancelled) return false;
      ++taken;
      return true;
    }
    absl::Mutex mu;
    int reads ABSL_GUARDED_BY(mu) = 0;
    int taken ABSL_GUARDED_BY(mu) = 0;
    bool cancelled ABSL_GUARDED_BY(mu) = false;
  };

  ~ScriptedStreams() override {
    for (std::thread& thread : threads_) thread.join();
  }

  std::shared_ptr<upstream::ServerStream> Open(std::shared_ptr<grpc::GenericStub>, UnaryCallRequest,
                                               upstream::StreamHandlers handlers) override {
    auto stream = std::make_shared<Stream>();
    absl::MutexLock lock(&mu_);
    threads_.emplace_back([stream, messages = messages_, end = end_, initial = initial_, handlers] {
      if (!messages.empty() && handlers.head && !initial.empty()) handlers.head(initial);
      for (const std::string& message : messages) {
        handlers.message(message);
        if (!stream->WaitForRead()) break;
      }
      handlers.done(end);
    });
    return stream;
  }

  // A client stream: each write is taken from a thread of its own; the end
  // of the writes answers the scripted first message, then the end.
  struct Upload : upstream::ClientStream {
    explicit Upload(ScriptedStreams* owner, upstream::StreamHandlers h)
        : streams(owner), handlers(std::move(h)) {}
    void Write(std::string message, std::function<void(bool)> written) override {
      streams->Uploaded(std::move(message));
      streams->Spawn([written] { written(true); });
    }
    void WritesDone() override {
      streams->Spawn([this, self = shared_from_this()] {
        if (ended.exchange(true)) return;
        std::vector<std::string> messages;
        UnaryCallResult end;
        streams->Scripted(&messages, &end);
        // Let go of the handlers (and the request they hold), as gRPC does.
        upstream::StreamHandlers last = std::move(handlers);
        if (!messages.empty()) last.message(messages.front());
        last.done(end);
      });
    }
    void Cancel() override {
      streams->Spawn([this, self = shared_from_this()] {
        if (ended.exchange(true)) return;
        UnaryCallResult cancelled;
        cancelled.code = 1;
        upstream::StreamHandlers last = std::move(handlers);
        last.done(cancelled);
      });
    }
    std::atomic<bool> ended{false};
    std::shared_ptr<Upload> shared_from_this() { return self_.lock(); }
    ScriptedStreams* streams;
    upstream::StreamHandlers handlers;
    std::weak_ptr<Upload> self_;
  };

  std::shared_ptr<upstream::ClientStream> OpenClient(std::shared_ptr<grpc::GenericStub>,
                                                     UnaryCallRequest,
                                                     upstream::StreamHandlers handlers) override {
    auto upload = std::make_shared<Upload>(this, std::move(handlers));
    upload->self_ = upload;
    return upload;
  }

  // Bidirectional calls are not scripted: each ends UNIMPLEMENTED at once.
  struct Bidi : upstream::BidiStream {
    void ReadNext() override {}
    void Write(std::string, std::function<void(bool)> written) override { written(false); }
    void WritesDone() override {}
    void Cancel() override {}
  };
  std::shared_ptr<upstream::BidiStream> OpenBidi(std::shared_ptr<grpc::GenericStub>,
                                                 UnaryCallRequest,
                                                 upstream::StreamHandlers handlers) override {
    Spawn([handlers] {
      UnaryCallResult unimplemented;
      unimplemented.code = 12;
      handlers.done(unimplemented);
    });
    return std::make_shared<Bidi>();
  }

  std::vector<std::string> uploaded() {
    absl::MutexLock lock(&mu_);
    return uploaded_;
  }

  // `initial`: the service's initial metadata, given before the first message.
  void Script(std::vector<std::string> messages, UnaryCallResult end,
              upstream::Metadata initial = {}) {
    absl::MutexLock lock(&mu_);
    messages_ = std::move(messages);
    end_ = std::move(end);
    initial_ = std::move(initial);
  }

 private:
  void Uploaded(std::string message) {
    absl::MutexLock lock(&mu_);
    uploaded_.push_back(std::move(message));
  }
  void Spawn(std::function<void()> task) {
    absl::MutexLock lock(&mu_);
    threads_.emplace_back(std::move(task));
  }
  void Scripted(std::vector<std::string>* messages, UnaryCallResult* end) {
    absl::MutexLock lock(&mu_);
    *messages = messages_;
    *end = end_;
  }

  absl::Mutex mu_;
  std::vector<std::string> messages_ ABSL_GUARDED_BY(mu_);
  UnaryCallResult end_ ABSL_GUARDED_BY(mu_);
  upstream::Metadata initial_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> uploaded_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_ ABSL_GUARDED_BY(mu_);
};

struct Step {
  std::string phase;
  bool resumed = false;
  std::thread::id thread;
};

// config/gateway.yaml with every upstream and the auth service on a port
// nothing listens on (the scripted caller answers the upstream calls).
config::GatewayConfig DemoConfig() {
  auto loaded = config::LoadGatewayConfig(PROTOGATE_SOURCE_DIR "/config/gateway.yaml");
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  config::GatewayConfig config = loaded.ok() ? *std::move(loaded) : config::GatewayConfig();
  config.descriptors = PROTOGATE_DEMO_DESCRIPTORS;
  config.access_log = false;
  config.reload.watch = false;
  for (config::UpstreamConfig& upstream : config.upstreams) upstream.addresses = {"127.0.0.1:1"};
  config.auth.external.address = "127.0.0.1:1";
  config.auth.stamping.jwks_out.clear();
  return config;
}

class RequestPipelineTest : public ::testing::Test {
 protected:
  void Install(const config::GatewayConfig& config) {
    auto snapshot = BuildSnapshot(config, nullptr, std::make_shared<GatewayMetrics>());
    ASSERT_TRUE(snapshot.ok()) << snapshot.status();
    ASSERT_TRUE((*snapshot)->Activate().ok());
    snapshots_.Set(*std::move(snapshot));
  }

  // Handles `request` on the loop; the answer, once given.
  http::Response Run(http::Request request) {
    auto recorded = std::make_shared<test::Recorded>();
    http::Responder respond(std::make_shared<test::RecordingWriter>(&loop_, recorded));
    loop_.Post([this, request = std::move(request), respond = std::move(respond)]() mutable {
      handler_.Handle(std::move(request), std::move(respond));
    });
    EXPECT_TRUE(recorded->Wait(absl::Seconds(30)));
    absl::MutexLock lock(&recorded->mu);
    EXPECT_EQ(recorded->answers, 1);
    EXPECT_TRUE(recorded->answered_on_loop);
    return recorded->response;
  }

  static http::Request Get(std::string target, http::HeaderList headers = {}) {
    http::Request request;
    request.method = "GET";
    request.target = std::move(target);
    request.headers = std::move(headers);
    request.remote_address = "127.0.0.1:40000";
    return request;
  }

  std::vector<Step> steps() {
    absl::MutexLock lock(&mu_);
    return steps_;
  }
  std::vector<std::string> PhaseNames() {
    std::vector<std::string> names;
    for (const Step& step : steps()) names.push_back(step.resumed ? step.phase + "+" : step.phase);
    return names;
  }
  // Every phase and resumption ran on the request's loop.
  void ExpectAllOnLoop() {
    for (const Step& step : steps()) {
      EXPECT_EQ(step.thread, loop_.thread_id())
          << step.phase << (step.resumed ? " (resumed)" : "") << " ran off the loop";
    }
  }

  absl::Mutex mu_;
  std::vector<Step> steps_ ABSL_GUARDED_BY(mu_);
  SnapshotHolder snapshots_;
  ScriptedCaller caller_;
  ScriptedStreams streams_;
  RequestHandler handler_{&snapshots_,
                          &caller_,
                          {.on_phase =
                               [this](const PhaseEvent& event) {
                                 absl::MutexLock lock(&mu_);
                                 steps_.push_back({std::string(event.phase), event.resumed,
                                                   std::this_thread::get_id()});
                               },
                           .streams = &streams_}};
  test::TaskLoop loop_;  // last: stops (and joins) first
};

TEST_F(RequestPipelineTest, UnaryCallRunsEveryPhaseInOrderOnTheLoop) {
  Install(DemoConfig());
  demo::catalog::v1::Product product;
  product.set_product_id("p-1");
  product.set_title("Dune");
  caller_.Reply("/demo.catalog.v1.CatalogService/GetProduct", product);

  http::Response response = Run(Get("/v1/products/p-1"));
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(json::parse(response.body)["title"], "Dune");
  EXPECT_EQ(PhaseNames(),
            std::vector<std::string>({"admit", "health", "credentials", "client", "route",
                                      "authenticate", "client_view", "rate_limit", "transcode",
                                      "call", "call+", "respond", "log"}));
  ExpectAllOnLoop();
}

TEST_F(RequestPipelineTest, AnInlineAnswerContinuesWithinTheCallPhase) {
  Install(DemoConfig());
  caller_.set_inline_answers(true);
  caller_.Fail("/demo.catalog.v1.CatalogService/GetProduct", 5, "no such product");

  http::Response response = Run(Get("/v1/products/p-9"));
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(json::parse(response.body)["message"], "no such product");
  EXPECT_EQ(PhaseNames(),
            std::vector<std::string>({"admit", "health", "credentials", "client", "route",
                                      "authenticate", "client_view", "rate_limit", "transcode",
                                      "call", "respond", "log"}));
  ExpectAllOnLoop();
}

TEST_F(RequestPipelineTest, AnAnswerSkipsStraightToTheLogPhase) {
  Install(DemoConfig());
  http::Response missing = Run(Get("/v2/nothing"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(PhaseNames(),
            std::vector<std::string>({"admit", "health", "credentials", "client", "route", "log"}));
  EXPECT_TRUE(caller_.calls().empty());
  ExpectAllOnLoop();

  http::Response health = Run(Get("/healthz"));
  EXPECT_EQ(health.status, 200);
  bool has_request_id = false;
  for (const auto& [name, value] : health.headers) has_request_id |= name == "X-Request-Id";
  EXPECT_TRUE(has_request_id);
}

// The auth service (nobody listens) fails on a gRPC callback thread: the
// 503 is rendered and logged on the loop.
TEST_F(RequestPipelineTest, AuthServiceAnswerResumesOnTheLoop) {
  Install(DemoConfig());
  http::Response response = Run(Get("/v1/users/1", {{"authorization", "Bearer demo-token-alice"}}));
  EXPECT_EQ(response.status, 503) << response.body;
  EXPECT_EQ(json::parse(response.body)["message"], "authentication service unavailable");
  // gRPC may also fail the call before it returns (on the loop, inside the
  // phase): then the phase goes on at once and there is no resumption.
  std::vector<std::string> phases = PhaseNames();
  phases.erase(std::remove(phases.begin(), phases.end(), "authenticate+"), phases.end());
  EXPECT_EQ(phases, std::vector<std::string>({"admit", "health", "credentials", "client", "route",
                                              "authenticate", "log"}));
  EXPECT_TRUE(caller_.calls().empty());
  ExpectAllOnLoop();
}

TEST_F(RequestPipelineTest, CompositeCallsAllResumeOnTheLoop) {
  config::GatewayConfig config = DemoConfig();
  config.auth.policies.insert(config.auth.policies.begin(),
                              {.selector = "dashboard", .is_public = true});
  Install(config);
  demo::users::v1::User user;
  user.set_user_id("1");
  user.set_email("ada@example.com");
  caller_.Reply("/demo.users.v1.UserService/GetUser", user);
  demo::orders::v1::ListOrdersResponse orders;
  for (const char* id : {"p-1", "p-2"}) {
    auto* order = orders.add_orders();
    order->set_order_id(std::string("o-") + id);
    order->add_items()->set_product_id(id);
  }
  caller_.Reply("/demo.orders.v1.OrderService/ListOrders", orders);
  demo::catalog::v1::Product product;
  product.set_title("Dune");
  caller_.Reply("/demo.catalog.v1.CatalogService/GetProduct", product);

  http::Response response = Run(Get("/v1/dashboard/1"));
  ASSERT_EQ(response.status, 200) << response.body;
  json body = json::parse(response.body);
  EXPECT_EQ(body["user"]["userId"], "1");
  EXPECT_FALSE(body["user"].contains("email"));
  EXPECT_EQ(body["products"].size(), 2u);
  EXPECT_EQ(caller_.calls().size(), 4u);
  // user, orders and two products: four results, then the composite's own.
  std::vector<std::string> names = PhaseNames();
  EXPECT_EQ(std::count(names.begin(), names.end(), "call+"), 5) << ::testing::PrintToString(names);
  EXPECT_EQ(names.back(), "log");
  ExpectAllOnLoop();
}

TEST_F(RequestPipelineTest, CompositeFailureIsRenderedInTheErrorModel) {
  config::GatewayConfig config = DemoConfig();
  config.auth.policies.insert(config.auth.policies.begin(),
                              {.selector = "dashboard", .is_public = true});
  Install(config);
  caller_.Fail("/demo.users.v1.UserService/GetUser", 14, "users down");

  http::Response response = Run(Get("/v1/dashboard/1"));
  EXPECT_EQ(response.status, 503) << response.body;
  json body = json::parse(response.body);
  EXPECT_EQ(body["code"], 14);
  EXPECT_TRUE(body["message"].get<std::string>().starts_with("call \"user\" failed: UNAVAILABLE"))
      << body;
  EXPECT_EQ(body["details"], json::array());
  ExpectAllOnLoop();
}

// Each message of a server stream comes from the upstream's thread and is
// written on the loop; the failure after them ends the stream in its body
// and trailers, and the log phase runs once, at the end.
TEST_F(RequestPipelineTest, StreamMessagesAreWrittenOnTheLoopAndAFailureEndsTheStream) {
  config::GatewayConfig config = DemoConfig();
  config.auth.policies.insert(
      config.auth.policies.begin(),
      {.selector = "demo.orders.v1.OrderService.WatchOrder", .is_public = true});
  Install(config);
  std::vector<std::string> messages;
  for (int sequence : {1, 2}) {
    demo::orders::v1::OrderEvent event;
    event.set_sequence(sequence);
    messages.push_back(event.SerializeAsString());
  }
  UnaryCallResult aborted;
  aborted.code = 10;
  aborted.message = "watch failed";
  streams_.Script(messages, aborted);

  http::Response response = Run(Get("/v1/orders/o-1:watch"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body,
            "{\"sequence\":1}\n{\"sequence\":2}\n"
            "{\"error\":{\"code\":10,\"message\":\"watch failed\",\"details\":[]}}\n");
  auto header = [&](const std::string& name) {
    for (const auto& [key, value] : response.headers) {
      if (key == name) return value;
    }
    return std::string();
  };
  EXPECT_EQ(header("Content-Type"), "application/x-ndjson");
  EXPECT_EQ(header("grpc-status"), "10");
  EXPECT_EQ(header("grpc-message"), "watch failed");
  std::vector<std::string> names = PhaseNames();
  EXPECT_EQ(std::count(names.begin(), names.end(), "call+"), 3) << ::testing::PrintToString(names);
  EXPECT_EQ(std::count(names.begin(), names.end(), "respond"), 0);
  EXPECT_EQ(std::count(names.begin(), names.end(), "log"), 1);
  ExpectAllOnLoop();
}

// The service's metadata on a stream: the initial in the head, the trailing
// in the trailers, both as Grpc-Metadata-*.
TEST_F(RequestPipelineTest, AStreamCarriesTheServicesMetadataInItsHeadAndTrailers) {
  config::GatewayConfig config = DemoConfig();
  config.auth.policies.insert(
      config.auth.policies.begin(),
      {.selector = "demo.orders.v1.OrderService.WatchOrder", .is_public = true});
  Install(config);
  demo::orders::v1::OrderEvent event;
  event.set_sequence(1);
  UnaryCallResult end;
  end.trailing_metadata = {{"x-demo-after", "done"}};
  streams_.Script({event.SerializeAsString()}, end, {{"x-demo-before", "ready"}});

  http::Response response = Run(Get("/v1/orders/o-1:watch"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "{\"sequence\":1}\n");
  http::HeaderList expected = {{"Grpc-Metadata-x-demo-before", "ready"},
                               {"Grpc-Metadata-x-demo-after", "done"}};
  for (const auto& header : expected) {
    EXPECT_NE(std::find(response.headers.begin(), response.headers.end(), header),
              response.headers.end())
        << header.first << " in " << ::testing::PrintToString(response.headers);
  }
  ExpectAllOnLoop();
}

// Each object of a client stream's body is one message, written from the
// loop; the one answer is rendered by the respond phase.
TEST_F(RequestPipelineTest, UploadMessagesAreWrittenOneByOneAndTheAnswerRendered) {
  config::GatewayConfig config = DemoConfig();
  config.auth.policies.insert(
      config.auth.policies.begin(),
      {.selector = "demo.orders.v1.OrderService.ImportOrders", .is_public = true});
  Install(config);
  demo::orders::v1::ImportOrdersResponse answer;
  answer.set_imported(2);
  streams_.Script({answer.SerializeAsString()}, UnaryCallResult());

  http::Request request = Get("/v1/orders:import");
  request.method = "POST";
  request.body = "{\"userId\":\"u-1\"}\n{\"userId\":\"u-2\",\"note\":\"x\"}\n";
  http::Response response = Run(std::move(request));
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(json::parse(response.body), json::parse(R"({"imported":2})"));
  std::vector<std::string> uploaded = streams_.uploaded();
  ASSERT_EQ(uploaded.size(), 2u);
  demo::orders::v1::CreateOrderRequest second;
  ASSERT_TRUE(second.ParseFromString(uploaded[1]));
  EXPECT_EQ(second.user_id(), "u-2");
  EXPECT_EQ(second.note(), "x");
  std::vector<std::string> names = PhaseNames();
  EXPECT_EQ(std::count(names.begin(), names.end(), "respond"), 1);
  ExpectAllOnLoop();
}

TEST_F(RequestPipelineTest, AMalformedUploadMessageIsA400NamingIt) {
  config::GatewayConfig config = DemoConfig();
  config.auth.policies.insert(
      config.auth.policies.begin(),
      {.selector = "demo.orders.v1.OrderService.ImportOrders", .is_public = true});
  Install(config);
  http::Request request = Get("/v1/orders:import");
  request.method = "POST";
  request.body = "{\"userId\":\"u-1\"}\n{\"userId\":7}\n";
  http::Response response = Run(std::move(request));
  EXPECT_EQ(response.status, 400) << response.body;
  EXPECT_THAT(json::parse(response.body)["message"].get<std::string>(),
              ::testing::HasSubstr("request stream: message 2: "));
  ExpectAllOnLoop();
}

}  // namespace
}  // namespace protogate::gateway
