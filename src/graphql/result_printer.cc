#include "graphql/result_printer.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/json_text.h"

namespace protogate::graphql {
namespace {

namespace gpb = google::protobuf;

// The payload of a length-delimited element (a map entry keeps its length).
absl::string_view Payload(absl::string_view element) {
  size_t i = 0;
  while (i < element.size() && (static_cast<unsigned char>(element[i]) & 0x80) != 0) ++i;
  return element.substr(i < element.size() ? i + 1 : element.size());
}

// Whether an absent field reads as null rather than as its default.
bool NullWhenAbsent(const gpb::FieldDescriptor& field) {
  return field.has_presence() || field.type() == gpb::FieldDescriptor::TYPE_MESSAGE;
}

}  // namespace

void ResultPrinter::FieldError(std::string message, const CollectedField& selected,
                               const std::vector<PathElement>& path) {
  errors_.push_back(
      {.message = std::move(message), .locations = {selected.first().location}, .path = path});
}

bool ResultPrinter::Object(const SchemaType& type, const aggregate::Value& message,
                           const std::vector<CollectedField>& fields,
                           std::vector<PathElement>& path, std::string* out) {
  return PrintObject(type, message, Resolve(type, fields), path, out);
}

ResultPrinter::Selected ResultPrinter::Resolve(const SchemaType& type,
                                               std::vector<CollectedField> fields) const {
  Selected selection{.fields = std::move(fields), .schema_fields = {}, .wire_fields = {}};
  selection.schema_fields.reserve(selection.fields.size());
  for (const CollectedField& selected : selection.fields) {
    const std::string& name = selected.first().name;
    const SchemaField* field = name == "__typename" ? nullptr : schema_.FindField(type, name);
    if (field != nullptr && field->field == nullptr && field->join == nullptr) field = nullptr;
    selection.schema_fields.push_back(field);
    selection.wire_fields.push_back(field != nullptr && field->join == nullptr ? field->field
                                                                               : nullptr);
  }
  return selection;
}

const ResultPrinter::Selected& ResultPrinter::SubSelection(const SchemaType& type,
                                                           const CollectedField& selected) {
  auto [it, inserted] = sub_selections_.try_emplace(std::make_pair(&type, selected.nodes));
  if (inserted) {
    it->second = std::make_unique<const Selected>(Resolve(type, collector_.SubFields(selected)));
  }
  return *it->second;
}

const SchemaType* ResultPrinter::TypeNamed(const std::string& name) {
  auto [it, inserted] = types_.try_emplace(&name, nullptr);
  if (inserted) it->second = schema_.FindType(name);
  return it->second;
}

bool ResultPrinter::PrintObject(const SchemaType& type, const aggregate::Value& message,
                                const Selected& selection, std::vector<PathElement>& path,
                                std::string* out) {
  const size_t start = out->size();
  const std::vector<aggregate::Value> values = aggregate::FieldsOf(message, selection.wire_fields);
  out->push_back('{');
  for (size_t i = 0; i < selection.fields.size(); ++i) {
    const CollectedField& selected = selection.fields[i];
    if (i > 0) out->push_back(',');
    AppendQuotedName(*selected.response_key, out);
    out->push_back(':');
    const SchemaField* field = selection.schema_fields[i];
    if (field == nullptr) {
      // __typename, or what validation keeps out.
      if (selected.first().name == "__typename") {
        AppendQuotedName(type.name, out);
      } else {
        out->append("null");
      }
      continue;
    }
    path.emplace_back(*selected.response_key);
    const bool ok = field->join != nullptr
                        ? JoinField(*field, message, selected, path, out)
                        : Field(*field, field->type, values[i], selected, path, out);
    path.pop_back();
    if (!ok) {
      out->resize(start);
      return false;
    }
  }
  out->push_back('}');
  return true;
}

bool ResultPrinter::Field(const SchemaField& field, const TypeRef& type,
                          const aggregate::Value& value, const CollectedField& selected,
                          std::vector<PathElement>& path, std::string* out) {
  const bool non_null = type.kind == TypeRef::Kind::kNonNull;
  const TypeRef& inner = non_null ? type.of[0] : type;
  const size_t start = out->size();
  bool ok = inner.kind == TypeRef::Kind::kList
                ? List(field, inner.of[0], value, selected, path, out)
                : Named(field, inner.name, value, selected, path, out);
  if (ok) return true;
  out->resize(start);
  if (!non_null) {
    out->append("null");
    return true;
  }
  return false;
}

// A list: a repeated field's elements, or a map's entries as objects.
bool ResultPrinter::List(const SchemaField& field, const TypeRef& item_type,
                         const aggregate::Value& value, const CollectedField& selected,
                         std::vector<PathElement>& path, std::string* out) {
  std::vector<aggregate::Value> entries;
  const std::vector<aggregate::Value>* items = &entries;
  if (value.kind() == aggregate::Value::Kind::kList) {
    items = &value.items();
  } else if (value.kind() == aggregate::Value::Kind::kField && value.field()->is_map()) {
    const gpb::Descriptor& entry = *value.field()->message_type();
    for (absl::string_view payload : value.map_entries()) {
      entries.push_back(aggregate::Value::MessageView(value.owner(), Payload(payload), entry));
    }
  } else if (!value.absent()) {
    entries.push_back(value);  // one element on the wire
  }
  out->push_back('[');
  for (size_t i = 0; i < items->size(); ++i) {
    if (i > 0) out->push_back(',');
    path.emplace_back(static_cast<int>(i));
    const bool ok = Field(field, item_type, (*items)[i], selected, path, out);
    path.pop_back();
    if (!ok) return false;
  }
  out->push_back(']');
  return true;
}

// The field's value, not null; false (nothing appended) when it is null,
// with a field error unless it simply is absent and may be.
bool ResultPrinter::Named(const SchemaField& field, const std::string& type_name,
                          const aggregate::Value& value, const CollectedField& selected,
                          std::vector<PathElement>& path, std::string* out) {
  const SchemaType* type = TypeNamed(type_name);
  if (type == nullptr) return false;
  if (type->kind == SchemaType::Kind::kObject) {
    if (value.kind() != aggregate::Value::Kind::kMessage) {
      if (!value.absent())
        FieldError("the service's answer does not fit the schema", selected, path);
      return false;
    }
    return PrintObject(*type, value, SubSelection(*type, selected), path, out);
  }
  return Leaf(field, *type, value, selected, path, out);
}

bool ResultPrinter::Leaf(const SchemaField& field, const SchemaType& type,
                         const aggregate::Value& value, const CollectedField& selected,
                         const std::vector<PathElement>& path, std::string* out) {
  if (value.absent()) {
    if (field.field == nullptr || NullWhenAbsent(*field.field)) return false;
    Default(field, out);
    return true;
  }
  if (type.name == "Empty") {
    out->append("{}");
    return true;
  }
  const size_t start = out->size();
  if (!values_.Print(value, out)) {
    FieldError(absl::StrCat(type.name, " cannot represent the service's value"), selected, path);
    return false;
  }
  const bool quoted = out->size() > start && (*out)[start] == '"';
  if (type.kind == SchemaType::Kind::kEnum && !quoted) {
    std::string number = out->substr(start);
    out->resize(start);
    FieldError(absl::StrCat("Enum \"", type.name, "\" cannot represent value: ", number), selected,
               path);
    return false;
  }
  if (type.name == "Float" && quoted) {
    std::string text = out->substr(start + 1, out->size() - start - 2);
    out->resize(start);
    FieldError(absl::StrCat("Float cannot represent non numeric value: ", text), selected, path);
    return false;
  }
  return true;
}

// Always true: a join field is nullable.
bool ResultPrinter::JoinField(const SchemaField& field, const aggregate::Value& parent,
                              const CollectedField& selected, std::vector<PathElement>& path,
                              std::string* out) {
  const JoinAnswer* answer = joins_ != nullptr ? joins_->Find(selected, parent) : nullptr;
  if (answer == nullptr) {
    out->append("null");
    return true;
  }
  if (!answer->status.ok()) {
    errors_.push_back(CallError(answer->status, answer->details, selected.first().location, path));
    out->append("null");
    return true;
  }
  return Field(field, field.type, answer->value, selected, path, out);
}

// proto3's default of a field without presence, as the schema prints it.
void ResultPrinter::Default(const SchemaField& field, std::string* out) const {
  const gpb::FieldDescriptor& descriptor = *field.field;
  switch (descriptor.cpp_type()) {
    case gpb::FieldDescriptor::CPPTYPE_INT64:
    case gpb::FieldDescriptor::CPPTYPE_UINT64:
      out->append("\"0\"");
      return;
    case gpb::FieldDescriptor::CPPTYPE_BOOL:
      out->append("false");
      return;
    case gpb::FieldDescriptor::CPPTYPE_STRING:
      out->append("\"\"");
      return;
    case gpb::FieldDescriptor::CPPTYPE_ENUM: {
      const gpb::EnumValueDescriptor* zero = descriptor.enum_type()->FindValueByNumber(0);
      out->append(zero != nullptr ? common::JsonQuoted(zero->name()) : std::string("null"));
      return;
    }
    default:
      out->append("0");
      return;
  }
}

}  // namespace protogate::graphql
