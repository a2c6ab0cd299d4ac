#include "auth/token_cache.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace protogate::auth {

std::string TokenCache::KeyOf(absl::string_view token) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  EVP_Digest(token.data(), token.size(), digest, nullptr, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(digest), sizeof(digest));
}

std::optional<Identity> TokenCache::Get(const std::string& key) {
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
  return it->second->identity;
}

void TokenCache::Put(const std::string& key, Identity identity, absl::Time expiry) {
  if (capacity_ == 0 || expiry <= clock_()) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) {
    lru_.erase(it->second);
    index_.erase(it);
  }
  lru_.push_front({key, std::move(identity), expiry});
  index_[key] = lru_.begin();
  while (lru_.size() > capacity_) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

size_t TokenCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lru_.size();
}

}  // namespace protogate::auth
