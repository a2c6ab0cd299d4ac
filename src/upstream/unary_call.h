#pragma once

// One unary gRPC call over a generic stub with byte buffers, on gRPC's
// callback API: no thread waits for it.
//
// Example:
//   StartUnaryCall(channels.StubFor("demo.users.v1.UserService"),
//                  {.method_path = "/demo.users.v1.UserService/GetUser",
//                   .request = bytes, .metadata = {{"x-request-id", "abc"}},
//                   .deadline = absl::Now() + absl::Seconds(5)},
//                  [](UnaryCallResult r) { ... });   // runs on a gRPC thread

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

// `done` is called exactly once, on a gRPC thread. `stub` must outlive the call
// (hold the shared_ptr).
void StartUnaryCall(std::shared_ptr<grpc::GenericStub> stub, UnaryCallRequest request,
                    std::function<void(UnaryCallResult)> done);

}  // namespace protogate::upstream
