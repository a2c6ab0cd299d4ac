#pragma once

// Input values of a GraphQL request: the literal rules every scalar and
// enum of the schema follows (shared by the validator and coercion), the
// coercion of the request's `variables` (GraphQL spec, October 2021,
// §6.1.2), and the translation of a root field's arguments into its
// method's request message as proto3 JSON.
//
// Example:
//   `query Q($id: String!) { getUser(userId: $id) { name } }` with
//   variables {"id": "u1"}:
//     CoerceVariables(schema, op, {{"id", "u1"}}).values  // {"id": "u1"}
//     RequestJson(schema, *getUser, field.arguments, values)  // {"userId": "u1"}
//
// Pure functions of their arguments; safe from any thread.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "graphql/document.h"
#include "graphql/error.h"
#include "graphql/schema.h"
#include "nlohmann/json.hpp"

namespace protogate::graphql {

using Json = nlohmann::ordered_json;

// Why the literal `value` (not a variable, not null) is not a valid value of
// the scalar `scalar`, in graphql-js's words ("Int cannot represent non
// 32-bit signed integer value: 2147483648"); nullopt when it is valid.
// Example: ScalarLiteralProblem("Int", Value{kString, "x"}) →
//          "Int cannot represent non-integer value: \"x\""
std::optional<std::string> ScalarLiteralProblem(absl::string_view scalar, const Value& value);

// The same for a JSON value given in `variables` (not null).
// Example: ScalarJsonProblem("Int", "abc") → "Int cannot represent non-integer value: \"abc\""
std::optional<std::string> ScalarJsonProblem(absl::string_view scalar, const Json& value);

// A literal as GraphQL prints it, for messages: `"x"`, `3`, `{a: 1}`.
std::string PrintValue(const Value& value);

// graphql-js's suggestionList: the options close to `input` (by edit
// distance, case changes counting one), closest first.
// Example: SuggestionList("nme", {"name", "id"}) → {"name"}
std::vector<std::string> SuggestionList(absl::string_view input,
                                        const std::vector<std::string>& options);

// graphql-js's didYouMean suffix: "" for none, ` Did you mean "a" or "b"?`,
// with `what` after "mean" when given ("the enum value").
std::string DidYouMean(const std::vector<std::string>& suggestions, absl::string_view what = "");

// The names of two fields of `type` (an input object that is not @oneOf)
// that `given` sets and that are members of one real proto oneof, and the
// oneof's name; nullopt when there are none.
struct OneofClash {
  std::string first{};
  std::string second{};
  std::string oneof{};
};
std::optional<OneofClash> FindOneofClash(const SchemaType& type,
                                         const std::vector<std::string>& given);
// `Fields "a" and "b" of "T" are members of the oneof "o": set at most one.`
std::string OneofClashMessage(const SchemaType& type, const OneofClash& clash);

// The input field names of `type`, in order.
std::vector<std::string> FieldNames(const SchemaType& type);
// The did-you-mean suffix for `shown` (a name, or a printed value) as a value
// of the enum `type`.
std::string EnumSuggestion(const SchemaType& type, absl::string_view shown);

struct CoercedVariables {
  Json values = Json::object();
  std::vector<Error> errors{};
};

// CoerceVariableValues (§6.1.2) of the request's `variables` object (null or
// an object; anything else is treated as no variables) for `operation`:
// defaults applied, required variables checked, values checked against
// their types, a single value where a list is expected wrapped in a list.
// Errors carry graphql-js 16's message text and the variable definition's
// location; when there are errors, `values` is incomplete.
// Example: `($n: Int!)` with {} → error
//   `Variable "$n" of required type "Int!" was not provided.`
CoercedVariables CoerceVariables(const Schema& schema, const Operation& operation,
                                 const Json& given);

// The root field's request message as proto3 JSON (what protobuf's JSON
// parser accepts for the method's input type), from the field's validated
// `arguments` with the coerced `variables` substituted: an absent variable
// or a null leaves the field out; argument defaults apply; 64-bit integers
// become decimal strings; map fields (lists of {key, value} entries) become
// objects. InvalidArgument only for what validation cannot see: a map key
// given twice.
// Example: getUser(userId: "u1", ids: [1, 2]) → {"userId": "u1", "ids": ["1", "2"]}
absl::StatusOr<Json> RequestJson(const Schema& schema, const SchemaField& root_field,
                                 const std::vector<Argument>& arguments, const Json& variables);

// The value of the `if` argument of an @skip or @include directive, with
// `variables` substituted; InvalidArgument when it is not a Boolean.
// Example: DirectiveCondition(@skip(if: $s), {"s": true}) → true
absl::StatusOr<bool> DirectiveCondition(const Directive& skip_or_include, const Json& variables);

}  // namespace protogate::graphql
