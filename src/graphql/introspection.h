#pragma once

// Answers the introspection meta-fields `__schema` and `__type(name:)`
// (GraphQL spec, October 2021, §4.5) from the schema itself, with the same
// selection rules as every other field (aliases, fragments, @skip/@include,
// __typename), so that tools (graphql-js's getIntrospectionQuery, IDEs)
// read the schema the gateway serves. `isOneOf` on __Type (September 2025)
// and `specifiedByURL` are answered too.
//
// Example:
//   `{ __type(name: "User") { kind fields { name } } }` →
//   {"kind":"OBJECT","fields":[{"name":"userId"},...]}
//
// Pure; on the executing thread.

#include <string>
#include <vector>

#include "graphql/error.h"
#include "graphql/field_collection.h"
#include "graphql/schema.h"
#include "nlohmann/json.hpp"

namespace protogate::graphql {

// Appends the value of the root field `selected` (__schema or __type).
// False when it ended null where it may not be (the data is then null).
bool Introspect(const Schema& schema, const FieldCollector& collector,
                const CollectedField& selected, const nlohmann::ordered_json& variables,
                std::vector<PathElement>& path, std::vector<Error>* errors, std::string* out);

}  // namespace protogate::graphql
