#pragma once

// Percent-encoding helpers shared by the template parser and the route
// table. Internal to src/routing; other stages should not include this.
//
// All functions are pure and thread-safe.

#include <string>

#include "absl/strings/string_view.h"

namespace protogate::routing {

// True for [0-9A-Fa-f].
bool IsHexDigit(char c);

// True when every '%' in `s` is followed by two hex digits.
bool IsValidPercentEncoding(absl::string_view s);

// RFC 3986 pchar without percent-escapes: unreserved, sub-delims, ':', '@'.
bool IsPathChar(char c);

// RFC 6570 reserved characters: ":/?#[]@!$&'()*+,;=".
bool IsReservedChar(char c);

// Appends `raw` with every escape decoded. Requires IsValidPercentEncoding(raw).
void AppendPercentDecoded(absl::string_view raw, std::string* out);

// Appends `raw` with escapes decoded, except those decoding to a reserved
// character, which stay exactly as written ("%2f" stays "%2f"). Requires
// IsValidPercentEncoding(raw).
void AppendPartiallyDecoded(absl::string_view raw, std::string* out);

// Encodes a decoded literal so that the template parser reads it back as the
// same literal: keeps path chars except '*' (and ':' when `encode_colon`),
// escapes everything else.
std::string EncodeLiteral(absl::string_view decoded, bool encode_colon);

}  // namespace protogate::routing
