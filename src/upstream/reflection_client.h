#pragma once

// Fetches the descriptors of upstream services from the services themselves,
// over gRPC server reflection (grpc.reflection.v1alpha), for
// `descriptor_source: reflection`.
//
// Example:
//   ASSIGN_OR_RETURN(std::string set, FetchDescriptorSet({{.service = "demo.users.v1.UserService",
//                                                          .address = "127.0.0.1:50051",
//                                                          .timeout = std::chrono::seconds(5)}}));
//   // `set` is a serialized google.protobuf.FileDescriptorSet: the file of
//   // every service and everything those files import, dependencies first.
//
// Blocking: one stream per target, in order, each bounded by its own timeout.
// Meant for loading and reloading, never for a request path. Thread-safe (no
// shared state).

#include <chrono>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace protogate::upstream {

struct ReflectionTarget {
  std::string service;                      // fully qualified, e.g. "demo.users.v1.UserService"
  std::string address;                      // host:port of one instance
  std::chrono::milliseconds timeout{5000};  // for the whole conversation with `address`
};

// Every error names the service, the address and what was asked, and carries
// the server's status code: Unimplemented when the server has no reflection,
// Unavailable when nothing answers, DeadlineExceeded after the timeout,
// NotFound when the server does not expose the service or a file, and
// InvalidArgument when two upstreams serve different files under one name.
absl::StatusOr<std::string> FetchDescriptorSet(const std::vector<ReflectionTarget>& targets);

}  // namespace protogate::upstream
