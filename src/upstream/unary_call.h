#pragma once

// One unary gRPC call over a generic stub with byte buffers, on gRPC's
// asynchronous API: no thread waits for it. Calls complete on a few
// process-wide completion queues, each drained by one thread of its own (one
// per two CPUs the process may use; a single one on a one-CPU gateway).
//
// Example:
//   StartUnaryCall(channels.StubFor("demo.users.v1.UserService"),
//                  {.method_path = "/demo.users.v1.UserService/GetUser",
//                   .request = bytes, .metadata = {{"x-request-id", "abc"}},
//                   .deadline = absl::Now() + absl::Seconds(5)},
//                  [](UnaryCallResult r) { ... });   // runs on the completion thread

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/generic/generic_stub.h"

namespace protogate::upstream {

using Metadata = std::vector<std::pair<std::string, std::string>>;

struct UnaryCallRequest {
  std::string method_path;  // "/pkg.Service/Method"
  std::string request;      // serialized request message
  Metadata metadata;        // lowercase keys; invalid keys/values are dropped
  absl::Time deadline = absl::InfiniteFuture();
};

struct UnaryCallResult {
  int code = 0;  // grpc::StatusCode
  std::string message;
  std::string status_details;  // serialized google.rpc.Status, may be empty
  std::string response;        // serialized response message when code == 0
  Metadata initial_metadata;   // from the server, gRPC-reserved keys removed
  Metadata trailing_metadata;
};

// `done` is called exactly once, on a completion thread (never inline); it
// must not block, as other calls complete on the same thread. `stub` is held
// until the call completes.
void StartUnaryCall(std::shared_ptr<grpc::GenericStub> stub, UnaryCallRequest request,
                    std::function<void(UnaryCallResult)> done);

}  // namespace protogate::upstream
