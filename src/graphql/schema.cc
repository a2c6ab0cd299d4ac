#include "graphql/schema.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.pb.h"

namespace protogate::graphql {

namespace {

namespace gpb = google::protobuf;
using gpb::FieldDescriptor;

// The reason graphql-js gives a bare @deprecated.
constexpr char kDeprecated[] = "No longer supported";

TypeRef Named(std::string name) {
  TypeRef type;
  type.name = std::move(name);
  return type;
}

TypeRef Wrap(TypeRef::Kind kind, TypeRef inner) {
  TypeRef type;
  type.kind = kind;
  type.of.push_back(std::move(inner));
  return type;
}

TypeRef NonNull(TypeRef inner) { return Wrap(TypeRef::Kind::kNonNull, std::move(inner)); }
TypeRef ListOf(TypeRef inner) { return Wrap(TypeRef::Kind::kList, std::move(inner)); }

bool IsGraphqlName(absl::string_view name) {
  if (name.empty() || absl::StartsWith(name, "__")) return false;
  if (!absl::ascii_isalpha(static_cast<unsigned char>(name[0])) && name[0] != '_') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

std::string LowerFirst(absl::string_view name) {
  std::string out(name);
  if (!out.empty()) out[0] = absl::ascii_tolower(static_cast<unsigned char>(out[0]));
  return out;
}

template <typename Descriptor>
std::string Comment(const Descriptor& descriptor) {
  gpb::SourceLocation location;
  if (!descriptor.GetSourceLocation(&location)) return "";
  return std::string(absl::StripAsciiWhitespace(location.leading_comments));
}

std::optional<std::string> Deprecation(bool deprecated) {
  if (!deprecated) return std::nullopt;
  return std::string(kDeprecated);
}

// The scalar a well-known message maps to, or "".
std::string WellKnownScalar(const gpb::Descriptor& message) {
  const std::string& name = message.full_name();
  if (name == "google.protobuf.Timestamp") return "Timestamp";
  if (name == "google.protobuf.Duration") return "Duration";
  if (name == "google.protobuf.FieldMask") return "FieldMask";
  if (name == "google.protobuf.Struct" || name == "google.protobuf.Value" ||
      name == "google.protobuf.ListValue" || name == "google.protobuf.Any") {
    return "JSON";
  }
  if (name == "google.protobuf.Empty" || message.field_count() == 0) return "Empty";
  return "";
}

bool IsWrapper(const gpb::Descriptor& message) {
  return message.file()->name() == "google/protobuf/wrappers.proto";
}

std::string ScalarOf(const FieldDescriptor& field) {
  switch (field.type()) {
    case FieldDescriptor::TYPE_INT32:
    case FieldDescriptor::TYPE_SINT32:
    case FieldDescriptor::TYPE_SFIXED32:
      return "Int";
    case FieldDescriptor::TYPE_UINT32:
    case FieldDescriptor::TYPE_FIXED32:
      return "UInt32";
    case FieldDescriptor::TYPE_INT64:
    case FieldDescriptor::TYPE_SINT64:
    case FieldDescriptor::TYPE_SFIXED64:
      return "Int64";
    case FieldDescriptor::TYPE_UINT64:
    case FieldDescriptor::TYPE_FIXED64:
      return "UInt64";
    case FieldDescriptor::TYPE_FLOAT:
    case FieldDescriptor::TYPE_DOUBLE:
      return "Float";
    case FieldDescriptor::TYPE_BOOL:
      return "Boolean";
    case FieldDescriptor::TYPE_STRING:
      return "String";
    case FieldDescriptor::TYPE_BYTES:
      return "Bytes";
    default:
      return "";
  }
}

struct CustomScalar {
  const char* name;
  const char* description;
  const char* specified_by_url;
};

constexpr CustomScalar kCustomScalars[] = {
    {"UInt32", "An unsigned 32-bit integer, as a JSON number.", ""},
    {"Int64", "A signed 64-bit integer, as a JSON string (a number is accepted on input).", ""},
    {"UInt64", "An unsigned 64-bit integer, as a JSON string (a number is accepted on input).", ""},
    {"Bytes", "Bytes, as standard base64 (URL-safe accepted on input).",
     "https://www.rfc-editor.org/rfc/rfc4648"},
    {"Timestamp", "A point in time, as an RFC 3339 string in UTC (\"1972-01-01T10:00:20.021Z\").",
     "https://www.rfc-editor.org/rfc/rfc3339"},
    {"Duration", "A signed span of time, as seconds with an \"s\" suffix (\"1.5s\").", ""},
    {"FieldMask", "Field paths, comma-separated, in lowerCamelCase (\"user.displayName,email\").",
     ""},
    {"JSON", "Any JSON value (google.protobuf.Struct, Value, ListValue or Any).", ""},
    {"Empty", "A message with no fields, as the JSON object {}.", ""},
};

constexpr const char* kBuiltinScalars[] = {"Boolean", "Float", "ID", "Int", "String"};

// A type written as GraphQL writes it ("[__Type!]!"); only for the
// introspection tables below, whose text is known to be well formed.
TypeRef TypeFromText(absl::string_view text) {
  if (absl::ConsumeSuffix(&text, "!")) return NonNull(TypeFromText(text));
  if (absl::ConsumePrefix(&text, "[") && absl::ConsumeSuffix(&text, "]")) {
    return ListOf(TypeFromText(text));
  }
  return Named(std::string(text));
}

InputValue IncludeDeprecatedArgument() {
  return {.name = "includeDeprecated", .type = Named("Boolean"), .default_value = "false"};
}

SchemaField MetaField(const char* name, const char* type, bool include_deprecated = false) {
  SchemaField field{.name = name, .type = TypeFromText(type)};
  if (include_deprecated) field.arguments.push_back(IncludeDeprecatedArgument());
  return field;
}

SchemaType IntrospectionObject(const char* name, const char* description,
                               std::vector<SchemaField> fields) {
  return {.kind = SchemaType::Kind::kObject,
          .name = name,
          .description = description,
          .fields = std::move(fields),
          .introspection = true};
}

SchemaType IntrospectionEnum(const char* name, const char* description,
                             const std::vector<const char*>& values) {
  SchemaType type{.kind = SchemaType::Kind::kEnum,
                  .name = name,
                  .description = description,
                  .introspection = true};
  for (const char* value : values) type.enum_values.push_back({.name = value});
  return type;
}

// The introspection types of §4.5, with graphql-js 16's additions
// (`includeDeprecated` on __Directive.args, __Type.isOneOf).
std::vector<SchemaType> IntrospectionTypes() {
  std::vector<SchemaType> types;
  types.push_back(IntrospectionObject(
      "__Schema",
      "A GraphQL Schema defines the capabilities of a GraphQL server. It exposes all available "
      "types and directives on the server, as well as the entry points for query, mutation, and "
      "subscription operations.",
      {MetaField("description", "String"), MetaField("types", "[__Type!]!"),
       MetaField("queryType", "__Type!"), MetaField("mutationType", "__Type"),
       MetaField("subscriptionType", "__Type"), MetaField("directives", "[__Directive!]!")}));
  types.push_back(IntrospectionObject(
      "__Type",
      "The fundamental unit of any GraphQL Schema is the type. There are many kinds of types in "
      "GraphQL as represented by the `__TypeKind` enum.",
      {MetaField("kind", "__TypeKind!"), MetaField("name", "String"),
       MetaField("description", "String"), MetaField("specifiedByURL", "String"),
       MetaField("fields", "[__Field!]", true), MetaField("interfaces", "[__Type!]"),
       MetaField("possibleTypes", "[__Type!]"), MetaField("enumValues", "[__EnumValue!]", true),
       MetaField("inputFields", "[__InputValue!]", true), MetaField("ofType", "__Type"),
       MetaField("isOneOf", "Boolean")}));
  types.push_back(IntrospectionObject(
      "__Field",
      "Object and Interface types are described by a list of Fields, each of which has a name, "
      "potentially a list of arguments, and a return type.",
      {MetaField("name", "String!"), MetaField("description", "String"),
       MetaField("args", "[__InputValue!]!", true), MetaField("type", "__Type!"),
       MetaField("isDeprecated", "Boolean!"), MetaField("deprecationReason", "String")}));
  types.push_back(IntrospectionObject(
      "__InputValue",
      "Arguments provided to Fields or Directives and the input fields of an InputObject are "
      "represented as Input Values which describe their type and optionally a default value.",
      {MetaField("name", "String!"), MetaField("description", "String"),
       MetaField("type", "__Type!"), MetaField("defaultValue", "String"),
       MetaField("isDeprecated", "Boolean!"), MetaField("deprecationReason", "String")}));
  types.push_back(IntrospectionObject(
      "__EnumValue",
      "One possible value for a given Enum. Enum values are unique values, not a placeholder for "
      "a string or numeric value. However an Enum value is returned in a JSON response as a "
      "string.",
      {MetaField("name", "String!"), MetaField("description", "String"),
       MetaField("isDeprecated", "Boolean!"), MetaField("deprecationReason", "String")}));
  types.push_back(IntrospectionObject(
      "__Directive",
      "A Directive provides a way to describe alternate runtime execution and type validation "
      "behavior in a GraphQL document.\n\nIn some cases, you need to provide options to alter "
      "GraphQL's execution behavior in ways field arguments will not suffice, such as "
      "conditionally including or skipping a field. Directives provide this by describing "
      "additional information to the executor.",
      {MetaField("name", "String!"), MetaField("description", "String"),
       MetaField("isRepeatable", "Boolean!"), MetaField("locations", "[__DirectiveLocation!]!"),
       MetaField("args", "[__InputValue!]!", true)}));
  types.push_back(IntrospectionEnum(
      "__TypeKind", "An enum describing what kind of type a given `__Type` is.",
      {"SCALAR", "OBJECT", "INTERFACE", "UNION", "ENUM", "INPUT_OBJECT", "LIST", "NON_NULL"}));
  types.push_back(
      IntrospectionEnum("__DirectiveLocation",
                        "A Directive can be adjacent to many parts of the GraphQL language, a "
                        "__DirectiveLocation describes one such possible adjacencies.",
                        {"QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION",
                         "FRAGMENT_SPREAD", "INLINE_FRAGMENT", "VARIABLE_DEFINITION", "SCHEMA",
                         "SCALAR", "OBJECT", "FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INTERFACE",
                         "UNION", "ENUM", "ENUM_VALUE", "INPUT_OBJECT", "INPUT_FIELD_DEFINITION"}));
  return types;
}

// The specified directives, with graphql-js's descriptions.
std::vector<DirectiveDefinition> SpecifiedDirectives() {
  const std::vector<std::string> conditional = {"FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT"};
  return {
      {.name = "include",
       .description = "Directs the executor to include this field or fragment only when the "
                      "`if` argument is true.",
       .locations = conditional,
       .arguments = {{.name = "if",
                      .description = "Included when true.",
                      .type = NonNull(Named("Boolean"))}}},
      {.name = "skip",
       .description =
           "Directs the executor to skip this field or fragment when the `if` argument is true.",
       .locations = conditional,
       .arguments = {{.name = "if",
                      .description = "Skipped when true.",
                      .type = NonNull(Named("Boolean"))}}},
      {.name = "deprecated",
       .description = "Marks an element of a GraphQL schema as no longer supported.",
       .locations = {"FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INPUT_FIELD_DEFINITION",
                     "ENUM_VALUE"},
       .arguments = {{.name = "reason",
                      .description =
                          "Explains why this element was deprecated, usually also including a "
                          "suggestion for how to access supported similar data. Formatted using "
                          "the Markdown syntax, as specified by "
                          "[CommonMark](https://commonmark.org/).",
                      .type = Named("String"),
                      .default_value = "\"No longer supported\""}}},
      {.name = "specifiedBy",
       .description = "Exposes a URL that specifies the behavior of this scalar.",
       .locations = {"SCALAR"},
       .arguments = {{.name = "url",
                      .description = "The URL that specifies the behavior of this scalar.",
                      .type = NonNull(Named("String"))}}},
      {.name = "oneOf",
       .description =
           "Indicates exactly one field must be supplied and this field must not be `null`.",
       .locations = {"INPUT_OBJECT"}},
  };
}

const SchemaField& TypenameField() {
  static const SchemaField* field =
      new SchemaField{.name = "__typename",
                      .description = "The name of the current Object type at runtime.",
                      .type = NonNull(Named("String"))};
  return *field;
}

const SchemaField& SchemaMetaField() {
  static const SchemaField* field =
      new SchemaField{.name = "__schema",
                      .description = "Access the current type schema of this server.",
                      .type = NonNull(Named("__Schema"))};
  return *field;
}

const SchemaField& TypeMetaField() {
  static const SchemaField* field =
      new SchemaField{.name = "__type",
                      .description = "Request the type information of a single type.",
                      .type = Named("__Type"),
                      .arguments = {{.name = "name", .type = NonNull(Named("String"))}}};
  return *field;
}

}  // namespace

class SchemaBuilder {
 public:
  absl::StatusOr<std::shared_ptr<const Schema>> Build(const std::vector<RootMethod>& methods,
                                                      const std::vector<JoinSpec>& joins,
                                                      const transcode::TypeRegistry* registry) {
    std::vector<JoinTarget> targets;
    for (const JoinSpec& join : joins) {
      auto target = JoinTargetOf(join);
      if (!target.ok()) return target.status();
      if (target->result != nullptr) {
        ReachField(*target->result, /*input=*/false);
      } else {
        Reach(*target->message, /*input=*/false);
      }
      for (const auto& [name, type] : join.arguments) MarkScalar(type);
      targets.push_back(*target);
    }
    for (const RootMethod& root : methods) {
      const gpb::MethodDescriptor& method = *root.method;
      if (method.client_streaming() || method.server_streaming()) {
        return absl::InvalidArgumentError(
            absl::StrCat(method.full_name(), " is a streaming method: not a GraphQL root field"));
      }
      // The request's fields are the root field's arguments: only their
      // types become input types.
      const gpb::Descriptor& request = *method.input_type();
      for (int i = 0; i < request.field_count(); ++i) {
        ReachField(*request.field(i), /*input=*/true);
      }
      Reach(*method.output_type(), /*input=*/false);
    }
    if (absl::Status s = NameTypes(); !s.ok()) return s;
    if (absl::Status s = AddRootTypes(methods); !s.ok()) return s;
    for (const gpb::Descriptor* message : output_messages_) AddObject(*message);
    for (const gpb::Descriptor* message : input_messages_) AddInputObject(*message);
    for (const gpb::EnumDescriptor* type : enums_) AddEnum(*type);
    for (const char* name : kBuiltinScalars) AddScalar(name, "", "");
    for (const CustomScalar& scalar : kCustomScalars) {
      if (used_scalars_.contains(scalar.name)) {
        AddScalar(scalar.name, scalar.description, scalar.specified_by_url);
      }
    }
    for (SchemaType& type : IntrospectionTypes()) Add(std::move(type));
    for (size_t i = 0; i < joins.size(); ++i) {
      if (absl::Status s = AddJoin(joins[i], targets[i], registry); !s.ok()) return s;
    }
    return Finish();
  }

