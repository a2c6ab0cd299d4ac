#include "routes/api_diff.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace protogate::routes {
namespace {

const char* Marker(ApiChange::Kind kind) {
  switch (kind) {
    case ApiChange::Kind::kAdded:
      return "+";
    case ApiChange::Kind::kRemoved:
      return "-";
    case ApiChange::Kind::kChanged:
      return "~";
  }
  return "?";
}

}  // namespace

bool ApiDiff::breaking() const {
  return std::any_of(changes.begin(), changes.end(), [](const ApiChange& c) { return c.breaking; });
}

std::string ApiDiff::ToString() const {
  std::string out;
  int counts[3] = {0, 0, 0};
  for (const ApiChange& change : changes) {
    ++counts[static_cast<int>(change.kind)];
    absl::StrAppend(&out, Marker(change.kind), " ", change.subject);
    if (change.breaking) {
      absl::StrAppend(
          &out, change.kind == ApiChange::Kind::kRemoved ? "  BREAKING: removed" : "  BREAKING");
    }
    absl::StrAppend(&out, "\n");
    for (const std::string& detail : change.details) absl::StrAppend(&out, "    ", detail, "\n");
  }
  absl::StrAppend(&out, counts[0], " added, ", counts[1], " removed, ", counts[2], " changed",
                  breaking() ? " (breaking)" : "", "\n");
  return out;
}

}  // namespace protogate::routes
