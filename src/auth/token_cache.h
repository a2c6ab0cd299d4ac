#pragma once

// A bounded cache of identities by token hash, for the external
// authenticator: least-recently-used eviction beyond `capacity`, and each
// entry expires at the time its auth service answer allowed.
//
// Keys are SHA-256 digests of the tokens (TokenCache::KeyOf), so the cache
// never holds a usable credential.
//
// Example:
//   TokenCache cache(10000, SystemClock());
//   cache.Put(TokenCache::KeyOf(token), identity, now + absl::Seconds(30));
//   std::optional<Identity> hit = cache.Get(TokenCache::KeyOf(token));
//
// Thread-safe (one mutex; operations are O(1)).

#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "auth/clock.h"
#include "auth/identity.h"

namespace protogate::auth {

class TokenCache {
 public:
  TokenCache(size_t capacity, Clock clock) : capacity_(capacity), clock_(std::move(clock)) {}

  static std::string KeyOf(absl::string_view token);

  // A live entry (and marks it recently used); expired entries are dropped.
  std::optional<Identity> Get(const std::string& key);

  // No-op when capacity is 0 or `expiry` is not in the future.
  void Put(const std::string& key, Identity identity, absl::Time expiry);

  size_t size() const;

 private:
  struct Entry {
    std::string key;
    Identity identity;
    absl::Time expiry;
  };
  using Lru = std::list<Entry>;  // most recently used first

  const size_t capacity_;
  const Clock clock_;
  mutable std::mutex mu_;
  Lru lru_;
  absl::flat_hash_map<std::string, Lru::iterator> index_;
};

}  // namespace protogate::auth