 private:
  // What a field's value is in GraphQL: a scalar, an enum, or a message
  // that becomes an object or input object.
  std::string NamedTypeOf(const FieldDescriptor& field, bool input) {
    if (field.type() == FieldDescriptor::TYPE_ENUM) return enum_names_[field.enum_type()];
    if (field.type() != FieldDescriptor::TYPE_MESSAGE &&
        field.type() != FieldDescriptor::TYPE_GROUP) {
      return Use(ScalarOf(field));
    }
    const gpb::Descriptor& message = *field.message_type();
    if (IsWrapper(message)) return Use(ScalarOf(*message.FindFieldByNumber(1)));
    if (std::string scalar = WellKnownScalar(message); !scalar.empty()) return Use(scalar);
    const std::string& name = message_names_[&message];
    return input ? name + "Input" : name;
  }

  std::string Use(std::string scalar) {
    used_scalars_.insert(scalar);
    return scalar;
  }

  TypeRef OutputType(const FieldDescriptor& field) {
    TypeRef named = Named(NamedTypeOf(field, /*input=*/false));
    if (field.is_repeated()) return NonNull(ListOf(NonNull(std::move(named))));
    const bool nullable = field.has_presence() || field.type() == FieldDescriptor::TYPE_MESSAGE;
    return nullable ? named : NonNull(std::move(named));
  }

