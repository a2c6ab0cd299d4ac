#pragma once

// Bounded caches of what a credential established, keyed by the credential's
// digest: least-recently-used eviction beyond `capacity`, and each entry
// expires at the time given when it was stored.
//
// - TokenCache (ExpiringCache<Identity>): the external authenticator's
//   identities by token, each until the time the auth service allowed.
// - The jwt authenticator keeps verified tokens (identity and the key set
//   that verified them) until the token's "exp"; the stamper keeps minted
//   internal tokens per caller and service for a fraction of their ttl.
//
// Keys are SHA-256 digests of the credentials (DigestOf), so a cache never
// holds a usable credential, and a lookup compares digests, not secrets: how
// long it takes says nothing an attacker can use to guess a token.
//
// Example:
//   TokenCache cache(10000, SystemClock());
//   cache.Put(DigestOf(token), identity, now + absl::Seconds(30));
//   std::optional<Identity> hit = cache.Get(DigestOf(token));
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

// The SHA-256 digest of `credential` (32 bytes).
std::string DigestOf(absl::string_view credential);

template <typename Value>
class ExpiringCache {
 public:
  ExpiringCache(size_t capacity, Clock clock) : capacity_(capacity), clock_(std::move(clock)) {}

  static std::string KeyOf(absl::string_view credential) { return DigestOf(credential); }

  // A live entry (and marks it recently used); expired entries are dropped.
  std::optional<Value> Get(const std::string& key) {
    if (capacity_ == 0) return std::nullopt;
    const absl::Time now = clock_();
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end()) return std::nullopt;
    if (it->second->expiry <= now) {
      lru_.erase(it->second);
      index_.erase(it);
      return std::nullopt;
    }
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->value;
  }

  // No-op when capacity is 0 or `expiry` is not in the future.
  void Put(const std::string& key, Value value, absl::Time expiry) {
    if (capacity_ == 0 || expiry <= clock_()) return;
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = index_.find(key); it != index_.end()) {
      lru_.erase(it->second);
      index_.erase(it);
    }
    lru_.push_front({key, std::move(value), expiry});
    index_[key] = lru_.begin();
    while (lru_.size() > capacity_) {
      index_.erase(lru_.back().key);
      lru_.pop_back();
    }
  }

  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return lru_.size();
  }

 private:
  struct Entry {
    std::string key;
    Value value;
    absl::Time expiry;
  };
  using Lru = std::list<Entry>;  // most recently used first

  const size_t capacity_;
  const Clock clock_;
  mutable std::mutex mu_;
  Lru lru_;
  absl::flat_hash_map<std::string, typename Lru::iterator> index_;
};

using TokenCache = ExpiringCache<Identity>;

}  // namespace protogate::auth
