#include "graphql/introspection.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/json_text.h"

namespace protogate::graphql {
namespace {

using Json = nlohmann::ordered_json;

// One object introspection answers with: the schema, a type (named, or a
// list / non-null wrapper of one), a field, an argument or input field, an
// enum value, a directive.
struct Node {
  enum class Kind { kSchema, kType, kField, kInputValue, kEnumValue, kDirective };
  Kind kind = Kind::kSchema;
  const SchemaType* type = nullptr;                // kType, named
  const TypeRef* wrapper = nullptr;                // kType, a list or non-null
  const SchemaField* field = nullptr;              // kField
  const InputValue* input = nullptr;               // kInputValue
  const EnumValue* enum_value = nullptr;           // kEnumValue
  const DirectiveDefinition* directive = nullptr;  // kDirective
};

const char* TypeNameOf(Node::Kind kind) {
  switch (kind) {
    case Node::Kind::kSchema:
      return "__Schema";
    case Node::Kind::kType:
      return "__Type";
    case Node::Kind::kField:
      return "__Field";
    case Node::Kind::kInputValue:
      return "__InputValue";
    case Node::Kind::kEnumValue:
      return "__EnumValue";
    case Node::Kind::kDirective:
      return "__Directive";
  }
  return "";
}

const char* KindName(SchemaType::Kind kind) {
  switch (kind) {
    case SchemaType::Kind::kScalar:
      return "SCALAR";
    case SchemaType::Kind::kObject:
      return "OBJECT";
    case SchemaType::Kind::kInputObject:
      return "INPUT_OBJECT";
    case SchemaType::Kind::kEnum:
      return "ENUM";
  }
  return "";
}

std::string TextOrNull(const std::string& text) {
  return text.empty() ? "null" : common::JsonQuoted(text);
}

std::string Deprecation(const std::optional<std::string>& reason, bool want_reason) {
  if (!want_reason) return reason ? "true" : "false";
  return reason ? common::JsonQuoted(*reason) : "null";
}

class Introspector {
 public:
  Introspector(const Schema& schema, const FieldCollector& collector, const Json& variables,
               std::string* out)
      : schema_(schema), collector_(collector), variables_(variables), out_(*out) {}

  void Object(const Node& node, const std::vector<CollectedField>& fields) {
    out_.push_back('{');
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) out_.push_back(',');
      absl::StrAppend(&out_, common::JsonQuoted(*fields[i].response_key), ":");
      const std::string& name = fields[i].first().name;
      if (name == "__typename") {
        out_.append(common::JsonQuoted(TypeNameOf(node.kind)));
        continue;
      }
      Member(node, name, fields[i]);
    }
    out_.push_back('}');
  }

  // The value of `name` of `__type(name: ...)`'s argument.
  std::string Argument(const Selection& field, const char* name) const {
    for (const graphql::Argument& argument : field.arguments) {
      if (argument.name != name) continue;
      if (argument.value.kind == Value::Kind::kString) return argument.value.text;
      if (argument.value.kind == Value::Kind::kVariable) {
        auto it = variables_.find(argument.value.text);
        if (it != variables_.end() && it->is_string()) return it->get<std::string>();
      }
    }
    return "";
  }

  Node TypeNode(const TypeRef& ref) const {
    if (ref.kind != TypeRef::Kind::kNamed) return {.kind = Node::Kind::kType, .wrapper = &ref};
    return {.kind = Node::Kind::kType, .type = schema_.FindType(ref.name)};
  }

 private:
  void Member(const Node& node, const std::string& name, const CollectedField& selected) {
    switch (node.kind) {
      case Node::Kind::kSchema:
        return SchemaMember(name, selected);
      case Node::Kind::kType:
        return node.wrapper != nullptr ? WrapperMember(*node.wrapper, name, selected)
                                       : TypeMember(node.type, name, selected);
      case Node::Kind::kField:
        return FieldMember(*node.field, name, selected);
      case Node::Kind::kInputValue:
        return InputMember(*node.input, name, selected);
      case Node::Kind::kEnumValue:
        return EnumMember(*node.enum_value, name);
      case Node::Kind::kDirective:
        return DirectiveMember(*node.directive, name, selected);
    }
  }

