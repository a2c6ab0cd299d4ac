#pragma once

// Validation of an executable document against the schema (GraphQL spec,
// October 2021, §5): every rule that applies to a schema of object, input
// object, enum and scalar types, plus protogate's own rule that an input
// object literal sets at most one member of a proto oneof. Messages and
// locations are graphql-js 16's, so clients see what other servers say.
//
// Example:
//   Validate(*Parse("{ getUser { nme } }"), schema)
//   → [{"Cannot query field \"nme\" on type \"User\".", [{1, 13}]}]
//
// Errors are in document order, each rule's in the spec's order of rules.
// The work is bounded: fragment cycles are never followed, and comparing
// fields for merging stops after a fixed budget with
// `Document is too complex to validate.`
//
// Pure; safe from any thread.

#include <vector>

#include "graphql/document.h"
#include "graphql/error.h"
#include "graphql/schema.h"

namespace protogate::graphql {

// An empty result means the document is valid.
std::vector<Error> Validate(const Document& document, const Schema& schema);

}  // namespace protogate::graphql
