// Fuzzes HttpTemplate::Parse: it must never crash, and a template it accepts
// must survive ToString() -> Parse() unchanged. Accepted templates are also
// matched against a path derived from the same bytes, to exercise the route
// table on odd shapes.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "routing/http_template.h"
#include "routing/route_table.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

void CheckRoundTrip(const protogate::routing::HttpTemplate& tmpl) {
  const std::string text = tmpl.ToString();
  absl::StatusOr<protogate::routing::HttpTemplate> again =
      protogate::routing::HttpTemplate::Parse(text);
  Check(again.ok());
  Check(again->segments() == tmpl.segments());
  Check(again->variables() == tmpl.variables());
  Check(again->verb() == tmpl.verb());
  Check(again->ToString() == text);
}

void CheckMatchIsSafe(const protogate::routing::HttpTemplate& tmpl, absl::string_view path) {
  protogate::routing::RouteTable::Builder builder;
  Check(builder.Add("GET", tmpl, 1, "fuzz").ok());
  absl::StatusOr<protogate::routing::RouteTable> table = std::move(builder).Build();
  Check(table.ok());
  absl::StatusOr<protogate::routing::RouteMatch> match = table->Match("GET", path);
  if (match.ok()) {
    Check(match->route_id == 1);
    Check(match->bindings.size() == tmpl.variables().size());
  }
  Check(table->AllowedMethods(path).size() == (match.ok() ? 1u : 0u));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  // Input: TEMPLATE [ '\n' PATH ].
  const size_t newline = input.find('\n');
  const absl::string_view text = input.substr(0, newline);
  absl::StatusOr<protogate::routing::HttpTemplate> tmpl =
      protogate::routing::HttpTemplate::Parse(text);
  if (!tmpl.ok()) {
    Check(tmpl.status().code() == absl::StatusCode::kInvalidArgument);
    return 0;
  }
  CheckRoundTrip(*tmpl);
  // A template's own text, read as a path, must be safe to match too.
  const absl::string_view path =
      newline == absl::string_view::npos ? text : input.substr(newline + 1);
  CheckMatchIsSafe(*tmpl, path);
  return 0;
}
