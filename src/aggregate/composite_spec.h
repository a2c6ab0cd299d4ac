#pragma once

// What a composite route is made of, as the plan builder receives it: plain
// values with request templates and the response shape as JSON trees. The
// gateway fills these from the `composites:` config section; tests build
// them directly.
//
// Strings in `request`, `fallback`, `batch.request` and `response` that start
// with '$' are references ("$path.user_id", "$user.profile.region",
// "$orders.orders[*].items[0].product_id"); "$$" starts a literal '$'. The
// grammar and the response-shaping keys ($merge, $drop) are described in
// composite_plan.h.
//
// Plain values: copy them, share them read-only between threads.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace protogate::aggregate {

// Key order is kept: the composed response lists keys as configured.
using Json = nlohmann::ordered_json;

// One call made with the whole for_each list instead of one call per item.
struct BatchSpec {
  std::string method;             // "pkg.Service/Method"
  Json request = Json::object();  // "$items" is the for_each list
  std::string response;           // field path of the batch response holding the results
};

struct CallSpec {
  std::string name;    // an identifier, unique in the composite
  std::string where;   // "gateway.yaml:12:7", for error messages
  std::string method;  // "pkg.Service/Method"; may be empty when `batch` is set
  Json request = Json::object();
  std::optional<std::chrono::milliseconds> timeout;  // default: the upstream's for the method
  bool required = true;
  std::optional<Json> fallback;  // used (optional calls only) when the call fails
  std::string for_each;          // "" or a reference to a list; "$item" is one element
  bool distinct = false;         // drop repeated for_each items (first one kept)
  int concurrency = 0;           // for_each calls in flight at once; 0: kDefaultConcurrency
  std::optional<BatchSpec> batch;
};

struct CompositeSpec {
  std::string name;         // route selector for policies; default "composite:<path>"
  std::string where;        // "gateway.yaml:40:5"
  std::string http_method;  // upper case: "GET", or a custom kind
  std::string path_template;
  std::chrono::milliseconds timeout{5000};  // the whole composite's deadline
  std::vector<CallSpec> calls;              // config order
  std::optional<Json> response;             // shape; absent: every call under its name

  // "composite:/v1/dashboard/{user_id}" unless a name was configured.
  std::string SelectorName() const { return name.empty() ? "composite:" + path_template : name; }
};

}  // namespace protogate::aggregate
