#pragma once

// A loopback gRPC server that answers every unary call, whatever its method,
// with the request's own bytes, and counts the calls: a real upstream for
// tests of the call machinery (it knows no protos).
//
// Example:
//   upstream::testing::EchoServer echo;   // serving once constructed
//   auto channel = upstream::NewUpstreamChannel(echo.target());
//
// Thread-safety: calls() from any thread.

#include <atomic>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"

namespace protogate::upstream::testing {

class EchoServer {
 public:
  EchoServer() : service_(&calls_) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterCallbackGenericService(&service_);
    server_ = builder.BuildAndStart();
    EXPECT_TRUE(server_ != nullptr && port_ != 0) << "echo server did not start";
  }
  ~EchoServer() { server_->Shutdown(); }

  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  std::string target() const { return absl::StrCat("ipv4:127.0.0.1:", port_); }
  int calls() const { return calls_.load(); }

 private:
  class Reactor : public grpc::ServerGenericBidiReactor {
   public:
    explicit Reactor(std::atomic<int>* calls) : calls_(calls) { StartRead(&request_); }
    void OnReadDone(bool ok) override {
      if (!ok) return Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no request"));
      ++*calls_;
      StartWriteAndFinish(&request_, grpc::WriteOptions(), grpc::Status::OK);
    }
    void OnDone() override { delete this; }

   private:
    std::atomic<int>* const calls_;
    grpc::ByteBuffer request_;
  };

  class Service : public grpc::CallbackGenericService {
   public:
    explicit Service(std::atomic<int>* calls) : calls_(calls) {}
    grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext*) override {
      return new Reactor(calls_);
    }

   private:
    std::atomic<int>* const calls_;
  };

  std::atomic<int> calls_{0};
  Service service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace protogate::upstream::testing
