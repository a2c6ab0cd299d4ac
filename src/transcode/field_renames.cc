#include "transcode/field_renames.h"

#include <algorithm>
#include <map>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "transcode/field_selection.h"

namespace protogate::transcode {
namespace {

namespace gpb = google::protobuf;

// The tree while renames are added to it; frozen into a FieldRenames.
struct Building {
  struct Entry {
    const gpb::FieldDescriptor* field = nullptr;
    std::string name{};
    std::unique_ptr<Building> sub{};
  };
  const gpb::Descriptor* type = nullptr;
  std::map<int, Entry> entries{};  // by field number
};

std::shared_ptr<const FieldRenames> Freeze(const Building& building) {
  auto renames = std::make_shared<FieldRenames>();
  renames->type = building.type;
  for (const auto& [number, entry] : building.entries) {
    renames->entries.push_back({.field = entry.field,
                                .name = entry.name,
                                .sub = entry.sub ? Freeze(*entry.sub) : nullptr});
  }
  return renames;
}

bool IsIdentifier(absl::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

absl::Status RenameError(const FieldRename& rename, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("rename ", rename.path, ": ", problem));
}

// The fields a path names, outermost first: the selection of one path is a
// chain with one member per level.
absl::StatusOr<std::vector<const gpb::FieldDescriptor*>> Chain(const FieldRename& rename,
                                                               const gpb::Descriptor& type) {
  auto selection = ParseFieldSelection(rename.path, type);
  if (!selection.ok()) return RenameError(rename, selection.status().message());
  std::vector<const gpb::FieldDescriptor*> chain;
  for (const FieldSelection* at = selection->get(); at != nullptr;) {
    if (at->members.size() != 1) return RenameError(rename, "names more than one field");
    chain.push_back(at->members[0].field);
    at = at->members[0].sub.get();
  }
  return chain;
}

// A new name must not be a name by which another member of the same object
// prints or may be asked for in `fields`.
absl::Status CheckNames(const Building& node, const std::vector<FieldRename>& renames,
                        const std::map<const Building::Entry*, size_t>& origin) {
  for (const auto& [number, entry] : node.entries) {
    if (entry.sub) RETURN_IF_ERROR(CheckNames(*entry.sub, renames, origin));
    if (entry.name.empty()) continue;
    for (int i = 0; i < node.type->field_count(); ++i) {
      const gpb::FieldDescriptor& other = *node.type->field(i);
      if (other.number() == number) continue;
      auto renamed = node.entries.find(other.number());
      const bool other_renamed = renamed != node.entries.end() && !renamed->second.name.empty();
      const bool clash = other_renamed
                             ? renamed->second.name == entry.name
                             : other.json_name() == entry.name || other.name() == entry.name;
      if (clash) {
        return RenameError(renames[origin.at(&entry)],
                           absl::StrCat("\"", entry.name, "\" is already the name of ",
                                        other.full_name(), " in the same object"));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

const FieldRenames::Entry* FieldRenames::Find(int number) const {
  auto it = std::lower_bound(entries.begin(), entries.end(), number,
                             [](const Entry& e, int n) { return e.field->number() < n; });
  return it != entries.end() && it->field->number() == number ? &*it : nullptr;
}

const gpb::FieldDescriptor* FieldRenames::Renamed(absl::string_view name) const {
  for (const Entry& entry : entries) {
    if (!entry.name.empty() && entry.name == name) return entry.field;
  }
  return nullptr;
}

absl::StatusOr<std::shared_ptr<const FieldRenames>> ParseFieldRenames(
    const std::vector<FieldRename>& renames, const gpb::Descriptor& type) {
  Building root{.type = &type};
  std::map<const Building::Entry*, size_t> origin;  // the rename that named each entry
  for (size_t i = 0; i < renames.size(); ++i) {
    const FieldRename& rename = renames[i];
    if (!IsIdentifier(rename.name)) {
      return RenameError(
          rename, absl::StrCat("\"", rename.name, "\" is not a member name (letters, digits, _)"));
    }
    ASSIGN_OR_RETURN(const std::vector<const gpb::FieldDescriptor*> chain, Chain(rename, type));
    Building* at = &root;
    for (size_t level = 0; level < chain.size(); ++level) {
      const gpb::FieldDescriptor* field = chain[level];
      Building::Entry& entry = at->entries[field->number()];
      entry.field = field;
      if (level + 1 == chain.size()) {
        if (!entry.name.empty()) return RenameError(rename, "the field is renamed twice");
        entry.name = rename.name;
        origin[&entry] = i;
        break;
      }
      if (!entry.sub) {
        // The next field belongs to this one's message, or its map values'.
        entry.sub =
            std::make_unique<Building>(Building{.type = chain[level + 1]->containing_type()});
      }
      at = entry.sub.get();
    }
  }
  RETURN_IF_ERROR(CheckNames(root, renames, origin));
  return Freeze(root);
}

std::vector<FieldRename> RenamePaths(const FieldRenames& renames) {
  std::vector<FieldRename> paths;
  for (const FieldRenames::Entry& entry : renames.entries) {
    if (!entry.name.empty()) paths.push_back({entry.field->name(), entry.name});
    if (!entry.sub) continue;
    for (FieldRename& below : RenamePaths(*entry.sub)) {
      paths.push_back({absl::StrCat(entry.field->name(), ".", below.path), std::move(below.name)});
    }
  }
  return paths;
}

const std::string& MemberName(const FieldRenames* renames, const gpb::FieldDescriptor& field,
                              bool proto_names) {
  if (renames != nullptr) {
    if (const FieldRenames::Entry* entry = renames->Find(field.number());
        entry != nullptr && !entry->name.empty()) {
      return entry->name;
    }
  }
  return proto_names ? field.name() : field.json_name();
}

void RenameMembers(const FieldRenames& renames, bool proto_names, nlohmann::ordered_json& json) {
  if (!json.is_object()) return;
  nlohmann::ordered_json renamed = nlohmann::ordered_json::object();
  for (auto& [key, value] : json.items()) {
    const gpb::FieldDescriptor* field = proto_names ? renames.type->FindFieldByName(key) : nullptr;
    for (int i = 0; field == nullptr && i < renames.type->field_count(); ++i) {
      if (renames.type->field(i)->json_name() == key) field = renames.type->field(i);
    }
    const FieldRenames::Entry* entry = field != nullptr ? renames.Find(field->number()) : nullptr;
    if (entry == nullptr) {
      renamed[key] = std::move(value);
      continue;
    }
    if (entry->sub) {
      if (field->is_map()) {
        for (auto& map_value : value) RenameMembers(*entry->sub, proto_names, map_value);
      } else if (field->is_repeated()) {
        for (auto& element : value) RenameMembers(*entry->sub, proto_names, element);
      } else {
        RenameMembers(*entry->sub, proto_names, value);
      }
    }
    renamed[entry->name.empty() ? key : entry->name] = std::move(value);
  }
  json = std::move(renamed);
}

}  // namespace protogate::transcode
