#include "routing/percent_encoding.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace protogate::routing {
namespace {

constexpr char kUpperHex[] = "0123456789ABCDEF";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

char DecodeEscape(absl::string_view raw, size_t i) {
  return static_cast<char>(HexValue(raw[i + 1]) * 16 + HexValue(raw[i + 2]));
}

void AppendEscape(char c, std::string* out) {
  const auto byte = static_cast<unsigned char>(c);
  out->push_back('%');
  out->push_back(kUpperHex[byte >> 4]);
  out->push_back(kUpperHex[byte & 0xF]);
}

}  // namespace

bool IsHexDigit(char c) { return absl::ascii_isxdigit(static_cast<unsigned char>(c)); }

bool IsValidPercentEncoding(absl::string_view s) {
  // find() is memchr: most paths have no '%' at all, and this runs on every request.
  for (size_t i = s.find('%'); i != absl::string_view::npos; i = s.find('%', i + 3)) {
    if (i + 2 >= s.size() || !IsHexDigit(s[i + 1]) || !IsHexDigit(s[i + 2])) return false;
  }
  return true;
}

bool IsPathChar(char c) {
  constexpr absl::string_view kUnreservedPunctuation = "-._~";
  constexpr absl::string_view kSubDelims = "!$&'()*+,;=";
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::StrContains(kUnreservedPunctuation, c) || absl::StrContains(kSubDelims, c) ||
         c == ':' || c == '@';
}

bool IsReservedChar(char c) {
  constexpr absl::string_view kReserved = ":/?#[]@!$&'()*+,;=";
  return absl::StrContains(kReserved, c);
}

void AppendPercentDecoded(absl::string_view raw, std::string* out) {
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%') {
      out->push_back(DecodeEscape(raw, i));
      i += 2;
    } else {
      out->push_back(raw[i]);
    }
  }
}

void AppendPartiallyDecoded(absl::string_view raw, std::string* out) {
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '%') {
      out->push_back(raw[i]);
      continue;
    }
    const char decoded = DecodeEscape(raw, i);
    if (IsReservedChar(decoded)) {
      // Exactly as the client wrote it (google.api.http: reserved escapes of
      // a multi-segment variable are left unchanged, case included).
      out->append(raw.data() + i, 3);
    } else {
      out->push_back(decoded);
    }
    i += 2;
  }
}

std::string EncodeLiteral(absl::string_view decoded, bool encode_colon) {
  std::string out;
  out.reserve(decoded.size());
  for (char c : decoded) {
    // '*' would read back as a wildcard, ':' in the last segment as a verb.
    const bool keep = IsPathChar(c) && c != '*' && !(encode_colon && c == ':');
    if (keep) {
      out.push_back(c);
    } else {
      AppendEscape(c, &out);
    }
  }
  return out;
}

}  // namespace protogate::routing
