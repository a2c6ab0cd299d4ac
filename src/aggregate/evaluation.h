#pragma once

// Turns the compiled templates of a CompositePlan into JSON values for one
// request: a call's request JSON, or the composed response. Deterministic:
// the result depends only on the sources, never on the order in which calls
// finished.
//
// Example:
//   Sources sources = SourcesOf(bindings, query);
//   sources.calls = {user_json, std::nullopt};          // by call index
//   std::optional<Json> body = Evaluate(plan->response(), sources);
//
// A reference that finds nothing leaves its key out (as proto3 JSON leaves
// out defaults); $merge of nothing merges nothing.
//
// Pure functions; Sources is a plain value owned by the caller.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aggregate/composite_plan.h"
#include "routing/route_table.h"

namespace protogate::aggregate {

struct Sources {
  Json path = Json::object();              // variable ("user.id" for nested) -> string
  Json query = Json::object();             // parameter -> list of strings, in request order
  Json body;                               // the parsed JSON body; null when absent
  Json auth = Json::object();              // the authenticated caller, when auth provides one
  std::vector<std::optional<Json>> calls;  // by call index; nullopt: no output
  const Json* item = nullptr;              // inside one for_each call
  const Json* items = nullptr;             // inside a batch call
};

// Path variables and query parameters of an HTTP request, as Sources keep them.
Sources SourcesOf(const std::vector<routing::VariableBinding>& bindings,
                  const std::vector<std::pair<std::string, std::string>>& query);

std::optional<Json> Lookup(const SourceRef& ref, const Sources& sources);

std::optional<Json> Evaluate(const ValueTemplate& tmpl, const Sources& sources);

}  // namespace protogate::aggregate
