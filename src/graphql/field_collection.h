#pragma once

// CollectFields (GraphQL spec, October 2021, §6.3.2) for a schema whose
// types are all objects: the fields one selection set asks of an object, by
// response key in document order, with fragment spreads and inline
// fragments expanded and @skip / @include applied. A key asked several times
// (the validator has checked they merge) keeps every node, so that their
// sub-selections are merged (§6.4.3 MergeSelectionSets).
//
// Example:
//   `{ a: name ...F name }` with `fragment F on User { id }` →
//   [{"a", [name]}, {"id", [id]}, {"name", [name]}]
//
// Pure; the document and variables must outlive the result (it points into
// the document).

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/types/span.h"
#include "graphql/document.h"
#include "nlohmann/json.hpp"

namespace protogate::graphql {

struct CollectedField {
  const std::string* response_key = nullptr;
  std::vector<const Selection*> nodes{};  // each a kField, document order

  const Selection& first() const { return *nodes.front(); }
};

class FieldCollector {
 public:
  // `variables` are the operation's coerced variable values.
  FieldCollector(const Document& document, const nlohmann::ordered_json& variables);

  // The fields of the selection sets `sets` (one, or the sub-selections of
  // every node of a merged field).
  std::vector<CollectedField> Collect(absl::Span<const std::vector<Selection>* const> sets) const;

  // The sub-selections of a merged field's nodes.
  std::vector<CollectedField> SubFields(const CollectedField& field) const;

  // False when @skip(if: true) or @include(if: false) is among `directives`.
  bool Included(const std::vector<Directive>& directives) const;

 private:
  void CollectInto(const std::vector<Selection>& set, std::vector<const Fragment*>& visited,
                   std::vector<CollectedField>& out,
                   absl::flat_hash_map<std::string, size_t>& index) const;
  bool Condition(const Value& value) const;

  absl::flat_hash_map<std::string, const Fragment*> fragments_;
  const nlohmann::ordered_json& variables_;
};

}  // namespace protogate::graphql
