#include "routes/schema_diff.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "graphql/schema.h"

namespace protogate::routes {
namespace {

using graphql::TypeRef;

// Can a client that read `before` from this output field read `after`?
bool SafeForOutput(const TypeRef& before, const TypeRef& after) {
  if (after.kind == TypeRef::Kind::kNonNull && before.kind != TypeRef::Kind::kNonNull) {
    return SafeForOutput(before, after.of[0]);  // a value is now always there
  }
  if (before.kind != after.kind) return false;
  if (before.kind == TypeRef::Kind::kNamed) return before.name == after.name;
  return SafeForOutput(before.of[0], after.of[0]);
}

// Does what a client sent for `before` still fit `after`?
bool SafeForInput(const TypeRef& before, const TypeRef& after) {
  if (before.kind == TypeRef::Kind::kNonNull && after.kind != TypeRef::Kind::kNonNull) {
    return SafeForInput(before.of[0], after);  // null is now accepted as well
  }
  if (before.kind != after.kind) return false;
  if (before.kind == TypeRef::Kind::kNamed) return before.name == after.name;
  return SafeForInput(before.of[0], after.of[0]);
}

bool Required(const SdlInputValue& value) {
  return value.type.kind == TypeRef::Kind::kNonNull && !value.default_value.has_value();
}

std::string Quoted(const std::string& text) { return absl::StrCat("\"", text, "\""); }

// Collects the changes in three groups and sorts each by subject.
class Changes {
 public:
  void Removed(std::string subject) {
    removed_.push_back(
        {.kind = ApiChange::Kind::kRemoved, .subject = std::move(subject), .breaking = true});
  }
  void Added(std::string subject, bool breaking = false, std::string detail = "") {
    ApiChange change{.kind = ApiChange::Kind::kAdded, .subject = std::move(subject)};
    change.breaking = breaking;
    if (!detail.empty()) change.details.push_back(std::move(detail));
    added_.push_back(std::move(change));
  }
  void Changed(std::string subject, std::string detail, bool breaking) {
    changed_.push_back({.kind = ApiChange::Kind::kChanged,
                        .subject = std::move(subject),
                        .details = {std::move(detail)},
                        .breaking = breaking});
  }

  ApiDiff Done() {
    ApiDiff diff;
    for (auto* group : {&removed_, &changed_, &added_}) {
      std::stable_sort(group->begin(), group->end(), [](const ApiChange& a, const ApiChange& b) {
        return a.subject < b.subject;
      });
      for (ApiChange& change : *group) diff.changes.push_back(std::move(change));
    }
    return diff;
  }

