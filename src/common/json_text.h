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

#include "nlohmann/json.hpp"

namespace protogate::common {

// Compact JSON text of `value`; `indent` >= 0 pretty-prints.
inline std::string JsonText(const nlohmann::json& value, int indent = -1) {
  return value.dump(indent, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
}

}  // namespace protogate::common
