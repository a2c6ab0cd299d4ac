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
// A reload passes the previous pool so that services whose addresses did not
// change keep their channel (and its open connections).
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

class ChannelPool {
 public:
  static absl::StatusOr<std::shared_ptr<const ChannelPool>> Create(
      const std::vector<ChannelSpec>& specs, const ChannelPool* previous = nullptr);

  // nullptr when the service has no upstream.
  std::shared_ptr<grpc::GenericStub> StubFor(absl::string_view service) const;

  // Connectivity of each service's channel ("READY", "IDLE", "CONNECTING",
  // "TRANSIENT_FAILURE", "SHUTDOWN"), for the readiness endpoint.
  std::map<std::string, std::string> States() const;

 private:
  struct Entry {
    std::string target;  // what the channel was created for
    std::shared_ptr<grpc::Channel> channel;
    std::shared_ptr<grpc::GenericStub> stub;
  };
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace protogate::upstream
