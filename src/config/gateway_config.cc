#include "config/gateway_config.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <system_error>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "config/composite_config.h"
#include "config/value_parsers.h"
#include "config/yaml_reader.h"
#include "upstream/channel_target.h"

namespace protogate::config {
namespace {

using std::chrono::milliseconds;

constexpr absl::string_view kTopLevelKeys[] = {"listen",
                                               "threads",
                                               "descriptor_source",
                                               "descriptors",
                                               "log_level",
                                               "access_log",
                                               "limits",
                                               "drain_timeout",
                                               "transcoding",
                                               "forward_headers",
                                               "upstreams",
                                               "auth",
                                               "composites",
                                               "reload",
                                               "admin_listen",
                                               "reserved_metadata",
                                               "graphql",
                                               "clients",
                                               "openapi",
                                               "streaming"};
constexpr absl::string_view kLimitsKeys[] = {"max_header_bytes", "max_body_bytes", "read_timeout",
                                             "idle_timeout", "max_connections"};
constexpr absl::string_view kTranscodingKeys[] = {"unknown_query_parameters",
                                                  "unknown_json_fields",
                                                  "json_names",
                                                  "emit_default_values",
                                                  "enums",
                                                  "max_json_depth"};
constexpr absl::string_view kStreamingKeys[] = {"default_format",   "timeout",
                                                "heartbeat",        "idle_timeout",
                                                "max_upload_bytes", "max_messages_per_second"};
constexpr absl::string_view kOpenApiKeys[] = {"enabled", "path", "title", "version"};
constexpr absl::string_view kUpstreamKeys[] = {
    "service", "addresses", "timeout", "method_timeouts", "forward_authorization", "read_mask"};
// Indexed by DescriptorSource.
constexpr absl::string_view kDescriptorSources[] = {"file", "reflection"};
constexpr absl::string_view kLogLevels[] = {"debug", "info", "warn", "error"};
constexpr int kMaxThreads = 256;
constexpr milliseconds kMinTimeout{1};

absl::StatusOr<HostPort> ReadHostPort(const YamlReader& reader, const YamlField& field) {
  ASSIGN_OR_RETURN(std::string text, reader.ReadString(field));
  auto host_port = ParseHostPort(text);
  if (!host_port.ok()) return reader.Error(field, host_port.status().message());
  return host_port;
}

absl::StatusOr<std::string> ReadDescriptors(const YamlReader& reader, const YamlField& field,
                                            absl::string_view source_name) {
  ASSIGN_OR_RETURN(std::string path, reader.ReadString(field));
  if (path.empty()) {
    return reader.Error(field,
                        "empty path (expected the FileDescriptorSet, e.g. "
                        "../gen/demo_descriptor_set.pb)");
  }
  return ResolveNextTo(source_name, path);
}

absl::StatusOr<LimitsConfig> ReadLimits(const YamlReader& reader, const YamlField& field) {
  LimitsConfig limits;
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(field, kLimitsKeys));
  if (const YamlField* f = map.Find("max_header_bytes")) {
    ASSIGN_OR_RETURN(limits.max_header_bytes, reader.ReadSize(*f, 1));
  }
  if (const YamlField* f = map.Find("max_body_bytes")) {
    ASSIGN_OR_RETURN(limits.max_body_bytes, reader.ReadSize(*f, 1));
  }
  if (const YamlField* f = map.Find("read_timeout")) {
    ASSIGN_OR_RETURN(limits.read_timeout, reader.ReadDuration(*f, kMinTimeout));
  }
  if (const YamlField* f = map.Find("idle_timeout")) {
    ASSIGN_OR_RETURN(limits.idle_timeout, reader.ReadDuration(*f, kMinTimeout));
  }
  if (const YamlField* f = map.Find("max_connections")) {
    ASSIGN_OR_RETURN(limits.max_connections,
                     reader.ReadInt(*f, 1, std::numeric_limits<int>::max()));
  }
  return limits;
}

// Each option is a two-way choice; the second spelling sets the struct's flag.
absl::StatusOr<bool> ReadFlagChoice(const YamlReader& reader, const YamlMap& map,
                                    absl::string_view key, absl::string_view off,
                                    absl::string_view on, bool default_value) {
  const YamlField* field = map.Find(key);
  if (field == nullptr) return default_value;
  const absl::string_view choices[] = {off, on};
  ASSIGN_OR_RETURN(size_t index, reader.ReadChoice(*field, choices));
  return index == 1;
}

absl::StatusOr<TranscodingConfig> ReadTranscoding(const YamlReader& reader,
                                                  const YamlField& field) {
  TranscodingConfig out;
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(field, kTranscodingKeys));
  ASSIGN_OR_RETURN(out.reject_unknown_query_parameters,
                   ReadFlagChoice(reader, map, "unknown_query_parameters", "ignore", "reject",
                                  out.reject_unknown_query_parameters));
  ASSIGN_OR_RETURN(out.ignore_unknown_json_fields,
                   ReadFlagChoice(reader, map, "unknown_json_fields", "reject", "ignore",
                                  out.ignore_unknown_json_fields));
  ASSIGN_OR_RETURN(
      out.use_proto_field_names,
      ReadFlagChoice(reader, map, "json_names", "lower_camel", "proto", out.use_proto_field_names));
  ASSIGN_OR_RETURN(out.enums_as_ints,
                   ReadFlagChoice(reader, map, "enums", "names", "numbers", out.enums_as_ints));
  if (const YamlField* f = map.Find("emit_default_values")) {
    ASSIGN_OR_RETURN(out.emit_default_values, reader.ReadBool(*f));
  }
  if (const YamlField* f = map.Find("max_json_depth")) {
    ASSIGN_OR_RETURN(out.max_json_depth, reader.ReadInt(*f, 1, kMaxJsonDepthLimit));
  }
  return out;
}

