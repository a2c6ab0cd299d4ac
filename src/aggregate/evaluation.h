#pragma once

// Turns the compiled templates of a CompositePlan into what one request
// needs: the composed answer, printed as JSON text straight from the values
// (PrintResponse), or a JSON tree (Evaluate) for the shapes that need one
// (see composite_plan.h). Deterministic: the result depends only on the
// sources, never on the order in which calls finished.
//
// Example:
//   Sources sources = SourcesOf(bindings, query);
//   sources.printer = &plan->printer();
//   sources.calls = {user_value, Value()};             // by call index; absent: no output
//   std::string body;
//   PrintResponse(plan->response(), sources, &body);
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
#include "aggregate/value.h"
#include "aggregate/value_printer.h"
#include "routing/route_table.h"

namespace protogate::aggregate {

struct Sources {
  Json path = Json::object();    // variable ("user.id" for nested) -> string
  Json query = Json::object();   // parameter -> list of strings, in request order
  Json body;                     // the parsed JSON body; null when absent
  Json auth = Json::object();    // the authenticated caller, when auth provides one
  std::vector<Value> calls;      // by call index; absent: no output
  const Value* item = nullptr;   // inside one for_each call
  const Value* items = nullptr;  // inside a batch call
  // Prints wire values; null: only dynamic values (a printer without types).
  const ValuePrinter* printer = nullptr;

  const ValuePrinter& Printer() const;
};

// Path variables and query parameters of an HTTP request, as Sources keep them.
Sources SourcesOf(const std::vector<routing::VariableBinding>& bindings,
                  const std::vector<std::pair<std::string, std::string>>& query);

Value Lookup(const SourceRef& ref, const Sources& sources);

// The template's value as a JSON tree; nullopt when it finds nothing.
std::optional<Json> Evaluate(const ValueTemplate& tmpl, const Sources& sources);

// Appends the template's value as JSON text, keys in template order; false
// (nothing appended) when it finds nothing.
bool PrintResponse(const ValueTemplate& tmpl, const Sources& sources, std::string* out);

}  // namespace protogate::aggregate
