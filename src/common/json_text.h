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

}  // namespace protogate::common