  TypeRef InputType(const FieldDescriptor& field) {
    TypeRef named = Named(NamedTypeOf(field, /*input=*/true));
    if (field.is_repeated()) return ListOf(NonNull(std::move(named)));
    return named;
  }

  // Collects the messages and enums a method's types reach, as outputs or
  // as inputs.
  void Reach(const gpb::Descriptor& message, bool input) {
    if (IsWrapper(message) || !WellKnownScalar(message).empty()) return;
    std::vector<const gpb::Descriptor*>& list = input ? input_messages_ : output_messages_;
    absl::flat_hash_set<const gpb::Descriptor*>& seen = input ? input_seen_ : output_seen_;
    if (!seen.insert(&message).second) return;
    list.push_back(&message);
    named_messages_.insert(&message);
    for (int i = 0; i < message.field_count(); ++i) ReachField(*message.field(i), input);
  }

  void ReachField(const FieldDescriptor& field, bool input) {
    if (field.type() == FieldDescriptor::TYPE_ENUM && enum_seen_.insert(field.enum_type()).second) {
      enums_.push_back(field.enum_type());
    }
    if (field.message_type() != nullptr) Reach(*field.message_type(), input);
  }

  // Base names ("Outer_Inner"); the package as a prefix where two packages
  // share one, or where it would take a name the schema already has.
  absl::Status NameTypes() {
    absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> packages;
    auto base = [](const std::string& full_name, const std::string& package) {
      absl::string_view rest = full_name;
      if (!package.empty()) rest.remove_prefix(package.size() + 1);
      return absl::StrReplaceAll(rest, {{".", "_"}});
    };
    for (const gpb::Descriptor* m : named_messages_) {
      packages[base(m->full_name(), m->file()->package())].insert(m->file()->package());
    }
    for (const gpb::EnumDescriptor* e : enums_) {
      packages[base(e->full_name(), e->file()->package())].insert(e->file()->package());
    }
    absl::flat_hash_set<std::string> reserved = {"Query", "Mutation", "Subscription"};
    for (const char* name : kBuiltinScalars) reserved.insert(name);
    for (const CustomScalar& scalar : kCustomScalars) reserved.insert(scalar.name);
    auto name_of = [&](const std::string& full_name, const std::string& package) {
      std::string name = base(full_name, package);
      if (packages[name].size() > 1 || reserved.contains(name)) {
        name = absl::StrCat(absl::StrReplaceAll(package, {{".", "_"}}), "_", name);
      }
      return name;
    };
    absl::flat_hash_map<std::string, std::string> taken;  // name -> proto full name
    auto claim = [&](const std::string& name, const std::string& full_name) -> absl::Status {
      if (!IsGraphqlName(name)) {
        return absl::InvalidArgumentError(
            absl::StrCat(full_name, ": \"", name, "\" is not a GraphQL type name"));
      }
      auto [it, inserted] = taken.emplace(name, full_name);
      if (!inserted && it->second != full_name) {
        return absl::InvalidArgumentError(absl::StrCat(
            "GraphQL type ", name, " would stand for both ", it->second, " and ", full_name));
      }
      return absl::OkStatus();
    };
    for (const gpb::Descriptor* m : named_messages_) {
      std::string name = name_of(m->full_name(), m->file()->package());
      if (output_seen_.contains(m)) {
        if (absl::Status s = claim(name, m->full_name()); !s.ok()) return s;
      }
      if (input_seen_.contains(m)) {
        if (absl::Status s = claim(name + "Input", m->full_name()); !s.ok()) return s;
      }
      message_names_[m] = std::move(name);
    }
    for (const gpb::EnumDescriptor* e : enums_) {
      std::string name = name_of(e->full_name(), e->file()->package());
      if (absl::Status s = claim(name, e->full_name()); !s.ok()) return s;
      enum_names_[e] = std::move(name);
    }
    return absl::OkStatus();
  }

