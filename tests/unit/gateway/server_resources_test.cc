// The server's resources outlive every snapshot: a snapshot's last reference
// may drop on any thread (a gRPC callback, a key set's refresher, a
// completion queue's thread, a loop) and the resources go on working; a
// reload keeps what its config still names and retires the rest, which is
// destroyed only on the controlling thread; Shutdown stops it all.

#include "gateway/server_resources.h"

#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "absl/time/clock.h"
#include "auth/jwt.h"
#include "gateway/snapshot.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "protogate/auth/v1/auth.grpc.pb.h"
#include "support/temp_dir.h"
#include "unit/auth/test_keys.h"
#include "unit/upstream/echo_server.h"

namespace protogate::gateway {
namespace {

namespace pb = protogate::auth::v1;

constexpr char kIssuer[] = "https://issuer.example";
constexpr char kGetUser[] = "demo.users.v1.UserService.GetUser";

// A loopback auth service: "good-token" is alice, anything else is refused.
class AuthService : public pb::AuthService::CallbackService {
 public:
  AuthService() {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(this);
    server_ = builder.BuildAndStart();
    EXPECT_TRUE(server_ != nullptr && port_ != 0) << "auth service did not start";
  }
  ~AuthService() override { server_->Shutdown(); }

  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }

  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context,
                                  const pb::CheckRequest* request,
                                  pb::CheckResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (request->token() != "good-token") {
      reactor->Finish(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "unknown token"));
    } else {
      response->set_principal("alice");
      reactor->Finish(grpc::Status::OK);
    }
    return reactor;
  }

 private:
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

// JWKS documents by URL, fetched through AuthEngine::Options::jwks_fetcher;
// counts the fetches of each URL and the thread of the latest one.
class Jwks {
 public:
  Jwks() : old_key_(auth::testing::NewEcKey("P-256")), new_key_(auth::testing::NewEcKey("P-256")) {}

  auth::JwksFetcher fetcher() {
    return [this](const std::string& url) -> absl::StatusOr<std::string> {
      std::lock_guard<std::mutex> lock(mu_);
      ++fetches_[url];
      last_fetch_thread_ = std::this_thread::get_id();
      if (!rotated_)
        return auth::testing::JwksOf({auth::testing::PublicJwk(old_key_.get(), "old")});
      return auth::testing::JwksOf({auth::testing::PublicJwk(old_key_.get(), "old"),
                                    auth::testing::PublicJwk(new_key_.get(), "new")});
    };
  }
  void Rotate() {
    std::lock_guard<std::mutex> lock(mu_);
    rotated_ = true;
  }
  int fetches(const std::string& url) {
    std::lock_guard<std::mutex> lock(mu_);
    return fetches_[url];
  }
  std::thread::id last_fetch_thread() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_fetch_thread_;
  }
  // A token signed with the key published by Rotate().
  std::string NewKeyToken() const {
    nlohmann::json claims = {{"iss", kIssuer},
                             {"aud", "protogate"},
                             {"sub", "bob"},
                             {"exp", absl::ToUnixSeconds(absl::Now()) + 600}};
    return *auth::SignJwt({{"alg", "ES256"}, {"kid", "new"}}, claims, auth::JwsAlgorithm::kEs256,
                          new_key_.get());
  }

 private:
  auth::PkeyPtr old_key_;
  auth::PkeyPtr new_key_;
  std::mutex mu_;
  bool rotated_ = false;
  std::map<std::string, int> fetches_;
  std::thread::id last_fetch_thread_;
};

config::GatewayConfig ConfigFor(const std::string& upstream_address,
                                const std::string& auth_address, const std::string& jwks_url) {
  config::GatewayConfig config;
  config.source_path = "gateway.yaml";
  config.descriptors = PROTOGATE_DEMO_DESCRIPTORS;
  for (const char* service : {"demo.users.v1.UserService", "demo.orders.v1.OrderService",
                              "demo.catalog.v1.CatalogService"}) {
    config.upstreams.push_back(
        {.service = service, .addresses = {upstream_address}, .method_timeouts = {}});
  }
  config::AuthConfig& auth = config.auth;
  auth.enabled = true;
  auth.has_jwt = true;
  auth.jwt.issuers = {{.issuer = kIssuer,
                       .audiences = {"protogate"},
                       .algorithms = {"ES256"},
                       .jwks_url = jwks_url}};
  auth.has_external = true;
  auth.external.address = auth_address;
  auth.external.timeout = std::chrono::milliseconds(10000);
  auth.policies = {{.selector = "*", .authenticators = {"jwt", "external"}}};
  return config;
}

using SnapshotPtr = std::shared_ptr<const Snapshot>;

