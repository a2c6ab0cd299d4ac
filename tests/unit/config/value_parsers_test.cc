#include "config/value_parsers.h"

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace protogate::config {
namespace {

using std::chrono::milliseconds;

::testing::AssertionResult Contains(absl::string_view text, absl::string_view fragment) {
  if (absl::StrContains(text, fragment)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" lacks \"" << fragment << "\"";
}

struct DurationCase {
  const char* text;
  int64_t millis;
};

TEST(ParseDurationTest, AcceptsUnitsAndFractions) {
  const DurationCase cases[] = {
      {"250ms", 250},    {"5s", 5000},    {"1m", 60000},    {"1h", 3600000},
      {"1.5s", 1500},    {"0.25s", 250},  {"1m30s", 90000}, {"2h45m", 9900000},
      {"0s", 0},         {"0ms", 0},      {"1000us", 1},    {"2000000ns", 2},
      {"24h", 86400000}, {"1.5m", 90000}, {"15s", 15000},   {"100ms", 100},
  };
  for (const DurationCase& c : cases) {
    auto parsed = ParseDuration(c.text);
    ASSERT_TRUE(parsed.ok()) << c.text << ": " << parsed.status();
    EXPECT_EQ(*parsed, milliseconds(c.millis)) << c.text;
  }
}

struct RejectCase {
  const char* text;
  const char* fragment;
};

TEST(ParseDurationTest, RejectsWithReason) {
  const RejectCase cases[] = {
      {"", "empty duration"},
      {"5", "missing unit"},
      {"0", "missing unit"},
      {"1.5", "missing unit"},
      {"-5", "missing unit"},
      {"-5s", "must not be negative"},
      {"+5s", "invalid duration"},
      {"5 s", "invalid duration \"5 s\" (e.g. 250ms, 5s, 1m, 1.5s)"},
      {"5sec", "invalid duration"},
      {"5d", "invalid duration"},
      {"s", "invalid duration"},
      {"inf", "invalid duration"},
      {"fast", "invalid duration"},
      {"25h", "too long (at most 24h)"},
      {"99999999999999999999h", "invalid duration"},
      {"100us", "not a whole number of milliseconds"},
      {"1.0005s", "not a whole number of milliseconds"},
  };
  for (const RejectCase& c : cases) {
    auto parsed = ParseDuration(c.text);
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(Contains(parsed.status().message(), c.fragment)) << c.text;
  }
}

struct SizeCase {
  const char* text;
  uint64_t bytes;
};

TEST(ParseByteSizeTest, AcceptsBytesAndBinaryUnits) {
  const SizeCase cases[] = {
      {"0", 0},         {"16384", 16384},  {"512B", 512},
      {"16KiB", 16384}, {"4MiB", 4194304}, {"1GiB", 1073741824},
      {"007", 7},       {"0KiB", 0},       {"1024MiB", 1073741824},
  };
  for (const SizeCase& c : cases) {
    auto parsed = ParseByteSize(c.text);
    ASSERT_TRUE(parsed.ok()) << c.text << ": " << parsed.status();
    EXPECT_EQ(*parsed, c.bytes) << c.text;
  }
}

TEST(ParseByteSizeTest, RejectsWithReason) {
  const RejectCase cases[] = {
      {"", "invalid size \"\" (e.g. 16384, 16KiB, 4MiB)"},
      {"-1", "must not be negative"},
      {"-4MiB", "must not be negative"},
      {"KiB", "invalid size"},
      {"16KB", "unknown unit \"KB\" (use B, KiB, MiB or GiB)"},
      {"16k", "unknown unit \"k\""},
      {"4MB", "unknown unit"},
      {"4mib", "unknown unit"},
      {"16 KiB", "unknown unit \" KiB\""},
      {"1.5MiB", "unknown unit \".5MiB\""},
      {"0x10", "unknown unit"},
      {"18446744073709551616", "too large"},
      {"17179869184GiB", "too large"},
  };
  for (const RejectCase& c : cases) {
    auto parsed = ParseByteSize(c.text);
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_TRUE(Contains(parsed.status().message(), c.fragment)) << c.text;
  }
}

TEST(ParseByteSizeTest, LargestValueFits) {
  auto parsed = ParseByteSize(std::to_string(std::numeric_limits<size_t>::max()));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, std::numeric_limits<size_t>::max());
}

struct HostPortCase {
  const char* text;
  const char* host;
  int port;
};

TEST(ParseHostPortTest, AcceptsHostnamesAndAddresses) {
  const HostPortCase cases[] = {
      {"0.0.0.0:8080", "0.0.0.0", 8080},
      {"127.0.0.1:50051", "127.0.0.1", 50051},
      {"localhost:0", "localhost", 0},
      {"users.internal.example:443", "users.internal.example", 443},
      {"my_host-1:65535", "my_host-1", 65535},
      {"[::1]:8080", "::1", 8080},
      {"[::]:80", "::", 80},
      {"[2001:db8::1]:50051", "2001:db8::1", 50051},
      {"[::ffff:10.0.0.1]:1", "::ffff:10.0.0.1", 1},
  };
  for (const HostPortCase& c : cases) {
    auto parsed = ParseHostPort(c.text);
    ASSERT_TRUE(parsed.ok()) << c.text << ": " << parsed.status();
    EXPECT_EQ(parsed->host, c.host) << c.text;
    EXPECT_EQ(parsed->port, c.port) << c.text;
  }
}

TEST(ParseHostPortTest, RejectsWithReason) {
  const RejectCase cases[] = {
      {"", "empty address, expected host:port"},
      {"8080", "missing port in \"8080\", expected host:port"},
      {"localhost", "missing port"},
      {"localhost:", "missing port"},
      {":8080", "missing host"},
      {"host:http", "invalid port \"http\""},
      {"host:65536", "invalid port \"65536\""},
      {"host:-1", "invalid port \"-1\""},
      {"host:+80", "invalid port"},
      {"host:000080", "invalid port"},
      {"::1:8080", "needs brackets, e.g. [::1]:8080"},
      {"[::1]", "missing port"},
      {"[::1]8080", "missing port"},
      {"[::1:8080", "missing ']'"},
      {"[]:80", "invalid IPv6 address"},
      {"[localhost]:80", "invalid IPv6 address"},
      {"bad host:80", "invalid host"},
      {"-host:80", "invalid host"},
      {"http://host:80", "no scheme or path"},
      {"dns:///host:80", "no scheme or path"},
      {"unix:/tmp/sock", "no scheme or path"},
      {"host:80/path", "no scheme or path"},
  };
  for (const RejectCase& c : cases) {
    auto parsed = ParseHostPort(c.text);
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_TRUE(Contains(parsed.status().message(), c.fragment)) << c.text;
  }
}

TEST(IdentifierTest, SimpleIdentifiers) {
  for (const char* ok : {"GetUser", "_x", "a1", "get_user"}) EXPECT_TRUE(IsIdentifier(ok)) << ok;
  for (const char* bad : {"", "1a", "Get.User", "Get-User", "/GetUser", "Get User"}) {
    EXPECT_FALSE(IsIdentifier(bad)) << bad;
  }
}

TEST(IdentifierTest, DottedIdentifiers) {
  for (const char* ok : {"demo.users.v1.UserService", "Greeter", "a._b.c1"}) {
    EXPECT_TRUE(IsDottedIdentifier(ok)) << ok;
  }
  for (const char* bad : {"", ".demo.Users", "demo.Users.", "demo..Users", "demo.1users.S",
                          "demo/Users", "demo.users.v1.UserService/GetUser"}) {
    EXPECT_FALSE(IsDottedIdentifier(bad)) << bad;
  }
}

TEST(NormalizeForwardHeaderTest, LowercasesValidNames) {
  EXPECT_EQ(*NormalizeForwardHeader("Authorization"), "authorization");
  EXPECT_EQ(*NormalizeForwardHeader("X-Request-ID"), "x-request-id");
  EXPECT_EQ(*NormalizeForwardHeader("traceparent"), "traceparent");
  EXPECT_EQ(*NormalizeForwardHeader("x_custom.v1"), "x_custom.v1");
}

TEST(NormalizeForwardHeaderTest, RejectsInvalidAndReservedNames) {
  const RejectCase cases[] = {
      {"", "empty header name"},
      {"x request", "invalid header name \"x request\""},
      {"x:y", "invalid header name"},
      {":authority", "invalid header name"},
      {"x-caf\xc3\xa9", "invalid header name"},
      {"grpc-timeout", "grpc-* is reserved"},
      {"GRPC-Status", "grpc-* is reserved"},
      {"x-trace-bin", "binary metadata"},
      {"Connection", "belongs to the HTTP/gRPC transport"},
      {"te", "transport"},
      {"host", "transport"},
      {"content-type", "transport"},
      {"transfer-encoding", "transport"},
      {"trailer", "transport"},
      {"Proxy-Authorization", "transport"},
  };
  for (const RejectCase& c : cases) {
    auto parsed = NormalizeForwardHeader(c.text);
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_TRUE(Contains(parsed.status().message(), c.fragment)) << c.text;
  }
}

TEST(QuoteForMessageTest, EscapesAndTruncates) {
  EXPECT_EQ(QuoteForMessage("abc"), "\"abc\"");
  EXPECT_EQ(QuoteForMessage("a\"b\n"), "\"a\\\"b\\n\"");
  EXPECT_EQ(QuoteForMessage(std::string(100, 'x')), "\"" + std::string(64, 'x') + "...\"");
}

}  // namespace
}  // namespace protogate::config