absl::StatusOr<StreamingConfig> ReadStreaming(const YamlReader& reader, const YamlField& field) {
  StreamingConfig out;
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(field, kStreamingKeys));
  if (const YamlField* f = map.Find("default_format")) {
    ASSIGN_OR_RETURN(const size_t format, reader.ReadChoice(*f, kStreamFormatNames));
    out.default_format = static_cast<StreamFormat>(format);
  }
  if (const YamlField* f = map.Find("timeout")) {
    ASSIGN_OR_RETURN(out.timeout, reader.ReadDuration(*f, kMinTimeout));
  }
  for (auto [key, value] :
       {std::pair{"heartbeat", &out.heartbeat}, std::pair{"idle_timeout", &out.idle_timeout}}) {
    if (const YamlField* f = map.Find(key)) {
      ASSIGN_OR_RETURN(*value, reader.ReadDuration(*f, milliseconds(0)));
    }
  }
  if (const YamlField* f = map.Find("max_upload_bytes")) {
    ASSIGN_OR_RETURN(out.max_upload_bytes, reader.ReadSize(*f, 1));
  }
  if (const YamlField* f = map.Find("max_messages_per_second")) {
    ASSIGN_OR_RETURN(out.max_messages_per_second, reader.ReadInt(*f, 0, 1000000));
  }
  return out;
}

absl::StatusOr<OpenApiConfig> ReadOpenApi(const YamlReader& reader, const YamlField& field) {
  OpenApiConfig out{.enabled = true};
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(field, kOpenApiKeys));
  if (const YamlField* f = map.Find("enabled")) {
    ASSIGN_OR_RETURN(out.enabled, reader.ReadBool(*f));
  }
  if (const YamlField* f = map.Find("path")) {
    ASSIGN_OR_RETURN(out.path, reader.ReadString(*f));
    if (!absl::StartsWith(out.path, "/") || out.path.find_first_of("?#{}* ") != std::string::npos) {
      return reader.Error(*f,
                          "expected an absolute path without query or template, e.g. "
                          "/openapi.json");
    }
  }
  for (auto [key, value] : {std::pair{"title", &out.title}, std::pair{"version", &out.version}}) {
    if (const YamlField* f = map.Find(key)) {
      ASSIGN_OR_RETURN(*value, reader.ReadString(*f));
    }
  }
  return out;
}