  absl::Status AddRootTypes(const std::vector<RootMethod>& methods) {
    absl::flat_hash_map<std::string, int> uses;
    for (const RootMethod& root : methods) ++uses[root.method->name()];
    SchemaType query{.kind = SchemaType::Kind::kObject, .name = "Query"};
    SchemaType mutation{.kind = SchemaType::Kind::kObject, .name = "Mutation"};
    absl::flat_hash_set<std::string> names;
    for (const RootMethod& root : methods) {
      const gpb::MethodDescriptor& method = *root.method;
      SchemaField field;
      field.name = root.name;
      if (field.name.empty()) {
        field.name = uses[method.name()] > 1
                         ? absl::StrCat(LowerFirst(method.service()->name()), method.name())
                         : LowerFirst(method.name());
      }
      if (!IsGraphqlName(field.name)) {
        return absl::InvalidArgumentError(
            absl::StrCat(method.full_name(), ": \"", field.name, "\" is not a GraphQL field name"));
      }
      if (!names.insert(field.name).second) {
        return absl::InvalidArgumentError(
            absl::StrCat("two methods are the GraphQL root field ", field.name));
      }
      field.description = Comment(method);
      field.deprecation_reason = Deprecation(method.options().deprecated());
      field.method = &method;
      const gpb::Descriptor& response = *method.output_type();
      std::string scalar = WellKnownScalar(response);
      field.type = Named(!scalar.empty() ? Use(scalar) : message_names_[&response]);
      field.read_mask = root.read_mask;
      field.read_mask_scope = root.read_mask_scope;
      AddInputValues(*method.input_type(), &field.arguments, root.read_mask);
      const bool is_query = root.kind.has_value()
                                ? *root.kind == Operation::Type::kQuery
                                : root.has_get_binding || method.options().idempotency_level() ==
                                                              gpb::MethodOptions::NO_SIDE_EFFECTS;
      (is_query ? query : mutation).fields.push_back(std::move(field));
    }
    if (query.fields.empty()) {  // FailedPrecondition: a narrower set of methods may say so
      return absl::FailedPreconditionError(
          "no exposed method is a query (a GET binding or idempotency_level NO_SIDE_EFFECTS): "
          "a GraphQL schema needs at least one Query field");
    }
    Add(std::move(query));
    if (!mutation.fields.empty()) Add(std::move(mutation));
    return absl::OkStatus();
  }

