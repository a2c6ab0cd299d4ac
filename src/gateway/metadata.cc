#include "gateway/metadata.h"

#include <algorithm>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace protogate::gateway {
namespace {

constexpr absl::string_view kGrpcMetadataPrefix = "grpc-metadata-";

bool IsHopByHop(absl::string_view name) {
  return name == "connection" || name == "keep-alive" || name == "te" ||
         name == "transfer-encoding" || name == "upgrade" || name == "trailer" || name == "host" ||
         name == "content-length" || absl::StartsWith(name, "proxy-");
}

bool InAllowList(absl::string_view name, const std::vector<std::string>& allow_list) {
  for (const std::string& allowed : allow_list) {
    if (allowed == name) return true;
  }
  return false;
}

bool IsMetadataKeyChar(char c) {
  return absl::ascii_isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'z') || c == '-' ||
         c == '_' || c == '.';
}

bool IsPrintableAscii(absl::string_view value) {
  for (char c : value) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// `name` is the header as received (lowercase; a token, so safe to quote).
absl::Status CheckMetadata(absl::string_view name, absl::string_view key, absl::string_view value) {
  if (!std::all_of(key.begin(), key.end(), IsMetadataKeyChar)) {
    return absl::InvalidArgumentError(
        absl::StrCat("header ", name, ": \"", key,
                     "\" is not a gRPC metadata key (letters, digits, '-', '_', '.')"));
  }
  if (!absl::EndsWith(key, "-bin") && !IsPrintableAscii(value)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "header ", name,
        ": the value must be printable ASCII to become gRPC metadata (send binary values "
        "as Grpc-Metadata-<name>-bin)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<upstream::Metadata> ForwardedMetadata(const http::HeaderList& headers,
                                                     const std::vector<std::string>& allow_list) {
  upstream::Metadata metadata;
  for (const auto& [name, value] : headers) {
    absl::string_view key = name;
    if (absl::StartsWith(name, kGrpcMetadataPrefix)) {
      key = key.substr(kGrpcMetadataPrefix.size());
    } else if (!InAllowList(name, allow_list)) {
      continue;
    }
    if (key.empty() || IsHopByHop(key) || absl::StartsWith(key, "grpc-")) continue;
    // The gateway sends its own request id (the client's only when it is safe).
    if (key == "x-request-id") continue;
    if (absl::Status status = CheckMetadata(name, key, value); !status.ok()) return status;
    metadata.emplace_back(std::string(key), value);
  }
  return metadata;
}

bool IsSafeRequestId(absl::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) &&
        absl::string_view("-_.:+/=@").find(c) == absl::string_view::npos) {
      return false;
    }
  }
  return true;
}

void AppendResponseMetadata(const upstream::Metadata& metadata, http::HeaderList& headers) {
  for (const auto& [key, value] : metadata) {
    std::string name = absl::StrCat("Grpc-Metadata-", key);
    if (absl::EndsWith(key, "-bin")) {
      headers.emplace_back(std::move(name), absl::Base64Escape(value));
    } else {
      headers.emplace_back(std::move(name), value);
    }
  }
}

std::optional<absl::Duration> ParseGrpcTimeout(absl::string_view value) {
  if (value.size() < 2 || value.size() > 9) return std::nullopt;
  int64_t amount = 0;
  if (!absl::SimpleAtoi(value.substr(0, value.size() - 1), &amount) || amount < 0) {
    return std::nullopt;
  }
  for (char c : value.substr(0, value.size() - 1)) {
    if (!absl::ascii_isdigit(c)) return std::nullopt;
  }
  switch (value.back()) {
    case 'H':
      return absl::Hours(amount);
    case 'M':
      return absl::Minutes(amount);
    case 'S':
      return absl::Seconds(amount);
    case 'm':
      return absl::Milliseconds(amount);
    case 'u':
      return absl::Microseconds(amount);
    case 'n':
      return absl::Nanoseconds(amount);
    default:
      return std::nullopt;
  }
}

std::string NewRequestId() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  uint64_t high = engine();
  uint64_t low = engine();
  std::string id(32, '0');
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 16; ++i) {
    id[15 - i] = kHex[(high >> (4 * i)) & 0xf];
    id[31 - i] = kHex[(low >> (4 * i)) & 0xf];
  }
  return id;
}

}  // namespace protogate::gateway
