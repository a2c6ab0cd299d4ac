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

#include "grpcpp/generic/generic_stub.h"
#include "upstream/unary_call.h"

namespace protogate::upstream {

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