  // A custom scalar a join argument names is part of the schema.
  void MarkScalar(absl::string_view type_text) {
    TypeRef type = TypeFromText(type_text);
    while (type.kind != TypeRef::Kind::kNamed) type = type.of[0];
    for (const CustomScalar& scalar : kCustomScalars) {
      if (type.name == scalar.name) used_scalars_.insert(type.name);
    }
  }

  SchemaType* FindBuilt(absl::string_view name) {
    for (const auto& type : types_) {
      if (type->name == name) return type.get();
    }
    return nullptr;
  }

  absl::Status AddJoin(const JoinSpec& spec, const JoinTarget& target,
                       const transcode::TypeRegistry* registry) {
    SchemaType* parent = FindBuilt(spec.type);
    if (parent == nullptr && spec.skip_without_type) return absl::OkStatus();
    if (parent == nullptr || parent->kind != SchemaType::Kind::kObject ||
        parent->message == nullptr) {
      return JoinError(spec, absl::StrCat("\"", spec.type,
                                          "\" is no object type of the schema (types are named "
                                          "as the schema's SDL shows them)"));
    }
    if (!IsGraphqlName(spec.field)) {
      return JoinError(spec, absl::StrCat("\"", spec.field, "\" is not a GraphQL field name"));
    }
    for (const SchemaField& field : parent->fields) {
      if (field.name == spec.field) {
        return JoinError(spec, absl::StrCat(spec.type, " already has a field ", spec.field));
      }
    }
    SchemaField field{.name = spec.field, .description = spec.description};
    std::vector<std::string> argument_names;
    for (const auto& [name, type_text] : spec.arguments) {
      TypeRef type = TypeFromText(type_text);
      TypeRef named = type;
      while (named.kind != TypeRef::Kind::kNamed) named = named.of[0];
      const SchemaType* argument_type = FindBuilt(named.name);
      if (!IsGraphqlName(name) || argument_type == nullptr ||
          argument_type->kind == SchemaType::Kind::kObject) {
        return JoinError(spec, absl::StrCat("argument ", name, ": \"", type_text,
                                            "\" is no input type of the schema (Int, String, "
                                            "Boolean, Float, ID, an enum or an input object)"));
      }
      field.arguments.push_back({.name = name, .type = std::move(type)});
      argument_names.push_back(name);
    }
    if (registry == nullptr) return JoinError(spec, "no type registry to compile the join with");
    auto join = CompileJoin(spec, *parent->message, argument_names, *registry);
    if (!join.ok()) return join.status();
    if (target.result != nullptr) {
      field.type = OutputType(*target.result);
      if (field.type.kind == TypeRef::Kind::kNonNull) field.type = TypeRef(field.type.of[0]);
    } else {
      std::string scalar = WellKnownScalar(*target.message);
      field.type = Named(!scalar.empty() ? Use(scalar) : message_names_[target.message]);
    }
    field.join = join->get();
    joins_.push_back(*std::move(join));
    parent->fields.push_back(std::move(field));
    return absl::OkStatus();
  }

