#pragma once

// The syntax tree of a GraphQL executable document (GraphQL spec, October
// 2021, §2): operations and fragments with their selections, arguments,
// directives, variable definitions and values, each with its source
// location for error messages. Plain values, owned by the Document; built by
// Parse (parser.h), read by the validator and the executor.
//
// Example: `query Q($id: ID!) { user(id: $id) { name ...F } }` is one
// Operation {type: kQuery, name: "Q", variables: [{name: "id", type: ID!}],
// selections: [Field user(id: $id) {Field name, FragmentSpread F}]}.

#include <optional>
#include <string>
#include <vector>

namespace protogate::graphql {

// Appends `name` (a GraphQL name: [_A-Za-z][_0-9A-Za-z]*, as the parser and
// the schema guarantee for response keys and type names) as a JSON string:
// names need no escaping, so this is two quotes around it.
inline void AppendQuotedName(const std::string& name, std::string* out) {
  out->push_back('"');
  out->append(name);
  out->push_back('"');
}

// 1-based, as GraphQL error locations are; columns count Unicode code points.
struct Location {
  int line = 0;
  int column = 0;

  friend bool operator==(const Location&, const Location&) = default;
};

struct ObjectField;

// A literal or variable in a document (§2.9).
struct Value {
  enum class Kind { kVariable, kInt, kFloat, kString, kBoolean, kNull, kEnum, kList, kObject };

  Kind kind = Kind::kNull;
  Location location{};
  // kVariable: the name without '$'; kInt, kFloat: the literal as written;
  // kString: the decoded string; kEnum: the name.
  std::string text{};
  bool boolean = false;       // kBoolean
  std::vector<Value> list{};  // kList
  // kObject, in document order (no initializer: ObjectField is incomplete here)
  std::vector<ObjectField> fields;
};

struct ObjectField {
  std::string name{};
  Location location{};
  Value value{};
};

struct Argument {
  std::string name{};
  Location location{};
  Value value{};
};

struct Directive {
  std::string name{};  // without '@'
  Location location{};
  std::vector<Argument> arguments{};
};

// A type in a variable definition (§2.11): `Name`, `[T]` or `T!`.
struct TypeRef {
  enum class Kind { kNamed, kList, kNonNull };

  Kind kind = Kind::kNamed;
  Location location{};
  std::string name{};         // kNamed
  std::vector<TypeRef> of{};  // kList, kNonNull: exactly one element
};

struct Selection {
  enum class Kind { kField, kFragmentSpread, kInlineFragment };

  Kind kind = Kind::kField;
  Location location{};
  std::string alias{};                // kField: "" when none
  std::string name{};                 // kField: the field; kFragmentSpread: the fragment
  std::string type_condition{};       // kInlineFragment: "" when none
  std::vector<Argument> arguments{};  // kField
  std::vector<Directive> directives{};
  std::vector<Selection> selections;  // kField (may be empty), kInlineFragment

  // The key this field's answer has in the response (§2.7).
  const std::string& response_key() const { return alias.empty() ? name : alias; }
};

struct VariableDefinition {
  std::string name{};  // without '$'
  Location location{};
  TypeRef type{};
  std::optional<Value> default_value{};
  std::vector<Directive> directives{};
};

struct Operation {
  enum class Type { kQuery, kMutation, kSubscription };

  Type type = Type::kQuery;
  std::string name;  // "" for an anonymous operation (and the `{ ... }` shorthand)
  Location location{};
  std::vector<VariableDefinition> variables{};
  std::vector<Directive> directives{};
  std::vector<Selection> selections{};
};

struct Fragment {
  std::string name{};
  Location location{};
  std::string type_condition{};
  std::vector<Directive> directives{};
  std::vector<Selection> selections{};
};

// Operations and fragments each in document order.
struct Document {
  std::vector<Operation> operations{};
  std::vector<Fragment> fragments{};
};

}  // namespace protogate::graphql
