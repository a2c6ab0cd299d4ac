// CallQueues makes unary calls on threads of its own and stops them: once
// Shutdown has returned, its threads are joined and a call is refused.

#include <chrono>
#include <future>
#include <thread>

#include "absl/time/clock.h"
#include "echo_server.h"
#include "gtest/gtest.h"
#include "upstream/channel_pool.h"
#include "upstream/unary_call.h"
#include "upstream/unary_caller.h"

namespace protogate::upstream {
namespace {

UnaryCallRequest EchoRequest(std::string body) {
  UnaryCallRequest request;
  request.method_path = "/any.Service/Echo";
  request.request = std::move(body);
  request.deadline = absl::Now() + absl::Seconds(10);
  return request;
}

struct Outcome {
  UnaryCallResult result;
  std::thread::id thread;
};

// Calls through `caller` and waits (bounded) for the answer.
Outcome CallAndWait(UnaryCaller& caller, std::shared_ptr<grpc::GenericStub> stub,
                    std::string request) {
  std::promise<Outcome> answered;
  caller.Call(std::move(stub), EchoRequest(std::move(request)),
              [&answered](UnaryCallResult result) {
                answered.set_value({std::move(result), std::this_thread::get_id()});
              });
  std::future<Outcome> outcome = answered.get_future();
  EXPECT_EQ(outcome.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  return outcome.get();
}

TEST(CallQueuesTest, CallsCompleteOnTheQueuesThreads) {
  testing::EchoServer echo;
  CallQueues queues;
  EXPECT_GE(queues.thread_count(), 1);
  EXPECT_LE(queues.thread_count(), 16);
  UpstreamChannel channel = NewUpstreamChannel(echo.target());
  const std::string large(64 * 1024, 'x');  // handed over without a copy
  for (const std::string& request : {std::string("small"), large}) {
    Outcome outcome = CallAndWait(queues.caller(), channel.stub, request);
    EXPECT_EQ(outcome.result.code, 0) << outcome.result.message;
    EXPECT_EQ(outcome.result.response, request);
    EXPECT_NE(outcome.thread, std::this_thread::get_id());
  }
  EXPECT_EQ(echo.calls(), 2);
}

TEST(CallQueuesTest, ANullStubIsAnsweredUnavailableInline) {
  CallQueues queues;
  bool answered = false;
  queues.caller().Call(nullptr, EchoRequest("x"), [&answered](UnaryCallResult result) {
    answered = true;
    EXPECT_EQ(result.code, static_cast<int>(grpc::StatusCode::UNAVAILABLE));
  });
  EXPECT_TRUE(answered);
}

// Shutdown returns once the call in flight has completed (its done ran) and
// the threads have ended; a call after it is refused, inline, with no
// request reaching the server.
TEST(CallQueuesTest, ShutdownWaitsForTheCallInFlightThenRefusesCalls) {
  testing::EchoServer echo;
  UpstreamChannel channel = NewUpstreamChannel(echo.target());
  CallQueues queues;
  EXPECT_EQ(CallAndWait(queues.caller(), channel.stub, "warm").result.code, 0);

  std::atomic<bool> completed{false};
  queues.caller().Call(channel.stub, EchoRequest("in flight"),
                       [&completed](UnaryCallResult) { completed = true; });
  queues.Shutdown();
  EXPECT_TRUE(completed.load());

  bool refused = false;
  queues.caller().Call(channel.stub, EchoRequest("late"), [&refused](UnaryCallResult result) {
    refused = true;
    EXPECT_EQ(result.code, static_cast<int>(grpc::StatusCode::UNAVAILABLE));
    EXPECT_EQ(result.message, "the gateway is stopping");
  });
  EXPECT_TRUE(refused);
  EXPECT_EQ(echo.calls(), 2);
  queues.Shutdown();  // idempotent
}

}  // namespace
}  // namespace protogate::upstream
