#include "observability/log_text.h"

#include <cstdint>

namespace protogate::observability {
namespace {

void AppendHexByte(unsigned char byte, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\x";
  out += kHex[byte >> 4];
  out += kHex[byte & 0xf];
}

// The length of the valid UTF-8 sequence at the start of `text` (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF), or 0.
size_t Utf8SequenceLength(absl::string_view text, uint32_t& code_point) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  size_t length = 0;
  uint32_t min = 0;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2, min = 0x80, code_point = lead & 0x1f;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3, min = 0x800, code_point = lead & 0x0f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4, min = 0x10000, code_point = lead & 0x07;
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xc0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i) & 0x3f);
  }
  if (code_point < min || code_point > 0x10ffff) return 0;
  if (code_point >= 0xd800 && code_point <= 0xdfff) return 0;
  return length;
}

// Valid, but a terminal or a line splitter would act on it.
bool IsUnsafeCodePoint(uint32_t code_point) {
  return (code_point >= 0x80 && code_point <= 0x9f) || code_point == 0x2028 || code_point == 0x2029;
}

}  // namespace

void AppendLogEscaped(absl::string_view text, LogEscape mode, std::string& out) {
  out.reserve(out.size() + text.size());
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      uint32_t code_point = 0;
      const size_t length = Utf8SequenceLength(text.substr(i), code_point);
      if (length == 0) {
        AppendHexByte(c, out);
        ++i;
        continue;
      }
      if (IsUnsafeCodePoint(code_point)) {
        for (size_t j = 0; j < length; ++j)
          AppendHexByte(static_cast<unsigned char>(text[i + j]), out);
      } else {
        out.append(text.data() + i, length);
      }
      i += length;
      continue;
    }
    ++i;
    switch (c) {
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\\':
        out += mode == LogEscape::kLine ? "\\" : "\\\\";
        continue;
      case '"':
        out += mode == LogEscape::kQuoted ? "\\\"" : "\"";
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == 0x7f) {
      AppendHexByte(c, out);
    } else {
      out += static_cast<char>(c);
    }
  }
}

std::string EscapeLogText(absl::string_view text, LogEscape mode) {
  std::string out;
  AppendLogEscaped(text, mode, out);
  return out;
}

}  // namespace protogate::observability
