// Fuzzes ParseGatewayConfig on arbitrary bytes. It must never crash or throw;
// an error must be InvalidArgument shaped "<source>:<line>:<col>: ...", and a
// config it accepts must hold the invariants the gateway relies on.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "config/gateway_config.h"
#include "config/value_parsers.h"

namespace {

constexpr absl::string_view kSource = "fuzz/gateway.yaml";

void Check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

// "<digits>:<digits>: " with 1-based numbers.
bool StartsWithPosition(absl::string_view text) {
  for (int part = 0; part < 2; ++part) {
    size_t digits = 0;
    while (digits < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[digits]))) {
      ++digits;
    }
    if (digits == 0 || text[0] == '0') return false;
    text.remove_prefix(digits);
    if (!absl::ConsumePrefix(&text, ":")) return false;
  }
  return absl::StartsWith(text, " ");
}

void CheckError(const absl::Status& status) {
  Check(status.code() == absl::StatusCode::kInvalidArgument, "error is InvalidArgument");
  absl::string_view message = status.message();
  Check(absl::ConsumePrefix(&message, kSource), "error starts with the source name");
  Check(absl::ConsumePrefix(&message, ":"), "source name is followed by ':'");
  Check(StartsWithPosition(message), "error carries a 1-based line:col");
}

void CheckConfig(const protogate::config::GatewayConfig& config) {
  using protogate::config::kMaxDuration;
  using std::chrono::milliseconds;
  Check(!config.descriptors.empty(), "descriptors is set");
  Check(!config.upstreams.empty(), "at least one upstream");
  Check(config.listen_port >= 0 && config.listen_port <= 65535, "listen port in range");
  Check(config.threads >= 0 && config.threads <= 256, "threads in range");
  Check(config.limits.max_header_bytes > 0 && config.limits.max_body_bytes > 0, "limits > 0");
  Check(config.limits.read_timeout > milliseconds(0), "read_timeout > 0");
  Check(config.drain_timeout <= kMaxDuration, "drain_timeout bounded");
  for (const std::string& header : config.forward_headers) {
    Check(!header.empty() && header == absl::AsciiStrToLower(header), "headers lowercase");
  }
  for (const auto& upstream : config.upstreams) {
    Check(protogate::config::IsDottedIdentifier(upstream.service), "service name valid");
    Check(!upstream.addresses.empty(), "upstream has addresses");
    for (const std::string& address : upstream.addresses) {
      auto host_port = protogate::config::ParseHostPort(address);
      Check(host_port.ok() && host_port->port > 0, "address is host:port");
    }
    Check(upstream.timeout > milliseconds(0) && upstream.timeout <= kMaxDuration, "timeout");
    for (const auto& [method, timeout] : upstream.method_timeouts) {
      Check(protogate::config::IsIdentifier(method), "method name valid");
      Check(timeout > milliseconds(0) && timeout <= kMaxDuration, "method timeout");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto config = protogate::config::ParseGatewayConfig(text, kSource);
    if (config.ok()) {
      CheckConfig(*config);
    } else {
      CheckError(config.status());
    }
  } catch (...) {
    Check(false, "ParseGatewayConfig threw");
  }
  return 0;
}
