#include "graphql/error.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/json_text.h"

namespace protogate::graphql {

Error CallError(const absl::Status& status, const std::string& details, Location location,
                std::vector<PathElement> path) {
  std::string message(status.message());
  if (message.empty()) message = absl::StatusCodeToString(status.code());
  return Error{.message = std::move(message),
               .locations = {location},
               .path = std::move(path),
               .extensions = absl::StrCat(
                   "\"code\":", common::JsonQuoted(absl::StatusCodeToString(status.code())),
                   ",\"grpcStatus\":", static_cast<int>(status.code()),
                   ",\"details\":", details.empty() ? "[]" : details)};
}

}  // namespace protogate::graphql
