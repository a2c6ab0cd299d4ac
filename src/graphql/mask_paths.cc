#include "graphql/mask_paths.h"

#include <utility>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "aggregate/reference.h"

namespace protogate::graphql {

const SchemaType* ObjectType(const Schema& schema, const TypeRef& type) {
  const TypeRef* named = &type;
  while (named->kind != TypeRef::Kind::kNamed) named = &named->of[0];
  const SchemaType* found = schema.FindType(named->name);
  return found != nullptr && found->kind == SchemaType::Kind::kObject ? found : nullptr;
}

void MaskPaths::Add(const SchemaType& type, const std::vector<CollectedField>& fields,
                    const std::string& prefix) {
  for (const CollectedField& selected : fields) {
    const SchemaField* field = schema_.FindField(type, selected.first().name);
    if (field == nullptr) continue;
    if (field->join != nullptr) {
      for (const std::string& path : field->join->parent_paths) Claim(prefix + Named(path));
      continue;
    }
    if (field->field == nullptr) continue;
    const std::string path = prefix + Named(field->field->name());
    const SchemaType* object = ObjectType(schema_, field->type);
    if (object != nullptr && object->message != nullptr && !selected.first().selections.empty()) {
      Add(*object, collector_.SubFields(selected), path + ".");
    } else {
      Claim(path);
    }
  }
}

void MaskPaths::AddScoped(const SchemaType& type, const std::vector<CollectedField>& fields,
                          const google::protobuf::FieldDescriptor& scope) {
  for (const CollectedField& selected : fields) {
    const SchemaField* field = schema_.FindField(type, selected.first().name);
    if (field == nullptr || field->field != &scope) continue;
    if (const SchemaType* object = ObjectType(schema_, field->type)) {
      Add(*object, collector_.SubFields(selected), "");
    }
  }
}

void MaskPaths::AddProtoPath(const std::string& dotted) { Claim(Named(dotted)); }

std::string MaskPaths::Text() const { return absl::StrJoin(paths_, ","); }

std::string MaskPaths::Named(const std::string& dotted) const {
  if (names_ == Names::kProto) return dotted;
  std::vector<std::string> parts;
  for (absl::string_view part : absl::StrSplit(dotted, '.')) {
    parts.push_back(aggregate::LowerCamel(part));
  }
  return absl::StrJoin(parts, ".");
}

void MaskPaths::Claim(std::string path) {
  if (seen_.insert(path).second) paths_.push_back(std::move(path));
}

}  // namespace protogate::graphql
