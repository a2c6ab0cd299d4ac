#include "auth/remote_key_set.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/strings/match.h"
#include "auth/http_fetch.h"
#include "gtest/gtest.h"
#include "jwks_server.h"
#include "test_keys.h"
#include "tls_jwks_server.h"

namespace protogate::auth {
namespace {

struct FakeClock {
  std::atomic<int64_t> seconds{1'000'000};
  Clock clock() {
    return [this] { return absl::FromUnixSeconds(seconds.load()); };
  }
};

std::string OneKeyJwks(const std::string& kid) {
  static PkeyPtr* key = new PkeyPtr(testing::NewEcKey("P-256"));
  return testing::JwksOf({testing::PublicJwk(key->get(), kid)});
}

// Bounded polling for what a background thread does; never a fixed sleep.
template <typename Predicate>
bool Eventually(Predicate done) {
  for (int i = 0; i < 500; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

TEST(RemoteKeySetTest, UnknownKidRefetchIsRateLimitedPerInterval) {
  FakeClock time;
  std::atomic<int> fetches{0};
  std::string kid = "k1";
  std::mutex mu;
  auto keys =
      RemoteKeySet::Start({.url = "http://jwks.invalid/",
                           .refresh_interval = absl::Hours(1),
                           .min_refetch_interval = absl::Seconds(30),
                           .clock = time.clock(),
                           .fetcher = [&](const std::string&) -> absl::StatusOr<std::string> {
                             ++fetches;
                             std::lock_guard<std::mutex> lock(mu);
                             return OneKeyJwks(kid);
                           }});
  EXPECT_EQ(fetches.load(), 1);  // the initial fetch, before Start returned
  EXPECT_NE(keys->Current()->Find("k1"), nullptr);
  {
    std::lock_guard<std::mutex> lock(mu);
    kid = "k2";  // the issuer rotates
  }
  EXPECT_TRUE(keys->RequestRefetch());
  EXPECT_FALSE(keys->RequestRefetch());  // within 30 s: refused
  time.seconds += 29;
  EXPECT_FALSE(keys->RequestRefetch());
  ASSERT_TRUE(Eventually([&] { return keys->Current()->Find("k2") != nullptr; }));
  EXPECT_EQ(keys->fetch_count(), 2);
  time.seconds += 1;
  EXPECT_TRUE(keys->RequestRefetch());
  ASSERT_TRUE(Eventually([&] { return keys->fetch_count() == 3; }));
}

// Holds the fetcher until opened, so that a test can line up waiters while a
// fetch is due or running.
class Gate {
 public:
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void Pass() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

TEST(RemoteKeySetTest, WaitersRunAfterTheRefetchTheyJoinedWithTheNewKeys) {
  FakeClock time;
  Gate gate;
  std::atomic<int> fetches{0};
  auto keys =
      RemoteKeySet::Start({.url = "http://jwks.invalid/",
                           .refresh_interval = absl::Hours(1),
                           .clock = time.clock(),
                           .fetcher = [&](const std::string&) -> absl::StatusOr<std::string> {
                             if (++fetches == 1) return OneKeyJwks("k1");
                             gate.Pass();
                             return OneKeyJwks("k2");
                           }});
  std::atomic<int> ran{0};
  std::atomic<int> saw_new_key{0};
  auto make_waiter = [&]() -> RefetchWaiter {
    return [&](bool fetched) {
      if (fetched && keys->Current()->Find("k2") != nullptr) ++saw_new_key;
      ++ran;
    };
  };
  RefetchWaiter first = make_waiter();
  RefetchWaiter second = make_waiter();
  ASSERT_TRUE(keys->WaitForRefetch(first));
  // A second waiter joins the fetch that is due or running, despite the rate limit.
  ASSERT_TRUE(keys->WaitForRefetch(second));
  EXPECT_EQ(ran.load(), 0);
  gate.Open();
  ASSERT_TRUE(Eventually([&] { return ran.load() == 2; }));
  EXPECT_EQ(saw_new_key.load(), 2);
  EXPECT_EQ(fetches.load(), 2);

  // Once it has run, the rate limit refuses a new fetch and leaves the waiter alone.
  bool called = false;
  RefetchWaiter refused = [&](bool) { called = true; };
  EXPECT_FALSE(keys->WaitForRefetch(refused));
  refused(false);
  EXPECT_TRUE(called);
  time.seconds += 30;
  RefetchWaiter later = make_waiter();
  EXPECT_TRUE(keys->WaitForRefetch(later));
  ASSERT_TRUE(Eventually([&] { return ran.load() == 3; }));
  EXPECT_EQ(fetches.load(), 3);
}

// Stop ends the refresher: requests still waiting are refused on the
// stopping thread, nothing is fetched after, and a stopped set never starts.
TEST(RemoteKeySetTest, StopRefusesTheWaitersAndFetchesNothingMore) {
  std::atomic<int> fetches{0};
  auto fetcher = [&](const std::string&) -> absl::StatusOr<std::string> {
    ++fetches;
    return OneKeyJwks("k1");
  };
  auto idle = RemoteKeySet::Create(
      {.url = "http://jwks.invalid/", .refresh_interval = absl::Hours(1), .fetcher = fetcher});
  std::optional<bool> waited;
  RefetchWaiter waiter = [&](bool fetched) { waited = fetched; };
  ASSERT_TRUE(idle->WaitForRefetch(waiter));  // not started: nobody fetches
  idle->Stop();
  EXPECT_EQ(waited, std::optional<bool>(false));
  idle->StartRefreshing();
  EXPECT_EQ(fetches.load(), 0);

  auto running = RemoteKeySet::Start(
      {.url = "http://jwks.invalid/", .refresh_interval = absl::Hours(1), .fetcher = fetcher});
  EXPECT_EQ(fetches.load(), 1);
  running->Stop();
  RefetchWaiter late = [](bool) {};
  EXPECT_FALSE(running->WaitForRefetch(late));
  EXPECT_NE(running->Current()->Find("k1"), nullptr);  // the last keys stay
  running->Stop();                                     // idempotent
  EXPECT_EQ(running->fetch_count(), 1);
}

TEST(RemoteKeySetTest, FailedFetchKeepsThePreviousKeys) {
  std::atomic<bool> fail{false};
  FakeClock time;
  auto keys =
      RemoteKeySet::Start({.url = "http://jwks.invalid/",
                           .refresh_interval = absl::Hours(1),
                           .clock = time.clock(),
                           .fetcher = [&](const std::string&) -> absl::StatusOr<std::string> {
                             if (fail) return absl::UnavailableError("down");
                             return OneKeyJwks("k1");
                           }});
  ASSERT_NE(keys->Current()->Find("k1"), nullptr);
  fail = true;
  ASSERT_TRUE(keys->RequestRefetch());
  ASSERT_TRUE(Eventually([&] { return keys->fetch_count() == 2; }));
  EXPECT_NE(keys->Current()->Find("k1"), nullptr);
}

TEST(RemoteKeySetTest, RefreshesPeriodically) {
  std::atomic<int> fetches{0};
  auto keys =
      RemoteKeySet::Start({.url = "http://jwks.invalid/",
                           .refresh_interval = absl::Milliseconds(20),
                           .fetcher = [&](const std::string&) -> absl::StatusOr<std::string> {
                             ++fetches;
                             return OneKeyJwks("k1");
                           }});
  EXPECT_TRUE(Eventually([&] { return fetches.load() >= 3; }));
}

TEST(RemoteKeySetTest, FetchesOverRealHttpFromALoopbackServer) {
  testing::JwksServer server;
  server.set_body(OneKeyJwks("k1"));
  FakeClock time;
  auto keys = RemoteKeySet::Start(
      {.url = server.url(), .refresh_interval = absl::Hours(1), .clock = time.clock()});
  EXPECT_EQ(server.requests(), 1);
  ASSERT_NE(keys->Current()->Find("k1"), nullptr);
  server.set_body(OneKeyJwks("k2"));
  ASSERT_TRUE(keys->RequestRefetch());
  ASSERT_TRUE(Eventually([&] { return keys->Current()->Find("k2") != nullptr; }));
  EXPECT_EQ(server.requests(), 2);
}

TEST(HttpFetchTest, ParsesUrlsAndReportsFailures) {
  auto url = ParseHttpUrl("http://[::1]:9000/a/b?c");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, "9000");
  EXPECT_EQ(url->target, "/a/b?c");
  EXPECT_EQ(ParseHttpUrl("http://host")->port, "80");
  EXPECT_TRUE(ParseHttpUrl("https://host/")->tls);
  EXPECT_EQ(ParseHttpUrl("https://host/")->port, "443");
  EXPECT_FALSE(ParseHttpUrl("http://host")->tls);
  EXPECT_FALSE(ParseHttpUrl("ftp://host/").ok());
  EXPECT_FALSE(ParseHttpUrl("http://:80/").ok());

  testing::JwksServer server;
  server.set_status(404);
  EXPECT_EQ(HttpGet(server.url(), {.timeout = absl::Seconds(5)}).status().code(),
            absl::StatusCode::kUnavailable);
  server.set_status(200);
  server.set_body("hello");
  EXPECT_EQ(*HttpGet(server.url(), {.timeout = absl::Seconds(5)}), "hello");
  EXPECT_FALSE(HttpGet(server.url(), {.timeout = absl::Seconds(5), .max_body_bytes = 2}).ok());
}

// Real TLS on loopback: the chain must lead to a trusted certificate and the
// certificate must name the URL's host.
TEST(HttpFetchTest, HttpsVerifiesTheChainAndTheName) {
  testing::TlsJwksServer server("hello");
  const HttpGetOptions trusting{.timeout = absl::Seconds(5), .ca_file = server.ca_file()};

  absl::StatusOr<std::string> body = HttpGet(server.url(), trusting);
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(*body, "hello");

  // The system's trust store does not know the test's self-signed certificate.
  absl::StatusOr<std::string> untrusted = HttpGet(server.url(), {.timeout = absl::Seconds(5)});
  EXPECT_EQ(untrusted.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StrContains(untrusted.status().message(), "TLS handshake"))
      << untrusted.status();

  // Trusted certificate, wrong name: it is for 127.0.0.1, not for localhost.
  absl::StatusOr<std::string> misnamed = HttpGet(server.url("localhost"), trusting);
  EXPECT_EQ(misnamed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StrContains(misnamed.status().message(), "TLS handshake")) << misnamed.status();

  absl::StatusOr<std::string> no_bundle =
      HttpGet(server.url(), {.timeout = absl::Seconds(5), .ca_file = "/no/such/ca.pem"});
  EXPECT_TRUE(absl::StrContains(no_bundle.status().message(),
                                "cannot load trusted certificates from /no/such/ca.pem"))
      << no_bundle.status();
}

TEST(RemoteKeySetTest, FetchesOverHttpsWithTheIssuersCaBundle) {
  testing::TlsJwksServer server(OneKeyJwks("k1"));
  auto keys = RemoteKeySet::Start(
      {.url = server.url(), .refresh_interval = absl::Hours(1), .ca_file = server.ca_file()});
  EXPECT_NE(keys->Current()->Find("k1"), nullptr);
}

}  // namespace
}  // namespace protogate::auth
