#pragma once

// The demo external auth service (protogate.auth.v1.AuthService): a fixed
// table of opaque tokens, for the demo and for end-to-end tests.
//
//   demo-token-alice  → principal alice, client demo-web, scopes users:read orders:read
//   orders:write demo-token-bob    → principal bob,   client demo-web, scopes users:read anything
//   else     → UNAUTHENTICATED
//
// Answers carry a ttl (default 60s, settable) so that the gateway's cache
// can be observed through check_calls().
//
// Example:
//   DemoAuthServer server;                        // 127.0.0.1, a free port
//   ASSERT_TRUE(server.Start().ok());
//   config.auth.external.address = server.address();
//   ...
//   EXPECT_EQ(server.check_calls(), 1);
//   server.Stop();                                // the port now refuses: the gateway answers 503
//   server.Restart();                             // same port again
//
// Threading: Start/Stop/Restart from a control thread; the rest from any.

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "protogate/auth/v1/auth.grpc.pb.h"

namespace protogate::demo_auth {

class DemoAuthService final : public protogate::auth::v1::AuthService::CallbackService {
 public:
  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context,
                                  const protogate::auth::v1::CheckRequest* request,
                                  protogate::auth::v1::CheckResponse* response) override;

  int check_calls() const { return check_calls_.load(); }
  void set_ttl(absl::Duration ttl);

 private:
  std::atomic<int> check_calls_{0};
  mutable absl::Mutex mu_;
  absl::Duration ttl_ ABSL_GUARDED_BY(mu_) = absl::Seconds(60);
};

class DemoAuthServer {
 public:
  explicit DemoAuthServer(std::string address = "127.0.0.1:0") : requested_(std::move(address)) {}
  ~DemoAuthServer() { Stop(); }

  absl::Status Start();
  void Stop();
  absl::Status Restart();  // on the port Start bound

  std::string address() const;  // "127.0.0.1:PORT"
  DemoAuthService& service() { return service_; }
  int check_calls() const { return service_.check_calls(); }

 private:
  std::string requested_;
  std::string host_;
  int port_ = 0;
  DemoAuthService service_;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace protogate::demo_auth
