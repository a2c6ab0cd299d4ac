#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "transcode/request_transcoder.h"

namespace protogate::transcode {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

absl::StatusOr<std::string> FormDecode(absl::string_view raw) {
  std::string decoded;
  decoded.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '+') {
      decoded.push_back(' ');
    } else if (c != '%') {
      decoded.push_back(c);
    } else {
      const bool complete = i + 2 < raw.size();
      const int hi = complete ? HexValue(raw[i + 1]) : -1;
      const int lo = complete ? HexValue(raw[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("malformed percent escape in query string: \"", raw.substr(i, 3), "\""));
      }
      decoded.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    }
  }
  return decoded;
}

}  // namespace

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseQueryString(
    absl::string_view raw) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (absl::string_view piece : absl::StrSplit(raw, '&', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> name_value =
        absl::StrSplit(piece, absl::MaxSplits('=', 1));
    auto name = FormDecode(name_value.first);
    if (!name.ok()) return name.status();
    auto value = FormDecode(name_value.second);
    if (!value.ok()) return value.status();
    pairs.emplace_back(*std::move(name), *std::move(value));
  }
  return pairs;
}

}  // namespace protogate::transcode
