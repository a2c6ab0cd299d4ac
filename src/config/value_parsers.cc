#include "config/value_parsers.h"

#include <cstdint>
#include <filesystem>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "common/header_names.h"

namespace protogate::config {
namespace {

constexpr absl::string_view kDurationExamples = " (e.g. 250ms, 5s, 1m, 1.5s)";
constexpr absl::string_view kSizeExamples = " (e.g. 16384, 16KiB, 4MiB)";
constexpr size_t kMaxQuotedLength = 64;

bool IsAllDigits(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// A plain number like "5" or "1.5": the usual mistake is a forgotten unit, so
// it gets its own message rather than "invalid duration".
bool LooksLikeBareNumber(absl::string_view text) {
  absl::ConsumePrefix(&text, "-");
  bool digit = false;
  for (char c : text) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      digit = true;
    } else if (c != '.') {
      return false;
    }
  }
  return digit;
}

absl::StatusOr<int> ParsePort(absl::string_view port, absl::string_view whole) {
  if (port.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("missing port in ", QuoteForMessage(whole), ", expected host:port"));
  }
  int value = 0;
  if (port.size() > 5 || !IsAllDigits(port) || !absl::SimpleAtoi(port, &value) || value > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("invalid port ", QuoteForMessage(port), " in ",
                                                   QuoteForMessage(whole),
                                                   ", expected a number in 0..65535"));
  }
  return value;
}

bool IsHostnameOrIpv4(absl::string_view host) {
  if (host.empty() || host.front() == '.' || host.front() == '-') return false;
  for (char c : host) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') {
      return false;
    }
  }
  return true;
}

bool IsIpv6Literal(absl::string_view host) {
  if (host.find(':') == absl::string_view::npos) return false;
  for (char c : host) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
  }
  return true;
}

absl::StatusOr<HostPort> ParseBracketedHostPort(absl::string_view text) {
  const size_t close = text.find(']');
  if (close == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("missing ']' in ", QuoteForMessage(text), ", expected [ipv6]:port"));
  }
  absl::string_view host = text.substr(1, close - 1);
  absl::string_view rest = text.substr(close + 1);
  if (!IsIpv6Literal(host)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid IPv6 address ", QuoteForMessage(host),
                                                   " in ", QuoteForMessage(text)));
  }
  if (!absl::ConsumePrefix(&rest, ":")) {
    return absl::InvalidArgumentError(
        absl::StrCat("missing port in ", QuoteForMessage(text), ", expected [ipv6]:port"));
  }
  auto port = ParsePort(rest, text);
  if (!port.ok()) return port.status();
  return HostPort{std::string(host), *port};
}

}  // namespace

absl::StatusOr<std::chrono::milliseconds> ParseDuration(absl::string_view text) {
  if (text.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("empty duration", kDurationExamples));
  }
  if (LooksLikeBareNumber(text)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid duration ", QuoteForMessage(text),
                                                   ": missing unit", kDurationExamples));
  }
  if (text.front() == '-') {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid duration ", QuoteForMessage(text), ": must not be negative"));
  }
  absl::Duration duration;
  // Abseil also takes "+5s" and "inf"; neither belongs in a config file.
  if (text.front() == '+' || text == "inf" || !absl::ParseDuration(text, &duration)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid duration ", QuoteForMessage(text), kDurationExamples));
  }
  if (duration > absl::FromChrono(kMaxDuration)) {
    return absl::InvalidArgumentError(
        absl::StrCat("duration ", QuoteForMessage(text), " is too long (at most 24h)"));
  }
  if (duration % absl::Milliseconds(1) != absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("duration ", QuoteForMessage(text), " is not a whole number of milliseconds"));
  }
  return std::chrono::milliseconds(absl::ToInt64Milliseconds(duration));
}

absl::StatusOr<size_t> ParseByteSize(absl::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[digits]))) {
    ++digits;
  }
  if (!text.empty() && text.front() == '-') {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid size ", QuoteForMessage(text), ": must not be negative"));
  }
  if (digits == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid size ", QuoteForMessage(text), kSizeExamples));
  }
  const absl::string_view unit = text.substr(digits);
  uint64_t multiplier = 0;
  if (unit.empty() || unit == "B") {
    multiplier = 1;
  } else if (unit == "KiB") {
    multiplier = uint64_t{1} << 10;
  } else if (unit == "MiB") {
    multiplier = uint64_t{1} << 20;
  } else if (unit == "GiB") {
    multiplier = uint64_t{1} << 30;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("invalid size ", QuoteForMessage(text),
                                                   ": unknown unit ", QuoteForMessage(unit),
                                                   " (use B, KiB, MiB or GiB)"));
  }
  uint64_t number = 0;
  if (!absl::SimpleAtoi(text.substr(0, digits), &number) ||
      number > std::numeric_limits<size_t>::max() / multiplier) {
    return absl::InvalidArgumentError(
        absl::StrCat("size ", QuoteForMessage(text), " is too large"));
  }
  return static_cast<size_t>(number * multiplier);
}

