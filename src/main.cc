// protogate: flags → load config → run the server; nothing else.

#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "auth/keys_command.h"
#include "config/gateway_config.h"
#include "gateway/gateway_server.h"

namespace {

constexpr char kUsage[] =
    "usage: protogate [--config=FILE] [--check]\n"
    "  --config=FILE  gateway configuration (default: config/gateway.yaml)\n"
    "  --check        validate the config and descriptor set, print the routes, and exit\n"
    "       protogate keys create --id ID [--client-id C] [--scopes a,b]   (a new API key)\n";

// Signals are taken synchronously by RunUntilSignalled; block them before any
// thread starts so that every thread inherits the mask.
void BlockSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

// Every client connection and upstream channel is a descriptor; the default
// soft limit (often 1024) is far below limits.max_connections. Raise it to
// the hard limit, as servers usually do; best effort.
void RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "keys") == 0) {
    return protogate::auth::RunKeysCommand(std::vector<std::string>(argv + 2, argv + argc),
                                           std::cout, std::cerr);
  }
  std::string config_path = "config/gateway.yaml";
  bool check_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--config=", 0) == 0) {
      config_path = arg.substr(std::strlen("--config="));
    } else if (arg == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg == "--check") {
      check_only = true;
    } else {
      std::fprintf(stderr, "%s", kUsage);
      return arg == "--help" || arg == "-h" ? 0 : 2;
    }
  }
  BlockSignals();
  RaiseOpenFileLimit();
  // Debian's Abseil is built with deadlock detection on; gRPC takes absl
  // mutexes on every call, and the cycle bookkeeping showed in profiles.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  auto config = protogate::config::LoadGatewayConfig(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "protogate: %s\n", std::string(config.status().message()).c_str());
    return 1;
  }
  auto gateway = protogate::gateway::GatewayServer::Create(*config);
  if (!gateway.ok()) {
    std::fprintf(stderr, "protogate: %s\n", std::string(gateway.status().message()).c_str());
    return 1;
  }
  if (check_only) {
    for (const auto& route : (*gateway)->snapshot()->route_list) {
      std::printf("%s\n", route.description.c_str());
    }
    return 0;
  }
  auto port = (*gateway)->Start();
  if (!port.ok()) {
    std::fprintf(stderr, "protogate: %s\n", std::string(port.status().message()).c_str());
    return 1;
  }
  return protogate::gateway::RunUntilSignalled(**gateway);
}