  void AddInputValues(const gpb::Descriptor& message, std::vector<InputValue>* out,
                      const FieldDescriptor* read_mask = nullptr) {
    if (!WellKnownScalar(message).empty()) return;
    for (int i = 0; i < message.field_count(); ++i) {
      const FieldDescriptor& field = *message.field(i);
      if (&field == read_mask) continue;  // the gateway fills it
      out->push_back({.name = field.json_name(),
                      .description = Comment(field),
                      .type = InputType(field),
                      .field = &field,
                      .deprecation_reason = Deprecation(field.options().deprecated())});
    }
  }

  void AddObject(const gpb::Descriptor& message) {
    SchemaType type{.kind = SchemaType::Kind::kObject,
                    .name = message_names_[&message],
                    .description = Comment(message),
                    .message = &message};
    for (int i = 0; i < message.field_count(); ++i) {
      const FieldDescriptor& field = *message.field(i);
      type.fields.push_back({.name = field.json_name(),
                             .description = Comment(field),
                             .type = OutputType(field),
                             .arguments = {},
                             .deprecation_reason = Deprecation(field.options().deprecated()),
                             .field = &field});
    }
    Add(std::move(type));
  }

  void AddInputObject(const gpb::Descriptor& message) {
    SchemaType type{.kind = SchemaType::Kind::kInputObject,
                    .name = message_names_[&message] + "Input",
                    .description = Comment(message),
                    .message = &message};
    AddInputValues(message, &type.input_fields);
    type.one_of = message.oneof_decl_count() == 1 && !message.oneof_decl(0)->is_synthetic() &&
                  message.oneof_decl(0)->field_count() == message.field_count();
    Add(std::move(type));
  }

