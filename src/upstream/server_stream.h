#pragma once

// Streaming gRPC calls over a generic stub.
//
// Server streaming, read one message at a time: the caller asks for the next
// message only once it has dealt with the previous one (written it to its
// client), so a slow reader slows the upstream through HTTP/2 flow control
// and nothing buffers the stream.
//
// Client streaming, written one message at a time: the caller writes the
// next message once the previous one is written (gRPC took it within the
// call's flow-control window), so a slow service slows the caller's reading
// of its own client.
//
// Example:
//   auto stream = streams.Open(stub, {.method_path = "/demo.orders.v1.OrderService/WatchOrder",
//                                     .request = bytes, .deadline = absl::Now() + absl::Hours(1)},
//                              {.message = [](std::string bytes) { ...; stream->ReadNext(); },
//                               .done = [](UnaryCallResult end) { ... }});
//   stream->Cancel();   // the client went away: the upstream sees CANCELLED
//
// The call reads its first message by itself; each further one comes after
// ReadNext(). `message` and `done` run on gRPC's threads, never at the same
// time, `done` exactly once and last (with the status, trailing metadata and
// the server's initial metadata; `response` is empty).
//
//   auto upload = streams.OpenClient(stub, {.method_path = ".../ImportOrders", ...},
//                                    {.message = [](std::string answer) { ... },
//                                     .done = [](UnaryCallResult end) { ... }});
//   upload->Write(bytes, [](bool written) { ...the next Write, or WritesDone... });
//   upload->WritesDone();
//
// A client stream's one answer comes to `message` (none when it failed),
// then `done`; the service may end the call before the caller is done
// writing (then the writes report false).

#include <functional>
#include <memory>
#include <string>

#include "grpcpp/generic/generic_stub.h"
#include "upstream/unary_caller.h"

namespace protogate::upstream {

struct StreamHandlers {
  std::function<void(std::string message)> message;
  std::function<void(UnaryCallResult end)> done;
  // Optional: the server's initial metadata, once, right before the first
  // message (a call that ends without one has it in `done` only).
  std::function<void(Metadata initial)> head = nullptr;
};

// One call in flight. Thread-safe: ReadNext and Cancel from any thread, also
// after the call ended (then they do nothing).
class ServerStream {
 public:
  virtual ~ServerStream() = default;
  // Reads the next message; call once per message delivered.
  virtual void ReadNext() = 0;
  // Ends the call with CANCELLED (the upstream sees it cancelled); `done`
  // still runs.
  virtual void Cancel() = 0;
};

// One client-streaming call in flight. Thread-safe like ServerStream.
class ClientStream {
 public:
  virtual ~ClientStream() = default;
  // Sends one message; one at a time. `written` runs once with true when
  // gRPC took it, false when the call has ended and never will (inline then).
  virtual void Write(std::string message, std::function<void(bool written)> written) = 0;
  // The last message was written: the service sees its request stream end.
  virtual void WritesDone() = 0;
  // As ServerStream::Cancel.
  virtual void Cancel() = 0;
};

// One bidirectional call in flight: reads as a ServerStream (the first by
// itself, each further one after ReadNext), writes as a ClientStream.
class BidiStream : public ServerStream, public ClientStream {
 public:
  void Cancel() override = 0;
};

class StreamCaller {
 public:
  virtual ~StreamCaller() = default;
  // Starts the call with `request` as its one request message. A null
  // `stub` answers `done` with UNAVAILABLE, inline.
  virtual std::shared_ptr<ServerStream> Open(std::shared_ptr<grpc::GenericStub> stub,
                                             UnaryCallRequest request, StreamHandlers handlers) = 0;
  // Starts a client-streaming call (`request.request` is not sent: the
  // messages are written one by one). A null `stub` as for Open.
  virtual std::shared_ptr<ClientStream> OpenClient(std::shared_ptr<grpc::GenericStub> stub,
                                                   UnaryCallRequest request,
                                                   StreamHandlers handlers) = 0;
  // Starts a bidirectional call (`request.request` is not sent); `message`
  // runs for each of the service's messages. A null `stub` as for Open.
  virtual std::shared_ptr<BidiStream> OpenBidi(std::shared_ptr<grpc::GenericStub> stub,
                                               UnaryCallRequest request,
                                               StreamHandlers handlers) = 0;
};

// Real calls on gRPC's callback API (its own threads; streams are long and
// few next to unary calls, so the completion queues of unary_call.h are not
// worth their hand-off here).
class GrpcStreams : public StreamCaller {
 public:
  std::shared_ptr<ServerStream> Open(std::shared_ptr<grpc::GenericStub> stub,
                                     UnaryCallRequest request, StreamHandlers handlers) override;
  std::shared_ptr<ClientStream> OpenClient(std::shared_ptr<grpc::GenericStub> stub,
                                           UnaryCallRequest request,
                                           StreamHandlers handlers) override;
  std::shared_ptr<BidiStream> OpenBidi(std::shared_ptr<grpc::GenericStub> stub,
                                       UnaryCallRequest request, StreamHandlers handlers) override;
};

}  // namespace protogate::upstream
