#include "transcode/field_selection.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "transcode/field_renames.h"
#include "transcode/wire_format.h"

namespace protogate::transcode {
namespace {

namespace gpb = google::protobuf;

absl::Status Error(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("fields: ", what));
}

// The tree while paths are added to it; frozen into a FieldSelection.
struct Building {
  struct Member {
    const gpb::FieldDescriptor* field = nullptr;
    bool whole = false;               // the path ended here: sub is ignored
    std::unique_ptr<Building> sub{};  // set once a sub-field was selected
  };
  const gpb::Descriptor* type = nullptr;
  const FieldRenames* renames = nullptr;  // the names a client knows these fields by
  std::map<int, Member> members{};        // by field number
};

std::shared_ptr<const FieldSelection> Freeze(const Building& building) {
  auto selection = std::make_shared<FieldSelection>();
  selection->type = building.type;
  for (const auto& [number, member] : building.members) {
    FieldSelection::Member frozen{.field = member.field};
    if (!member.whole && member.sub) frozen.sub = Freeze(*member.sub);
    selection->members.push_back(std::move(frozen));
  }
  return selection;
}

// The message type a field's sub-fields are chosen from: its own, or its map
// values'; null for scalars, enums and well-known types, which are leaves.
const gpb::Descriptor* SelectableType(const gpb::FieldDescriptor& field) {
  if (field.type() != gpb::FieldDescriptor::TYPE_MESSAGE) return nullptr;
  const gpb::Descriptor* type = field.message_type();
  if (field.is_map()) {
    const gpb::FieldDescriptor* value = type->map_value();
    if (value->type() != gpb::FieldDescriptor::TYPE_MESSAGE) return nullptr;
    type = value->message_type();
  }
  if (absl::StartsWith(type->full_name(), "google.protobuf.")) return nullptr;
  return type;
}

const gpb::FieldDescriptor* FindByEitherName(const gpb::Descriptor& type, absl::string_view name) {
  if (const gpb::FieldDescriptor* field = type.FindFieldByName(std::string(name))) return field;
  if (const gpb::FieldDescriptor* field = type.FindFieldByCamelcaseName(std::string(name))) {
    return field;
  }
  for (int i = 0; i < type.field_count(); ++i) {
    if (type.field(i)->json_name() == name) return type.field(i);
  }
  return nullptr;
}

// A renamed field answers to its new name only: its old names are what the
// client's profile does not show.
const gpb::FieldDescriptor* FindAsNamed(const Building& at, absl::string_view name) {
  if (at.renames != nullptr) {
    if (const gpb::FieldDescriptor* field = at.renames->Renamed(name)) return field;
  }
  const gpb::FieldDescriptor* field = FindByEitherName(*at.type, name);
  if (field == nullptr || at.renames == nullptr) return field;
  const FieldRenames::Entry* entry = at.renames->Find(field->number());
  return entry != nullptr && !entry->name.empty() ? nullptr : field;
}

// The renames within a field of `at`.
const FieldRenames* RenamesBelow(const Building& at, const gpb::FieldDescriptor& field) {
  if (at.renames == nullptr) return nullptr;
  const FieldRenames::Entry* entry = at.renames->Find(field.number());
  return entry != nullptr ? entry->sub.get() : nullptr;
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// A recursive-descent reader of the path syntax (field_selection.h) into a
// tree of names, paths that share a first segment merged:
//   list := item (',' item)*      item := segment (('.' | '/') segment)* ['(' list ')']
//   segment := name | '*'
class Parser {
 public:
  explicit Parser(absl::string_view text) : text_(text) {}

  absl::Status List(std::vector<FieldPath>& at, int depth) {
    do {
      RETURN_IF_ERROR(Item(at, depth));
      SkipSpaces();
    } while (Take(','));
    return absl::OkStatus();
  }

  bool AtEnd() {
    SkipSpaces();
    return pos_ == text_.size();
  }
  absl::Status Unexpected() const {
    if (pos_ >= text_.size()) return Error("unexpected end");
    return Error(absl::StrCat("unexpected \"", text_.substr(pos_, 1), "\" at offset ", pos_));
  }

 private:
  // One path: walks its segments down the tree, then either marks the
  // segment it ends on as whole or reads its '(' sub-list.
  absl::Status Item(std::vector<FieldPath>& root, int depth) {
    std::vector<FieldPath>* at = &root;
    FieldPath* node = nullptr;
    int level = depth;
    do {
      SkipSpaces();
      const absl::string_view segment = Segment();
      if (segment.empty()) return Unexpected();
      if (node != nullptr) {
        // '*' only names elements: it does not go a field deeper.
        if (segment != "*" && ++level > kMaxFieldPathDepth) {
          return Error("path deeper than 32 fields");
        }
        at = &node->sub;
      }
      node = &Child(*at, segment, /*in_parens=*/false);
      SkipSpaces();
    } while (Take('.') || Take('/'));
    SkipSpaces();
    if (!Take('(')) {
      node->whole = true;
      return absl::OkStatus();
    }
    if (level + 1 > kMaxFieldPathDepth) return Error("path deeper than 32 fields");
    if (node->sub.empty()) node->in_parens = true;
    RETURN_IF_ERROR(List(node->sub, level + 1));
    SkipSpaces();
    if (!Take(')')) return Unexpected();
    return absl::OkStatus();
  }

  static FieldPath& Child(std::vector<FieldPath>& at, absl::string_view name, bool in_parens) {
    for (FieldPath& node : at) {
      if (node.name == name) return node;
    }
    at.push_back(FieldPath{.name = std::string(name), .in_parens = in_parens});
    return at.back();
  }

  absl::string_view Segment() {
    if (Take('*')) return "*";
    const size_t start = pos_;
    while (pos_ < text_.size() && IsNameChar(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }
  bool Take(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void SkipSpaces() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }

  absl::string_view text_;
  size_t pos_ = 0;
};

std::string Joined(absl::string_view prefix, absl::string_view name) {
  return prefix.empty() ? std::string(name) : absl::StrCat(prefix, ".", name);
}

// Where an error below `node` points: its first sub-path, or its '('.
std::string BelowPath(const FieldPath& node, const std::string& path) {
  return node.in_parens ? path + "(" : Joined(path, node.sub.front().name);
}

absl::Status Resolve(const std::vector<FieldPath>& paths, Building& at, const std::string& prefix);

// The sub-paths of `node`, which named `field` (a member of `at`): '*'
// steps into the elements of a repeated field or the values of a map.
absl::Status ResolveBelow(const FieldPath& node, const gpb::FieldDescriptor& field,
                          Building::Member& member, const Building& at, const std::string& path) {
  if (node.whole) member.whole = true;
  std::vector<const FieldPath*> groups;  // nodes whose `sub` applies to the elements
  for (const FieldPath& child : node.sub) {
    if (child.name != "*") continue;
    const std::string star = Joined(path, "*");
    if (!field.is_repeated()) {
      return Error(absl::StrCat("\"*\" follows no repeated or map field at \"", star, "\""));
    }
    for (const FieldPath& after : child.sub) {
      if (after.name == "*") {
        return Error(
            absl::StrCat("\"*\" follows no repeated or map field at \"", Joined(star, "*"), "\""));
      }
    }
    if (child.whole) member.whole = true;
    if (!child.sub.empty()) groups.push_back(&child);
  }
  const bool named_below =
      absl::c_any_of(node.sub, [](const FieldPath& c) { return c.name != "*"; });
  if (named_below) {
    if (field.is_map()) {
      return Error(
          absl::StrCat("map values are selected with \"*\" at \"", BelowPath(node, path), "\""));
    }
    groups.insert(groups.begin(), &node);
  }
  for (const FieldPath* group : groups) {
    const std::string group_path = group == &node ? path : Joined(path, "*");
    const gpb::Descriptor* type = SelectableType(field);
    if (type == nullptr) {
      return Error(absl::StrCat("\"", field.name(), "\" has no sub-fields at \"",
                                BelowPath(*group, group_path), "\""));
    }
    if (!member.sub) {
      member.sub =
          std::make_unique<Building>(Building{.type = type, .renames = RenamesBelow(at, field)});
    }
    RETURN_IF_ERROR(Resolve(group->sub, *member.sub, group_path));
  }
  return absl::OkStatus();
}

absl::Status Resolve(const std::vector<FieldPath>& paths, Building& at, const std::string& prefix) {
  for (const FieldPath& node : paths) {
    if (node.name == "*") continue;  // the elements of the field above: its caller's
    const std::string path = Joined(prefix, node.name);
    const gpb::FieldDescriptor* field = FindAsNamed(at, node.name);
    if (field == nullptr) {
      return Error(absl::StrCat("no field \"", node.name, "\" at \"", path, "\""));
    }
    Building::Member& member = at.members[field->number()];
    member.field = field;
    RETURN_IF_ERROR(ResolveBelow(node, *field, member, at, path));
  }
  return absl::OkStatus();
}

void AppendPaths(const FieldSelection& selection, const std::string& prefix,
                 std::vector<std::string>* out) {
  for (const FieldSelection::Member& member : selection.members) {
    std::string path = absl::StrCat(prefix, member.field->name());
    if (member.sub && !member.field->is_map()) {
      AppendPaths(*member.sub, path + ".", out);
    } else {
      out->push_back(std::move(path));
    }
  }
}

// A map entry with its value (field 2) filtered by `sub`.
bool FilterMapEntry(const FieldSelection& sub, absl::string_view entry, std::string* out) {
  bool ok = true;
  const bool well_formed = wire::ForEachField(entry, [&](const wire::Field& field) {
    if (field.number == 2 && field.type == wire::WireType::kLengthDelimited) {
      std::string value;
      ok = ok && FilterWire(sub, field.payload, &value);
      wire::AppendLengthDelimited(2, value, out);
    } else {
      out->append(field.raw.data(), field.raw.size());
    }
  });
  return ok && well_formed;
}

absl::StatusOr<std::shared_ptr<const FieldSelection>> Narrow(const FieldSelection& asked,
                                                             const FieldSelection& view,
                                                             const FieldRenames* renames,
                                                             const std::string& prefix) {
  auto narrowed = std::make_shared<FieldSelection>();
  narrowed->type = asked.type;
  for (const FieldSelection::Member& member : asked.members) {
    // Named as the client knows the field: by its new name when renamed.
    const FieldRenames::Entry* entry =
        renames != nullptr ? renames->Find(member.field->number()) : nullptr;
    const std::string& name =
        entry != nullptr && !entry->name.empty() ? entry->name : member.field->name();
    const std::string path = absl::StrCat(prefix, name);
    const FieldSelection::Member* allowed = view.Find(member.field->number());
    if (allowed == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("fields: no field \"", name, "\" at \"", path, "\""));
    }
    FieldSelection::Member kept{.field = member.field};
    if (!allowed->sub) {
      kept.sub = member.sub;  // the view keeps it whole: the client narrows it
    } else if (!member.sub) {
      kept.sub = allowed->sub;  // the client asks for it whole: the view's part
    } else {
      ASSIGN_OR_RETURN(kept.sub, Narrow(*member.sub, *allowed->sub,
                                        entry != nullptr ? entry->sub.get() : nullptr, path + "."));
    }
    narrowed->members.push_back(std::move(kept));
  }
  return narrowed;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const FieldSelection>> NarrowSelection(const FieldSelection& asked,
                                                                      const FieldSelection& view,
                                                                      const FieldRenames* renames,
                                                                      absl::string_view prefix) {
  return Narrow(asked, view, renames, prefix.empty() ? "" : absl::StrCat(prefix, "."));
}

const FieldSelection::Member* FieldSelection::Find(int number) const {
  auto it = std::lower_bound(members.begin(), members.end(), number,
                             [](const Member& m, int n) { return m.field->number() < n; });
  return it != members.end() && it->field->number() == number ? &*it : nullptr;
}

absl::StatusOr<std::vector<FieldPath>> ParseFieldPaths(absl::string_view text) {
  if (text.size() > kMaxFieldSelectionText) {
    return Error(absl::StrCat("longer than ", kMaxFieldSelectionText, " bytes"));
  }
  std::vector<FieldPath> paths;
  Parser parser(text);
  RETURN_IF_ERROR(parser.List(paths, 0));
  if (!parser.AtEnd()) return parser.Unexpected();
  return paths;
}

absl::StatusOr<std::shared_ptr<const FieldSelection>> SelectFields(
    const std::vector<FieldPath>& paths, const gpb::Descriptor& type, const FieldRenames* renames,
    absl::string_view prefix) {
  for (const FieldPath& path : paths) {
    if (path.name == "*") {
      return Error(
          absl::StrCat("\"*\" follows no repeated or map field at \"", Joined(prefix, "*"), "\""));
    }
  }
  Building root{.type = &type, .renames = renames};
  RETURN_IF_ERROR(Resolve(paths, root, std::string(prefix)));
  return Freeze(root);
}

absl::StatusOr<std::shared_ptr<const FieldSelection>> ParseFieldSelection(
    absl::string_view text, const gpb::Descriptor& type, const FieldRenames* renames) {
  ASSIGN_OR_RETURN(const std::vector<FieldPath> paths, ParseFieldPaths(text));
  return SelectFields(paths, type, renames);
}

const gpb::FieldDescriptor* FindFieldByAnyName(const gpb::Descriptor& type,
                                               absl::string_view name) {
  return FindByEitherName(type, name);
}

std::vector<std::string> ProtoPaths(const FieldSelection& selection, absl::string_view prefix) {
  std::vector<std::string> paths;
  AppendPaths(selection, std::string(prefix), &paths);
  return paths;
}

bool FilterWire(const FieldSelection& selection, absl::string_view wire, std::string* out) {
  bool ok = true;
  const bool well_formed = wire::ForEachField(wire, [&](const wire::Field& field) {
    const FieldSelection::Member* member = selection.Find(field.number);
    if (member == nullptr || !ok) return;
    if (!member->sub || field.type != wire::WireType::kLengthDelimited) {
      // Whole, or not a message on the wire: kept as it came (the printer
      // judges a wire type that does not fit).
      out->append(field.raw.data(), field.raw.size());
      return;
    }
    std::string filtered;
    ok = member->field->is_map() ? FilterMapEntry(*member->sub, field.payload, &filtered)
                                 : FilterWire(*member->sub, field.payload, &filtered);
    wire::AppendLengthDelimited(field.number, filtered, out);
  });
  return ok && well_formed;
}

}  // namespace protogate::transcode