  void AddEnum(const gpb::EnumDescriptor& e) {
    SchemaType type{.kind = SchemaType::Kind::kEnum,
                    .name = enum_names_[&e],
                    .description = Comment(e),
                    .enum_type = &e};
    for (int i = 0; i < e.value_count(); ++i) {
      const gpb::EnumValueDescriptor& value = *e.value(i);
      type.enum_values.push_back({.name = value.name(),
                                  .description = Comment(value),
                                  .number = value.number(),
                                  .deprecation_reason = Deprecation(value.options().deprecated())});
    }
    Add(std::move(type));
  }

  void AddScalar(const char* name, const char* description, const char* url) {
    Add({.kind = SchemaType::Kind::kScalar,
         .name = name,
         .description = description,
         .specified_by_url = url});
  }

  void Add(SchemaType type) { types_.push_back(std::make_unique<SchemaType>(std::move(type))); }

  absl::StatusOr<std::shared_ptr<const Schema>> Finish() {
    std::sort(types_.begin(), types_.end(),
              [](const auto& a, const auto& b) { return a->name < b->name; });
    auto schema = std::shared_ptr<Schema>(new Schema());
    for (const auto& type : types_) {
      // The spec reserves `__` names for its own types, which are not checked.
      if (type->introspection) {
        schema->by_name_[type->name] = type.get();
        continue;
      }
      if (!IsGraphqlName(type->name)) {
        return absl::InvalidArgumentError(
            absl::StrCat("\"", type->name, "\" is not a GraphQL type name"));
      }
      // json_name may be anything a .proto file says.
      auto check = [&](const std::string& name, const FieldDescriptor* field) {
        if (IsGraphqlName(name)) return absl::OkStatus();
        return absl::InvalidArgumentError(
            absl::StrCat(field != nullptr ? field->full_name() : type->name, ": JSON name \"", name,
                         "\" is not a GraphQL name"));
      };
      for (const SchemaField& field : type->fields) {
        if (absl::Status s = check(field.name, field.field); !s.ok()) return s;
        for (const InputValue& argument : field.arguments) {
          if (absl::Status s = check(argument.name, argument.field); !s.ok()) return s;
        }
      }
      for (const InputValue& field : type->input_fields) {
        if (absl::Status s = check(field.name, field.field); !s.ok()) return s;
      }
      for (const EnumValue& value : type->enum_values) {
        if (value.name == "true" || value.name == "false" || value.name == "null") {
          return absl::InvalidArgumentError(absl::StrCat(
              type->enum_type->full_name(), ": GraphQL enums cannot have the value ", value.name));
        }
      }
      schema->by_name_[type->name] = type.get();
    }
    schema->types_ = std::move(types_);
    schema->directives_ = SpecifiedDirectives();
    schema->joins_ = std::move(joins_);
    return std::shared_ptr<const Schema>(std::move(schema));
  }