// A list of distinct gRPC metadata keys, lowercased.
absl::StatusOr<std::vector<std::string>> ReadHeaderNames(const YamlReader& reader,
                                                         const YamlField& field) {
  if (field.value.IsNull()) {
    return reader.Error(field, "expected a list of header names, got nothing (use [] for none)");
  }
  ASSIGN_OR_RETURN(const std::vector<YamlField> items, reader.ReadList(field, "header names"));
  std::vector<std::string> headers;
  for (const YamlField& item : items) {
    ASSIGN_OR_RETURN(std::string name, reader.ReadString(item));
    auto header = NormalizeForwardHeader(name);
    if (!header.ok()) return reader.Error(item, header.status().message());
    if (std::find(headers.begin(), headers.end(), *header) != headers.end()) {
      return reader.Error(item, absl::StrCat("duplicate header ", QuoteForMessage(*header)));
    }
    headers.push_back(*std::move(header));
  }
  return headers;
}

// Names the gateway alone sets cannot also be forwarded from the client.
absl::StatusOr<std::vector<std::string>> ReadReservedMetadata(
    const YamlReader& reader, const YamlField& field,
    const std::vector<std::string>& forward_headers) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, ReadHeaderNames(reader, field));
  ASSIGN_OR_RETURN(const std::vector<YamlField> items, reader.ReadList(field, "header names"));
  for (size_t i = 0; i < names.size(); ++i) {
    if (std::find(forward_headers.begin(), forward_headers.end(), names[i]) !=
        forward_headers.end()) {
      return reader.Error(items[i], absl::StrCat(QuoteForMessage(names[i]),
                                                 " is also in forward_headers: a reserved name "
                                                 "is never taken from the client"));
    }
  }
  return names;
}

absl::StatusOr<std::vector<std::string>> ReadAddresses(const YamlReader& reader,
                                                       const YamlField& field) {
  ASSIGN_OR_RETURN(const std::vector<YamlField> items,
                   reader.ReadList(field, "host:port addresses"));
  if (items.empty()) {
    return reader.Error(field, "at least one address is required (e.g. [127.0.0.1:50051])");
  }
  std::vector<std::string> addresses;
  for (const YamlField& item : items) {
    ASSIGN_OR_RETURN(const HostPort host_port, ReadHostPort(reader, item));
    if (host_port.port == 0) {
      return reader.Error(item, "port 0 cannot be connected to (expected 1..65535)");
    }
    std::string address = item.value.Scalar();
    if (std::find(addresses.begin(), addresses.end(), address) != addresses.end()) {
      return reader.Error(item, absl::StrCat("duplicate address ", QuoteForMessage(address)));
    }
    addresses.push_back(std::move(address));
  }
  // Refused here, by line, what the gateway could not make one channel of.
  if (auto target = upstream::ChannelTarget(addresses); !target.ok()) {
    return reader.Error(field, target.status().message());
  }
  return addresses;
}

absl::StatusOr<std::map<std::string, milliseconds>> ReadMethodTimeouts(const YamlReader& reader,
                                                                       const YamlField& field) {
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadAnyMap(field));
  std::map<std::string, milliseconds> timeouts;
  for (const YamlMap::Entry& entry : map.entries()) {
    if (!IsIdentifier(entry.key)) {
      return reader.Error(YamlField{entry.field.key, entry.field.key, field.path},
                          absl::StrCat("invalid method name ", QuoteForMessage(entry.key),
                                       " (expected the method's simple name, e.g. GetUser)"));
    }
    ASSIGN_OR_RETURN(timeouts[entry.key], reader.ReadDuration(entry.field, kMinTimeout));
  }
  return timeouts;
}

