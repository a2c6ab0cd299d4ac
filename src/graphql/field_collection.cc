#include "graphql/field_collection.h"

#include <algorithm>

namespace protogate::graphql {

FieldCollector::FieldCollector(const Document& document, const nlohmann::ordered_json& variables)
    : variables_(variables) {
  for (const Fragment& fragment : document.fragments) fragments_.emplace(fragment.name, &fragment);
}

std::vector<CollectedField> FieldCollector::Collect(
    absl::Span<const std::vector<Selection>* const> sets) const {
  std::vector<CollectedField> out;
  absl::flat_hash_map<std::string, size_t> index;
  std::vector<const Fragment*> visited;
  for (const std::vector<Selection>* set : sets) CollectInto(*set, visited, out, index);
  return out;
}

std::vector<CollectedField> FieldCollector::SubFields(const CollectedField& field) const {
  std::vector<const std::vector<Selection>*> sets;
  sets.reserve(field.nodes.size());
  for (const Selection* node : field.nodes) sets.push_back(&node->selections);
  return Collect(sets);
}

// A fragment already spread in this selection set is not spread again
// (§6.3.2 step 3.c.ii), which also stops a cycle validation missed.
void FieldCollector::CollectInto(const std::vector<Selection>& set,
                                 std::vector<const Fragment*>& visited,
                                 std::vector<CollectedField>& out,
                                 absl::flat_hash_map<std::string, size_t>& index) const {
  for (const Selection& selection : set) {
    if (!Included(selection.directives)) continue;
    switch (selection.kind) {
      case Selection::Kind::kField: {
        auto [it, inserted] = index.emplace(selection.response_key(), out.size());
        if (inserted) out.push_back({.response_key = &selection.response_key()});
        out[it->second].nodes.push_back(&selection);
        break;
      }
      case Selection::Kind::kInlineFragment:
        CollectInto(selection.selections, visited, out, index);
        break;
      case Selection::Kind::kFragmentSpread: {
        auto it = fragments_.find(selection.name);
        if (it == fragments_.end()) break;
        const Fragment* fragment = it->second;
        if (std::find(visited.begin(), visited.end(), fragment) != visited.end()) break;
        visited.push_back(fragment);
        if (Included(fragment->directives)) {
          CollectInto(fragment->selections, visited, out, index);
        }
        break;
      }
    }
  }
}

bool FieldCollector::Included(const std::vector<Directive>& directives) const {
  for (const Directive& directive : directives) {
    if (directive.name != "skip" && directive.name != "include") continue;
    for (const Argument& argument : directive.arguments) {
      if (argument.name != "if") continue;
      const bool condition = Condition(argument.value);
      if (directive.name == "skip" ? condition : !condition) return false;
    }
  }
  return true;
}

// A Boolean! literal or variable (validated).
bool FieldCollector::Condition(const Value& value) const {
  if (value.kind == Value::Kind::kBoolean) return value.boolean;
  if (value.kind != Value::Kind::kVariable) return false;
  auto it = variables_.find(value.text);
  return it != variables_.end() && it->is_boolean() && it->get<bool>();
}

}  // namespace protogate::graphql