// What a release from another thread saw: the thread, and whether the
// snapshot was gone once it let go (it held the last reference).
struct Release {
  std::promise<void> done;
  std::thread::id thread;
  bool last = false;
  bool ok = false;

  // Waits (bounded) for the release.
  void Wait() {
    ASSERT_EQ(done.get_future().wait_for(std::chrono::seconds(20)), std::future_status::ready);
  }
};

class ServerResourcesTest : public ::testing::Test {
 protected:
  const std::string kJwksUrl = "http://jwks.invalid/jwks.json";

  // Built, activated and committed as a reload does.
  SnapshotPtr Install(const config::GatewayConfig& config) {
    auto snapshot = BuildSnapshot(
        config, nullptr, std::make_shared<GatewayMetrics>(),
        {.jwks_fetcher = jwks_.fetcher(), .min_jwks_refetch_interval = absl::ZeroDuration()},
        &resources_);
    EXPECT_TRUE(snapshot.ok()) << snapshot.status();
    if (!snapshot.ok()) return nullptr;
    EXPECT_TRUE((*snapshot)->Activate().ok());
    resources_.Commit();
    return *snapshot;
  }
  SnapshotPtr Install() { return Install(ConfigFor(echo_.address(), auth_.address(), kJwksUrl)); }

  // Authenticates a bearer token against GetUser's policy; `snapshot` is
  // moved into the callback, which lets go of it before anything else.
  void AuthenticateAndRelease(SnapshotPtr snapshot, const std::string& bearer, Release& release) {
    const Snapshot* raw = snapshot.get();
    std::weak_ptr<const Snapshot> weak = snapshot;
    http::Request request;
    request.method = "GET";
    request.target = "/v1/users/1";
    raw->auth->Authenticate(
        {.bearer = bearer, .api_key = ""}, request, raw->auth->PolicyFor(kGetUser),
        [&release, weak, held = std::move(snapshot)](absl::StatusOr<auth::Identity> who) mutable {
          held.reset();
          release.last = weak.expired();
          release.thread = std::this_thread::get_id();
          release.ok = who.ok();
          release.done.set_value();
        });
  }

  // Calls GetUser's upstream through the resources' caller; `snapshot` as above.
  void CallAndRelease(SnapshotPtr snapshot, Release& release) {
    const Route* route = nullptr;
    for (const Route& r : snapshot->route_list) {
      if (r.selector == kGetUser) route = &r;
    }
    ASSERT_NE(route, nullptr);
    std::weak_ptr<const Snapshot> weak = snapshot;
    upstream::UnaryCallRequest call;
    call.method_path = route->method_path;
    call.deadline = absl::Now() + absl::Seconds(10);
    resources_.caller().Call(
        route->stub, std::move(call),
        [&release, weak, held = std::move(snapshot)](upstream::UnaryCallResult result) mutable {
          held.reset();
          release.last = weak.expired();
          release.thread = std::this_thread::get_id();
          release.ok = result.code == 0;
          release.done.set_value();
        });
  }

  upstream::testing::EchoServer echo_;
  AuthService auth_;
  Jwks jwks_;
  ServerResources resources_;
};

TEST_F(ServerResourcesTest, ASnapshotReleasedOnAnyThreadLeavesTheResourcesWorking) {
  const std::thread::id test_thread = std::this_thread::get_id();
  for (int round = 0; round < 2; ++round) {
    {  // in the external service's Check completion, on a gRPC callback thread
      Release release;
      AuthenticateAndRelease(Install(), "good-token", release);
      release.Wait();
      EXPECT_TRUE(release.ok);
      EXPECT_TRUE(release.last);
      EXPECT_NE(release.thread, test_thread);
    }
    {  // in a completion of a unary call, on a completion queue's thread
      Release release;
      CallAndRelease(Install(), release);
      release.Wait();
      EXPECT_TRUE(release.ok);
      EXPECT_TRUE(release.last);
      EXPECT_NE(release.thread, test_thread);
    }
    {  // on a loop's thread
      SnapshotPtr snapshot = Install();
      std::weak_ptr<const Snapshot> weak = snapshot;
      std::thread([held = std::move(snapshot)]() mutable { held.reset(); }).join();
      EXPECT_TRUE(weak.expired());
    }
  }
  {  // in a request waiting for a JWKS refetch, on the key set's refresher
    jwks_.Rotate();
    Release release;
    AuthenticateAndRelease(Install(), jwks_.NewKeyToken(), release);
    release.Wait();
    EXPECT_TRUE(release.ok);  // verified with the refetched key
    EXPECT_TRUE(release.last);
    EXPECT_EQ(release.thread, jwks_.last_fetch_thread());
    EXPECT_NE(release.thread, test_thread);
    EXPECT_EQ(jwks_.fetches(kJwksUrl), 2);  // the first fetch, then the refetch
  }
  // One channel for the three services (one target), one key set, one auth
  // channel, all kept by every reload.
  EXPECT_EQ(resources_.upstream_channels().live, 1);
  EXPECT_EQ(resources_.key_sets().live, 1);
  EXPECT_EQ(resources_.auth_channels().live, 1);

  // Still working: another check and another call.
  for (int i = 0; i < 2; ++i) {
    Release release;
    if (i == 0) AuthenticateAndRelease(Install(), "good-token", release);
    if (i == 1) CallAndRelease(Install(), release);
    release.Wait();
    EXPECT_TRUE(release.ok) << i;
  }

  // Threads joined: Shutdown returns, and a call after it is refused inline.
  SnapshotPtr last = Install();
  resources_.Shutdown();
  bool refused = false;
  upstream::UnaryCallRequest call;
  call.method_path = "/demo.users.v1.UserService/GetUser";
  resources_.caller().Call(
      last->route_list.front().stub, std::move(call), [&refused](upstream::UnaryCallResult result) {
        refused = result.code == static_cast<int>(grpc::StatusCode::UNAVAILABLE);
      });
  EXPECT_TRUE(refused);
}

