#include "gateway/server_resources.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace protogate::gateway {
namespace {

// Nobody but the table holds it: no pool, no stub, no call in flight (a
// call's ClientContext holds the channel, its state the stub). Two channel
// references are ours: the entry's and the stub's.
bool IsIdle(const upstream::UpstreamChannel& channel) {
  return channel.stub.use_count() == 1 && channel.channel.use_count() == 2;
}

template <typename T>
bool IsIdle(const std::shared_ptr<T>& value) {
  return value.use_count() == 1;
}

}  // namespace

template <typename Value>
template <typename Make>
Value ServerResources::Table<Value>::Get(const std::string& key, Make make) {
  auto it = live_.find(key);
  if (it == live_.end()) {
    Entry entry;
    auto retired = retired_.find(key);
    if (retired != retired_.end()) {
      // Named again before its last holder let go: no new one.
      entry.value = std::move(retired->second);
      retired_.erase(retired);
    } else {
      entry.value = make();
    }
    it = live_.emplace(key, std::move(entry)).first;
  }
  it->second.wanted = true;
  return it->second.value;
}

// What the build asked for serves from now on; the rest retires as after a
// refused build.
template <typename Value>
void ServerResources::Table<Value>::Commit() {
  for (auto& kv : live_) kv.second.serving = kv.second.wanted;
  Abandon();
}

template <typename Value>
void ServerResources::Table<Value>::Abandon() {
  for (auto it = live_.begin(); it != live_.end();) {
    Entry& entry = it->second;
    entry.wanted = false;
    if (entry.serving) {
      ++it;
      continue;
    }
    retired_.emplace(it->first, std::move(entry.value));
    it = live_.erase(it);
  }
}

template <typename Value>
void ServerResources::Table<Value>::RetireAll() {
  for (auto& [key, entry] : live_) retired_.emplace(key, std::move(entry.value));
  live_.clear();
}

template <typename Value>
template <typename Idle>
void ServerResources::Table<Value>::TakeIdle(Idle idle, std::vector<Value>& out) {
  for (auto it = retired_.begin(); it != retired_.end();) {
    if (!idle(it->second)) {
      ++it;
      continue;
    }
    out.push_back(std::move(it->second));
    it = retired_.erase(it);
  }
}

template <typename Value>
template <typename Fn>
void ServerResources::Table<Value>::ForEach(Fn fn) const {
  for (const auto& [key, entry] : live_) fn(entry.value);
  for (const auto& [key, value] : retired_) fn(value);
}

ServerResources::ServerResources() = default;

// The tables go with the members; whatever a snapshot still holds is then
// released with that snapshot (the server drops its own before this).
ServerResources::~ServerResources() { Shutdown(); }

upstream::UpstreamChannel ServerResources::ChannelFor(const std::string& target) {
  absl::MutexLock lock(&mu_);
  return channels_.Get(target, [&] { return upstream::NewUpstreamChannel(target); });
}

std::shared_ptr<auth::RemoteKeySet> ServerResources::KeySetFor(
    auth::RemoteKeySet::Options options) {
  absl::MutexLock lock(&mu_);
  std::shared_ptr<auth::RemoteKeySet> set =
      key_sets_.Get(KeySetKey(options), [&]() -> std::shared_ptr<auth::RemoteKeySet> {
        return auth::RemoteKeySet::Create(std::move(options));
      });
  if (shut_down_) set->Stop();
  return set;
}

std::shared_ptr<grpc::Channel> ServerResources::AuthServiceChannel(const std::string& target) {
  absl::MutexLock lock(&mu_);
  return auth_channels_.Get(
      target, [&] { return grpc::CreateChannel(target, grpc::InsecureChannelCredentials()); });
}

void ServerResources::Commit() {
  absl::MutexLock lock(&mu_);
  channels_.Commit();
  key_sets_.Commit();
  auth_channels_.Commit();
}

void ServerResources::Abandon() {
  absl::MutexLock lock(&mu_);
  channels_.Abandon();
  key_sets_.Abandon();
  auth_channels_.Abandon();
}

void ServerResources::ReleaseIdle() {
  std::vector<upstream::UpstreamChannel> channels;
  std::vector<std::shared_ptr<auth::RemoteKeySet>> key_sets;
  std::vector<std::shared_ptr<grpc::Channel>> auth_channels;
  {
    absl::MutexLock lock(&mu_);
    channels_.TakeIdle([](const auto& value) { return IsIdle(value); }, channels);
    key_sets_.TakeIdle([](const auto& value) { return IsIdle(value); }, key_sets);
    auth_channels_.TakeIdle([](const auto& value) { return IsIdle(value); }, auth_channels);
  }
  // Destroyed here, outside the lock: a key set joins its refresher, and
  // the requests still waiting for its refetch are refused on this thread.
  key_sets.clear();
  channels.clear();
  auth_channels.clear();
}

void ServerResources::Shutdown() {
  std::vector<std::shared_ptr<auth::RemoteKeySet>> key_sets;
  {
    absl::MutexLock lock(&mu_);
    shut_down_ = true;
    key_sets_.ForEach([&](const auto& set) { key_sets.push_back(set); });
  }
  for (const auto& set : key_sets) set->Stop();
  key_sets.clear();
  calls_.Shutdown();
  {
    absl::MutexLock lock(&mu_);
    channels_.RetireAll();
    key_sets_.RetireAll();
    auth_channels_.RetireAll();
  }
  ReleaseIdle();
}

ServerResources::Counts ServerResources::upstream_channels() const {
  absl::MutexLock lock(&mu_);
  return channels_.counts();
}

ServerResources::Counts ServerResources::key_sets() const {
  absl::MutexLock lock(&mu_);
  return key_sets_.counts();
}

ServerResources::Counts ServerResources::auth_channels() const {
  absl::MutexLock lock(&mu_);
  return auth_channels_.counts();
}

std::string ServerResources::KeySetKey(const auth::RemoteKeySet::Options& options) {
  return absl::StrCat(options.url, "\n", absl::FormatDuration(options.refresh_interval), "\n",
                      absl::FormatDuration(options.min_refetch_interval), "\n",
                      absl::FormatDuration(options.retry_after_failure), "\n",
                      absl::FormatDuration(options.fetch_timeout), "\n", options.ca_file, "\n",
                      options.initial_fetch ? "initial" : "lazy");
}

}  // namespace protogate::gateway
