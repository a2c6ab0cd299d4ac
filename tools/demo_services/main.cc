// protogate-demo-services: runs the demo UserService, OrderService and
// CatalogService (the backend of the README demo, the e2e tests and the benchmarks)
// until SIGINT or SIGTERM.
//
//   protogate-demo-services [--users=127.0.0.1:50051] [--orders=127.0.0.1:50052]
//                           [--catalog=127.0.0.1:50053] [--gateway-jwks=FILE]
//
// --gateway-jwks names the gateway's public JWKS file (auth.stamping.jwks_out);
// the users service's WhoAmI verifies the gateway's identity token with it. The
// file may appear after startup and is re-read when it changes.
//
// Prints "<service> listening on <host:port>" per service once all are serving.
// Every service also answers gRPC server reflection, so a gateway can take the
// descriptors (and the google.api.http routes in them) from the services
// themselves (descriptor_source: reflection).

#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "demo_services/demo_server.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"

namespace {

using protogate::demo_services::DemoServer;
using protogate::demo_services::DemoServerOptions;
using protogate::demo_services::DemoService;
using protogate::demo_services::DemoServiceName;
using protogate::demo_services::kAllDemoServices;

constexpr char kUsage[] =
    "usage: protogate-demo-services [--users=HOST:PORT] [--orders=HOST:PORT] "
    "[--catalog=HOST:PORT] [--gateway-jwks=FILE]\n"
    "defaults: --users=127.0.0.1:50051 --orders=127.0.0.1:50052 --catalog=127.0.0.1:50053\n"
    "--gateway-jwks: the gateway's JWKS file (auth.stamping.jwks_out) for verifying its\n"
    "identity tokens (GET /v1/me); without it WhoAmI refuses every caller\n";

// Fills `options` from argv; false (after printing why) on a bad argument.
bool ParseFlags(int argc, char** argv, DemoServerOptions& options) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    std::string* target = nullptr;
    if (absl::ConsumePrefix(&arg, "--users=")) {
      target = &options.users_address;
    } else if (absl::ConsumePrefix(&arg, "--orders=")) {
      target = &options.orders_address;
    } else if (absl::ConsumePrefix(&arg, "--catalog=")) {
      target = &options.catalog_address;
    } else if (absl::ConsumePrefix(&arg, "--gateway-jwks=")) {
      target = &options.gateway_jwks_file;
    }
    if (target == nullptr || arg.empty()) {
      std::fprintf(stderr, "protogate-demo-services: bad argument \"%s\"\n%s", argv[i], kUsage);
      return false;
    }
    *target = std::string(arg);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  DemoServerOptions options;
  options.users_address = "127.0.0.1:50051";
  options.orders_address = "127.0.0.1:50052";
  options.catalog_address = "127.0.0.1:50053";
  options.log_masks = true;  // the demo's services log shows what the gateway pushed down
  if (!ParseFlags(argc, argv, options)) return 2;

  // Blocked before gRPC starts its threads, so every thread inherits the mask and
  // the signals wait for sigwait() below instead of killing the process mid-call.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // Before the servers are built: the plugin applies to builders created later.
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  DemoServer server(options);
  if (absl::Status status = server.Start(); !status.ok()) {
    std::fprintf(stderr, "protogate-demo-services: %s\n", status.ToString().c_str());
    return 1;
  }
  for (DemoService service : kAllDemoServices) {
    std::printf("%s listening on %s\n", std::string(DemoServiceName(service)).c_str(),
                server.address(service).c_str());
  }
  if (!options.gateway_jwks_file.empty()) {
    std::printf("identity tokens verified with %s\n", options.gateway_jwks_file.c_str());
  }
  std::fflush(stdout);

  int received = 0;
  sigwait(&signals, &received);
  std::printf("received %s, shutting down\n", received == SIGINT ? "SIGINT" : "SIGTERM");
  std::fflush(stdout);
  server.Shutdown();
  return 0;
}