// The engine of a replaced snapshot may be released by the last Check
// callback still running; later engines keep checking (gRPC must never see
// the auth service's channel released on its callback thread).
TEST_F(ServerResourcesTest, AnEngineReleasedByItsOwnCheckCallbackLeavesGrpcWorking) {
  config::AuthConfig config = ConfigFor(echo_.address(), auth_.address(), kJwksUrl).auth;
  config.has_jwt = false;
  config.policies = {{.selector = "*", .authenticators = {"external"}}};
  for (const std::string token : {"good-token", "bad-token", "good-token"}) {
    auto created = auth::AuthEngine::Create(config, nullptr, {.resources = &resources_});
    ASSERT_TRUE(created.ok()) << created.status();
    std::shared_ptr<const auth::AuthEngine> engine = *std::move(created);
    const auth::AuthEngine* raw = engine.get();
    http::Request request;
    request.method = "GET";
    request.target = "/x";
    std::promise<absl::StatusCode> answer;
    raw->Authenticate(
        {.bearer = token, .api_key = ""}, request, raw->PolicyFor("svc.Orders.Get"),
        [&answer, held = std::move(engine)](absl::StatusOr<auth::Identity> who) mutable {
          held.reset();  // the last owner lets go inside the callback
          answer.set_value(who.status().code());
        });
    std::future<absl::StatusCode> code = answer.get_future();
    ASSERT_EQ(code.wait_for(std::chrono::seconds(20)), std::future_status::ready);
    EXPECT_EQ(code.get(),
              token == "good-token" ? absl::StatusCode::kOk : absl::StatusCode::kUnauthenticated);
  }
  EXPECT_EQ(resources_.auth_channels().live, 1);
}