absl::StatusOr<HostPort> ParseHostPort(absl::string_view text) {
  if (text.empty()) {
    return absl::InvalidArgumentError("empty address, expected host:port");
  }
  if (absl::StrContains(text, "/")) {
    return absl::InvalidArgumentError(absl::StrCat("invalid address ", QuoteForMessage(text),
                                                   ", expected host:port (no scheme or path)"));
  }
  if (text.front() == '[') return ParseBracketedHostPort(text);
  const size_t colon = text.rfind(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("missing port in ", QuoteForMessage(text), ", expected host:port"));
  }
  const absl::string_view host = text.substr(0, colon);
  if (host.find(':') != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("IPv6 address ", QuoteForMessage(text), " needs brackets, e.g. [::1]:8080"));
  }
  if (!IsHostnameOrIpv4(host)) {
    return absl::InvalidArgumentError(
        absl::StrCat(host.empty() ? "missing host in " : "invalid host in ", QuoteForMessage(text),
                     ", expected host:port (e.g. 127.0.0.1:50051, localhost:8080, [::1]:8080)"));
  }
  auto port = ParsePort(text.substr(colon + 1), text);
  if (!port.ok()) return port.status();
  return HostPort{std::string(host), *port};
}

bool IsIdentifier(absl::string_view text) {
  if (text.empty()) return false;
  if (absl::ascii_isdigit(static_cast<unsigned char>(text.front()))) return false;
  for (char c : text) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

bool IsDottedIdentifier(absl::string_view text) {
  while (true) {
    const size_t dot = text.find('.');
    if (!IsIdentifier(text.substr(0, dot))) return false;
    if (dot == absl::string_view::npos) return true;
    text.remove_prefix(dot + 1);
  }
}

absl::StatusOr<std::string> NormalizeForwardHeader(absl::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("empty header name");
  std::string lower = common::LowercaseHeaderName(name);
  for (char c : lower) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c)) &&
        !absl::ascii_islower(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid header name ", QuoteForMessage(name),
                       ": use letters, digits, '-', '_' and '.' (gRPC metadata keys)"));
    }
  }
  if (absl::StartsWith(lower, "grpc-")) {
    return absl::InvalidArgumentError(absl::StrCat("header ", QuoteForMessage(lower),
                                                   " cannot be forwarded: grpc-* is reserved"));
  }
  if (absl::EndsWith(lower, "-bin")) {
    return absl::InvalidArgumentError(
        absl::StrCat("header ", QuoteForMessage(lower),
                     " cannot be forwarded: gRPC treats *-bin keys as base64 binary metadata"));
  }
  // Hop-by-hop headers and those the gRPC transport writes itself; forwarding
  // them would corrupt the upstream call rather than inform it. The gateway's
  // metadata filter drops them too, so listing one could never take effect.
  for (absl::string_view reserved : {"connection", "keep-alive", "transfer-encoding", "upgrade",
                                     "te", "trailer", "host", "content-type", "content-length"}) {
    if (lower == reserved || absl::StartsWith(lower, "proxy-")) {
      return absl::InvalidArgumentError(
          absl::StrCat("header ", QuoteForMessage(lower),
                       " cannot be forwarded: it belongs to the HTTP/gRPC transport"));
    }
  }
  return lower;
}

std::string QuoteForMessage(absl::string_view text) {
  const bool cut = text.size() > kMaxQuotedLength;
  if (cut) text = text.substr(0, kMaxQuotedLength);
  return absl::StrCat("\"", absl::CHexEscape(text), cut ? "...\"" : "\"");
}

std::string ResolveNextTo(absl::string_view source_name, const std::string& path) {
  const std::filesystem::path relative(path);
  const std::filesystem::path folder =
      std::filesystem::path(std::string(source_name)).parent_path();
  if (relative.is_absolute() || folder.empty()) return path;
  return (folder / relative).string();
}

}  // namespace protogate::config
