#pragma once

// What the plan builder knows, at load time, about the value a reference
// will produce: a scalar of some protobuf type, a message, a map, a list of
// those, or "dynamic" (a JSON body, a google.protobuf.Struct, ...) that only
// the request can tell. Used to refuse type mismatches before any request
// runs, and to rewrite field names in reference paths into the JSON keys the
// gateway prints (json_name or the proto name, per the output options).
//
// Example:
//   ValueType user = ValueType::OfMessage(*registry->FindMessage("demo.users.v1.User"));
//   std::vector<PathStep> steps = ...;                       // profile.region
//   ASSIGN_OR_RETURN(ValueType region, WalkPath(user, steps, /*proto_names=*/false));
//   region.Describe() -> "string"
//   CheckAssignable(ValueType::OfField(*request_field), user) -> type mismatch error
//
// Pure; the descriptors must outlive the values. Safe from any thread.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "aggregate/reference.h"
#include "google/protobuf/descriptor.h"

namespace protogate::aggregate {

struct ValueType {
  enum class Kind { kDynamic, kScalar, kMessage, kMap };
  Kind kind = Kind::kDynamic;
  bool list = false;
  // kScalar: the field's C++ type; well-known types printed as JSON scalars
  // (Timestamp, Duration, FieldMask, wrappers) count as strings.
  google::protobuf::FieldDescriptor::CppType scalar =
      google::protobuf::FieldDescriptor::CPPTYPE_STRING;
  const google::protobuf::Descriptor* message = nullptr;         // kMessage
  const google::protobuf::FieldDescriptor* map_value = nullptr;  // kMap

  static ValueType Dynamic() { return {}; }
  static ValueType String();
  static ValueType OfMessage(const google::protobuf::Descriptor& message);
  // The value of `field` as printed in JSON (repeated fields are lists).
  static ValueType OfField(const google::protobuf::FieldDescriptor& field);

  ValueType Element() const;  // the same without `list`
  ValueType AsList() const;   // the same as a list

  // "string", "a list of demo.orders.v1.Order messages", "a dynamic value", ...
  std::string Describe() const;
};

// The JSON key the gateway prints for `field`.
std::string JsonKey(const google::protobuf::FieldDescriptor& field, bool proto_names);

// Follows `steps` from `start`, rewriting field steps to printed JSON keys.
// Field names may be written as proto names or JSON names. InvalidArgument:
// `no field "x" in demo.users.v1.User`, `"orders" is a list: use orders[*] or
// orders[<index>]`, `"[*]" applied to a string`.
absl::StatusOr<ValueType> WalkPath(const ValueType& start, std::vector<PathStep>& steps,
                                   bool proto_names);

// OK when a value of type `source` can fill a request field of type `want`
// (ValueType::OfField, or its Element() for one list item): scalars convert
// into scalars (not bools into numbers), messages need the same message type,
// repeated fields need lists and lists need repeated fields. Dynamic values
// pass: the request decides. InvalidArgument: "type mismatch: the value is a
// demo.users.v1.Profile message, but the field takes a string".
absl::Status CheckAssignable(const ValueType& want, const ValueType& source);

}  // namespace protogate::aggregate
