#include "config/gateway_config.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "support/temp_dir.h"

namespace protogate::config {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr char kSource[] = "gw.yaml";

// The smallest valid config: four lines, so an appended line is line 5.
constexpr char kMinimal[] = R"(descriptors: d.pb
upstreams:
  - service: a.B
    addresses: [h:1]
)";

::testing::AssertionResult Contains(absl::string_view text, absl::string_view fragment) {
  if (absl::StrContains(text, fragment)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" lacks \"" << fragment << "\"";
}

GatewayConfig ParseOk(absl::string_view yaml, absl::string_view source = kSource) {
  auto config = ParseGatewayConfig(yaml, source);
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? *std::move(config) : GatewayConfig{};
}

std::string WriteFile(const std::string& name, absl::string_view text) {
  const std::filesystem::path dir = test::ProcessTempDir("config_test");
  const std::string path = (dir / name).string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(GatewayConfigTest, FullExampleParsesIntoExpectedValues) {
  const GatewayConfig config = ParseOk(R"(
listen: 10.1.2.3:9090
threads: 4
descriptors: ../gen/demo_descriptor_set.pb
log_level: debug
access_log: false
limits:
  max_header_bytes: 32KiB
  max_body_bytes: 8MiB
  read_timeout: 1.5s
  idle_timeout: 2m
  max_connections: 500
drain_timeout: 250ms
transcoding:
  unknown_query_parameters: reject
  unknown_json_fields: ignore
  json_names: proto
  emit_default_values: true
  enums: numbers
forward_headers: [Authorization, x-request-id]
upstreams:
  - service: demo.users.v1.UserService
    addresses: ["[fd00::1]:50051", "[::1]:50051"]
    timeout: 3s
    method_timeouts: {GetUser: 2s, ListUsers: 1h}
  - service: demo.orders.v1.OrderService
    addresses:
      - localhost:50052
)",
                                       "/etc/protogate/gateway.yaml");
  EXPECT_EQ(config.source_path, "");
  EXPECT_EQ(config.listen_host, "10.1.2.3");
  EXPECT_EQ(config.listen_port, 9090);
  EXPECT_EQ(config.threads, 4);
  EXPECT_EQ(config.descriptors, "/etc/protogate/../gen/demo_descriptor_set.pb");
  EXPECT_EQ(config.log_level, "debug");
  EXPECT_FALSE(config.access_log);
  EXPECT_EQ(config.limits.max_header_bytes, 32u * 1024);
  EXPECT_EQ(config.limits.max_body_bytes, 8u * 1024 * 1024);
  EXPECT_EQ(config.limits.read_timeout, milliseconds(1500));
  EXPECT_EQ(config.limits.idle_timeout, minutes(2));
  EXPECT_EQ(config.limits.max_connections, 500);
  EXPECT_EQ(config.drain_timeout, milliseconds(250));
  EXPECT_TRUE(config.transcoding.reject_unknown_query_parameters);
  EXPECT_TRUE(config.transcoding.ignore_unknown_json_fields);
  EXPECT_TRUE(config.transcoding.use_proto_field_names);
  EXPECT_TRUE(config.transcoding.emit_default_values);
  EXPECT_TRUE(config.transcoding.enums_as_ints);
  EXPECT_EQ(config.forward_headers, (std::vector<std::string>{"authorization", "x-request-id"}));
  ASSERT_EQ(config.upstreams.size(), 2u);
  const UpstreamConfig& users = config.upstreams[0];
  EXPECT_EQ(users.service, "demo.users.v1.UserService");
  EXPECT_EQ(users.addresses, (std::vector<std::string>{"[fd00::1]:50051", "[::1]:50051"}));
  EXPECT_EQ(users.timeout, seconds(3));
  EXPECT_EQ(users.method_timeouts, (std::map<std::string, milliseconds>{{"GetUser", seconds(2)},
                                                                        {"ListUsers", hours(1)}}));
  const UpstreamConfig& orders = config.upstreams[1];
  EXPECT_EQ(orders.service, "demo.orders.v1.OrderService");
  EXPECT_EQ(orders.addresses, std::vector<std::string>{"localhost:50052"});
  EXPECT_EQ(orders.timeout, seconds(5));
  EXPECT_TRUE(orders.method_timeouts.empty());
}

TEST(GatewayConfigTest, AbsentKeysKeepDefaults) {
  const GatewayConfig config = ParseOk(kMinimal);
  const GatewayConfig defaults;
  EXPECT_EQ(config.listen_host, "0.0.0.0");
  EXPECT_EQ(config.listen_port, 8080);
  EXPECT_EQ(config.threads, 0);
  EXPECT_EQ(config.descriptors, "d.pb");
  EXPECT_EQ(config.log_level, "info");
  EXPECT_TRUE(config.access_log);
  EXPECT_EQ(config.limits.max_header_bytes, 16u * 1024);
  EXPECT_EQ(config.limits.max_body_bytes, 4u * 1024 * 1024);
  EXPECT_EQ(config.limits.read_timeout, seconds(15));
  EXPECT_EQ(config.limits.idle_timeout, seconds(60));
  EXPECT_EQ(config.limits.max_connections, 10000);
  EXPECT_EQ(config.drain_timeout, seconds(10));
  EXPECT_FALSE(config.transcoding.reject_unknown_query_parameters);
  EXPECT_FALSE(config.transcoding.ignore_unknown_json_fields);
  EXPECT_FALSE(config.transcoding.use_proto_field_names);
  EXPECT_FALSE(config.transcoding.emit_default_values);
  EXPECT_FALSE(config.transcoding.enums_as_ints);
  EXPECT_EQ(config.forward_headers, defaults.forward_headers);
  ASSERT_EQ(config.upstreams.size(), 1u);
  EXPECT_EQ(config.upstreams[0].timeout, seconds(5));
  EXPECT_TRUE(config.upstreams[0].method_timeouts.empty());
}

TEST(GatewayConfigTest, SpelledOutDefaultsEqualAbsentKeys) {
  const GatewayConfig config = ParseOk(absl::StrCat(kMinimal, R"(
limits: {}
transcoding:
  unknown_query_parameters: ignore
  unknown_json_fields: reject
  json_names: lower_camel
  emit_default_values: false
  enums: names
)"));
  const GatewayConfig minimal = ParseOk(kMinimal);
  EXPECT_EQ(config.limits.max_body_bytes, minimal.limits.max_body_bytes);
  EXPECT_FALSE(config.transcoding.reject_unknown_query_parameters);
  EXPECT_FALSE(config.transcoding.ignore_unknown_json_fields);
  EXPECT_FALSE(config.transcoding.use_proto_field_names);
  EXPECT_FALSE(config.transcoding.emit_default_values);
  EXPECT_FALSE(config.transcoding.enums_as_ints);
}

TEST(GatewayConfigTest, EmptySectionMeansAllDefaults) {
  const GatewayConfig config = ParseOk(absl::StrCat(kMinimal, "limits:\ntranscoding:\n"));
  EXPECT_EQ(config.limits.max_header_bytes, 16u * 1024);
  EXPECT_FALSE(config.transcoding.enums_as_ints);
}

TEST(GatewayConfigTest, MaxJsonDepthDefaultsTo64AndTakes1To1000) {
  EXPECT_EQ(ParseOk(kMinimal).transcoding.max_json_depth, 64);
  EXPECT_EQ(ParseOk(absl::StrCat(kMinimal, "transcoding:\n  max_json_depth: 1\n"))
                .transcoding.max_json_depth,
            1);
  EXPECT_EQ(ParseOk(absl::StrCat(kMinimal, "transcoding:\n  max_json_depth: 1000\n"))
                .transcoding.max_json_depth,
            1000);
}

TEST(GatewayConfigTest, MaxJsonDepthOutOfRangeNamesTheLine) {
  for (const char* bad : {"0", "1001", "-3", "\"64\"", "deep"}) {
    auto config = ParseGatewayConfig(
        absl::StrCat(kMinimal, "transcoding:\n  max_json_depth: ", bad, "\n"), kSource);
    ASSERT_FALSE(config.ok()) << bad;
    EXPECT_TRUE(Contains(config.status().message(), "gw.yaml:6:19: transcoding.max_json_depth: "))
        << config.status();
    EXPECT_TRUE(Contains(config.status().message(), "1..1000")) << config.status();
  }
}

TEST(GatewayConfigTest, ListenAcceptsIpv6AndPortZero) {
  GatewayConfig config = ParseOk(absl::StrCat(kMinimal, "listen: \"[::1]:8443\"\n"));
  EXPECT_EQ(config.listen_host, "::1");
  EXPECT_EQ(config.listen_port, 8443);
  config = ParseOk(absl::StrCat(kMinimal, "listen: 127.0.0.1:0\n"));
  EXPECT_EQ(config.listen_host, "127.0.0.1");
  EXPECT_EQ(config.listen_port, 0);
  config = ParseOk(absl::StrCat(kMinimal, "listen: localhost:65535\n"));
  EXPECT_EQ(config.listen_port, 65535);
}

TEST(GatewayConfigTest, ReservedMetadataIsLowercasedAndForwardAuthorizationRead) {
  GatewayConfig config = ParseOk(
      "descriptors: d.pb\n"
      "reserved_metadata: [X-User-Id, x-tenant]\n"
      "upstreams:\n"
      "  - {service: a.B, addresses: [127.0.0.1:1], forward_authorization: true}\n"
      "  - {service: a.C, addresses: [127.0.0.1:2]}\n");
  EXPECT_EQ(config.reserved_metadata, (std::vector<std::string>{"x-user-id", "x-tenant"}));
  EXPECT_TRUE(config.upstreams[0].forward_authorization);
  EXPECT_FALSE(config.upstreams[1].forward_authorization);
  EXPECT_TRUE(ParseOk(kMinimal).reserved_metadata.empty());
}

TEST(GatewayConfigTest, ForwardHeadersMayBeEmpty) {
  EXPECT_TRUE(ParseOk(absl::StrCat(kMinimal, "forward_headers: []\n")).forward_headers.empty());
}

TEST(GatewayConfigTest, BooleansAcceptYaml12Spellings) {
  EXPECT_FALSE(ParseOk(absl::StrCat(kMinimal, "access_log: False\n")).access_log);
  EXPECT_FALSE(ParseOk(absl::StrCat(kMinimal, "access_log: FALSE\n")).access_log);
  EXPECT_TRUE(ParseOk(absl::StrCat(kMinimal, "access_log: True\n")).access_log);
}

TEST(GatewayConfigTest, SizesMayBePlainOrQuoted) {
  const GatewayConfig config = ParseOk(absl::StrCat(kMinimal, R"(limits:
  max_header_bytes: 8192
  max_body_bytes: "1GiB"
)"));
  EXPECT_EQ(config.limits.max_header_bytes, 8192u);
  EXPECT_EQ(config.limits.max_body_bytes, 1024u * 1024 * 1024);
}

TEST(GatewayConfigTest, AnchorsAndAliasesAreResolved) {
  const GatewayConfig config = ParseOk(R"(descriptors: d.pb
upstreams:
  - service: a.A
    addresses: &pool [10.0.0.1:1, 10.0.0.2:2]
    timeout: &t 750ms
  - service: a.B
    addresses: *pool
    timeout: *t
)");
  ASSERT_EQ(config.upstreams.size(), 2u);
  EXPECT_EQ(config.upstreams[1].addresses, (std::vector<std::string>{"10.0.0.1:1", "10.0.0.2:2"}));
  EXPECT_EQ(config.upstreams[1].timeout, milliseconds(750));
}

TEST(GatewayConfigTest, FlowStyleDocumentParses) {
  const GatewayConfig config =
      ParseOk("{descriptors: d.pb, threads: 2, upstreams: [{service: a.B, addresses: [h:1]}]}");
  EXPECT_EQ(config.threads, 2);
  EXPECT_EQ(config.upstreams[0].service, "a.B");
}

TEST(GatewayConfigTest, DrainTimeoutMayBeZero) {
  EXPECT_EQ(ParseOk(absl::StrCat(kMinimal, "drain_timeout: 0s\n")).drain_timeout, seconds(0));
}

struct ResolveCase {
  const char* source;
  const char* descriptors;
  const char* expected;
};

TEST(GatewayConfigTest, DescriptorsResolveAgainstTheConfigFolder) {
  const ResolveCase cases[] = {
      {"gateway.yaml", "d.pb", "d.pb"},
      {"config/gateway.yaml", "../gen/d.pb", "config/../gen/d.pb"},
      {"/srv/pg/config/gateway.yaml", "../gen/d.pb", "/srv/pg/config/../gen/d.pb"},
      {"/srv/pg/config/gateway.yaml", "sets/d.pb", "/srv/pg/config/sets/d.pb"},
      {"/srv/pg/config/gateway.yaml", "/opt/d.pb", "/opt/d.pb"},
      {"config/gateway.yaml", "/opt/d.pb", "/opt/d.pb"},
      {"<inline>", "d.pb", "d.pb"},
  };
  for (const ResolveCase& c : cases) {
    const std::string yaml = absl::StrCat("descriptors: ", c.descriptors,
                                          "\nupstreams: [{service: a.B, addresses: [h:1]}]\n");
    EXPECT_EQ(ParseOk(yaml, c.source).descriptors, c.expected) << c.source;
  }
}

TEST(GatewayConfigTest, DescriptorSourceDefaultsToFile) {
  EXPECT_EQ(ParseOk(kMinimal).descriptor_source, DescriptorSource::kFile);
  EXPECT_EQ(ParseOk(absl::StrCat(kMinimal, "descriptor_source: file\n")).descriptor_source,
            DescriptorSource::kFile);
}

TEST(GatewayConfigTest, ReflectionMakesDescriptorsOptional) {
  const GatewayConfig config =
      ParseOk("descriptor_source: reflection\nupstreams: [{service: a.B, addresses: [h:1]}]\n");
  EXPECT_EQ(config.descriptor_source, DescriptorSource::kReflection);
  EXPECT_EQ(config.descriptors, "");
}

TEST(GatewayConfigTest, ReflectionStillAcceptsAndResolvesDescriptors) {
  const GatewayConfig config =
      ParseOk(absl::StrCat(kMinimal, "descriptor_source: reflection\n"), "config/gateway.yaml");
  EXPECT_EQ(config.descriptor_source, DescriptorSource::kReflection);
  EXPECT_EQ(config.descriptors, "config/d.pb");
}

// One error case: the YAML, then what the message must hold.
struct ErrorCase {
  const char* name;
  std::string yaml;
  const char* position;  // "<line>:<col>" (1-based)
  const char* field;     // "" for errors about the document itself
  const char* problem;
};

std::string WithMinimal(absl::string_view extra) { return absl::StrCat(kMinimal, extra); }

std::vector<ErrorCase> ErrorCases() {
  return {
      // The document itself.
      {"syntax", "listen: [1, 2\nthreads: 3\n", "2:8", "", "invalid YAML: "},
      {"tab_indent", "limits:\n\tmax_body_bytes: 1\n", "2:16", "",
       "invalid YAML: illegal map value (tabs are not allowed in YAML indentation)"},
      {"empty", "", "1:1", "", "empty config"},
      {"only_comments", "# nothing here\n\n", "1:1", "", "empty config"},
      {"top_level_list", "- a\n- b\n", "1:1", "", "expected a mapping, got a list"},
      {"top_level_scalar", "hello\n", "1:1", "", "expected a mapping, got \"hello\""},
      {"two_documents", WithMinimal("---\nthreads: 1\n"), "5:1", "", "expected one YAML document"},
      {"non_scalar_key", WithMinimal("? [a, b]\n: 1\n"), "5:3", "",
       "expected a key name, got a list"},
      {"null_key", WithMinimal("~: 1\n"), "5:1", "", "expected a key name"},
      // Keys.
      {"unknown_top_level_key", WithMinimal("lsten: 1.2.3.4:80\n"), "5:1", "",
       "unknown key \"lsten\", did you mean \"listen\"? (valid keys: listen, threads, "
       "descriptor_source, descriptors, log_level, access_log, limits, drain_timeout, transcoding, "
       "forward_headers, upstreams"},
      {"unknown_key_far_from_any", WithMinimal("color: blue\n"), "5:1", "",
       "unknown key \"color\" (valid keys: listen,"},
      {"unknown_nested_key", WithMinimal("limits:\n  max_body: 1\n"), "6:3", "limits",
       "unknown key \"max_body\", did you mean \"max_body_bytes\"? (valid keys: max_header_bytes, "
       "max_body_bytes, read_timeout, idle_timeout, max_connections)"},
      {"unknown_upstream_key",
       "descriptors: d.pb\nupstreams:\n  - service: a.B\n    addresses: [h:1]\n    timout: 1s\n",
       "5:5", "upstreams[0]", "unknown key \"timout\", did you mean \"timeout\"?"},
      {"duplicate_key", WithMinimal("threads: 1\nthreads: 2\n"), "6:1", "threads",
       "duplicate key \"threads\""},
      {"missing_descriptors", "upstreams: [{service: a.B, addresses: [h:1]}]\n", "1:1",
       "descriptors", "missing required key (path of the FileDescriptorSet"},
      {"missing_descriptors_with_file_source",
       "descriptor_source: file\nupstreams: [{service: a.B, addresses: [h:1]}]\n", "1:1",
       "descriptors", "(or descriptor_source: reflection)"},
      {"missing_upstreams_with_reflection", "descriptor_source: reflection\n", "1:1", "upstreams",
       "missing required key"},
      {"missing_upstreams", "descriptors: d.pb\n", "1:1", "upstreams", "missing required key"},
      // listen.
      {"listen_no_port", WithMinimal("listen: 8080\n"), "5:9", "listen",
       "missing port in \"8080\", expected host:port"},
      {"listen_port_range", WithMinimal("listen: 0.0.0.0:70000\n"), "5:9", "listen",
       "invalid port \"70000\" in \"0.0.0.0:70000\", expected a number in 0..65535"},
      {"listen_negative_port", WithMinimal("listen: 0.0.0.0:-1\n"), "5:9", "listen",
       "invalid port \"-1\""},
      {"listen_ipv6_no_brackets", WithMinimal("listen: ::1:8080\n"), "5:9", "listen",
       "needs brackets, e.g. [::1]:8080"},
      {"listen_list", WithMinimal("listen: [a:1]\n"), "5:9", "listen",
       "expected a string, got a list"},
      {"listen_null", WithMinimal("listen:\n"), "5:1", "listen", "expected a string, got nothing"},
      // threads.
      {"threads_negative", WithMinimal("threads: -1\n"), "5:10", "threads",
       "\"-1\" is out of range (expected an integer in 0..256)"},
      {"threads_too_many", WithMinimal("threads: 300\n"), "5:10", "threads", "out of range"},
      {"threads_huge", WithMinimal("threads: 99999999999999999999\n"), "5:10", "threads",
       "out of range"},
      {"threads_word", WithMinimal("threads: four\n"), "5:10", "threads",
       "expected an integer in 0..256, got \"four\""},
      {"threads_float", WithMinimal("threads: 1.5\n"), "5:10", "threads", "expected an integer"},
      {"threads_quoted", WithMinimal("threads: \"4\"\n"), "5:10", "threads",
       "got the quoted string \"4\" (remove the quotes)"},
      {"threads_map", WithMinimal("threads: {n: 1}\n"), "5:10", "threads", "got a mapping"},
      // descriptors.
      {"descriptors_empty", "descriptors: \"\"\nupstreams: [{service: a.B, addresses: [h:1]}]\n",
       "1:14", "descriptors", "empty path"},
      {"descriptors_list", "descriptors: [a.pb]\nupstreams: [{service: a.B, addresses: [h:1]}]\n",
       "1:14", "descriptors", "expected a string, got a list"},
      // descriptor_source.
      {"descriptor_source_unknown", WithMinimal("descriptor_source: grpc\n"), "5:20",
       "descriptor_source", "expected one of file, reflection, got \"grpc\""},
      {"descriptor_source_uppercase", WithMinimal("descriptor_source: Reflection\n"), "5:20",
       "descriptor_source", "expected one of file, reflection"},
      {"descriptor_source_list", WithMinimal("descriptor_source: [file]\n"), "5:20",
       "descriptor_source", "expected one of file, reflection, got a list"},
      // log_level, access_log.
      {"log_level_unknown", WithMinimal("log_level: verbose\n"), "5:12", "log_level",
       "expected one of debug, info, warn, error, got \"verbose\""},
      {"log_level_uppercase", WithMinimal("log_level: INFO\n"), "5:12", "log_level",
       "expected one of debug, info, warn, error"},
      {"bool_yes", WithMinimal("access_log: yes\n"), "5:13", "access_log",
       "expected true or false, got \"yes\""},
      {"bool_quoted", WithMinimal("access_log: \"true\"\n"), "5:13", "access_log",
       "got the quoted string \"true\" (remove the quotes)"},
      {"bool_number", WithMinimal("access_log: 1\n"), "5:13", "access_log",
       "expected true or false"},
      {"bool_list", WithMinimal("access_log: [true]\n"), "5:13", "access_log", "got a list"},
      // limits.
      {"limits_list", WithMinimal("limits: [1, 2]\n"), "5:9", "limits",
       "expected a mapping, got a list"},
      {"limits_scalar", WithMinimal("limits: big\n"), "5:9", "limits",
       "expected a mapping, got \"big\""},
      {"size_negative", WithMinimal("limits:\n  max_body_bytes: -5\n"), "6:19",
       "limits.max_body_bytes", "invalid size \"-5\": must not be negative"},
      {"size_unit", WithMinimal("limits:\n  max_header_bytes: 16KB\n"), "6:21",
       "limits.max_header_bytes", "unknown unit \"KB\" (use B, KiB, MiB or GiB)"},
      {"size_zero", WithMinimal("limits:\n  max_header_bytes: 0\n"), "6:21",
       "limits.max_header_bytes", "too small (at least 1 bytes)"},
      {"size_overflow", WithMinimal("limits:\n  max_body_bytes: 99999999999999999999GiB\n"), "6:19",
       "limits.max_body_bytes", "too large"},
      {"size_list", WithMinimal("limits:\n  max_body_bytes: [1]\n"), "6:19",
       "limits.max_body_bytes", "expected a size in bytes (e.g. 16384, 16KiB, 4MiB), got a list"},
      {"duration_missing_unit", WithMinimal("limits:\n  read_timeout: 15\n"), "6:17",
       "limits.read_timeout", "invalid duration \"15\": missing unit (e.g. 250ms, 5s, 1m, 1.5s)"},
      {"duration_space", WithMinimal("limits:\n  read_timeout: 5 s\n"), "6:17",
       "limits.read_timeout", "invalid duration \"5 s\""},
      {"zero_connections", WithMinimal("limits:\n  max_connections: 0\n"), "6:20",
       "limits.max_connections", "\"0\" is out of range (expected an integer in 1..2147483647)"},
      {"duration_zero_timeout", WithMinimal("limits:\n  idle_timeout: 0s\n"), "6:17",
       "limits.idle_timeout", "too short (at least 1ms)"},
      {"duration_too_long", WithMinimal("limits:\n  idle_timeout: 48h\n"), "6:17",
       "limits.idle_timeout", "too long (at most 24h)"},
      {"duration_sub_millisecond", WithMinimal("limits:\n  idle_timeout: 100us\n"), "6:17",
       "limits.idle_timeout", "not a whole number of milliseconds"},
      {"duration_negative", WithMinimal("drain_timeout: -1s\n"), "5:16", "drain_timeout",
       "must not be negative"},
      {"duration_null", WithMinimal("drain_timeout:\n"), "5:1", "drain_timeout",
       "expected a duration (e.g. 250ms, 5s, 1m, 1.5s), got nothing"},
      // transcoding.
      {"choice_unknown", WithMinimal("transcoding:\n  enums: name\n"), "6:10", "transcoding.enums",
       "expected one of names, numbers, got \"name\""},
      {"choice_bool", WithMinimal("transcoding:\n  unknown_json_fields: false\n"), "6:24",
       "transcoding.unknown_json_fields", "expected one of reject, ignore, got \"false\""},
      {"choice_json_names", WithMinimal("transcoding:\n  json_names: camel\n"), "6:15",
       "transcoding.json_names", "expected one of lower_camel, proto"},
      {"choice_query", WithMinimal("transcoding:\n  unknown_query_parameters: [x]\n"), "6:29",
       "transcoding.unknown_query_parameters", "expected one of ignore, reject, got a list"},
      {"transcoding_bool_as_int", WithMinimal("transcoding:\n  emit_default_values: 1\n"), "6:24",
       "transcoding.emit_default_values", "expected true or false, got \"1\""},
      {"transcoding_unknown_key", WithMinimal("transcoding:\n  enums_as_ints: true\n"), "6:3",
       "transcoding", "unknown key \"enums_as_ints\""},
      // forward_headers.
      {"headers_scalar", WithMinimal("forward_headers: authorization\n"), "5:18", "forward_headers",
       "expected a list of header names, got a single value \"authorization\" (write "
       "[authorization] for a list of one)"},
      {"headers_null", WithMinimal("forward_headers:\n"), "5:1", "forward_headers",
       "use [] for none"},
      {"headers_map", WithMinimal("forward_headers: {a: 1}\n"), "5:18", "forward_headers",
       "got a mapping"},
      {"headers_invalid", WithMinimal("forward_headers: [authorization, \"x request\"]\n"), "5:34",
       "forward_headers[1]", "invalid header name \"x request\""},
      {"headers_reserved", WithMinimal("forward_headers:\n  - grpc-timeout\n"), "6:5",
       "forward_headers[0]", "grpc-* is reserved"},
      {"headers_hop_by_hop", WithMinimal("forward_headers: [Connection]\n"), "5:19",
       "forward_headers[0]", "\"connection\" cannot be forwarded"},
      {"headers_duplicate", WithMinimal("forward_headers: [X-Id, x-id]\n"), "5:25",
       "forward_headers[1]", "duplicate header \"x-id\""},
      // reserved_metadata.
      {"reserved_also_forwarded",
       WithMinimal("forward_headers: [x-tenant]\nreserved_metadata: [x-user-id, X-Tenant]\n"),
       "6:32", "reserved_metadata[1]", "\"x-tenant\" is also in forward_headers"},
      {"reserved_invalid", WithMinimal("reserved_metadata: [\"x user\"]\n"), "5:21",
       "reserved_metadata[0]", "invalid header name \"x user\""},
      {"reserved_scalar", WithMinimal("reserved_metadata: x-user-id\n"), "5:20",
       "reserved_metadata", "expected a list"},
      {"headers_nested_list", WithMinimal("forward_headers: [[a]]\n"), "5:19", "forward_headers[0]",
       "expected a string, got a list"},
      // upstreams.
      {"upstreams_empty", "descriptors: d.pb\nupstreams: []\n", "2:12", "upstreams",
       "at least one upstream is required"},
      {"upstreams_null", "descriptors: d.pb\nupstreams:\n", "2:1", "upstreams",
       "expected a list of upstreams, got nothing"},
      {"upstreams_map", "descriptors: d.pb\nupstreams:\n  service: a.B\n", "3:3", "upstreams",
       "expected a list of upstreams, got a mapping"},
      {"upstream_scalar", "descriptors: d.pb\nupstreams: [a.B]\n", "2:13", "upstreams[0]",
       "expected a mapping, got \"a.B\""},
      {"upstream_missing_service", "descriptors: d.pb\nupstreams:\n  - addresses: [h:1]\n", "3:5",
       "upstreams[0].service", "missing required key (the fully qualified gRPC service name"},
      {"upstream_missing_addresses", "descriptors: d.pb\nupstreams:\n  - service: a.B\n", "3:5",
       "upstreams[0].addresses", "missing required key (a list of host:port"},
      {"service_invalid", "descriptors: d.pb\nupstreams:\n  - service: demo..Users\n", "3:14",
       "upstreams[0].service",
       "invalid service name \"demo..Users\" (expected e.g. "
       "demo.users.v1.UserService)"},
      {"service_with_method", "descriptors: d.pb\nupstreams:\n  - {service: a.B/Get}\n", "3:15",
       "upstreams[0].service", "invalid service name"},
      {"service_list", "descriptors: d.pb\nupstreams:\n  - service: [a.B]\n", "3:14",
       "upstreams[0].service", "expected a string, got a list"},
      {"service_duplicate",
       "descriptors: d.pb\nupstreams:\n"
       "  - service: a.B\n    addresses: [h:1]\n"
       "  - service: a.C\n    addresses: [h:2]\n"
       "  - addresses: [h:3]\n    service: a.B\n",
       "8:14", "upstreams[2].service", "duplicate service \"a.B\" (already configured at line 3)"},
      {"addresses_empty", "descriptors: d.pb\nupstreams:\n  - {service: a.B, addresses: []}\n",
       "3:31", "upstreams[0].addresses", "at least one address is required"},
      {"addresses_scalar",
       "descriptors: d.pb\nupstreams:\n  - service: a.B\n    addresses: 127.0.0.1:50051\n", "4:16",
       "upstreams[0].addresses",
       "got a single value \"127.0.0.1:50051\" (write [127.0.0.1:50051] for a list of one)"},
      {"address_no_port",
       "descriptors: d.pb\nupstreams:\n  - service: a.B\n    addresses: [h:1, 127.0.0.1]\n", "4:22",
       "upstreams[0].addresses[1]", "missing port in \"127.0.0.1\""},
      {"address_port_zero",
       "descriptors: d.pb\nupstreams:\n  - service: a.B\n    addresses: [h:0]\n", "4:17",
       "upstreams[0].addresses[0]", "port 0 cannot be connected to"},
      {"address_empty", "descriptors: d.pb\nupstreams:\n  - service: a.B\n    addresses: [\"\"]\n",
       "4:17", "upstreams[0].addresses[0]", "empty address, expected host:port"},
      {"address_duplicate",
       "descriptors: d.pb\nupstreams:\n  - service: a.B\n    addresses: [h:1, h:1]\n", "4:22",
       "upstreams[0].addresses[1]", "duplicate address \"h:1\""},
      {"addresses_several_host_names",
       "descriptors: d.pb\nupstreams:\n  - service: a.B\n    addresses: [a.example:1, "
       "b.example:1]\n",
       "4:16", "upstreams[0].addresses",
       "address \"a.example:1\": a host name must be the only address of its list"},
      {"addresses_mixed_families",
       "descriptors: d.pb\nupstreams:\n  - service: a.B\n    addresses: [10.0.0.1:1, "
       "\"[::1]:1\"]\n",
       "4:16", "upstreams[0].addresses", "IPv4 and IPv6 literals cannot share one list"},
      {"upstream_timeout_unit",
       "descriptors: d.pb\nupstreams:\n  - {service: a.A, addresses: [h:1]}\n"
       "  - service: a.B\n    addresses: [h:2]\n    timeout: 5\n",
       "6:14", "upstreams[1].timeout", "invalid duration \"5\": missing unit"},
      {"method_timeouts_list",
       "descriptors: d.pb\nupstreams:\n  - service: a.B\n    addresses: [h:1]\n"
       "    method_timeouts: [GetUser]\n",
       "5:22", "upstreams[0].method_timeouts", "expected a mapping, got a list"},
      {"method_name_invalid",
       "descriptors: d.pb\nupstreams:\n  - service: a.B\n    addresses: [h:1]\n"
       "    method_timeouts: {a.B.GetUser: 1s}\n",
       "5:23", "upstreams[0].method_timeouts",
       "invalid method name \"a.B.GetUser\" (expected the method's simple name, e.g. GetUser)"},
      {"method_timeout_invalid",
       "descriptors: d.pb\nupstreams:\n  - service: a.B\n    addresses: [h:1]\n"
       "    method_timeouts:\n      GetUser: fast\n",
       "6:16", "upstreams[0].method_timeouts.GetUser", "invalid duration \"fast\""},
      {"method_timeout_duplicate",
       "descriptors: d.pb\nupstreams:\n  - service: a.B\n    addresses: [h:1]\n"
       "    method_timeouts:\n      GetUser: 1s\n      GetUser: 2s\n",
       "7:7", "upstreams[0].method_timeouts.GetUser", "duplicate key \"GetUser\""},
      // openapi.
      {"openapi_relative_path", WithMinimal("openapi:\n  path: openapi.json\n"), "6:9",
       "openapi.path", "expected an absolute path without query or template"},
      {"openapi_template_path", WithMinimal("openapi: {path: \"/v1/{name}\"}\n"), "5:17",
       "openapi.path", "expected an absolute path"},
      {"openapi_unknown_key", WithMinimal("openapi:\n  titel: x\n"), "6:3", "openapi",
       "unknown key \"titel\", did you mean \"title\"?"},
  };
}

class GatewayConfigErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(GatewayConfigErrorTest, NamesFilePositionAndField) {
  const ErrorCase& c = GetParam();
  auto config = ParseGatewayConfig(c.yaml, kSource);
  ASSERT_FALSE(config.ok()) << c.yaml;
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string prefix = absl::StrCat(kSource, ":", c.position, ": ");
  const std::string expected_start =
      *c.field == '\0' ? absl::StrCat(prefix, c.problem) : absl::StrCat(prefix, c.field, ": ");
  EXPECT_TRUE(absl::StartsWith(config.status().message(), expected_start))
      << "message: " << config.status().message() << "\nexpected start: " << expected_start;
  EXPECT_TRUE(Contains(config.status().message(), c.problem));
}

INSTANTIATE_TEST_SUITE_P(AllKinds, GatewayConfigErrorTest, ::testing::ValuesIn(ErrorCases()),
                         [](const ::testing::TestParamInfo<ErrorCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(GatewayConfigTest, OpenApiIsServedOnlyWhenConfigured) {
  EXPECT_FALSE(ParseOk(kMinimal).openapi.enabled);
  const OpenApiConfig on = ParseOk(WithMinimal("openapi: {}\n")).openapi;
  EXPECT_TRUE(on.enabled);
  EXPECT_EQ(on.path, "/openapi.json");
  EXPECT_EQ(on.title, "protogate API");
  const OpenApiConfig set =
      ParseOk(WithMinimal("openapi: {path: /docs/api.json, title: Shop, version: \"2\"}\n"))
          .openapi;
  EXPECT_EQ(set.path, "/docs/api.json");
  EXPECT_EQ(set.title, "Shop");
  EXPECT_EQ(set.version, "2");
  EXPECT_FALSE(ParseOk(WithMinimal("openapi: {enabled: false}\n")).openapi.enabled);
}

TEST(GatewayConfigTest, UnknownKeyIsReportedBeforeMissingRequiredKey) {
  auto config = ParseGatewayConfig("upstream:\n  - service: a.B\n", kSource);
  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(Contains(config.status().message(),
                       "unknown key \"upstream\", did you mean "
                       "\"upstreams\"?"));
}

TEST(GatewayConfigTest, ControlCharactersInValuesAreEscaped) {
  auto config = ParseGatewayConfig(WithMinimal("log_level: \"a\\x01\\n\"\n"), kSource);
  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(Contains(config.status().message(), "got the quoted string \"a\\x01\\n\""));
}

TEST(GatewayConfigTest, ErrorsUseTheSourceNameAsGiven) {
  auto config = ParseGatewayConfig(WithMinimal("threads: x\n"), "/etc/protogate/gateway.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(absl::StartsWith(config.status().message(), "/etc/protogate/gateway.yaml:5:10: "))
      << config.status();
}

// yaml-cpp 0.7's LoadAll loops forever on these (found by the fuzzer).
TEST(GatewayConfigTest, StrayTopLevelCommaDoesNotHang) {
  for (const char* input : {",", "[a],", "{a: 1},\n", "- a\n,"}) {
    auto config = ParseGatewayConfig(input, kSource);
    ASSERT_FALSE(config.ok()) << input;
    EXPECT_TRUE(absl::StartsWith(config.status().message(), "gw.yaml:")) << config.status();
  }
}

TEST(GatewayConfigTest, NeverThrowsOnHostileInput) {
  const std::string inputs[] = {
      std::string(5000, '['),
      std::string(5000, '{'),
      "a: &x [*x]",
      "*unknown_alias",
      "a: !!binary ZZZZ\n",
      std::string("\0\0\0", 3),
      "\xff\xfe\x00\x00",
      "%YAML 9.9\n---\na: 1\n",
      "!<tag:yaml.org,2002:map> {descriptors: d}",
      absl::StrCat(kMinimal, "threads: !!int 4\n"),
  };
  for (const std::string& input : inputs) {
    auto config = ParseGatewayConfig(input, kSource);
    EXPECT_FALSE(config.ok() && config->upstreams.empty()) << input;
  }
}

TEST(LoadGatewayConfigTest, LoadsFileSetsSourcePathAndResolvesDescriptors) {
  const std::string path = WriteFile("load_ok.yaml",
                                     "descriptors: ../gen/d.pb\n"
                                     "upstreams: [{service: a.B, addresses: [h:1]}]\n");
  auto config = LoadGatewayConfig(path);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->source_path, path);
  EXPECT_EQ(config->descriptors,
            (std::filesystem::path(path).parent_path() / "../gen/d.pb").string());
}

TEST(LoadGatewayConfigTest, MissingFileIsNotFoundNamingThePath) {
  const std::string path = absl::StrCat(::testing::TempDir(), "/no/such/gateway.yaml");
  auto config = LoadGatewayConfig(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(Contains(config.status().message(), path));
}

TEST(LoadGatewayConfigTest, DirectoryIsInvalidArgumentNamingThePath) {
  const std::string path = ::testing::TempDir();
  auto config = LoadGatewayConfig(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(config.status().message(), path));
}

TEST(LoadGatewayConfigTest, EmptyFileIsAnError) {
  const std::string path = WriteFile("empty.yaml", "");
  auto config = LoadGatewayConfig(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(config.status().message(), absl::StrCat(path, ":1:1: empty config")))
      << config.status();
}

TEST(LoadGatewayConfigTest, ErrorsNameTheFileAndLine) {
  const std::string path = WriteFile("bad.yaml", WithMinimal("threads: many\n"));
  auto config = LoadGatewayConfig(path);
  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(absl::StartsWith(config.status().message(), absl::StrCat(path, ":5:10: threads: ")))
      << config.status();
}

// The shipped default config: it loads, it is what the demo needs, and the
// values it spells out for documentation are the built-in defaults.
TEST(ShippedConfigTest, DefaultConfigLoadsWithDemoUpstreams) {
  const std::string path = PROTOGATE_SOURCE_DIR "/config/gateway.yaml";
  auto config = LoadGatewayConfig(path);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->listen_host, "0.0.0.0");
  EXPECT_EQ(config->listen_port, 8080);
  EXPECT_TRUE(std::filesystem::exists(config->descriptors)) << config->descriptors;
  EXPECT_TRUE(std::filesystem::equivalent(config->descriptors,
                                          PROTOGATE_SOURCE_DIR "/gen/demo_descriptor_set.pb"));
  ASSERT_EQ(config->upstreams.size(), 3u);
  EXPECT_EQ(config->upstreams[0].service, "demo.users.v1.UserService");
  EXPECT_EQ(config->upstreams[0].addresses, std::vector<std::string>{"127.0.0.1:50051"});
  EXPECT_EQ(config->upstreams[1].service, "demo.orders.v1.OrderService");
  EXPECT_EQ(config->upstreams[1].addresses, std::vector<std::string>{"127.0.0.1:50052"});
  EXPECT_EQ(config->upstreams[2].service, "demo.catalog.v1.CatalogService");
  EXPECT_EQ(config->upstreams[2].addresses, std::vector<std::string>{"127.0.0.1:50053"});
}

TEST(ShippedConfigTest, SpelledOutValuesAreTheDefaults) {
  auto config = LoadGatewayConfig(PROTOGATE_SOURCE_DIR "/config/gateway.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  const GatewayConfig defaults;
  const UpstreamConfig upstream_defaults;
  EXPECT_EQ(config->threads, defaults.threads);
  EXPECT_EQ(config->log_level, defaults.log_level);
  EXPECT_EQ(config->access_log, defaults.access_log);
  EXPECT_EQ(config->limits.max_header_bytes, defaults.limits.max_header_bytes);
  EXPECT_EQ(config->limits.max_body_bytes, defaults.limits.max_body_bytes);
  EXPECT_EQ(config->limits.read_timeout, defaults.limits.read_timeout);
  EXPECT_EQ(config->limits.idle_timeout, defaults.limits.idle_timeout);
  EXPECT_EQ(config->drain_timeout, defaults.drain_timeout);
  const TranscodingConfig& t = config->transcoding;
  EXPECT_EQ(t.reject_unknown_query_parameters,
            defaults.transcoding.reject_unknown_query_parameters);
  EXPECT_EQ(t.ignore_unknown_json_fields, defaults.transcoding.ignore_unknown_json_fields);
  EXPECT_EQ(t.use_proto_field_names, defaults.transcoding.use_proto_field_names);
  EXPECT_EQ(t.emit_default_values, defaults.transcoding.emit_default_values);
  EXPECT_EQ(t.enums_as_ints, defaults.transcoding.enums_as_ints);
  EXPECT_EQ(config->forward_headers, defaults.forward_headers);
  for (const UpstreamConfig& upstream : config->upstreams) {
    EXPECT_EQ(upstream.timeout, upstream_defaults.timeout) << upstream.service;
  }
}

}  // namespace
}  // namespace protogate::config
