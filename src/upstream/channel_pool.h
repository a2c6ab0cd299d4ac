#pragma once

// One gRPC channel (and generic stub) per upstream service. A service with
// several addresses gets one channel over all of them, balanced round-robin
// by gRPC's own load-balancing policy; a host name's channel balances over
// every address DNS gives for it. Targets come from ChannelTarget
// (channel_target.h), whose errors Create returns naming the service.
//
// Example:
//   auto pool = ChannelPool::Create({{"demo.users.v1.UserService", {"127.0.0.1:50051"}}});
//   pool->StubFor("demo.users.v1.UserService");  // shared_ptr<GenericStub>
//
// Where the channels come from: a ChannelSource (the server's resources,
// gateway/server_resources.h) keeps one channel per target across reloads,
// so that services whose addresses did not change keep their channel (and
// its open connections), and releases it on its own thread once no pool
// holds it. Without a source, the pool makes channels of its own; its last
// reference must then not drop on a gRPC thread (gRPC 1.51 cannot release a
// channel there), so that is for tests and tools.
//
// Immutable after Create; safe from any thread.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/channel.h"
#include "grpcpp/generic/generic_stub.h"

namespace protogate::upstream {

struct ChannelSpec {
  std::string service;
  std::vector<std::string> addresses;  // host:port
};

// One upstream channel and the generic stub over it (the stub holds the
// channel too).
struct UpstreamChannel {
  std::shared_ptr<grpc::Channel> channel;
  std::shared_ptr<grpc::GenericStub> stub;
};

// A new channel to `target` (a ChannelTarget string) with the gateway's
// channel arguments (round robin, fast reconnects, no retries); it connects
// lazily.
UpstreamChannel NewUpstreamChannel(const std::string& target);

class ChannelSource {
 public:
  virtual ~ChannelSource() = default;
  // The channel for `target`: the same one for the same target as long as
  // the source keeps it. Never null.
  virtual UpstreamChannel ChannelFor(const std::string& target) = 0;
};

class ChannelPool {
 public:
  // `source` (may be null: channels of the pool's own) is only used here.
  static absl::StatusOr<std::shared_ptr<const ChannelPool>> Create(
      const std::vector<ChannelSpec>& specs, ChannelSource* source = nullptr);

  // nullptr when the service has no upstream.
  std::shared_ptr<grpc::GenericStub> StubFor(absl::string_view service) const;

  // Connectivity of each service's channel ("READY", "IDLE", "CONNECTING",
  // "TRANSIENT_FAILURE", "SHUTDOWN"), for the readiness endpoint.
  std::map<std::string, std::string> States() const;

 private:
  std::map<std::string, UpstreamChannel, std::less<>> entries_;
};

}  // namespace protogate::upstream
