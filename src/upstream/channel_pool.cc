#include "upstream/channel_pool.h"

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "upstream/channel_target.h"

namespace protogate::upstream {
namespace {

std::shared_ptr<grpc::Channel> NewChannel(const std::string& target) {
  grpc::ChannelArguments args;
  // Every backend a target resolves to (a literal list, or a host name's
  // DNS records) takes calls in turn; a DNS TXT record must not override
  // that with a policy of its own.
  args.SetLoadBalancingPolicyName("round_robin");
  args.SetInt(GRPC_ARG_SERVICE_CONFIG_DISABLE_RESOLUTION, 1);
  // A downed upstream should fail calls fast (503) and be retried soon after
  // it comes back, rather than wait out gRPC's long default backoff.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  // gRPC core reads this one as the time a connection attempt may take (TCP
  // connect plus the server's HTTP/2 SETTINGS), not as a backoff: at 100 ms a
  // busy upstream's new connection timed out and the call failed with 503.
  // A refused connection still fails at once.
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 5000);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  // gRPC shares subchannels process-wide by default, so a channel created on
  // reload would inherit a dead subchannel's backoff; keep them per channel.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  // The gateway never retries (a retried non-idempotent call is the
  // client's decision); without retries gRPC also skips the retry filter's
  // per-call bookkeeping and buffering of the sent message.
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

const char* StateName(grpc_connectivity_state state) {
  switch (state) {
    case GRPC_CHANNEL_IDLE:
      return "IDLE";
    case GRPC_CHANNEL_CONNECTING:
      return "CONNECTING";
    case GRPC_CHANNEL_READY:
      return "READY";
    case GRPC_CHANNEL_TRANSIENT_FAILURE:
      return "TRANSIENT_FAILURE";
    case GRPC_CHANNEL_SHUTDOWN:
      return "SHUTDOWN";
  }
  return "UNKNOWN";
}

}  // namespace

UpstreamChannel NewUpstreamChannel(const std::string& target) {
  UpstreamChannel made;
  made.channel = NewChannel(target);
  made.stub = std::make_shared<grpc::GenericStub>(made.channel);
  return made;
}

absl::StatusOr<std::shared_ptr<const ChannelPool>> ChannelPool::Create(
    const std::vector<ChannelSpec>& specs, ChannelSource* source) {
  auto pool = std::shared_ptr<ChannelPool>(new ChannelPool());
  // Every target is checked before any channel is asked for: a refused
  // config leaves the source as it was.
  std::vector<std::string> targets;
  for (const ChannelSpec& spec : specs) {
    absl::StatusOr<std::string> target = ChannelTarget(spec.addresses);
    if (!target.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("upstream ", spec.service, ": ", target.status().message()));
    }
    targets.push_back(*std::move(target));
  }
  for (size_t i = 0; i < specs.size(); ++i) {
    pool->entries_.emplace(specs[i].service, source != nullptr ? source->ChannelFor(targets[i])
                                                               : NewUpstreamChannel(targets[i]));
  }
  return std::shared_ptr<const ChannelPool>(std::move(pool));
}

std::shared_ptr<grpc::GenericStub> ChannelPool::StubFor(absl::string_view service) const {
  auto it = entries_.find(service);
  return it == entries_.end() ? nullptr : it->second.stub;
}

std::map<std::string, std::string> ChannelPool::States() const {
  std::map<std::string, std::string> states;
  for (const auto& [service, entry] : entries_) {
    states[service] = StateName(entry.channel->GetState(/*try_to_connect=*/true));
  }
  return states;
}

}  // namespace protogate::upstream
