#pragma once

// UTF-8 as the parsers of client input (strict JSON, JSON to wire, GraphQL)
// read and write it: one definition of a well-formed sequence, one encoder.
//
// Example:
//   size_t n = common::Utf8SequenceLength(bytes + i, size - i);  // 0: malformed
//   common::AppendUtf8(0x1F600, &out);                          // "\xF0\x9F\x98\x80"
//
// Pure; safe from any thread.

#include <cstddef>
#include <cstdint>
#include <string>

namespace protogate::common {

// The length of the well-formed UTF-8 sequence at `p` (1 for ASCII; Unicode
// 15, table 3-7: no overlong forms, no surrogates, nothing past U+10FFFF),
// or 0. `available` > 0 bytes may be read.
inline size_t Utf8SequenceLength(const unsigned char* p, size_t available) {
  const unsigned char lead = p[0];
  auto continuation = [&](size_t i, unsigned char low = 0x80, unsigned char high = 0xBF) {
    return i < available && p[i] >= low && p[i] <= high;
  };
  if (lead < 0x80) return 1;
  if (lead < 0xC2) return 0;
  if (lead < 0xE0) return continuation(1) ? 2 : 0;
  if (lead < 0xF0) {
    const unsigned char low = lead == 0xE0 ? 0xA0 : 0x80;
    const unsigned char high = lead == 0xED ? 0x9F : 0xBF;
    return continuation(1, low, high) && continuation(2) ? 3 : 0;
  }
  if (lead < 0xF5) {
    const unsigned char low = lead == 0xF0 ? 0x90 : 0x80;
    const unsigned char high = lead == 0xF4 ? 0x8F : 0xBF;
    return continuation(1, low, high) && continuation(2) && continuation(3) ? 4 : 0;
  }
  return 0;
}

// Appends the UTF-8 encoding of a Unicode scalar value.
inline void AppendUtf8(uint32_t code_point, std::string* out) {
  if (code_point < 0x80) {
    out->push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out->push_back(static_cast<char>(0xC0 | code_point >> 6));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | code_point >> 12));
    out->push_back(static_cast<char>(0x80 | (code_point >> 6 & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | code_point >> 18));
    out->push_back(static_cast<char>(0x80 | (code_point >> 12 & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point >> 6 & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

}  // namespace protogate::common
