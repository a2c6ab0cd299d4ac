#pragma once

// Internal to transcode: a descriptor-driven writer from a proto3 JSON
// request body straight to protobuf wire bytes, accepting and refusing what
// protobuf 3.21's util::JsonToBinaryStream accepts and refuses, and producing
// bytes that parse to the same message, at a fraction of its cost: one pass
// over the JSON against tables built at Create, no google.protobuf.Type
// lookups, no DOM, no per-field allocation (nested messages are written in
// place and their length prefixes fixed up afterwards).
//
// The input must be a document CheckStrictJson accepted (strict RFC 8259,
// each key at most once, bounded depth): the writer does not re-check syntax.
//
// What it follows, as protobuf 3.21 does: field names by JSON name or proto
// name; integers from JSON numbers (1e2 and 100.0 are 100; 1.5 is not an
// integer) or from strings of decimal digits ("+5" and "007" too, "1e2" not);
// floats and doubles from numbers or strings, "NaN", "Infinity" and
// "-Infinity" included; bools from true/false or the strings protobuf takes
// ("true", "t", "yes", "1", ... in any case); bytes as strict base64, URL-safe
// or standard, padding optional; enums by name, by number, or by a string of
// a known number; null leaves a field unset (a NullValue field takes it as
// its value); a repeated field takes a list (nested
// lists flatten) or one bare value; maps with keys parsed from the key
// string; oneofs refuse a second member; unknown fields are an error naming
// the field or, with ignore_unknown_fields, skipped whole (unknown enum names
// are then dropped too). Well-known types: Timestamp, Duration, FieldMask,
// the wrappers and Empty, in their JSON forms and in their plain message
// forms; NullValue fields take null as their value.
//
// Not covered, so Create returns nullptr and the caller converts with
// protobuf: a type reaching google.protobuf.Any, Struct, Value or
// ListValue, a proto2 type, a group, more than 64 oneofs in one message, or
// two fields whose JSON and proto names collide.
//
// Deliberate differences from protobuf 3.21, each where protobuf's own
// output is malformed or meaningless (both refuse everything else alike):
//   - an empty key "" in a message object is refused (inside an element of
//     a repeated message field protobuf re-enters that field at the wrong
//     level instead);
//   - an object as the value of a map with scalar values is refused
//     (protobuf writes a length-less tag, bytes that do not parse).
// Errors are InvalidArgument, "invalid JSON body: <field path>: <reason>",
// values echoed at most 64 bytes long, e.g.
//   invalid JSON body: items[1].quantity: invalid value 1.5 for int32
//   invalid JSON body: unknown field "colour" in demo.orders.v1.CreateOrderRequest
// Protobuf's wording is not kept; the field path is.
//
// Example:
//   auto writer = JsonToWire::ForMessage(*request_type, {});
//   std::string wire;
//   if (writer == nullptr) { /* protobuf's converter */ }
//   else if (absl::Status s = writer->Append(body, &wire); !s.ok()) { /* 400 */ }
//
// Immutable after Create; Append is safe from any thread. The descriptors
// must outlive the writer. tests/fuzz/json_to_wire_diff_fuzz.cc holds the
// writer to protobuf's converter.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace protogate::transcode {

struct JsonToWireOptions {
  // Skip keys that name no field, and drop enum names that name no value.
  bool ignore_unknown_fields = false;
};

class JsonToWire {
 public:
  // protobuf 3.21's JSON parser refuses objects nested deeper than this.
  static constexpr int kMaxObjectDepth = 100;

  // The JSON is a whole `type` message. nullptr when not covered.
  static std::unique_ptr<const JsonToWire> ForMessage(const google::protobuf::Descriptor& type,
                                                      const JsonToWireOptions& options);
  // The JSON is the value of `field` (as in {"<field>": <JSON>}): Append
  // writes occurrences of `field` of its containing message. nullptr when
  // the containing message is not covered.
  static std::unique_ptr<const JsonToWire> ForField(const google::protobuf::FieldDescriptor& field,
                                                    const JsonToWireOptions& options);

  // Appends the wire bytes of `json` to `out`. On failure `out` holds a
  // partial write the caller discards.
  absl::Status Append(absl::string_view json, std::string* out) const;

  ~JsonToWire();

  struct FieldPlan;
  struct MessagePlan;

 private:
  JsonToWire() = default;
  static std::unique_ptr<JsonToWire> Plan(const google::protobuf::Descriptor& type,
                                          const JsonToWireOptions& options);

  std::vector<MessagePlan> messages_;  // [0] is the root type
  int root_field_ = -1;                // ForField: the field's index in messages_[0]
  bool ignore_unknown_fields_ = false;
};

}  // namespace protogate::transcode
