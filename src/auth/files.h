#pragma once

// Reading key material and writing the published JWKS. Blocking file I/O:
// for snapshot construction (a control thread), not for requests.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace protogate::auth {

// The whole file; NotFound / InvalidArgument naming `path` (and `what`).
absl::StatusOr<std::string> ReadKeyFile(const std::string& path, absl::string_view what);

// Writes to "<path>.tmp" then renames, so that readers never see half a file.
// Missing parent folders are created (an output path such as build/demo/… may
// name a folder nothing has made yet).
absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents);

}  // namespace protogate::auth
