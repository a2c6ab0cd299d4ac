#include "http/message.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

namespace protogate::http {

absl::string_view Request::Header(absl::string_view lowercase_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lowercase_name) return value;
  }
  return {};
}

bool Request::AcceptsTrailers() const {
  for (const auto& [name, value] : headers) {
    if (name != "te") continue;
    for (absl::string_view coding : absl::StrSplit(value, ',')) {
      coding = coding.substr(0, coding.find(';'));
      if (absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(coding), "trailers")) return true;
    }
  }
  return false;
}

absl::string_view Request::Path() const {
  absl::string_view t(target);
  return t.substr(0, t.find('?'));
}

absl::string_view Request::Query() const {
  absl::string_view t(target);
  const size_t q = t.find('?');
  return q == absl::string_view::npos ? absl::string_view() : t.substr(q + 1);
}

}  // namespace protogate::http
