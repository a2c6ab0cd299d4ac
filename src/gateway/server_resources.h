#pragma once

// The gateway's long-lived resources, owned by the server (GatewayServer),
// never by a snapshot:
//   - upstream channels and their generic stubs, one per channel target
//     (upstream::ChannelSource; a snapshot's ChannelPool holds handles);
//   - the completion queues of unary calls and their threads
//     (upstream::CallQueues, behind caller());
//   - JWKS key sets and their refresher threads, one per issuer url, timings
//     and CA file, and the channels to external auth services, one per
//     target (auth::AuthResources; a snapshot's AuthEngine holds handles).
// A snapshot's last reference may drop on any thread (an event loop, a gRPC
// callback, a key set's refresher, a completion queue's thread): it then
// only lets go of handles, never of a thread or a channel.
//
// Reloads, one resource kind at a time, by key:
//   build        BuildSnapshot asks for what its config names: a resource
//                the serving snapshot uses (or a retired one still held) is
//                handed back, otherwise a new one is made (a key set is not
//                started: nothing is fetched until the snapshot's Activate);
//   Commit()     after the swap: what the new snapshot asked for serves; what
//                it did not is retired;
//   Abandon()    after a refused build: what only that build asked for is
//                retired;
//   ReleaseIdle() destroys, on the calling (controlling) thread, the retired
//                resources nobody else holds any more (use_count() == 1): a
//                snapshot or a call in flight keeps its resource alive until
//                the next reload or the shutdown looks again.
//
// Shutdown order (GatewayServer::Shutdown): the file watcher, the admin
// server and the HTTP server's drain come first (no request is left to start
// a call); then Shutdown() here: the key sets' refreshers are stopped and
// joined (requests still waiting for a refetch are refused); the unary
// completion queues are shut down and their threads joined, after the last
// call in flight completed; then the channels, key sets and auth channels
// nobody holds are released. What a snapshot still holds is released by the
// destructor, after the server dropped its snapshot.
//
// Example:
//   ServerResources resources;
//   ASSIGN_OR_RETURN(auto snapshot, BuildSnapshot(config, nullptr, metrics, {}, &resources));
//   RETURN_IF_ERROR(snapshot->Activate());
//   resources.Commit();
//   resources.caller().Call(route.stub, std::move(call), std::move(done));
//   ...
//   resources.Shutdown();
//
// Thread-safety: caller() from any thread (its calls must not race
// Shutdown). Everything else, and destruction, on the controlling thread
// (the server's reload and shutdown paths), never on a gRPC or refresher
// thread; a mutex guards the tables all the same.

#include <map>
#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "auth/auth_resources.h"
#include "auth/remote_key_set.h"
#include "grpcpp/channel.h"
#include "upstream/channel_pool.h"
#include "upstream/unary_call.h"
#include "upstream/unary_caller.h"

namespace protogate::gateway {

class ServerResources : public upstream::ChannelSource, public auth::AuthResources {
 public:
  struct Counts {
    int live = 0;     // asked for by the serving snapshot or the build in progress
    int retired = 0;  // waiting for their last holder
  };

  // Starts the unary completion queues' threads.
  ServerResources();
  // Shutdown(), then releases everything it still holds.
  ~ServerResources() override;

  ServerResources(const ServerResources&) = delete;
  ServerResources& operator=(const ServerResources&) = delete;

  // Makes the gateway's unary calls; UNAVAILABLE once Shutdown has begun.
  upstream::UnaryCaller& caller() { return calls_.caller(); }

  upstream::UpstreamChannel ChannelFor(const std::string& target) override;
  std::shared_ptr<auth::RemoteKeySet> KeySetFor(auth::RemoteKeySet::Options options) override;
  std::shared_ptr<grpc::Channel> AuthServiceChannel(const std::string& target) override;

  void Commit();
  void Abandon();
  void ReleaseIdle();

  // Idempotent. Key sets asked for later are stopped at once.
  void Shutdown();

  Counts upstream_channels() const;
  Counts key_sets() const;
  Counts auth_channels() const;

  // The key a key set is kept by (its url, timings, CA file).
  static std::string KeySetKey(const auth::RemoteKeySet::Options& options);

 private:
  // One kind of resource by key: live (serving, or wanted by the build in
  // progress) or retired.
  template <typename Value>
  class Table {
   public:
    template <typename Make>
    Value Get(const std::string& key, Make make);
    void Commit();
    void Abandon();
    void RetireAll();
    // Moves the retired values that `idle` accepts out, to be destroyed by
    // the caller outside the lock.
    template <typename Idle>
    void TakeIdle(Idle idle, std::vector<Value>& out);
    template <typename Fn>
    void ForEach(Fn fn) const;
    Counts counts() const {
      return {static_cast<int>(live_.size()), static_cast<int>(retired_.size())};
    }

   private:
    struct Entry {
      Value value;
      bool serving = false;  // asked for by the committed snapshot
      bool wanted = false;   // asked for by the build in progress
    };
    std::map<std::string, Entry> live_;
    std::map<std::string, Value> retired_;
  };

  // Declared first: destroyed last, once nothing can call any more.
  upstream::CallQueues calls_;
  mutable absl::Mutex mu_;
  Table<upstream::UpstreamChannel> channels_ ABSL_GUARDED_BY(mu_);
  Table<std::shared_ptr<auth::RemoteKeySet>> key_sets_ ABSL_GUARDED_BY(mu_);
  Table<std::shared_ptr<grpc::Channel>> auth_channels_ ABSL_GUARDED_BY(mu_);
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace protogate::gateway
