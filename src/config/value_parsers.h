#pragma once

// Parsers for the scalar formats of the gateway config: durations, byte sizes,
// host:port, identifiers and header names. Pure functions of their input, no
// YAML and no I/O; errors are InvalidArgument with a message that says what
// was wrong and what is expected, without a position (the YAML layer adds
// "<file>:<line>:<col>: <field>: "). Thread-safe.
//
// Example:
//   ParseDuration("1.5s")     -> 1500ms
//   ParseDuration("5")        -> error: invalid duration "5": missing unit (e.g. ...)
//   ParseByteSize("4MiB")     -> 4194304
//   ParseHostPort("[::1]:80") -> {host = "::1", port = 80}

#include <chrono>
#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace protogate::config {

// Longest duration the config accepts; keeps deadline arithmetic (now + timeout,
// in nanoseconds) far from overflow.
inline constexpr std::chrono::hours kMaxDuration{24};

// "250ms", "5s", "1m", "1h", "1.5s", "1m30s" (Go/Abseil syntax: ms, s, m, h; us
// and ns only when the total is whole milliseconds). A unit is required; the
// result is in [0, kMaxDuration] and a whole number of milliseconds.
absl::StatusOr<std::chrono::milliseconds> ParseDuration(absl::string_view text);

// "16384", "512B", "16KiB", "4MiB", "1GiB" (binary units only; KB/MB are
// rejected as ambiguous). Non-negative integers; overflow is an error.
absl::StatusOr<size_t> ParseByteSize(absl::string_view text);

struct HostPort {
  std::string host;  // IPv6 without the brackets: "::1"
  int port = 0;      // 0..65535
};

// "host:port", "1.2.3.4:port" or "[ipv6]:port". The host is a hostname or an
// IPv4/IPv6 literal; an unbracketed IPv6 literal is an error.
absl::StatusOr<HostPort> ParseHostPort(absl::string_view text);

// A protobuf identifier: [A-Za-z_][A-Za-z0-9_]*.
bool IsIdentifier(absl::string_view text);

// Identifiers joined by single dots: "demo.users.v1.UserService".
bool IsDottedIdentifier(absl::string_view text);

// Validates a request header to forward as gRPC metadata and returns it
// lowercased. It must be a valid metadata key ([0-9a-z_.-] once lowercased),
// not reserved by gRPC ("grpc-*", "*-bin") and not hop-by-hop or
// transport-owned (connection, host, te, content-type, proxy-*, ...).
absl::StatusOr<std::string> NormalizeForwardHeader(absl::string_view name);

// `text` in double quotes, non-printable bytes escaped and long text cut, for
// echoing user input in error messages.
std::string QuoteForMessage(absl::string_view text);

// A path named in a config file, relative to that file's folder, so the
// gateway finds its files whatever its working directory. Joined, not
// normalized: "a/../b" must mean what the file system says when "a" is a
// symlink. Absolute paths, and names without a folder, are returned as given.
std::string ResolveNextTo(absl::string_view source_name, const std::string& path);

}  // namespace protogate::config