absl::StatusOr<UpstreamConfig> ReadUpstream(const YamlReader& reader, const YamlField& field) {
  UpstreamConfig upstream;
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(field, kUpstreamKeys));
  const YamlField* service = map.Find("service");
  if (service == nullptr) {
    return reader.Missing(field, "service",
                          "the fully qualified gRPC service name, e.g. "
                          "demo.users.v1.UserService");
  }
  ASSIGN_OR_RETURN(upstream.service, reader.ReadString(*service));
  if (!IsDottedIdentifier(upstream.service)) {
    return reader.Error(*service,
                        absl::StrCat("invalid service name ", QuoteForMessage(upstream.service),
                                     " (expected e.g. demo.users.v1.UserService)"));
  }
  const YamlField* addresses = map.Find("addresses");
  if (addresses == nullptr) {
    return reader.Missing(field, "addresses", "a list of host:port, e.g. [127.0.0.1:50051]");
  }
  ASSIGN_OR_RETURN(upstream.addresses, ReadAddresses(reader, *addresses));
  if (const YamlField* f = map.Find("timeout")) {
    ASSIGN_OR_RETURN(upstream.timeout, reader.ReadDuration(*f, kMinTimeout));
  }
  if (const YamlField* f = map.Find("method_timeouts")) {
    ASSIGN_OR_RETURN(upstream.method_timeouts, ReadMethodTimeouts(reader, *f));
  }
  if (const YamlField* f = map.Find("forward_authorization")) {
    ASSIGN_OR_RETURN(upstream.forward_authorization, reader.ReadBool(*f));
  }
  if (const YamlField* f = map.Find("read_mask")) {
    ASSIGN_OR_RETURN(upstream.read_mask, reader.ReadString(*f));
    if (!upstream.read_mask->empty() && !IsDottedIdentifier(*upstream.read_mask)) {
      return reader.Error(*f,
                          absl::StrCat("invalid field name ", QuoteForMessage(*upstream.read_mask),
                                       " (expected a request field, e.g. read_mask)"));
    }
  }
  return upstream;
}

absl::StatusOr<std::vector<UpstreamConfig>> ReadUpstreams(const YamlReader& reader,
                                                          const YamlField& field) {
  ASSIGN_OR_RETURN(const std::vector<YamlField> items, reader.ReadList(field, "upstreams"));
  if (items.empty()) {
    return reader.Error(field, "at least one upstream is required");
  }
  std::vector<UpstreamConfig> upstreams;
  std::map<std::string, int> first_line;  // service -> 1-based line, for duplicate errors
  for (const YamlField& item : items) {
    ASSIGN_OR_RETURN(UpstreamConfig upstream, ReadUpstream(reader, item));
    auto [it, inserted] = first_line.emplace(upstream.service, item.value.Mark().line + 1);
    if (!inserted) {
      // Read again only to point the error at the repeated name itself.
      ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(item, kUpstreamKeys));
      return reader.Error(*map.Find("service"),
                          absl::StrCat("duplicate service ", QuoteForMessage(upstream.service),
                                       " (already configured at line ", it->second, ")"));
    }
    upstreams.push_back(std::move(upstream));
  }
  return upstreams;
}

