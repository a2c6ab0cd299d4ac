#include "auth/token_cache.h"

#include "gtest/gtest.h"

namespace protogate::auth {
namespace {

struct FakeClock {
  absl::Time now = absl::FromUnixSeconds(1'000'000);
  Clock clock() {
    return [this] { return now; };
  }
};

Identity Named(const std::string& subject) { return Identity{.subject = subject}; }

TEST(TokenCacheTest, EntriesLiveUntilTheirExpiry) {
  FakeClock time;
  TokenCache cache(10, time.clock());
  const std::string key = TokenCache::KeyOf("token");
  cache.Put(key, Named("alice"), time.now + absl::Seconds(30));
  ASSERT_TRUE(cache.Get(key).has_value());
  EXPECT_EQ(cache.Get(key)->subject, "alice");
  time.now += absl::Seconds(29);
  EXPECT_TRUE(cache.Get(key).has_value());
  time.now += absl::Seconds(1);
  EXPECT_FALSE(cache.Get(key).has_value());
  EXPECT_EQ(cache.size(), 0u);
}

TEST(TokenCacheTest, LeastRecentlyUsedIsEvicted) {
  FakeClock time;
  TokenCache cache(2, time.clock());
  const absl::Time later = time.now + absl::Minutes(1);
  cache.Put("a", Named("a"), later);
  cache.Put("b", Named("b"), later);
  ASSERT_TRUE(cache.Get("a").has_value());  // b is now the least recent
  cache.Put("c", Named("c"), later);
  EXPECT_TRUE(cache.Get("a").has_value());
  EXPECT_FALSE(cache.Get("b").has_value());
  EXPECT_TRUE(cache.Get("c").has_value());
  EXPECT_EQ(cache.size(), 2u);
}

TEST(TokenCacheTest, ZeroCapacityOrPastExpiryStoresNothing) {
  FakeClock time;
  TokenCache disabled(0, time.clock());
  disabled.Put("a", Named("a"), time.now + absl::Minutes(1));
  EXPECT_EQ(disabled.size(), 0u);
  TokenCache cache(4, time.clock());
  cache.Put("a", Named("a"), time.now);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(TokenCacheTest, PutReplacesAnEntry) {
  FakeClock time;
  TokenCache cache(4, time.clock());
  cache.Put("a", Named("old"), time.now + absl::Minutes(1));
  cache.Put("a", Named("new"), time.now + absl::Minutes(1));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.Get("a")->subject, "new");
}

TEST(TokenCacheTest, KeysAreDigestsNotTokens) {
  EXPECT_EQ(TokenCache::KeyOf("secret-token").size(), 32u);
  EXPECT_EQ(TokenCache::KeyOf("secret-token").find("secret"), std::string::npos);
}

}  // namespace
}  // namespace protogate::auth