// An authenticator held only by a request waiting for a refetch lets go of
// it on the key set's thread, which goes on refreshing for the next one.
TEST_F(ServerResourcesTest, AnAuthenticatorReleasedByAWaitingRequestLeavesItsKeySetRunning) {
  config::JwtConfig config = ConfigFor(echo_.address(), auth_.address(), kJwksUrl).auth.jwt;
  auto make = [&] {
    auto created =
        auth::JwtAuthenticator::Create(config, {.fetcher = jwks_.fetcher(),
                                                .min_refetch_interval = absl::ZeroDuration(),
                                                .resources = &resources_});
    EXPECT_TRUE(created.ok()) << created.status();
    return std::shared_ptr<auth::JwtAuthenticator>(*std::move(created));
  };
  std::shared_ptr<auth::JwtAuthenticator> jwt = make();
  const auth::JwtAuthenticator* raw = jwt.get();
  jwks_.Rotate();
  std::promise<bool> accepted;
  raw->Authenticate({.credential = jwks_.NewKeyToken()},
                    [&accepted, held = std::move(jwt)](absl::StatusOr<auth::Identity> who) mutable {
                      held.reset();  // the last owner lets go, on the key set's thread
                      accepted.set_value(who.ok());
                    });
  std::future<bool> answer = accepted.get_future();
  ASSERT_EQ(answer.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  EXPECT_TRUE(answer.get());
  // The same set, already holding the new key: no fetch for the next one.
  EXPECT_TRUE(make()->Verify(jwks_.NewKeyToken()).ok());
  EXPECT_EQ(jwks_.fetches(kJwksUrl), 2);
}

// Reloads keep the channels, key sets and auth channels their config still
// names (the same objects; a kept key set fetches nothing) and retire the
// rest, which are destroyed only by ReleaseIdle on the controlling thread,
// once no snapshot holds them.
TEST_F(ServerResourcesTest, AReloadKeepsWhatItStillNamesAndRetiresTheRest) {
  const std::string kOtherUrl = "http://jwks.invalid/other.json";
  config::GatewayConfig first = ConfigFor("127.0.0.1:1", auth_.address(), kJwksUrl);
  first.upstreams[1].addresses = {"127.0.0.1:2"};  // orders
  SnapshotPtr serving = Install(first);
  ASSERT_NE(serving, nullptr);
  EXPECT_EQ(jwks_.fetches(kJwksUrl), 1);

  config::GatewayConfig same = first;
  SnapshotPtr again = Install(same);
  EXPECT_EQ(again->channels->StubFor("demo.orders.v1.OrderService"),
            serving->channels->StubFor("demo.orders.v1.OrderService"));
  EXPECT_EQ(jwks_.fetches(kJwksUrl), 1);  // the kept set is not refetched
  again.reset();

  config::GatewayConfig second = ConfigFor("127.0.0.1:1", auth_.address(), kOtherUrl);
  second.upstreams[1].addresses = {"127.0.0.1:3"};  // orders moved
  SnapshotPtr next = Install(second);
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(next->channels->StubFor("demo.users.v1.UserService"),
            serving->channels->StubFor("demo.users.v1.UserService"));
  EXPECT_NE(next->channels->StubFor("demo.orders.v1.OrderService"),
            serving->channels->StubFor("demo.orders.v1.OrderService"));
  EXPECT_EQ(jwks_.fetches(kJwksUrl), 1);
  EXPECT_EQ(jwks_.fetches(kOtherUrl), 1);
  EXPECT_EQ(resources_.upstream_channels().live, 2);
  EXPECT_EQ(resources_.upstream_channels().retired, 1);
  EXPECT_EQ(resources_.key_sets().live, 1);
  EXPECT_EQ(resources_.key_sets().retired, 1);
  EXPECT_EQ(resources_.auth_channels().live, 1);
  EXPECT_EQ(resources_.auth_channels().retired, 0);

  // Held by the replaced snapshot: kept.
  std::weak_ptr<grpc::GenericStub> old_orders =
      serving->channels->StubFor("demo.orders.v1.OrderService");
  resources_.ReleaseIdle();
  EXPECT_FALSE(old_orders.expired());
  EXPECT_EQ(resources_.upstream_channels().retired, 1);

  // Let go of on another thread: still not destroyed there.
  std::thread([held = std::move(serving)]() mutable { held.reset(); }).join();
  EXPECT_FALSE(old_orders.expired());
  EXPECT_EQ(resources_.key_sets().retired, 1);

  // Destroyed by the controlling thread.
  resources_.ReleaseIdle();
  EXPECT_TRUE(old_orders.expired());
  EXPECT_EQ(resources_.upstream_channels().retired, 0);
  EXPECT_EQ(resources_.key_sets().retired, 0);
  EXPECT_EQ(resources_.upstream_channels().live, 2);
}

// A reload refused after its build (here: Activate cannot write jwks_out)
// started nothing for what it would have added, and gives it up.
TEST_F(ServerResourcesTest, ARefusedReloadFetchesNothingAndGivesUpWhatItAdded) {
  const std::string kNewUrl = "http://jwks.invalid/new.json";
  SnapshotPtr serving = Install(ConfigFor(echo_.address(), auth_.address(), kJwksUrl));
  ASSERT_NE(serving, nullptr);

  config::GatewayConfig refused = ConfigFor("127.0.0.1:4", auth_.address(), kNewUrl);
  const auto blocker = test::ProcessTempDir("server_resources_test") / "a-file";
  std::ofstream(blocker) << "x";
  refused.auth.stamping.jwks_out = (blocker / "published.json").string();  // a file as a folder
  {
    auto built = BuildSnapshot(refused, serving.get(), serving->metrics,
                               {.jwks_fetcher = jwks_.fetcher()}, &resources_);
    ASSERT_TRUE(built.ok()) << built.status();
    EXPECT_FALSE((*built)->Activate().ok());
    resources_.Abandon();
  }
  resources_.ReleaseIdle();
  EXPECT_EQ(jwks_.fetches(kNewUrl), 0);
  EXPECT_EQ(resources_.key_sets().live, 1);
  EXPECT_EQ(resources_.key_sets().retired, 0);
  EXPECT_EQ(resources_.upstream_channels().live, 1);
  EXPECT_EQ(resources_.upstream_channels().retired, 0);

  // The serving snapshot's resources are untouched.
  Release release;
  CallAndRelease(std::move(serving), release);
  release.Wait();
  EXPECT_TRUE(release.ok);
  EXPECT_EQ(jwks_.fetches(kJwksUrl), 1);
}

}  // namespace
}  // namespace protogate::gateway
