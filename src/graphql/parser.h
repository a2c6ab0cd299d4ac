#pragma once

// Parses a GraphQL executable document (GraphQL spec, October 2021, §2) into
// a Document: the lexical grammar (lexer.h) and the executable grammar:
// operations (the `{ ... }` shorthand included), variables with types and
// defaults, directives, fields with aliases and arguments, fragment spreads,
// inline fragments, fragment definitions, constant values where the spec
// requires them.
// Type system definitions are refused: a request carries operations only.
//
// Bounds, for documents from clients: at most `max_tokens` tokens and
// `max_depth` nested selection sets, lists, objects and types, so no input
// can exhaust the stack or the CPU.
//
// Errors are InvalidArgument with a message in graphql-js's words, e.g.
// `Syntax Error: Expected Name, found "}".`, and the error's location as a
// payload (ErrorLocation reads it back) for the response's `locations`.
//
// Example:
//   absl::StatusOr<Document> doc = Parse("query { user(id: 1) { name } }", {});
//   if (!doc.ok()) { auto where = ErrorLocation(doc.status()); ... }
//
// Pure; safe from any thread.

#include <cstddef>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "graphql/document.h"
#include "graphql/lexer.h"  // ErrorLocation

namespace protogate::graphql {

struct ParseLimits {
  size_t max_tokens = 20000;
  int max_depth = 64;
};

absl::StatusOr<Document> Parse(absl::string_view source, const ParseLimits& limits);

}  // namespace protogate::graphql
