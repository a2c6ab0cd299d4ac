#pragma once

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"

namespace protogate::common {

// HTTP header names are case-insensitive; the gateway keeps them lowercase
// everywhere (HTTP/2 and gRPC metadata require it anyway).
inline std::string LowercaseHeaderName(absl::string_view name) {
  return absl::AsciiStrToLower(name);
}

}  // namespace protogate::common