  void Child(const Node& node, const CollectedField& selected) {
    if (node.kind == Node::Kind::kType && node.type == nullptr && node.wrapper == nullptr) {
      out_.append("null");
      return;
    }
    Object(node, collector_.SubFields(selected));
  }

  template <typename Items, typename MakeNode>
  void Children(const Items& items, const CollectedField& selected, MakeNode make) {
    const std::vector<CollectedField> fields = collector_.SubFields(selected);
    out_.push_back('[');
    bool first = true;
    for (const auto& item : items) {
      std::optional<Node> node = make(item);
      if (!node) continue;
      if (!first) out_.push_back(',');
      first = false;
      Object(*node, fields);
    }
    out_.push_back(']');
  }

  bool IncludeDeprecated(const CollectedField& selected) const {
    for (const graphql::Argument& argument : selected.first().arguments) {
      if (argument.name != "includeDeprecated") continue;
      if (argument.value.kind == Value::Kind::kBoolean) return argument.value.boolean;
      if (argument.value.kind == Value::Kind::kVariable) {
        auto it = variables_.find(argument.value.text);
        return it != variables_.end() && it->is_boolean() && it->get<bool>();
      }
    }
    return false;
  }

  void SchemaMember(const std::string& name, const CollectedField& selected) {
    if (name == "types") {
      return Children(schema_.types(), selected, [](const auto& type) {
        return std::optional<Node>(Node{.kind = Node::Kind::kType, .type = type.get()});
      });
    }
    if (name == "queryType" || name == "mutationType") {
      const SchemaType* root = name == "queryType" ? schema_.query() : schema_.mutation();
      if (root == nullptr) {
        out_.append("null");
        return;
      }
      return Child({.kind = Node::Kind::kType, .type = root}, selected);
    }
    if (name == "directives") {
      return Children(schema_.directives(), selected, [](const DirectiveDefinition& directive) {
        return std::optional<Node>(Node{.kind = Node::Kind::kDirective, .directive = &directive});
      });
    }
    out_.append("null");  // description, subscriptionType
  }

  void WrapperMember(const TypeRef& ref, const std::string& name, const CollectedField& selected) {
    if (name == "kind") {
      out_.append(ref.kind == TypeRef::Kind::kList ? "\"LIST\"" : "\"NON_NULL\"");
    } else if (name == "ofType") {
      Child(TypeNode(ref.of[0]), selected);
    } else {
      out_.append("null");
    }
  }

  void TypeMember(const SchemaType* type, const std::string& name, const CollectedField& selected) {
    using Kind = SchemaType::Kind;
    const bool deprecated = IncludeDeprecated(selected);
    auto shown = [deprecated](const auto& item) {
      return deprecated || !item.deprecation_reason.has_value();
    };
    if (name == "kind") {
      out_.append(common::JsonQuoted(KindName(type->kind)));
    } else if (name == "name") {
      out_.append(common::JsonQuoted(type->name));
    } else if (name == "description") {
      out_.append(TextOrNull(type->description));
    } else if (name == "specifiedByURL") {
      out_.append(TextOrNull(type->specified_by_url));
    } else if (name == "fields" && type->kind == Kind::kObject) {
      Children(type->fields, selected, [&](const SchemaField& field) {
        return shown(field) ? std::optional<Node>(Node{.kind = Node::Kind::kField, .field = &field})
                            : std::nullopt;
      });
    } else if (name == "interfaces" && type->kind == Kind::kObject) {
      out_.append("[]");
    } else if (name == "enumValues" && type->kind == Kind::kEnum) {
      Children(type->enum_values, selected, [&](const EnumValue& value) {
        return shown(value)
                   ? std::optional<Node>(Node{.kind = Node::Kind::kEnumValue, .enum_value = &value})
                   : std::nullopt;
      });
    } else if (name == "inputFields" && type->kind == Kind::kInputObject) {
      InputValues(type->input_fields, deprecated, selected);
    } else if (name == "isOneOf" && type->kind == Kind::kInputObject) {
      out_.append(type->one_of ? "true" : "false");
    } else {
      out_.append("null");  // possibleTypes, ofType, and members of other kinds
    }
  }

