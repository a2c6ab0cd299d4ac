#pragma once

// Validated documents by their text, so that a query sent again is neither
// parsed nor validated again (Prepare looks here first). Least recently used
// documents go first once `capacity` documents are held; documents longer
// than kMaxCachedQuery bytes, and documents that do not validate, are never
// held, so what the cache holds stays small whatever clients send.
//
// Example:
//   DocumentCache cache(500);
//   Prepare(*schema, request, limits, &cache);  // parses, validates, remembers
//   Prepare(*schema, request, limits, &cache);  // neither
//
// Thread-safe: one cache serves every event loop of a snapshot (its schema
// is the one the documents were validated against).

#include <cstddef>
#include <list>
#include <memory>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "graphql/document.h"

namespace protogate::graphql {

class DocumentCache {
 public:
  static constexpr size_t kMaxCachedQuery = 16 * 1024;

  explicit DocumentCache(size_t capacity) : capacity_(capacity) {}

  // The validated document of `query`; nullptr when it is not held.
  std::shared_ptr<const Document> Find(absl::string_view query);
  // Remembers a document that validated (ignored past kMaxCachedQuery).
  void Insert(absl::string_view query, std::shared_ptr<const Document> document);

  size_t size() const;

 private:
  using Entry = std::pair<std::string, std::shared_ptr<const Document>>;

  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::list<Entry> entries_ ABSL_GUARDED_BY(mu_);  // most recently used first
  absl::flat_hash_map<absl::string_view, std::list<Entry>::iterator> index_ ABSL_GUARDED_BY(mu_);
};

}  // namespace protogate::graphql
