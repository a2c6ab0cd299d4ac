// End to end: every phase of a request, and every asynchronous result it
// resumes with, runs on the event-loop thread the request arrived on, on
// each path that waits: a unary call, a composite's calls, the external auth
// service, and a JWKS refetch after a key rotation. The real gateway, the
// real demo services, the demo auth service and a JWKS server, over
// loopback; the gateway's phase hook tells which thread ran what.

#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "demo_auth/demo_auth_server.h"
#include "gtest/gtest.h"
#include "support/composites.h"
#include "support/gateway_under_test.h"
#include "support/test_issuer.h"
#include "unit/auth/jwks_server.h"

namespace protogate::test {
namespace {

struct Step {
  std::string phase;
  bool resumed = false;
  std::thread::id thread;
};

// The steps of each request, by request id.
class StepLog {
 public:
  gateway::GatewayServerOptions Options() {
    return {.on_phase = [this](const gateway::PhaseEvent& event) {
      absl::MutexLock lock(&mu_);
      steps_[std::string(event.request_id)].push_back(
          {std::string(event.phase), event.resumed, std::this_thread::get_id()});
    }};
  }

  std::vector<Step> Of(const std::string& request_id) {
    absl::MutexLock lock(&mu_);
    return steps_[request_id];
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, std::vector<Step>> steps_ ABSL_GUARDED_BY(mu_);
};

// All steps on one thread, the one that admitted the request (the HTTP
// layer hands a request to the pipeline on its connection's loop), with at
// least `resumptions` asynchronous results among them of `phase`.
void ExpectOneLoop(const std::vector<Step>& steps, const std::string& phase, int resumptions) {
  ASSERT_FALSE(steps.empty());
  EXPECT_EQ(steps.front().phase, "admit");
  EXPECT_EQ(steps.back().phase, "log");
  int resumed = 0;
  for (const Step& step : steps) {
    EXPECT_EQ(step.thread, steps.front().thread)
        << step.phase << (step.resumed ? " (resumed)" : "") << " ran off the request's loop";
    if (step.resumed && step.phase == phase) ++resumed;
  }
  EXPECT_GE(resumed, resumptions) << "expected resumptions of " << phase;
}

HttpRequest Get(const std::string& target, const std::string& request_id, TestHeaders extra = {}) {
  extra.push_back({"X-Request-Id", request_id});
  HttpRequest request;
  request.target = target;
  request.headers = std::move(extra);
  return request;
}

TEST(LoopAffinityTest, UnaryCall) {
  StepLog log;
  GatewayUnderTest gw(nullptr, log.Options());
  HttpResponse response = gw.Call(Get("/v1/users/1", "unary-1"));
  ASSERT_EQ(response.status, 200) << response.body;
  ExpectOneLoop(log.Of("unary-1"), "call", 1);
}

TEST(LoopAffinityTest, CompositeCalls) {
  StepLog log;
  GatewayUnderTest gw(WithComposites(kDemoDashboard), log.Options());
  HttpResponse response = gw.Call(Get("/v1/dashboard/1", "composite-1"));
  ASSERT_EQ(response.status, 200) << response.body;
  // user and orders, at least one product, then the composite's answer.
  ExpectOneLoop(log.Of("composite-1"), "call", 4);
}

TEST(LoopAffinityTest, ExternalAuthService) {
  demo_auth::DemoAuthServer auth_server;
  ASSERT_TRUE(auth_server.Start().ok());
  StepLog log;
  GatewayUnderTest gw(
      [&](config::GatewayConfig& config) {
        config.auth.enabled = true;
        config.auth.default_policy = "authenticated";
        config.auth.has_external = true;
        config.auth.external.address = auth_server.address();
      },
      log.Options());
  HttpResponse response =
      gw.Call(Get("/v1/users/1", "external-1", {{"Authorization", "Bearer demo-token-alice"}}));
  ASSERT_EQ(response.status, 200) << response.body;
  ASSERT_EQ(auth_server.check_calls(), 1);
  ExpectOneLoop(log.Of("external-1"), "authenticate", 1);
}

// The first token signed with a new key waits for the refetch of the
// issuer's keys, which completes on the key set's refresher thread.
TEST(LoopAffinityTest, JwksRefetchAfterKeyRotation) {
  auth::testing::JwksServer jwks;
  TestIssuer old_issuer;
  TestIssuer new_issuer;
  jwks.set_body(old_issuer.Jwks());
  StepLog log;
  GatewayUnderTest gw(
      [&](config::GatewayConfig& config) {
        RequireTokensFromJwksUrl(config, old_issuer, jwks.url());
      },
      log.Options());
  const int fetches_before = jwks.requests();
  jwks.set_body(new_issuer.Jwks());
  HttpResponse response =
      gw.Call(Get("/v1/users/1", "rotated-1", {{"Authorization", Bearer(new_issuer.Token("a"))}}));
  ASSERT_EQ(response.status, 200) << response.body;
  ASSERT_EQ(jwks.requests(), fetches_before + 1);
  ExpectOneLoop(log.Of("rotated-1"), "authenticate", 1);
}

}  // namespace
}  // namespace protogate::test