  void InputValues(const std::vector<InputValue>& values, bool deprecated,
                   const CollectedField& selected) {
    Children(values, selected, [deprecated](const InputValue& value) {
      return deprecated || !value.deprecation_reason
                 ? std::optional<Node>(Node{.kind = Node::Kind::kInputValue, .input = &value})
                 : std::nullopt;
    });
  }

  void FieldMember(const SchemaField& field, const std::string& name,
                   const CollectedField& selected) {
    if (name == "name") {
      out_.append(common::JsonQuoted(field.name));
    } else if (name == "description") {
      out_.append(TextOrNull(field.description));
    } else if (name == "args") {
      InputValues(field.arguments, IncludeDeprecated(selected), selected);
    } else if (name == "type") {
      Child(TypeNode(field.type), selected);
    } else if (name == "isDeprecated" || name == "deprecationReason") {
      out_.append(Deprecation(field.deprecation_reason, name == "deprecationReason"));
    } else {
      out_.append("null");
    }
  }

  void InputMember(const InputValue& input, const std::string& name,
                   const CollectedField& selected) {
    if (name == "name") {
      out_.append(common::JsonQuoted(input.name));
    } else if (name == "description") {
      out_.append(TextOrNull(input.description));
    } else if (name == "type") {
      Child(TypeNode(input.type), selected);
    } else if (name == "defaultValue") {
      out_.append(input.default_value ? common::JsonQuoted(*input.default_value) : "null");
    } else if (name == "isDeprecated" || name == "deprecationReason") {
      out_.append(Deprecation(input.deprecation_reason, name == "deprecationReason"));
    } else {
      out_.append("null");
    }
  }

  void EnumMember(const EnumValue& value, const std::string& name) {
    if (name == "name") {
      out_.append(common::JsonQuoted(value.name));
    } else if (name == "description") {
      out_.append(TextOrNull(value.description));
    } else if (name == "isDeprecated" || name == "deprecationReason") {
      out_.append(Deprecation(value.deprecation_reason, name == "deprecationReason"));
    } else {
      out_.append("null");
    }
  }

  void DirectiveMember(const DirectiveDefinition& directive, const std::string& name,
                       const CollectedField& selected) {
    if (name == "name") {
      out_.append(common::JsonQuoted(directive.name));
    } else if (name == "description") {
      out_.append(TextOrNull(directive.description));
    } else if (name == "locations") {
      out_.push_back('[');
      for (size_t i = 0; i < directive.locations.size(); ++i) {
        absl::StrAppend(&out_, i > 0 ? "," : "", common::JsonQuoted(directive.locations[i]));
      }
      out_.push_back(']');
    } else if (name == "args") {
      InputValues(directive.arguments, IncludeDeprecated(selected), selected);
    } else if (name == "isRepeatable") {
      out_.append(directive.repeatable ? "true" : "false");
    } else {
      out_.append("null");
    }
  }

  const Schema& schema_;
  const FieldCollector& collector_;
  const Json& variables_;
  std::string& out_;
};

}  // namespace

bool Introspect(const Schema& schema, const FieldCollector& collector,
                const CollectedField& selected, const Json& variables,
                std::vector<PathElement>& path, std::vector<Error>* errors, std::string* out) {
  Introspector introspector(schema, collector, variables, out);
  if (selected.first().name == "__schema") {
    introspector.Object({.kind = Node::Kind::kSchema}, collector.SubFields(selected));
    return true;
  }
  const SchemaType* type = schema.FindType(introspector.Argument(selected.first(), "name"));
  if (type == nullptr) {
    out->append("null");
    return true;
  }
  introspector.Object({.kind = Node::Kind::kType, .type = type}, collector.SubFields(selected));
  return true;
}

}  // namespace protogate::graphql
