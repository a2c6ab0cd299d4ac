#include "auth/base64url.h"

#include "absl/strings/escaping.h"

namespace protogate::auth {
namespace {

int ValueOf(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

std::string Base64UrlEncode(absl::string_view bytes) { return absl::WebSafeBase64Escape(bytes); }

std::optional<std::string> Base64UrlDecode(absl::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  for (char c : text) {
    if (ValueOf(c) < 0) return std::nullopt;
  }
  // Abseil tolerates padding and non-zero trailing bits; both were excluded
  // above or are checked here.
  if (!text.empty()) {
    const int last = ValueOf(text.back());
    if (text.size() % 4 == 2 && (last & 0x0f) != 0) return std::nullopt;
    if (text.size() % 4 == 3 && (last & 0x03) != 0) return std::nullopt;
  }
  std::string out;
  if (!absl::WebSafeBase64Unescape(text, &out)) return std::nullopt;
  return out;
}

}  // namespace protogate::auth
