#include "graphql/document_cache.h"

namespace protogate::graphql {

std::shared_ptr<const Document> DocumentCache::Find(absl::string_view query) {
  absl::MutexLock lock(&mu_);
  auto it = index_.find(query);
  if (it == index_.end()) return nullptr;
  entries_.splice(entries_.begin(), entries_, it->second);
  return it->second->second;
}

void DocumentCache::Insert(absl::string_view query, std::shared_ptr<const Document> document) {
  if (capacity_ == 0 || query.size() > kMaxCachedQuery) return;
  absl::MutexLock lock(&mu_);
  if (index_.contains(query)) return;
  entries_.emplace_front(std::string(query), std::move(document));
  // The key views the entry's own text, which a list node never moves.
  index_.emplace(entries_.front().first, entries_.begin());
  if (entries_.size() > capacity_) {
    index_.erase(entries_.back().first);
    entries_.pop_back();
  }
}

size_t DocumentCache::size() const {
  absl::MutexLock lock(&mu_);
  return entries_.size();
}

}  // namespace protogate::graphql
