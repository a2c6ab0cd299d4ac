#pragma once

// New JSON member names for some fields of a response (a client profile's
// `rename:`): a tree over one message type, like a FieldSelection, whose
// entries say what a field is called in the answer. The printer writes the
// new names (JsonPrinter::Create), a client's `fields` addresses fields by
// them (ParseFieldSelection), and the per-client OpenAPI documents them.
// Only the member's name changes: the field stays where it is.
//
// Example:
//   ASSIGN_OR_RETURN(auto renames, ParseFieldRenames({{"user_id", "id"},
//                                                     {"profile.display_name", "name"}}, *user));
//   // {"userId":"1","profile":{"displayName":"Ann"}} prints as
//   // {"id":"1","profile":{"name":"Ann"}}
//
// Immutable once built; safe to share between threads. The descriptors must
// outlive it.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "nlohmann/json.hpp"

namespace protogate::transcode {

struct FieldRenames {
  struct Entry {
    const google::protobuf::FieldDescriptor* field = nullptr;
    std::string name{};  // the member's new name; "" keeps it (only fields below are renamed)
    // Renames within the field's message (a map's message values); null: none.
    std::shared_ptr<const FieldRenames> sub{};
  };
  const google::protobuf::Descriptor* type = nullptr;
  std::vector<Entry> entries{};  // ascending field number

  const Entry* Find(int number) const;
  // The field whose new name is `name`; null when none is renamed so.
  const google::protobuf::FieldDescriptor* Renamed(absl::string_view name) const;
};

struct FieldRename {
  std::string path;  // one field path (field_selection.h syntax, no sub-selections)
  std::string name;  // the new member name: [A-Za-z_][A-Za-z0-9_]*
};

// InvalidArgument naming the path on a path that does not fit `type` (as
// ParseFieldSelection words it), a path that selects more than one field, a
// field renamed twice, a name that is no identifier, or a name that another
// member of the same object already has or may be asked by (its JSON or
// proto name, or another new name).
absl::StatusOr<std::shared_ptr<const FieldRenames>> ParseFieldRenames(
    const std::vector<FieldRename>& renames, const google::protobuf::Descriptor& type);

// Every rename as a proto path ("profile.display_name") and its name, in
// field order: what a reviewer reads in the route map.
std::vector<FieldRename> RenamePaths(const FieldRenames& renames);

// The member name a field prints as: its new name, else its JSON (or proto)
// name.
const std::string& MemberName(const FieldRenames* renames,
                              const google::protobuf::FieldDescriptor& field, bool proto_names);

// Renames the members of `json`, printed from a message of the renames' type
// with JSON names (or proto names with `proto_names`), in place and in order.
void RenameMembers(const FieldRenames& renames, bool proto_names, nlohmann::ordered_json& json);

}  // namespace protogate::transcode
