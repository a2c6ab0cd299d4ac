#pragma once

// The seam between the request pipeline and gRPC: whoever makes unary calls
// for the gateway implements UnaryCaller. The server's resources make real
// calls (upstream/unary_call.h); tests and fuzz targets script the answers,
// so the pipeline runs without sockets.
//
// Example:
//   caller.Call(route.stub, {.method_path = "/pkg.Service/Method", .request = bytes},
//               [](upstream::UnaryCallResult result) { ... });

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

using UnaryDone = std::function<void(UnaryCallResult)>;

class UnaryCaller {
 public:
  virtual ~UnaryCaller() = default;
  // Starts one call. `done` runs exactly once, on a thread of the caller's
  // choosing, possibly inline; it must not block. A null `stub` answers
  // UNAVAILABLE.
  virtual void Call(std::shared_ptr<grpc::GenericStub> stub, UnaryCallRequest request,
                    UnaryDone done) = 0;
};

}  // namespace protogate::upstream
