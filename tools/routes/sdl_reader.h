#pragma once

// Reads a GraphQL schema in SDL (GraphQL spec §3, type system definitions)
// into the shape the schema diff compares (schema_diff.h): every named
// type with its kind, fields and their arguments, input fields, enum
// values, union members, and the directive definitions. Descriptions are
// skipped, as are directives on definitions (but `@oneOf` on an input
// object is kept); default values are kept as canonical GraphQL text.
// Type extensions (`extend type ...`) are refused: protogate-routes writes
// whole definitions.
//
// Errors: InvalidArgument "<source>:<line>:<col>: Syntax Error: ..." (the
// lexer's words) or "...: <type> is defined twice".
//
// Example:
//   ASSIGN_OR_RETURN(SdlSchema schema, ReadSdl(text, "gen/schema.graphql"));
//   schema.types.at("User").fields[0].name  // "userId"
//
// Pure; thread-safe.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "graphql/document.h"

namespace protogate::routes {

struct SdlInputValue {
  std::string name{};
  graphql::TypeRef type{};
  std::optional<std::string> default_value{};  // "10", "\"a\"", "[1, 2]"
};

struct SdlField {
  std::string name{};
  graphql::TypeRef type{};
  std::vector<SdlInputValue> arguments{};
};

struct SdlType {
  enum class Kind { kScalar, kObject, kInterface, kUnion, kEnum, kInputObject };
  Kind kind = Kind::kScalar;
  std::string name{};
  std::vector<SdlField> fields{};             // kObject, kInterface
  std::vector<SdlInputValue> input_fields{};  // kInputObject
  std::vector<std::string> members{};         // kEnum: its values; kUnion: its types
  std::vector<std::string> interfaces{};      // kObject, kInterface: what it implements
  bool one_of = false;                        // kInputObject with @oneOf
};

struct SdlDirective {
  std::string name{};  // without '@'
  std::vector<SdlInputValue> arguments{};
  std::vector<std::string> locations{};
  bool repeatable = false;
};

struct SdlSchema {
  std::map<std::string, SdlType> types{};
  std::map<std::string, SdlDirective> directives{};
  // "query", "mutation", "subscription" -> type name; the defaults (Query,
  // Mutation, Subscription, where defined) when there is no `schema` block.
  std::map<std::string, std::string> roots{};
};

// Kind names as SDL writes them: "type", "input", "enum", ...
absl::string_view KindKeyword(SdlType::Kind kind);

absl::StatusOr<SdlSchema> ReadSdl(absl::string_view text, absl::string_view source_name);

}  // namespace protogate::routes
