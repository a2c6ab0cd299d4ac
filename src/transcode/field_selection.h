#pragma once

// Which fields of a response a client gets: a tree over one message type,
// parsed from field paths (the `fields` query parameter or the X-Fields
// header). The same tree trims wire bytes (FilterWire) and becomes the read
// mask pushed down to the service (ProtoPaths).
//
// Path syntax (AIP-161, plus Google's `fields` sub-selections):
//   user_id,profile.region        fields, JSON or proto names, comma-separated
//   profile/region                '/' as a separator, as Google's `fields` allows
//   profile(region,avatar_url)    sub-selection: profile.region, profile.avatar_url
//   users.*.email, users.email    '*' after a repeated field is optional
//   attributes.*.name             every map value's sub-field ('*' required)
// Selecting a field and one of its sub-fields keeps the whole field.
// Well-known types (Timestamp, wrappers, Struct, ...) are leaves.
//
// Example:
//   ASSIGN_OR_RETURN(auto selection, ParseFieldSelection("email,profile(region)", *user));
//   FilterWire(*selection, bytes, &trimmed);  // then print `trimmed`
//   ProtoPaths(*selection);                   // {"email", "profile.region"}
//
// Immutable once built; safe to share between threads. The descriptors must
// outlive it.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace protogate::transcode {

struct FieldRenames;  // field_renames.h

// The metadata key a selection's proto paths travel to a service in,
// comma-separated (ProtoPaths), beside or instead of a read mask field.
inline constexpr char kFieldMaskMetadata[] = "x-protogate-field-mask";

struct FieldSelection {
  struct Member {
    const google::protobuf::FieldDescriptor* field = nullptr;
    // A message field's (or a map's message values') selected sub-fields;
    // null: all of them.
    std::shared_ptr<const FieldSelection> sub{};
  };
  const google::protobuf::Descriptor* type = nullptr;
  std::vector<Member> members{};  // ascending field number

  const Member* Find(int number) const;
};

// Bounds on what a client may send, so that hostile text costs little.
inline constexpr size_t kMaxFieldSelectionText = 8192;
inline constexpr int kMaxFieldPathDepth = 32;

// The paths of a `fields` text as written, before they meet a type: a tree
// of segments, paths that share a first segment merged (in the order first
// written). Syntax errors and the bounds below are checked here.
struct FieldPath {
  std::string name;              // a field name as the client wrote it, or "*"
  bool whole = false;            // a path ends here
  bool in_parens = false;        // the sub-paths were first given as `name(...)`
  std::vector<FieldPath> sub{};  // the paths that go on from here
};
absl::StatusOr<std::vector<FieldPath>> ParseFieldPaths(absl::string_view text);

// Resolves parsed paths over `type` (ParseFieldSelection's errors; `prefix`
// starts the paths that errors name, e.g. "user" when these paths were found
// under a composite answer's "user" key). A top-level "*" is an error: the
// elements it would name are the caller's to place.
absl::StatusOr<std::shared_ptr<const FieldSelection>> SelectFields(
    const std::vector<FieldPath>& paths, const google::protobuf::Descriptor& type,
    const FieldRenames* renames = nullptr, absl::string_view prefix = "");

// The field of `type` with this proto name, JSON name or lowerCamel form.
const google::protobuf::FieldDescriptor* FindFieldByAnyName(
    const google::protobuf::Descriptor& type, absl::string_view name);

// A client's `fields` text over `type`. InvalidArgument naming the path on a
// syntax error, an unknown field, '*' after a singular field, a path into a
// scalar or a well-known type, text longer than kMaxFieldSelectionText or
// deeper than kMaxFieldPathDepth, e.g.
//   `fields: no field "nme" at "profile.nme"`.
// Empty text (or only spaces) is an error too: callers treat an absent or
// empty parameter as "everything" before asking. With `renames` (over
// `type`), a renamed field is named by its new name only.
absl::StatusOr<std::shared_ptr<const FieldSelection>> ParseFieldSelection(
    absl::string_view text, const google::protobuf::Descriptor& type,
    const FieldRenames* renames = nullptr);

// What a client asked for (`asked`) within what its profile's view allows
// (`view`, over the same type): the intersection. InvalidArgument naming the
// first asked path the view does not hold, as if the field did not exist
// (renamed fields by their new names), its path after `prefix`:
//   `fields: no field "total_spent_cents" at "total_spent_cents"`.
absl::StatusOr<std::shared_ptr<const FieldSelection>> NarrowSelection(
    const FieldSelection& asked, const FieldSelection& view, const FieldRenames* renames = nullptr,
    absl::string_view prefix = "");

// The selection as FieldMask paths (proto names, "profile.region"), in field
// order, each prefixed with `prefix` ("user." when the selection is over a
// response_body field). A map field with selected value sub-fields is one
// path (FieldMask cannot name map values' fields): the mask is then wider
// than the selection, never narrower.
std::vector<std::string> ProtoPaths(const FieldSelection& selection, absl::string_view prefix = "");

// Appends to `out` the fields of `wire` (a message of the selection's type)
// that the selection keeps, sub-messages, repeated elements and map values
// filtered in turn. False on bytes that are not well-formed wire format.
bool FilterWire(const FieldSelection& selection, absl::string_view wire, std::string* out);

}  // namespace protogate::transcode
