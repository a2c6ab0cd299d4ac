#pragma once

// The strict check every JSON request body passes before it is converted:
// RFC 8259 exactly, plus what the proto3 JSON mapping forbids.
//
// Refused (RFC 8259): single-quoted strings, unescaped control characters
// in strings, comments, trailing commas, NaN / Infinity, leading zeros and
// other malformed numbers, invalid escapes, invalid UTF-8 (overlong forms,
// surrogates, beyond U+10FFFF), a \u escape of a lone surrogate (a high one
// not followed by a low one, or a low one alone), and anything but
// whitespace after the top-level value.
// Refused (proto3 JSON and the gateway): a key given twice in one object —
// compared after unescaping, and in a message by field, so that "user_id"
// and "userId" are the same key — and more than `max_depth` arrays and
// objects open at once. The keys of a map, of a google.protobuf.Struct and
// of any object outside the schema are not fields: they are compared as
// written (after unescaping), and a repeated one is refused all the same.
// Not checked here: whether a value fits its field (protobuf's conversion
// says so, after this check).
//
// Errors are InvalidArgument, naming the 0-based byte offset of the fault in
// `json` and the reason:
//   invalid JSON body at byte 17: single-quoted string
//   invalid JSON body at byte 42: field "user_id" given twice
//
// Why a scanner of our own rather than simdjson's parsers: simdjson 3.0's
// DOM parser refuses valid JSON (integers beyond 64 bits, 1e400: "big
// numbers" a google.protobuf.Value or a double field takes) and reports
// errors without an offset; its On-Demand API validates lazily and reports
// UTF-8 and control-character faults from its first stage, again without an
// offset; neither tells duplicate keys apart. This scanner makes one pass,
// iteratively (no recursion, whatever the depth), gives every fault its byte
// and reason, and checks duplicates against the descriptors in the same
// pass. simdjson's SIMD UTF-8 validator runs first over the whole body: when
// it passes (nearly always), the scanner skips non-ASCII bytes in strings
// instead of decoding them. The scanner is fuzzed against nlohmann::json
// (tests/fuzz/strict_json_fuzz.cc).
//
// Cost: one pass, no allocation per byte; an object's keys are kept as
// views into `json` (escaped keys are decoded once), and an object with
// many keys gets a hash set.
//
// Example:
//   absl::Status s = CheckStrictJson(body, JsonBodyShape::Message(*request_type), 64);
//   absl::Status t = CheckStrictJson(body, JsonBodyShape::Any(), 64);  // no schema
//
// Stateless; safe from any thread. Descriptors must outlive the call.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace protogate::transcode {

inline constexpr int kDefaultMaxJsonDepth = 64;

// What the top-level value of a document is, for the duplicate check: a
// message (keys are its fields), the value of one field (a repeated field's
// array, a map's object, a message), or anything (keys compared as written).
// Well-known types with a JSON form of their own (Struct, Value, ListValue,
// Any, Timestamp, Duration, FieldMask, wrappers) are "anything".
class JsonBodyShape {
 public:
  enum class Kind { kAny, kMessage, kMap, kRepeated };

  static JsonBodyShape Any() { return JsonBodyShape(Kind::kAny, nullptr, nullptr); }
  static JsonBodyShape Message(const google::protobuf::Descriptor& message);
  static JsonBodyShape FieldValue(const google::protobuf::FieldDescriptor& field);
  // An element of a repeated field, or the value of a map entry.
  static JsonBodyShape Element(const google::protobuf::FieldDescriptor& field);

  Kind kind() const { return kind_; }
  const google::protobuf::Descriptor* message() const { return message_; }   // kMessage
  const google::protobuf::FieldDescriptor* field() const { return field_; }  // kMap, kRepeated

 private:
  JsonBodyShape(Kind kind, const google::protobuf::Descriptor* message,
                const google::protobuf::FieldDescriptor* field)
      : kind_(kind), message_(message), field_(field) {}
  Kind kind_;
  const google::protobuf::Descriptor* message_;
  const google::protobuf::FieldDescriptor* field_;
};

// The field of `message` a JSON key names, as protobuf's parser resolves it:
// by proto name ("user_id"), else by JSON name ("userId", or json_name).
// nullptr when none.
const google::protobuf::FieldDescriptor* FindJsonField(const google::protobuf::Descriptor& message,
                                                       absl::string_view key);

// OK when `json` is one strict JSON value of `shape` nested at most
// `max_depth` deep (1 = a flat object or array); see the file comment.
absl::Status CheckStrictJson(absl::string_view json, const JsonBodyShape& shape, int max_depth);

}  // namespace protogate::transcode
