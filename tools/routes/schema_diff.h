#pragma once

// Compares two GraphQL schemas (SDL, sdl_reader.h) the way a client
// reviewer would, with graphql-js's rules for breaking changes.
//
// Breaking: a removed type, field, argument, input field, enum value, union
// member, implemented interface, directive or directive argument; a type
// of another kind; an output field whose type a client can no longer rely
// on (`String!` -> `String`, another named type; `String` -> `String!` is
// safe); an argument or input field that clients must now send or send
// differently (`String` -> `String!`, another named type; `String!` ->
// `String` is safe); an added argument or input field that is non-null
// without a default; a changed root operation type; `@oneOf` added to an
// input. Not breaking (reported all the same): added types, fields, optional
// arguments and input fields, enum values, union members; changed defaults;
// `@oneOf` removed.
//
// Example output:
//   - type Order  BREAKING: removed
//   ~ User.email  BREAKING
//       type "String!" -> "String"
//   + Query.getOrder
//
// Pure; thread-safe.

#include "routes/api_diff.h"
#include "routes/sdl_reader.h"

namespace protogate::routes {

ApiDiff DiffSchemas(const SdlSchema& old_schema, const SdlSchema& new_schema);

}  // namespace protogate::routes
