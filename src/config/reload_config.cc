#include "config/reload_config.h"

#include "common/status_macros.h"
#include "config/value_parsers.h"
#include "config/yaml_reader.h"

namespace protogate::config {
namespace {

constexpr absl::string_view kReloadKeys[] = {"watch", "poll_interval"};
// Below this a poll costs more than it saves; tests use it to be quick.
constexpr std::chrono::milliseconds kMinPollInterval{10};

}  // namespace

absl::StatusOr<ReloadConfig> ReadReloadConfig(const YamlReader& reader, const YamlField& field) {
  ReloadConfig reload;
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(field, kReloadKeys));
  if (const YamlField* f = map.Find("watch")) {
    ASSIGN_OR_RETURN(reload.watch, reader.ReadBool(*f));
  }
  if (const YamlField* f = map.Find("poll_interval")) {
    ASSIGN_OR_RETURN(reload.poll_interval, reader.ReadDuration(*f, kMinPollInterval));
  }
  return reload;
}

absl::StatusOr<AdminConfig> ReadAdminListen(const YamlReader& reader, const YamlField& field) {
  ASSIGN_OR_RETURN(std::string text, reader.ReadString(field));
  auto host_port = ParseHostPort(text);
  if (!host_port.ok()) return reader.Error(field, host_port.status().message());
  return AdminConfig{.enabled = true, .host = host_port->host, .port = host_port->port};
}

}  // namespace protogate::config
