#pragma once

// What the authenticators borrow from the server instead of owning: the
// JWKS key sets with their refresher threads, and the channels to external
// auth services. An engine built for a reload asks for them by what it is
// configured with; the owner (gateway/server_resources.h) hands back the
// same object for the same configuration, keeps it across reloads, and
// destroys it on its own controlling thread once no engine holds it. So an
// engine, whose last reference may drop on any thread (a gRPC callback, a
// key set's refresher), never destroys a thread or a channel itself.
//
// Example:
//   std::shared_ptr<RemoteKeySet> keys = resources.KeySetFor({.url = issuer.jwks_url});
//   keys->StartRefreshing();   // on commit (AuthEngine::Activate); a kept set already runs
//
// Thread-safety: the owner's; engines call these while they are built, on
// the controlling thread.

#include <memory>
#include <string>

#include "auth/remote_key_set.h"
#include "grpcpp/channel.h"

namespace protogate::auth {

class AuthResources {
 public:
  virtual ~AuthResources() = default;

  // The key set for `options`' url, timings and CA file: a set already
  // refreshing when one with these options is kept, otherwise a new one,
  // not started (no fetch, no thread until StartRefreshing). Its clock and
  // fetcher are those of whoever asked first. Never null.
  virtual std::shared_ptr<RemoteKeySet> KeySetFor(RemoteKeySet::Options options) = 0;

  // The channel to an external auth service at `target` (a ChannelTarget
  // string); it connects lazily. Never null.
  virtual std::shared_ptr<grpc::Channel> AuthServiceChannel(const std::string& target) = 0;
};

}  // namespace protogate::auth
