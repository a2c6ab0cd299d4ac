#include "aggregate/request_template.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/json_text.h"
#include "common/status_macros.h"

namespace protogate::aggregate {
namespace {

namespace gpb = google::protobuf;

std::string FieldNames(const gpb::Descriptor& message) {
  std::vector<std::string> names;
  for (int i = 0; i < message.field_count(); ++i) names.push_back(message.field(i)->name());
  return absl::StrJoin(names, ", ");
}

std::string Join(const std::string& path, absl::string_view key) {
  return path.empty() ? std::string(key) : absl::StrCat(path, ".", key);
}

absl::Status Problem(const std::string& where, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", problem));
}

absl::StatusOr<ValueTemplate> CompileFree(const Json& value, const ReferenceCompiler& references,
                                          const std::string& where);
absl::StatusOr<ValueTemplate> CompileForField(const Json& value, const gpb::FieldDescriptor& field,
                                              const ValueType& want,
                                              const ReferenceCompiler& references,
                                              const std::string& where);

absl::StatusOr<ValueTemplate> CompileRequest(const Json& request, const gpb::Descriptor& type,
                                             const ReferenceCompiler& references,
                                             const std::string& where) {
  if (!request.is_object()) {
    return Problem(where, absl::StrCat("expected a mapping of ", type.full_name(), " fields"));
  }
  ValueTemplate node;
  node.kind = ValueTemplate::Kind::kObject;
  for (auto it = request.begin(); it != request.end(); ++it) {
    const std::string field_where = Join(where, it.key());
    const gpb::FieldDescriptor* field = FindField(type, it.key());
    if (field == nullptr) {
      return Problem(field_where, absl::StrCat("no field \"", it.key(), "\" in ", type.full_name(),
                                               " (fields: ", FieldNames(type), ")"));
    }
    ASSIGN_OR_RETURN(ValueTemplate value, CompileForField(*it, *field, ValueType::OfField(*field),
                                                          references, field_where));
    node.fields.push_back({field->name(), std::move(value)});
  }
  return node;
}

// `want` is the field's type, or its element type inside a list.
absl::StatusOr<ValueTemplate> CompileForField(const Json& value, const gpb::FieldDescriptor& field,
                                              const ValueType& want,
                                              const ReferenceCompiler& references,
                                              const std::string& where) {
  ValueTemplate node;
  node.target = &field;
  if (IsReference(value)) {
    ASSIGN_OR_RETURN(node.ref, references(value, where));
    if (node.ref.root == SourceRef::Root::kQuery && want.list) {
      node.ref.all_values = true;
      node.ref.type = ValueType::String().AsList();
    }
    if (auto status = CheckAssignable(want, node.ref.type); !status.ok()) {
      return Problem(where, absl::StrCat(node.ref.text, ": ", status.message()));
    }
    node.kind = ValueTemplate::Kind::kReference;
    return node;
  }
  if (value.is_array()) {
    if (!want.list && want.kind != ValueType::Kind::kDynamic) {
      return Problem(where, absl::StrCat("a list cannot fill ", want.Describe()));
    }
    node.kind = ValueTemplate::Kind::kList;
    for (size_t i = 0; i < value.size(); ++i) {
      ASSIGN_OR_RETURN(ValueTemplate item,
                       CompileForField(value[i], field, want.Element(), references,
                                       absl::StrCat(where, "[", i, "]")));
      node.items.push_back(std::move(item));
    }
    return node;
  }
  if (value.is_object() && want.kind == ValueType::Kind::kMessage && !want.list) {
    ASSIGN_OR_RETURN(node, CompileRequest(value, *want.message, references, where));
    node.target = &field;
    return node;
  }
  if (value.is_object()) {
    if (want.kind == ValueType::Kind::kScalar || want.list) {
      return Problem(where, absl::StrCat("a mapping cannot fill ", want.Describe()));
    }
    return CompileFree(value, references, where);  // a map or a dynamic value
  }
  if (!value.is_null() &&
      (want.list || want.kind == ValueType::Kind::kMessage || want.kind == ValueType::Kind::kMap)) {
    return Problem(where, absl::StrCat("the literal ", common::JsonText(value), " cannot fill ",
                                       want.Describe()));
  }
  node.kind = ValueTemplate::Kind::kLiteral;
  node.literal = UnescapeLiterals(value);
  return node;
}

// Values without a schema (map values, Struct): references anywhere, no
// type checks.
absl::StatusOr<ValueTemplate> CompileFree(const Json& value, const ReferenceCompiler& references,
                                          const std::string& where) {
  ValueTemplate node;
  if (IsReference(value)) {
    node.kind = ValueTemplate::Kind::kReference;
    ASSIGN_OR_RETURN(node.ref, references(value, where));
    return node;
  }
  if (value.is_object()) {
    node.kind = ValueTemplate::Kind::kObject;
    for (auto it = value.begin(); it != value.end(); ++it) {
      ASSIGN_OR_RETURN(ValueTemplate field, CompileFree(*it, references, Join(where, it.key())));
      node.fields.push_back({it.key(), std::move(field)});
    }
    return node;
  }
  if (value.is_array()) {
    node.kind = ValueTemplate::Kind::kList;
    for (size_t i = 0; i < value.size(); ++i) {
      ASSIGN_OR_RETURN(ValueTemplate item,
                       CompileFree(value[i], references, absl::StrCat(where, "[", i, "]")));
      node.items.push_back(std::move(item));
    }
    return node;
  }
  node.literal = UnescapeLiterals(value);
  return node;
}

}  // namespace

const gpb::FieldDescriptor* FindField(const gpb::Descriptor& message, absl::string_view name) {
  for (int i = 0; i < message.field_count(); ++i) {
    const gpb::FieldDescriptor* field = message.field(i);
    if (field->name() == name || field->json_name() == name) return field;
  }
  return nullptr;
}

absl::StatusOr<ValueTemplate> CompileRequestTemplate(const Json& request,
                                                     const gpb::Descriptor& type,
                                                     const ReferenceCompiler& references,
                                                     const std::string& where) {
  return CompileRequest(request, type, references, where);
}

absl::StatusOr<ValueTemplate> CompileFreeTemplate(const Json& value,
                                                  const ReferenceCompiler& references,
                                                  const std::string& where) {
  return CompileFree(value, references, where);
}

}  // namespace protogate::aggregate
