#pragma once

// Internal to transcode: strict parsing of the text a path variable or query
// parameter carries into one protobuf field on the wire.
//
// Accepted forms: integers in decimal (range-checked per type); float and
// double in decimal or exponent form plus "NaN", "Infinity", "-Infinity";
// bools "true"/"false"/"1"/"0"; enums by value name or number; strings as
// valid UTF-8; bytes as base64 (standard or URL-safe, padding optional);
// google.protobuf.Timestamp (RFC 3339), Duration ("1.5s"), FieldMask
// ("a.b,cD") and the wrapper types in their proto3 JSON string forms.
//
// Pure functions; safe from any thread.

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace protogate::transcode {

// Whether a value of `field` (one element, for a repeated field) can be given
// as text: scalars, enums, and the well-known types listed above.
bool IsTextValued(const google::protobuf::FieldDescriptor& field);

// Appends one occurrence of `field` (tag and value) parsed from `text` to
// `out`, the request being assembled. On failure returns InvalidArgument
// whose message says what was expected, e.g. "expected int32", for the caller
// to prefix with the parameter's name; `out` is then unspecified.
absl::Status AppendFieldFromText(const google::protobuf::FieldDescriptor& field,
                                 absl::string_view text, std::string* out);

// Whether `text` is well-formed UTF-8 (no overlong forms, no surrogates).
bool IsValidUtf8(absl::string_view text);

}  // namespace protogate::transcode
