#pragma once

// Base64url without padding (RFC 7515 §2), as used in JWS and JWK.
//
// Decoding is strict: only [A-Za-z0-9_-], no padding, no whitespace, and
// the unused bits of the last character must be zero, so that every byte
// string has exactly one accepted encoding (a token cannot be altered
// without changing its signature input).
//
// Pure functions; thread-safe.

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace protogate::auth {

std::string Base64UrlEncode(absl::string_view bytes);

// nullopt when `text` is not canonical unpadded base64url.
std::optional<std::string> Base64UrlDecode(absl::string_view text);

}  // namespace protogate::auth
