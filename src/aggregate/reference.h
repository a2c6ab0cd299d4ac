#pragma once

// References: how a composite names a value it does not know until a request
// runs.
//
//   reference := "$" root { "." name | "[*]" | "[" index "]" }
//   root      := "path" | "query" | "body" | "auth" | "item" | "items" | <call name>
//
// "[*]" projects over a list: the steps after it apply to each element and
// the result is one flat list of whatever was found ("$orders.orders[*]
// .items[*].product_id" is every product id of every order). "[N]" takes one
// element. A field that is absent (proto3 JSON leaves out defaults) resolves
// to nothing.
//
// Example:
//   ASSIGN_OR_RETURN(Reference ref, ParseReference("$orders.orders[*].items[0].product_id"));
//   ref.root -> "orders"; ref.steps -> orders, [*], items, [0], product_id
//   Resolve(json, ref.steps) -> ["p-1", "p-3"]
//
// Pure functions; safe from any thread.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "aggregate/composite_spec.h"
#include "google/protobuf/descriptor.h"

namespace protogate::aggregate {

struct PathStep {
  enum class Kind { kField, kEach, kIndex };
  Kind kind = Kind::kField;
  std::string name;  // kField: the JSON key
  size_t index = 0;  // kIndex
  // kField of a message with a descriptor: the field, set by WalkPath
  // (value_type.h) so that lookups read the wire by number.
  const google::protobuf::FieldDescriptor* field = nullptr;
};

struct Reference {
  std::string text;  // as written, for messages
  std::string root;
  std::vector<PathStep> steps;

  bool projects() const;  // has a "[*]" step
  // The field steps joined by '.', for the roots whose keys may hold dots
  // ("$path.user.id" names the path variable "user.id").
  std::string DottedRest() const;
};

// A string value starting with '$' but not "$$".
bool IsReference(const Json& value);

// "$$x" -> "$x"; anything else unchanged (recursively for lists and objects).
Json UnescapeLiterals(const Json& value);

// InvalidArgument naming the position: `invalid reference "$a..b": empty
// field name at offset 3`.
absl::StatusOr<Reference> ParseReference(absl::string_view text);

// Follows `steps` from `value`; nullopt when a step finds nothing (a missing
// key, an index past the end, a step on the wrong kind of value).
std::optional<Json> Resolve(const Json& value, absl::Span<const PathStep> steps);

// "display_name" -> "displayName": the proto3 JSON name of a proto field name.
std::string LowerCamel(absl::string_view name);

// Removes what `steps` names from `value` (every match under a "[*]"); a key
// is found under the name given or its LowerCamel form.
void Erase(Json& value, absl::Span<const PathStep> steps);

// "orders[*].items[0]" for messages.
std::string StepsToString(absl::Span<const PathStep> steps);

}  // namespace protogate::aggregate