  std::vector<const gpb::Descriptor*> output_messages_, input_messages_;
  absl::flat_hash_set<const gpb::Descriptor*> output_seen_, input_seen_, named_messages_;
  std::vector<const gpb::EnumDescriptor*> enums_;
  absl::flat_hash_set<const gpb::EnumDescriptor*> enum_seen_;
  absl::flat_hash_map<const gpb::Descriptor*, std::string> message_names_;
  absl::flat_hash_map<const gpb::EnumDescriptor*, std::string> enum_names_;
  absl::flat_hash_set<std::string> used_scalars_;
  std::vector<std::unique_ptr<SchemaType>> types_;
  std::vector<std::unique_ptr<const Join>> joins_;
};

absl::StatusOr<std::shared_ptr<const Schema>> Schema::Build(
    const std::vector<RootMethod>& methods, const std::vector<JoinSpec>& joins,
    const transcode::TypeRegistry* registry) {
  return SchemaBuilder().Build(methods, joins, registry);
}

const SchemaType* Schema::FindType(absl::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

const SchemaField* Schema::FindField(const SchemaType& type, absl::string_view name) const {
  if (type.kind != SchemaType::Kind::kObject) return nullptr;
  if (name == "__typename") return &TypenameField();
  if (&type == query() && name == "__schema") return &SchemaMetaField();
  if (&type == query() && name == "__type") return &TypeMetaField();
  for (const SchemaField& field : type.fields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

const DirectiveDefinition* Schema::FindDirective(absl::string_view name) const {
  for (const DirectiveDefinition& directive : directives_) {
    if (directive.name == name) return &directive;
  }
  return nullptr;
}

std::string TypeText(const TypeRef& type) {
  switch (type.kind) {
    case TypeRef::Kind::kNamed:
      return type.name;
    case TypeRef::Kind::kList:
      return absl::StrCat("[", TypeText(type.of[0]), "]");
    case TypeRef::Kind::kNonNull:
      return absl::StrCat(TypeText(type.of[0]), "!");
  }
  return "";
}

namespace {

// A description as a block string, indented like what it describes.
void AppendDescription(absl::string_view text, absl::string_view indent, std::string* out) {
  if (text.empty()) return;
  const std::string escaped = absl::StrReplaceAll(text, {{"\"\"\"", "\\\"\"\""}});
  absl::StrAppend(out, indent, "\"\"\"\n");
  for (absl::string_view line : absl::StrSplit(escaped, '\n')) {
    absl::StrAppend(out, line.empty() ? "" : indent, line, "\n");
  }
  absl::StrAppend(out, indent, "\"\"\"\n");
}

void AppendDeprecation(const std::optional<std::string>& reason, std::string* out) {
  if (!reason.has_value()) return;
  if (*reason == kDeprecated) {
    out->append(" @deprecated");
    return;
  }
  absl::StrAppend(out, " @deprecated(reason: \"", absl::CEscape(*reason), "\")");
}

void AppendInputValue(const InputValue& value, std::string* out) {
  absl::StrAppend(out, value.name, ": ", TypeText(value.type));
  if (value.default_value.has_value()) absl::StrAppend(out, " = ", *value.default_value);
  AppendDeprecation(value.deprecation_reason, out);
}

// `(a: Int, b: String)`, or one per line with their descriptions when any
// has one (as graphql-js prints them).
void AppendArguments(const std::vector<InputValue>& arguments, std::string* out) {
  if (arguments.empty()) return;
  const bool described = std::any_of(arguments.begin(), arguments.end(),
                                     [](const InputValue& a) { return !a.description.empty(); });
  out->append("(");
  for (size_t i = 0; i < arguments.size(); ++i) {
    if (described) {
      out->append("\n");
      AppendDescription(arguments[i].description, "    ", out);
      out->append("    ");
    } else if (i > 0) {
      out->append(", ");
    }
    AppendInputValue(arguments[i], out);
  }
  out->append(described ? "\n  )" : ")");
}

}  // namespace

std::string Schema::Sdl() const {
  std::string out;
  // The schema supports @oneOf (introspection lists it), whether or not an
  // input uses it; graphql-js before 17 does not know it.
  if (const DirectiveDefinition* one_of = FindDirective("oneOf")) {
    AppendDescription(one_of->description, "", &out);
    out.append("directive @oneOf on INPUT_OBJECT\n\n");
  }
  for (const auto& type : types_) {
    if (type->introspection) continue;
    if (type->kind == SchemaType::Kind::kScalar &&
        std::find(std::begin(kBuiltinScalars), std::end(kBuiltinScalars), type->name) !=
            std::end(kBuiltinScalars)) {
      continue;
    }
    AppendDescription(type->description, "", &out);
    switch (type->kind) {
      case SchemaType::Kind::kScalar:
        absl::StrAppend(&out, "scalar ", type->name);
        if (!type->specified_by_url.empty()) {
          absl::StrAppend(&out, " @specifiedBy(url: \"", type->specified_by_url, "\")");
        }
        out.append("\n\n");
        continue;
      case SchemaType::Kind::kObject:
        absl::StrAppend(&out, "type ", type->name, " {\n");
        for (const SchemaField& field : type->fields) {
          AppendDescription(field.description, "  ", &out);
          absl::StrAppend(&out, "  ", field.name);
          AppendArguments(field.arguments, &out);
          absl::StrAppend(&out, ": ", TypeText(field.type));
          AppendDeprecation(field.deprecation_reason, &out);
          out.append("\n");
        }
        break;
      case SchemaType::Kind::kInputObject:
        absl::StrAppend(&out, "input ", type->name, type->one_of ? " @oneOf" : "", " {\n");
        for (const InputValue& field : type->input_fields) {
          AppendDescription(field.description, "  ", &out);
          out.append("  ");
          AppendInputValue(field, &out);
          out.append("\n");
        }
        break;
      case SchemaType::Kind::kEnum:
        absl::StrAppend(&out, "enum ", type->name, " {\n");
        for (const EnumValue& value : type->enum_values) {
          AppendDescription(value.description, "  ", &out);
          absl::StrAppend(&out, "  ", value.name);
          AppendDeprecation(value.deprecation_reason, &out);
          out.append("\n");
        }
        break;
    }
    out.append("}\n\n");
  }
  if (!out.empty()) out.pop_back();
  return out;
}

}  // namespace protogate::graphql
