#pragma once

// Runs a real binary (the gateway, the demo services) as a child process for
// end-to-end tests, and picks free loopback ports for it.
//
// Example:
//   ChildProcess gateway({PROTOGATE_GATEWAY_BINARY, "--config=" + path}, log_path);
//   gateway.Signal(SIGTERM);
//   EXPECT_EQ(gateway.Wait(), 0);
//
// The destructor kills (SIGKILL) and reaps a child still running, by its pid.

#include <string>
#include <vector>

namespace protogate::test {

class ChildProcess {
 public:
  // stdout and stderr go to `log_path`.
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_path);
  ~ChildProcess();

  int pid() const { return pid_; }
  bool running();
  void Signal(int signal);
  // The exit status (or 128 + signal); -1 when it did not exit within `timeout_ms`.
  int Wait(int timeout_ms = 20000);

 private:
  int pid_ = -1;
  bool reaped_ = false;
  int status_ = -1;
};

// A port that was free a moment ago on 127.0.0.1.
int FreeLoopbackPort();

std::string ReadWholeFile(const std::string& path);
void WriteWholeFile(const std::string& path, const std::string& contents);

}  // namespace protogate::test