// Optional keys overwrite the defaults the struct starts with; required ones
// are checked by the caller, after every present key has been validated.
absl::StatusOr<GatewayConfig> ReadTopLevel(const YamlReader& reader, const YamlMap& map,
                                           absl::string_view source_name) {
  GatewayConfig config;
  if (const YamlField* f = map.Find("listen")) {
    ASSIGN_OR_RETURN(HostPort listen, ReadHostPort(reader, *f));
    config.listen_host = std::move(listen.host);
    config.listen_port = listen.port;
  }
  if (const YamlField* f = map.Find("threads")) {
    ASSIGN_OR_RETURN(config.threads, reader.ReadInt(*f, 0, kMaxThreads));
  }
  if (const YamlField* f = map.Find("descriptor_source")) {
    ASSIGN_OR_RETURN(const size_t source, reader.ReadChoice(*f, kDescriptorSources));
    config.descriptor_source = static_cast<DescriptorSource>(source);
  }
  if (const YamlField* f = map.Find("descriptors")) {
    ASSIGN_OR_RETURN(config.descriptors, ReadDescriptors(reader, *f, source_name));
  }
  if (const YamlField* f = map.Find("log_level")) {
    ASSIGN_OR_RETURN(const size_t level, reader.ReadChoice(*f, kLogLevels));
    config.log_level = std::string(kLogLevels[level]);
  }
  if (const YamlField* f = map.Find("access_log")) {
    ASSIGN_OR_RETURN(config.access_log, reader.ReadBool(*f));
  }
  if (const YamlField* f = map.Find("limits")) {
    ASSIGN_OR_RETURN(config.limits, ReadLimits(reader, *f));
  }
  if (const YamlField* f = map.Find("drain_timeout")) {
    ASSIGN_OR_RETURN(config.drain_timeout, reader.ReadDuration(*f, milliseconds(0)));
  }
  if (const YamlField* f = map.Find("transcoding")) {
    ASSIGN_OR_RETURN(config.transcoding, ReadTranscoding(reader, *f));
  }
  if (const YamlField* f = map.Find("streaming")) {
    ASSIGN_OR_RETURN(config.streaming, ReadStreaming(reader, *f));
  }
  if (const YamlField* f = map.Find("forward_headers")) {
    ASSIGN_OR_RETURN(config.forward_headers, ReadHeaderNames(reader, *f));
  }
  if (const YamlField* f = map.Find("reserved_metadata")) {
    ASSIGN_OR_RETURN(config.reserved_metadata,
                     ReadReservedMetadata(reader, *f, config.forward_headers));
  }
  if (const YamlField* f = map.Find("upstreams")) {
    ASSIGN_OR_RETURN(config.upstreams, ReadUpstreams(reader, *f));
  }
  if (const YamlField* f = map.Find("auth")) {
    ASSIGN_OR_RETURN(config.auth, ReadAuthConfig(reader, *f, source_name));
  }
  if (const YamlField* f = map.Find("composites")) {
    ASSIGN_OR_RETURN(config.composites, ReadCompositesConfig(reader, *f));
  }
  if (const YamlField* f = map.Find("reload")) {
    ASSIGN_OR_RETURN(config.reload, ReadReloadConfig(reader, *f));
  }
  if (const YamlField* f = map.Find("admin_listen")) {
    ASSIGN_OR_RETURN(config.admin, ReadAdminListen(reader, *f));
  }
  if (const YamlField* f = map.Find("clients")) {
    ASSIGN_OR_RETURN(config.clients, ReadClientsConfig(reader, *f));
  }
  if (const YamlField* f = map.Find("graphql")) {
    ASSIGN_OR_RETURN(config.graphql, ReadGraphqlConfig(reader, *f, source_name));
  }
  if (const YamlField* f = map.Find("openapi")) {
    ASSIGN_OR_RETURN(config.openapi, ReadOpenApi(reader, *f));
  }
  return config;
}

absl::StatusOr<GatewayConfig> Parse(absl::string_view yaml_text, absl::string_view source_name) {
  const YamlReader reader(source_name);
  ASSIGN_OR_RETURN(const YamlField root, reader.ParseDocument(yaml_text));
  ASSIGN_OR_RETURN(const YamlMap map, reader.ReadMap(root, kTopLevelKeys));
  ASSIGN_OR_RETURN(GatewayConfig config, ReadTopLevel(reader, map, source_name));
  if (map.Find("descriptors") == nullptr && config.descriptor_source == DescriptorSource::kFile) {
    return reader.Missing(root, "descriptors",
                          "path of the FileDescriptorSet, relative to this file, e.g. "
                          "../gen/demo_descriptor_set.pb (or descriptor_source: reflection)");
  }
  if (map.Find("upstreams") == nullptr) {
    return reader.Missing(
        root, "upstreams",
        "a list of {service, addresses}, e.g. - service: demo.users.v1.UserService");
  }
  return config;
}

}  // namespace

absl::StatusOr<GatewayConfig> ParseGatewayConfig(absl::string_view yaml_text,
                                                 absl::string_view source_name) {
  // yaml-cpp reports through exceptions; ParseDocument converts the expected
  // ones. This is the edge of our API, so nothing else may escape either.
  try {
    return Parse(yaml_text, source_name);
  } catch (const YAML::Exception& e) {
    return YamlReader(source_name).ErrorAt(e.mark, "", absl::StrCat("invalid YAML: ", e.msg));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(source_name, ": config loader failed: ", e.what()));
  }
}

absl::StatusOr<GatewayConfig> LoadGatewayConfig(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": is a directory, not a config file"));
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    const int open_errno = errno;
    const std::string reason = std::strerror(open_errno);
    if (open_errno == ENOENT || open_errno == ENOTDIR) {
      return absl::NotFoundError(absl::StrCat(path, ": cannot open config file: ", reason));
    }
    return absl::InvalidArgumentError(absl::StrCat(path, ": cannot open config file: ", reason));
  }
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": cannot read config file"));
  }
  ASSIGN_OR_RETURN(GatewayConfig config, ParseGatewayConfig(text.str(), path));
  config.source_path = path;
  return config;
}

}  // namespace protogate::config