 private:
  std::vector<ApiChange> removed_, changed_, added_;
};

template <typename T>
std::map<std::string, const T*> ByName(const std::vector<T>& items) {
  std::map<std::string, const T*> by_name;
  for (const T& item : items) by_name.emplace(item.name, &item);
  return by_name;
}

void DiffNames(const std::string& owner, const std::vector<std::string>& before,
               const std::vector<std::string>& after, absl::string_view separator,
               Changes& changes) {
  for (const std::string& name : before) {
    if (std::find(after.begin(), after.end(), name) == after.end()) {
      changes.Removed(absl::StrCat(owner, separator, name));
    }
  }
  for (const std::string& name : after) {
    if (std::find(before.begin(), before.end(), name) == before.end()) {
      changes.Added(absl::StrCat(owner, separator, name));
    }
  }
}

// Arguments (`owner` "Query.user" gives "Query.user(id:)") or input fields
// ("UserInput.name").
void DiffInputValues(const std::string& owner, bool arguments,
                     const std::vector<SdlInputValue>& before,
                     const std::vector<SdlInputValue>& after, Changes& changes) {
  auto subject = [&](const std::string& name) {
    return arguments ? absl::StrCat(owner, "(", name, ":)") : absl::StrCat(owner, ".", name);
  };
  const auto old_values = ByName(before);
  const auto new_values = ByName(after);
  for (const auto& [name, value] : old_values) {
    auto it = new_values.find(name);
    if (it == new_values.end()) {
      changes.Removed(subject(name));
      continue;
    }
    const SdlInputValue& now = *it->second;
    const std::string old_type = graphql::TypeText(value->type);
    const std::string new_type = graphql::TypeText(now.type);
    if (old_type != new_type) {
      changes.Changed(subject(name),
                      absl::StrCat("type ", Quoted(old_type), " -> ", Quoted(new_type)),
                      !SafeForInput(value->type, now.type));
    }
    if (value->default_value != now.default_value) {
      changes.Changed(subject(name),
                      absl::StrCat("default ", Quoted(value->default_value.value_or("(none)")),
                                   " -> ", Quoted(now.default_value.value_or("(none)"))),
                      false);
    }
  }
  for (const auto& [name, value] : new_values) {
    if (old_values.contains(name)) continue;
    const bool required = Required(*value);
    changes.Added(subject(name), required,
                  required ? absl::StrCat("required (", graphql::TypeText(value->type),
                                          ", no default): clients must send it")
                           : "");
  }
}

void DiffFields(const SdlType& before, const SdlType& after, Changes& changes) {
  const auto old_fields = ByName(before.fields);
  const auto new_fields = ByName(after.fields);
  for (const auto& [name, field] : old_fields) {
    const std::string subject = absl::StrCat(after.name, ".", name);
    auto it = new_fields.find(name);
    if (it == new_fields.end()) {
      changes.Removed(subject);
      continue;
    }
    const std::string old_type = graphql::TypeText(field->type);
    const std::string new_type = graphql::TypeText(it->second->type);
    if (old_type != new_type) {
      changes.Changed(subject, absl::StrCat("type ", Quoted(old_type), " -> ", Quoted(new_type)),
                      !SafeForOutput(field->type, it->second->type));
    }
    DiffInputValues(subject, /*arguments=*/true, field->arguments, it->second->arguments, changes);
  }
  for (const auto& [name, field] : new_fields) {
    if (!old_fields.contains(name)) changes.Added(absl::StrCat(after.name, ".", name));
  }
}

void DiffType(const SdlType& before, const SdlType& after, Changes& changes) {
  if (before.kind != after.kind) {
    changes.Changed(absl::StrCat(KindKeyword(after.kind), " ", after.name),
                    absl::StrCat("kind ", Quoted(std::string(KindKeyword(before.kind))), " -> ",
                                 Quoted(std::string(KindKeyword(after.kind)))),
                    true);
    return;
  }
  switch (after.kind) {
    case SdlType::Kind::kScalar:
      return;
    case SdlType::Kind::kObject:
    case SdlType::Kind::kInterface:
      DiffFields(before, after, changes);
      DiffNames(after.name, before.interfaces, after.interfaces, " implements ", changes);
      return;
    case SdlType::Kind::kUnion:
      DiffNames(after.name, before.members, after.members, " | ", changes);
      return;
    case SdlType::Kind::kEnum:
      DiffNames(after.name, before.members, after.members, ".", changes);
      return;
    case SdlType::Kind::kInputObject:
      DiffInputValues(after.name, /*arguments=*/false, before.input_fields, after.input_fields,
                      changes);
      if (before.one_of != after.one_of) {
        changes.Changed(
            absl::StrCat("input ", after.name),
            after.one_of ? "@oneOf added: exactly one field may be given now" : "@oneOf removed",
            after.one_of);
      }
      return;
  }
}

void DiffDirectives(const SdlSchema& before, const SdlSchema& after, Changes& changes) {
  for (const auto& [name, directive] : before.directives) {
    const std::string subject = absl::StrCat("@", name);
    auto it = after.directives.find(name);
    if (it == after.directives.end()) {
      changes.Removed(absl::StrCat("directive ", subject));
      continue;
    }
    DiffInputValues(subject, /*arguments=*/true, directive.arguments, it->second.arguments,
                    changes);
    DiffNames(subject, directive.locations, it->second.locations, " on ", changes);
  }
  for (const auto& [name, directive] : after.directives) {
    if (!before.directives.contains(name)) changes.Added(absl::StrCat("directive @", name));
  }
}

}  // namespace

ApiDiff DiffSchemas(const SdlSchema& old_schema, const SdlSchema& new_schema) {
  Changes changes;
  for (const auto& [name, type] : old_schema.types) {
    auto it = new_schema.types.find(name);
    if (it == new_schema.types.end()) {
      changes.Removed(absl::StrCat(KindKeyword(type.kind), " ", name));
    } else {
      DiffType(type, it->second, changes);
    }
  }
  for (const auto& [name, type] : new_schema.types) {
    if (!old_schema.types.contains(name)) {
      changes.Added(absl::StrCat(KindKeyword(type.kind), " ", name));
    }
  }
  for (const char* operation : {"query", "mutation", "subscription"}) {
    auto before = old_schema.roots.find(operation);
    auto after = new_schema.roots.find(operation);
    const std::string old_root = before == old_schema.roots.end() ? "" : before->second;
    const std::string new_root = after == new_schema.roots.end() ? "" : after->second;
    if (old_root == new_root || old_root.empty()) continue;  // a new root is an added type
    // A root type that is gone is reported as a removed type.
    if (new_root.empty() && !new_schema.types.contains(old_root)) continue;
    changes.Changed(absl::StrCat("schema ", operation),
                    absl::StrCat("root type ", Quoted(old_root), " -> ",
                                 Quoted(new_root.empty() ? "(none)" : new_root)),
                    true);
  }
  DiffDirectives(old_schema, new_schema, changes);
  return changes.Done();
}

}  // namespace protogate::routes
