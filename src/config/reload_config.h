#pragma once

// The gateway's own operations settings: picking up new config and
// descriptor files by itself (`reload:`), and the admin listener
// (`admin_listen:`). Plain values; config/README.md documents them.
//
// Example:
//   reload:
//     watch: true          # poll the watched files' mtime, size and inode
//     poll_interval: 1s
//   admin_listen: 127.0.0.1:9901   # /healthz, /readyz, /admin/status, /admin/routes
//
// Defaults: watching on, every second; no admin listener (it is opt-in; keep
// it on loopback, it has no authentication).

#include <chrono>
#include <string>

#include "absl/status/statusor.h"

namespace protogate::config {

class YamlReader;  // config/yaml_reader.h, kept out of this plain-values header
struct YamlField;

struct ReloadConfig {
  bool watch = true;
  std::chrono::milliseconds poll_interval{1000};  // at least 10ms
};

struct AdminConfig {
  bool enabled = false;  // `admin_listen` is set
  std::string host;      // IPv6 without brackets
  int port = 0;          // 0 = any free port (tests)
};

// `reload:` mapping; errors "<file>:<line>:<col>: reload.<key>: <problem>".
absl::StatusOr<ReloadConfig> ReadReloadConfig(const YamlReader& reader, const YamlField& field);

// `admin_listen: host:port`.
absl::StatusOr<AdminConfig> ReadAdminListen(const YamlReader& reader, const YamlField& field);

}  // namespace protogate::config
