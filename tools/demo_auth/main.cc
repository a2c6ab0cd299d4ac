// protogate-demo-auth: the demo external auth service (see demo_auth_server.h).
// Usage: protogate-demo-auth [--address=HOST:PORT]   (default 127.0.0.1:50060)

#include <csignal>
#include <cstdio>
#include <string>

#include "demo_auth/demo_auth_server.h"

int main(int argc, char** argv) {
  std::string address = "127.0.0.1:50060";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--address=", 0) == 0) {
      address = arg.substr(10);
    } else {
      std::fprintf(stderr, "usage: protogate-demo-auth [--address=HOST:PORT]\n");
      return arg == "--help" ? 0 : 2;
    }
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  protogate::demo_auth::DemoAuthServer server(address);
  if (absl::Status status = server.Start(); !status.ok()) {
    std::fprintf(stderr, "%s\n", std::string(status.message()).c_str());
    return 1;
  }
  std::fprintf(stderr, "demo auth service on %s (tokens: demo-token-alice, demo-token-bob)\n",
               server.address().c_str());
  int signal = 0;
  sigwait(&signals, &signal);
  server.Stop();
  return 0;
}
