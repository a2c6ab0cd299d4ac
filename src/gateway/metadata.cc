#include "gateway/metadata.h"

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

}  // namespace

upstream::Metadata ForwardedMetadata(const http::HeaderList& headers,
                                     const std::vector<std::string>& allow_list) {
  upstream::Metadata metadata;
  for (const auto& [name, value] : headers) {
    if (absl::StartsWith(name, kGrpcMetadataPrefix)) {
      std::string key(name.substr(kGrpcMetadataPrefix.size()));
      if (!key.empty() && !IsHopByHop(key)) metadata.emplace_back(std::move(key), value);
    } else if (!IsHopByHop(name) && InAllowList(name, allow_list)) {
      metadata.emplace_back(name, value);
    }
  }
  return metadata;
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
