#include "auth/remote_key_set.h"

#include <cstdlib>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "auth/http_fetch.h"
#include "observability/logger.h"

namespace protogate::auth {

std::unique_ptr<RemoteKeySet> RemoteKeySet::Start(Options options) {
  std::unique_ptr<RemoteKeySet> set = Create(std::move(options));
  set->StartRefreshing();
  return set;
}

std::unique_ptr<RemoteKeySet> RemoteKeySet::Create(Options options) {
  return std::unique_ptr<RemoteKeySet>(new RemoteKeySet(std::move(options)));
}

void RemoteKeySet::StartRefreshing() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (started_ || stop_) return;
    started_ = true;
  }
  if (options_.initial_fetch) FetchOnce();
  thread_ = std::thread([this] { Loop(); });
}

RemoteKeySet::RemoteKeySet(Options options)
    : options_(std::move(options)), current_(std::make_shared<const KeySet>()) {}

RemoteKeySet::~RemoteKeySet() { Stop(); }

void RemoteKeySet::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    if (thread_.get_id() == std::this_thread::get_id()) {
      // A waiter's request held the last owner: the owner broke its promise
      // to release the set on its own thread, and a thread cannot join
      // itself.
      PG_LOG(kError, "JWKS ", options_.url, ": key set released on its own refresher thread");
      std::abort();
    }
    thread_.join();
  }
  RunWaiters(false);
}

std::shared_ptr<const KeySet> RemoteKeySet::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

bool RemoteKeySet::RequestRefetch() {
  const absl::Time now = options_.clock();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (now - last_refetch_request_ < options_.min_refetch_interval) return false;
    last_refetch_request_ = now;
    refetch_requested_ = true;
  }
  wake_.notify_all();
  return true;
}

bool RemoteKeySet::WaitForRefetch(RefetchWaiter& waiter) {
  const absl::Time now = options_.clock();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return false;
    if (!refetch_requested_ && !fetching_) {
      if (now - last_refetch_request_ < options_.min_refetch_interval) return false;
      last_refetch_request_ = now;
      refetch_requested_ = true;
    }
    waiters_.push_back(std::move(waiter));
    // Notified before letting go of `mu_`: once it is free, the refetch
    // thread may run the waiter and finish the request that called us.
    wake_.notify_all();
  }
  return true;
}

void RemoteKeySet::RunWaiters(bool fetched) {
  std::vector<RefetchWaiter> waiters;
  {
    std::lock_guard<std::mutex> lock(mu_);
    waiters.swap(waiters_);
  }
  for (RefetchWaiter& waiter : waiters) waiter(fetched);
}

int RemoteKeySet::fetch_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fetch_count_;
}

void RemoteKeySet::FetchOnce() {
  absl::StatusOr<std::string> body =
      options_.fetcher
          ? options_.fetcher(options_.url)
          : HttpGet(options_.url, {.timeout = options_.fetch_timeout, .ca_file = options_.ca_file});
  absl::StatusOr<KeySet> keys =
      body.ok() ? KeySet::Parse(*body) : absl::StatusOr<KeySet>(body.status());
  std::lock_guard<std::mutex> lock(mu_);
  ++fetch_count_;
  last_fetch_failed_ = !keys.ok();
  if (!keys.ok()) {
    PG_LOG(kWarn, "JWKS ", options_.url, ": keeping the previous keys: ", keys.status().message());
    return;
  }
  current_ = std::make_shared<const KeySet>(*std::move(keys));
  PG_LOG(kDebug, "JWKS ", options_.url, ": ", current_->keys().size(), " keys");
}

void RemoteKeySet::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    const absl::Duration wait =
        last_fetch_failed_ ? options_.retry_after_failure : options_.refresh_interval;
    wake_.wait_for(lock, absl::ToChronoNanoseconds(wait),
                   [this] { return stop_ || refetch_requested_; });
    if (stop_) break;
    refetch_requested_ = false;
    fetching_ = true;
    lock.unlock();
    FetchOnce();
    lock.lock();
    // Waiters that joined while the fetch ran are answered by it too; taken
    // in the same critical section that ends `fetching_`, so none is left
    // behind for a fetch that may be minutes away.
    fetching_ = false;
    std::vector<RefetchWaiter> waiters;
    waiters.swap(waiters_);
    lock.unlock();
    // The waiters finish requests, which may release snapshots; never this
    // set (its owner holds it, see the header).
    for (RefetchWaiter& waiter : waiters) waiter(true);
    waiters.clear();
    lock.lock();
  }
}

}  // namespace protogate::auth
