#include "auth/remote_key_set.h"

#include <atomic>
#include <chrono>
#include <thread>

#include "auth/http_fetch.h"
#include "gtest/gtest.h"
#include "jwks_server.h"
#include "test_keys.h"

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
  EXPECT_FALSE(ParseHttpUrl("https://host/").ok());
  EXPECT_FALSE(ParseHttpUrl("http://:80/").ok());

  testing::JwksServer server;
  server.set_status(404);
  EXPECT_EQ(HttpGet(server.url(), absl::Seconds(5)).status().code(),
            absl::StatusCode::kUnavailable);
  server.set_status(200);
  server.set_body("hello");
  EXPECT_EQ(*HttpGet(server.url(), absl::Seconds(5)), "hello");
  EXPECT_FALSE(HttpGet(server.url(), absl::Seconds(5), /*max_body_bytes=*/2).ok());
}

}  // namespace
}  // namespace protogate::auth
