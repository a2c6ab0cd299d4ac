#pragma once

// An issuer's JWKS fetched from a URL and kept fresh in the background.
//
// A background thread fetches the set every `refresh_interval` (sooner,
// `retry_after_failure`, after a failed fetch; a failed or invalid fetch
// keeps the previous keys). A token naming an unknown kid calls
// RequestRefetch(), which wakes the thread at once, but at most once per
// `min_refetch_interval` (measured on the injected clock), so that a flood
// of tokens with made-up kids cannot turn the gateway into a load generator
// against the identity provider.
//
// A request whose token names an unknown kid may wait for that refetch
// (WaitForRefetch): when the issuer has just rotated its keys, the first
// token signed with the new key is accepted, not answered 401. The wait is
// bounded by `fetch_timeout`; while the rate limit holds, nobody waits.
//
// Example:
//   auto keys = RemoteKeySet::Start({.url = "http://127.0.0.1:9000/jwks.json"});
//   // or Create(...) now and StartRefreshing() once the owner is committed
//   std::shared_ptr<const KeySet> now = keys->Current();   // never null
//   if (now->Find(kid) == nullptr) keys->RequestRefetch();
//
// Thread-safety: Current, RequestRefetch, WaitForRefetch and fetch_count
// from any thread. StartRefreshing, Stop and the destructor on one
// controlling thread, never on the background thread itself (a waiter): the
// owner keeps the set alive until it releases it there, so that no request
// finished by a waiter can hold the last reference (the server's resources
// do, gateway/server_resources.h; AuthResources).

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "auth/clock.h"
#include "auth/jwks.h"

namespace protogate::auth {

// Fetches a JWKS document; HttpGet by default. Called on the background thread.
using JwksFetcher = std::function<absl::StatusOr<std::string>(const std::string& url)>;

// Runs once the next fetch has ended (`fetched`: it ran, good or not) or the
// set is stopping (false). On the background thread, without locks held.
using RefetchWaiter = absl::AnyInvocable<void(bool fetched)>;

class RemoteKeySet {
 public:
  struct Options {
    std::string url{};
    absl::Duration refresh_interval = absl::Minutes(5);
    absl::Duration min_refetch_interval = absl::Seconds(30);
    absl::Duration retry_after_failure = absl::Seconds(5);
    absl::Duration fetch_timeout = absl::Seconds(2);
    Clock clock = SystemClock();
    std::string ca_file{};  // trusted for an https:// url; empty: the system's store
    JwksFetcher fetcher{};  // null: HttpGet(url, {fetch_timeout, ca_file})
    // Fetch once before Start returns, so the first requests find keys.
    bool initial_fetch = true;
  };

  // Create, then StartRefreshing.
  static std::unique_ptr<RemoteKeySet> Start(Options options);

  // A set that does nothing yet: no fetch, no thread, an empty Current(),
  // until StartRefreshing. Lets a snapshot be built, and dropped when its
  // build fails, without a request to the identity provider.
  static std::unique_ptr<RemoteKeySet> Create(Options options);

  // The first fetch (when `initial_fetch`, before returning) and the
  // background thread. Idempotent; does nothing once stopped.
  void StartRefreshing();

  // Ends the background thread, waiting for a fetch in progress (bounded by
  // `fetch_timeout`); the waiters still waiting run with `fetched` false on
  // the calling thread. Current() keeps the last keys. Idempotent.
  void Stop();

  // Stop().
  ~RemoteKeySet();

  RemoteKeySet(const RemoteKeySet&) = delete;
  RemoteKeySet& operator=(const RemoteKeySet&) = delete;

  // The last good key set (an empty set before the first good fetch).
  std::shared_ptr<const KeySet> Current() const;

  // True when a refetch was scheduled; false when one was asked for less
  // than min_refetch_interval ago.
  bool RequestRefetch();

  // Schedules a refetch as RequestRefetch does (or joins one already due)
  // and runs `waiter` when it has ended. False, with `waiter` untouched,
  // when the rate limit refuses a new fetch and none is due.
  bool WaitForRefetch(RefetchWaiter& waiter);

  // Fetch attempts so far (good or not).
  int fetch_count() const;

  const std::string& url() const { return options_.url; }

 private:
  explicit RemoteKeySet(Options options);
  void FetchOnce();
  void Loop();
  void RunWaiters(bool fetched);

  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::shared_ptr<const KeySet> current_;
  bool stop_ = false;
  bool started_ = false;
  bool refetch_requested_ = false;
  bool fetching_ = false;               // the background thread is fetching
  std::vector<RefetchWaiter> waiters_;  // for the fetch running or due next
  bool last_fetch_failed_ = false;
  absl::Time last_refetch_request_ = absl::InfinitePast();
  int fetch_count_ = 0;
  std::thread thread_;
};

}  // namespace protogate::auth
