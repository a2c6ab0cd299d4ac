// Fuzzes RouteTable against an oracle: each route alone. Input lines are
// templates (GET, alternating with POST every third line), the last line is
// the path. Whatever route the full table picks must also match alone with
// the same bindings, and when the full table finds nothing, no route may
// match alone: backtracking must not lose a match.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "routing/http_template.h"
#include "routing/route_table.h"

namespace {

using protogate::routing::HttpTemplate;
using protogate::routing::RouteMatch;
using protogate::routing::RouteTable;

void Check(bool condition) {
  if (!condition) std::abort();
}

struct Route {
  const char* method;
  HttpTemplate tmpl;
};

RouteTable BuildTable(const std::vector<Route>& routes, const std::vector<int>& ids) {
  RouteTable::Builder builder;
  for (int id : ids) Check(builder.Add(routes[id].method, routes[id].tmpl, id, "r").ok());
  absl::StatusOr<RouteTable> table = std::move(builder).Build();
  Check(table.ok());
  return *std::move(table);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<absl::string_view> lines = absl::StrSplit(input, '\n');
  if (lines.size() < 2 || lines.size() > 16) return 0;
  const absl::string_view path = lines.back();
  lines.pop_back();

  std::vector<Route> routes;
  std::vector<int> accepted;  // routes that do not conflict with an earlier one
  RouteTable::Builder probe;
  for (absl::string_view line : lines) {
    absl::StatusOr<HttpTemplate> tmpl = HttpTemplate::Parse(line);
    if (!tmpl.ok()) continue;
    const int id = static_cast<int>(routes.size());
    routes.push_back({id % 3 == 2 ? "POST" : "GET", *std::move(tmpl)});
    if (probe.Add(routes[id].method, routes[id].tmpl, id, "r").ok()) accepted.push_back(id);
  }
  const RouteTable table = BuildTable(routes, accepted);

  for (const char* method : {"GET", "POST"}) {
    absl::StatusOr<RouteMatch> match = table.Match(method, path);
    bool any_alone = false;
    for (int id : accepted) {
      if (absl::string_view(routes[id].method) != method) continue;
      absl::StatusOr<RouteMatch> alone = BuildTable(routes, {id}).Match(method, path);
      any_alone = any_alone || alone.ok();
      if (match.ok() && match->route_id == id) {
        Check(alone.ok());
        Check(alone->bindings == match->bindings);
      }
    }
    Check(match.ok() == any_alone);
  }
  return 0;
}
