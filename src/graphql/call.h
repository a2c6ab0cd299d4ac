#pragma once

// The seam between a GraphQL execution and the gRPC calls it makes: the
// executor says which method to call with which request, the gateway makes
// the call (auth, deadline, stamp, channel) and answers once.
//
// Example:
//   Caller caller = [](Call call, std::function<void(CallReply)> done) {
//     ... done({.response = output_value});
//   };
//
// Plain values.

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "aggregate/value.h"
#include "google/protobuf/descriptor.h"

namespace protogate::graphql {

struct Call {
  const google::protobuf::MethodDescriptor* method = nullptr;
  // The request message: proto3 JSON (a root field's arguments), or wire
  // bytes (a join's request, written from its template).
  std::string request{};
  bool wire = false;
};

struct CallReply {
  absl::Status status{};        // the call's gRPC status
  std::string details = "[]";   // its google.rpc.Status details as a JSON array
  aggregate::Value response{};  // when OK: the answer, a kMessage of the method's output
};

// Makes `call` and runs `done` exactly once with its answer (on the thread
// the execution runs on: see executor.h).
using Caller = std::function<void(Call call, std::function<void(CallReply)> done)>;

}  // namespace protogate::graphql
