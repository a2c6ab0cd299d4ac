#pragma once

// The demo services (users, orders, catalog) running in-process on 127.0.0.1 with
// free ports, for end-to-end tests: a gateway under test is pointed at
// users_address() etc. Each service is its own gRPC server, so a test can take one
// down and bring it back on the same port.
//
// Example:
//   DemoBackend backend;  // serving once constructed; a failure to start fails the test
//   config.upstreams = {{"demo.users.v1.UserService", {backend.users_address()}}, ...};
//   ...
//   EXPECT_EQ(backend.stats(DemoService::kUsers).total_calls, 1);
//   backend.StopService(DemoService::kOrders);     // the orders port now refuses
//   backend.RestartService(DemoService::kOrders);  // and serves again, same port
//
// Threading: construct, stop and restart from the test thread; accessors are
// thread-safe. The destructor stops everything (in-flight calls are cancelled after
// a short grace), so the backend must outlive every client that depends on it.

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "demo_services/demo_server.h"

namespace protogate::test {

using demo_services::CallStats;
using demo_services::DemoService;

class DemoBackend {
 public:
  DemoBackend();
  ~DemoBackend();

  DemoBackend(const DemoBackend&) = delete;
  DemoBackend& operator=(const DemoBackend&) = delete;

  // OK when all three services started (the constructor also fails the current test
  // otherwise); for callers outside a gtest test, e.g. benchmarks.
  const absl::Status& start_status() const { return start_status_; }

  // "127.0.0.1:PORT"; the port stays the same across StopService/RestartService.
  std::string users_address() const;
  std::string orders_address() const;
  std::string catalog_address() const;
  std::string address(DemoService service) const;

  // Counters of one service since construction or the last ResetStats().
  CallStats stats(DemoService service) const;
  void ResetStats();

  // Holds back every answer of `service` by `delay` (zero: answer at once), e.g. to
  // make a composite's concurrency visible in stats().max_in_flight.
  void SetResponseDelay(DemoService service, absl::Duration delay);

  // The orders service's WatchOrder streams: a gate that holds each event
  // back until allowed, and counts of events sent and streams cancelled.
  demo_services::StreamGate& watch_gate() { return server_.orders().watch_gate(); }
  demo_services::StreamGate& import_gate() { return server_.orders().import_gate(); }
  demo_services::StreamGate& chat_gate() { return server_.orders().chat_gate(); }

  absl::Status StopService(DemoService service);
  absl::Status RestartService(DemoService service);

  // Where the services get the gateway's public keys to verify its identity tokens
  // (x-protogate-identity; the users service's WhoAmI): a JWKS text, e.g. the body
  // of the gateway's /.well-known/protogate/jwks.json (InvalidArgument when it is
  // not a usable JWKS), or a JWKS file such as the gateway's auth.stamping.jwks_out
  // (read when a token arrives, re-read when it changes; it may not exist yet).
  // Until one is set, WhoAmI refuses every caller.
  absl::Status SetGatewayJwks(const std::string& jwks_json);
  void SetGatewayJwksFile(const std::string& path);

  // Everything else: the services themselves (their state), bound ports, ….
  demo_services::DemoServer& server() { return server_; }

 private:
  demo_services::DemoServer server_;
  absl::Status start_status_;
};

}  // namespace protogate::test
