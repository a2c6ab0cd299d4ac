#pragma once

// The GraphQL schema derived from the published protos, without codegen:
// every exposed unary method is a root field, every message it reaches an
// object type (and, where it is an argument, an input object type). The
// mapping is the contract clients see (README, "GraphQL schema"):
//
// - Root fields: Query for methods with a GET binding or
//   `idempotency_level = NO_SIDE_EFFECTS`, Mutation for every other unary
//   method (RootMethod::kind overrides). Name: the method's name in
//   lowerCamelCase (`getUser`); a name two services share takes each
//   service's name as a prefix (`userServiceGetUser`). Arguments: the
//   request message's top-level fields.
// - Type names: the message's name; nested `Outer.Inner` is `Outer_Inner`;
//   a name two packages share takes the package as a prefix with dots as
//   underscores (`demo_users_v1_User`) on every type of that name. Input
//   objects add `Input`. Enums keep their proto names, values too.
// - Field names: proto3 JSON names; descriptions from proto comments;
//   `[deprecated = true]` is `@deprecated`.
// - Scalars, lossless: int32/sint32/sfixed32 Int; uint32/fixed32 UInt32;
//   64-bit integers Int64/UInt64 (strings on output, strings or integers on
//   input); float/double Float; bool Boolean; string String; bytes Bytes
//   (base64); Timestamp, Duration, FieldMask as their JSON strings; wrappers
//   the nullable scalar they wrap; Struct, Value, ListValue, Any JSON; Empty
//   and messages with no fields Empty (`{}`).
// - Output nullability: singular scalars and enums without presence are
//   non-null; `optional` fields, wrappers, oneof members and messages are
//   nullable; repeated fields are `[T!]!`; maps `[Outer_FieldEntry!]!` of
//   `{key, value}` objects. Inputs are all optional (proto3 has no required
//   fields): `T`, `[T!]`. An input message that is one oneof exactly is a
//   `@oneOf` input object.
// - Join fields (join.h): nullable fields the config adds to object types,
//   with their declared arguments.
//
// Example:
//   auto schema = Schema::Build({{.method = get_user}, {.method = create_user}});
//   schema->query()->fields[0].name  // "getUser"
//   schema->Sdl()                    // "type Query {\n  getUser(userId: String): User\n}..."
//
// Immutable after Build; safe from any thread. The descriptors must outlive
// the schema (the snapshot holds both).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "graphql/document.h"
#include "graphql/join.h"
#include "transcode/type_registry.h"

namespace protogate::graphql {

struct InputValue {
  std::string name{};
  std::string description{};
  TypeRef type{};
  const google::protobuf::FieldDescriptor* field = nullptr;  // what the value sets
  std::optional<std::string> deprecation_reason{};
  std::optional<std::string> default_value{};  // GraphQL literal text, e.g. "false"
};

struct SchemaField {
  std::string name{};
  std::string description{};
  TypeRef type{};
  std::vector<InputValue> arguments{};
  std::optional<std::string> deprecation_reason{};
  const google::protobuf::FieldDescriptor* field = nullptr;    // a message's field
  const google::protobuf::MethodDescriptor* method = nullptr;  // a root field's method
  const Join* join = nullptr;                                  // a join field (join.h)
  // Root fields: the request's FieldMask the gateway fills with the
  // selected fields' paths, relative to the response or to its field
  // `read_mask_scope` (see RootMethod).
  const google::protobuf::FieldDescriptor* read_mask = nullptr;
  const google::protobuf::FieldDescriptor* read_mask_scope = nullptr;
};

struct EnumValue {
  std::string name{};
  std::string description{};
  int number = 0;
  std::optional<std::string> deprecation_reason{};
};

struct SchemaType {
  // The kinds protos map to (GraphQL's interfaces and unions are not used).
  enum class Kind { kScalar, kObject, kInputObject, kEnum };

  Kind kind = Kind::kScalar;
  std::string name{};
  std::string description{};
  std::vector<SchemaField> fields{};                      // kObject
  std::vector<InputValue> input_fields{};                 // kInputObject
  std::vector<EnumValue> enum_values{};                   // kEnum
  bool one_of = false;                                    // kInputObject: exactly one field is set
  std::string specified_by_url{};                         // kScalar, for the custom scalars
  const google::protobuf::Descriptor* message = nullptr;  // kObject, kInputObject
  const google::protobuf::EnumDescriptor* enum_type = nullptr;  // kEnum
  bool introspection = false;  // one of the spec's `__` types (§4.5)
};

// A directive the schema supports (§3.13): the spec's @skip, @include,
// @deprecated, @specifiedBy, and @oneOf. Locations are __DirectiveLocation
// names ("FIELD", "FRAGMENT_SPREAD", ...).
struct DirectiveDefinition {
  std::string name{};
  std::string description{};
  std::vector<std::string> locations{};
  std::vector<InputValue> arguments{};
  bool repeatable = false;
};

// An exposed method and how it is exposed.
struct RootMethod {
  const google::protobuf::MethodDescriptor* method = nullptr;
  // Query or Mutation; nullopt: by the rule above (`has_get_binding`).
  std::optional<Operation::Type> kind{};
  bool has_get_binding = false;
  std::string name{};  // "" for the derived name
  // Selection pushdown: a google.protobuf.FieldMask field of the request
  // that the gateway fills with the proto paths of the selected fields (it
  // is no argument then); the paths are relative to the response, or to
  // `read_mask_scope`, a message field of it (a repeated one: each element),
  // when the service reads the mask that way (AIP-157 list methods).
  const google::protobuf::FieldDescriptor* read_mask = nullptr;
  const google::protobuf::FieldDescriptor* read_mask_scope = nullptr;
};

// A type as GraphQL writes it: "User", "[String!]!".
std::string TypeText(const TypeRef& type);

class Schema {
 public:
  // Fails with InvalidArgument on a streaming method, two root fields of one
  // name, or a name that is not a GraphQL name.
  // `joins` add fields to the object types (join.h); their errors name
  // the join. `registry` (needed with joins) resolves their literals.
  static absl::StatusOr<std::shared_ptr<const Schema>> Build(
      const std::vector<RootMethod>& methods, const std::vector<JoinSpec>& joins = {},
      const transcode::TypeRegistry* registry = nullptr);

  const SchemaType* FindType(absl::string_view name) const;
  const SchemaType* query() const { return FindType("Query"); }
  const SchemaType* mutation() const { return FindType("Mutation"); }
  // The field `name` of `type`, the meta-fields included: `__typename` on
  // every object type, `__schema` and `__type(name:)` on Query only.
  // nullptr when there is none (or `type` is not an object type).
  const SchemaField* FindField(const SchemaType& type, absl::string_view name) const;
  // @include, @skip, @deprecated, @specifiedBy, @oneOf, in that order.
  const std::vector<DirectiveDefinition>& directives() const { return directives_; }
  const DirectiveDefinition* FindDirective(absl::string_view name) const;
  bool has_joins() const { return !joins_.empty(); }
  // Every type, built-in scalars and introspection types included, sorted by name.
  const std::vector<std::unique_ptr<SchemaType>>& types() const { return types_; }

  // The schema in SDL (types sorted by name; built-in scalars and
  // introspection types left out).
  std::string Sdl() const;

 private:
  friend class SchemaBuilder;
  Schema() = default;
  std::vector<std::unique_ptr<SchemaType>> types_{};
  absl::flat_hash_map<std::string, const SchemaType*> by_name_{};
  std::vector<DirectiveDefinition> directives_{};
  std::vector<std::unique_ptr<const Join>> joins_{};
};

}  // namespace protogate::graphql
