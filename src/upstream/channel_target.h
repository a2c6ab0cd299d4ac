#pragma once

// The gRPC target string for a configured list of host:port addresses: the
// one place that decides how the gateway dials what a config names (upstream
// channels, server reflection, the external auth service).
//
// Accepted forms (config/README.md, `upstreams[].addresses`):
//   {"127.0.0.1:50051"}                 -> "ipv4:127.0.0.1:50051"
//   {"10.0.0.1:1", "10.0.0.2:2"}        -> "ipv4:10.0.0.1:1,10.0.0.2:2"
//   {"[::1]:50051"}                     -> "ipv6:[::1]:50051"
//   {"[fd00::1]:1", "[fd00::2]:2"}      -> "ipv6:[fd00::1]:1,[fd00::2]:2"
//   {"users.internal:50051"}            -> "dns:///users.internal:50051"
// A literal list becomes one channel over all its addresses; a host name is
// resolved by gRPC's DNS resolver, every address it resolves to being a
// backend. Channels balance their backends with round_robin (ChannelPool).
//
// InvalidArgument, naming the address at fault, for: an empty list; an
// address that is not host:port (port 1..65535, IPv6 in brackets); a host
// name among several addresses (gRPC's dns target names one host: give the
// name alone and let DNS list the instances); IPv4 and IPv6 literals in one
// list (gRPC's ipv4: and ipv6: targets each take one family).
//
// Pure; safe from any thread.

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace protogate::upstream {

absl::StatusOr<std::string> ChannelTarget(const std::vector<std::string>& addresses);

}  // namespace protogate::upstream
