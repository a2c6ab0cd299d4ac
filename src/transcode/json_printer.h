#pragma once

// Internal to transcode: a descriptor-driven printer from protobuf wire bytes
// to proto3 JSON that writes exactly what protobuf 3.21's
// util::BinaryToJsonStream writes (no whitespace) for the cases it accepts,
// at a fraction of the cost: it walks the bytes once against tables built at
// Create, with no google.protobuf.Type lookups and no per-field strings.
//
// It covers what responses usually hold: every scalar kind, enums (names or
// numbers), bytes, nested messages, repeated fields (packed or not), maps,
// google.protobuf.Timestamp and google.protobuf.Empty. For anything else it
// declines, and the caller prints with protobuf instead:
//   - at Create (nullptr): emit_default_values, a type reaching
//     Any/Struct/Value/ListValue/FieldMask/Duration/wrappers/NullValue, groups,
//     or a top-level well-known type;
//   - at Print (false): bytes that are not well-formed wire format, a zero
//     tag, a group, a string that is not UTF-8 as protobuf reads it, a
//     Timestamp out of range, nesting deeper than kMaxDepth.
// Declining is never an error: it only says "ask protobuf", which then
// answers with its own output or error. tests/fuzz/response_printer_diff_fuzz
// checks that every accepted input prints byte-identically to protobuf.
//
// Example:
//   auto printer = JsonPrinter::Create(*user_descriptor, {});
//   std::string json;
//   if (printer == nullptr || !printer->Print(bytes, &json)) { /* protobuf */ }
//
// Immutable after Create; Print is safe from any thread. The descriptors must
// outlive the printer.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "transcode/field_renames.h"

namespace protogate::transcode {

struct JsonOutputOptions {
  bool use_proto_field_names = false;  // "user_id" instead of "userId"
  bool emit_default_values = false;    // print fields holding their default
  bool enums_as_ints = false;          // 2 instead of "ROLE_ADMIN"
};

class JsonPrinter {
 public:
  // Deeper messages are left to protobuf (whose own limit is 64 or more).
  static constexpr int kMaxDepth = 32;

  // What a printer covers. kStructsAndWrappers adds fields of
  // google.protobuf.Struct, Value, ListValue and the wrapper types
  // (DoubleValue ... BytesValue), printed as protobuf prints them; it declines
  // the wire shapes protobuf renders oddly (a wrapper with more than its
  // value, a Value with no kind or several, a Struct with two runs of
  // entries, a ListValue with other fields).
  enum class Coverage { kCommon, kStructsAndWrappers };

  // nullptr when the type or the options are outside what this printer does.
  static std::unique_ptr<const JsonPrinter> Create(const google::protobuf::Descriptor& type,
                                                   const JsonOutputOptions& options);
  // With `renames` (over `type`), renamed fields print under their new
  // names (field_renames.h).
  static std::unique_ptr<const JsonPrinter> Create(const google::protobuf::Descriptor& type,
                                                   const JsonOutputOptions& options,
                                                   Coverage coverage,
                                                   const FieldRenames* renames = nullptr);

  // Appends the JSON of `wire` (a message of the type given to Create) to
  // `out`. False when the printer declines; `out` is then restored to its
  // size on entry.
  bool Print(absl::string_view wire, std::string* out) const;

  // Appends the JSON of one value of the root type's field `number` (one
  // element, for a repeated field): `element` is what follows the field's
  // tag on the wire (a varint, 4 or 8 bytes, or a length and its payload).
  // False when the printer declines (a map field, an unknown number, bytes
  // that do not print as above); `out` is then restored.
  //   printer->PrintField(2, "\x02EU", &out);   // "\"EU\""
  bool PrintField(int number, absl::string_view element, std::string* out) const;

  ~JsonPrinter();

  struct FieldPlan;
  struct MessagePlan;

 private:
  JsonPrinter() = default;
  std::vector<MessagePlan> messages_;  // [0] is the root type
  bool enums_as_ints_ = false;
  int struct_plan_ = -1;  // google.protobuf.Struct's plan, when covered
};

}  // namespace protogate::transcode
