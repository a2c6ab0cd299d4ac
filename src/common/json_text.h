#pragma once

// The one way the gateway turns a JSON value into text. Values that came
// from outside (header values, claims, request fields) may hold bytes that
// are not valid UTF-8; nlohmann's plain dump() throws on those, and a throw
// on an event loop or a gRPC thread would end the process. JsonText never
// throws: invalid bytes become U+FFFD.
//
// Example:
//   std::string body = common::JsonText({{"request_id", id}});
//
// Pure; safe from any thread. A test keeps plain `.dump(` out of src/.

#include <string>

#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace protogate::common {

// Compact JSON text of `value` (nlohmann::json or ordered_json); `indent`
// >= 0 pretty-prints.
template <typename BasicJson>
std::string JsonText(const BasicJson& value, int indent = -1) {
  return value.dump(indent, ' ', /*ensure_ascii=*/false, BasicJson::error_handler_t::replace);
}

// A JSON string literal (with quotes) holding `text`.
inline std::string JsonQuoted(absl::string_view text) {
  return JsonText(nlohmann::json(std::string(text)));
}

// A client's value as error messages echo it: at most `max` bytes, then
// "...", never cut inside a UTF-8 sequence, so an error body stays small
// whatever the client sent.
inline std::string Shortened(absl::string_view text, size_t max = 64) {
  if (text.size() <= max) return std::string(text);
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  std::string out(text.substr(0, cut));
  out += "...";
  return out;
}

}  // namespace protogate::common
