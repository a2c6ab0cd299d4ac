#include "aggregate/value_type.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace protogate::aggregate {
namespace {

namespace gpb = google::protobuf;

// Well-known types whose JSON form is a string or a plain scalar.
bool IsScalarLike(const gpb::Descriptor& message) {
  static const auto* const kNames = new absl::flat_hash_set<std::string>{
      "google.protobuf.Timestamp",   "google.protobuf.Duration",    "google.protobuf.FieldMask",
      "google.protobuf.DoubleValue", "google.protobuf.FloatValue",  "google.protobuf.Int64Value",
      "google.protobuf.UInt64Value", "google.protobuf.Int32Value",  "google.protobuf.UInt32Value",
      "google.protobuf.BoolValue",   "google.protobuf.StringValue", "google.protobuf.BytesValue"};
  return kNames->contains(message.full_name());
}

// Well-known types whose JSON form is free-form.
bool IsDynamic(const gpb::Descriptor& message) {
  const std::string& name = message.full_name();
  return name == "google.protobuf.Struct" || name == "google.protobuf.Value" ||
         name == "google.protobuf.ListValue" || name == "google.protobuf.Any";
}

const gpb::FieldDescriptor* FindField(const gpb::Descriptor& message, absl::string_view name) {
  for (int i = 0; i < message.field_count(); ++i) {
    const gpb::FieldDescriptor* field = message.field(i);
    if (field->name() == name || field->json_name() == name) return field;
  }
  return nullptr;
}

std::string FieldNames(const gpb::Descriptor& message) {
  std::vector<std::string> names;
  for (int i = 0; i < message.field_count(); ++i) names.push_back(message.field(i)->name());
  return absl::StrJoin(names, ", ");
}

// The type of one element of `field`, ignoring repetition.
ValueType OfSingleField(const gpb::FieldDescriptor& field) {
  ValueType type;
  if (field.is_map()) {
    type.kind = ValueType::Kind::kMap;
    type.map_value = field.message_type()->map_value();
    return type;
  }
  if (field.cpp_type() != gpb::FieldDescriptor::CPPTYPE_MESSAGE) {
    type.kind = ValueType::Kind::kScalar;
    type.scalar = field.cpp_type();
    return type;
  }
  return ValueType::OfMessage(*field.message_type());
}

absl::StatusOr<ValueType> StepField(const ValueType& current, PathStep& step, bool proto_names) {
  if (current.list) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", step.name, "\" is applied to ", current.Describe(), ": use [*] or [<index>] first"));
  }
  switch (current.kind) {
    case ValueType::Kind::kDynamic:
      return current;
    case ValueType::Kind::kMap:
      return ValueType::OfField(*current.map_value);
    case ValueType::Kind::kScalar:
      return absl::InvalidArgumentError(
          absl::StrCat("\"", step.name, "\" is applied to ", current.Describe()));
    case ValueType::Kind::kMessage:
      break;
  }
  const gpb::FieldDescriptor* field = FindField(*current.message, step.name);
  if (field == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("no field \"", step.name, "\" in ", current.message->full_name(),
                     " (fields: ", FieldNames(*current.message), ")"));
  }
  step.name = JsonKey(*field, proto_names);
  step.field = field;
  return ValueType::OfField(*field);
}

bool ScalarsConvert(gpb::FieldDescriptor::CppType to, gpb::FieldDescriptor::CppType from) {
  // Everything prints into a string; strings parse into anything (a path
  // variable "42" into an int32 field); numbers and bools stay in their kind.
  using T = gpb::FieldDescriptor;
  if (to == T::CPPTYPE_STRING || from == T::CPPTYPE_STRING) return true;
  if (to == T::CPPTYPE_BOOL || from == T::CPPTYPE_BOOL) return to == from;
  return true;  // numbers and enums (by number) between themselves
}

}  // namespace

ValueType ValueType::String() {
  ValueType type;
  type.kind = Kind::kScalar;
  type.scalar = gpb::FieldDescriptor::CPPTYPE_STRING;
  return type;
}

ValueType ValueType::OfMessage(const gpb::Descriptor& message) {
  ValueType type;
  if (IsDynamic(message)) return type;
  if (IsScalarLike(message)) return String();
  type.kind = Kind::kMessage;
  type.message = &message;
  return type;
}

ValueType ValueType::OfField(const gpb::FieldDescriptor& field) {
  ValueType type = OfSingleField(field);
  type.list = field.is_repeated() && !field.is_map();
  return type;
}

ValueType ValueType::Element() const {
  ValueType type = *this;
  type.list = false;
  return type;
}

ValueType ValueType::AsList() const {
  ValueType type = *this;
  type.list = true;
  return type;
}

std::string ValueType::Describe() const {
  std::string single;
  switch (kind) {
    case Kind::kDynamic:
      single = "dynamic value";
      break;
    case Kind::kScalar:
      single = gpb::FieldDescriptor::CppTypeName(scalar);
      break;
    case Kind::kMessage:
      single = absl::StrCat(message->full_name(), " message");
      break;
    case Kind::kMap:
      single = "map";
      break;
  }
  if (list) return absl::StrCat("a list of ", single, "s");
  const bool vowel = absl::string_view("aeiou").find(single[0]) != absl::string_view::npos;
  return absl::StrCat(vowel ? "an " : "a ", single);
}

std::string JsonKey(const gpb::FieldDescriptor& field, bool proto_names) {
  return proto_names ? field.name() : field.json_name();
}

absl::StatusOr<ValueType> WalkPath(const ValueType& start, std::vector<PathStep>& steps,
                                   bool proto_names) {
  ValueType current = start;
  bool projected = false;  // a [*] was applied: the result is a list of `current`
  for (PathStep& step : steps) {
    if (step.kind == PathStep::Kind::kField) {
      auto next = StepField(current, step, proto_names);
      if (!next.ok()) return next.status();
      current = *next;
      continue;
    }
    if (!current.list && current.kind != ValueType::Kind::kDynamic) {
      return absl::InvalidArgumentError(
          absl::StrCat(step.kind == PathStep::Kind::kEach ? "[*]" : "[<index>]", " is applied to ",
                       current.Describe(), ", which is not a list"));
    }
    current = current.Element();
    if (step.kind == PathStep::Kind::kEach) projected = true;
  }
  if (projected) {
    // A projection of lists is flattened into one list.
    current = current.AsList();
  }
  return current;
}

absl::Status CheckAssignable(const ValueType& want, const ValueType& source) {
  if (source.kind == ValueType::Kind::kDynamic || want.kind == ValueType::Kind::kDynamic) {
    return absl::OkStatus();
  }
  bool ok = want.list == source.list && want.kind == source.kind;
  if (ok && want.kind == ValueType::Kind::kMessage) ok = want.message == source.message;
  if (ok && want.kind == ValueType::Kind::kScalar) ok = ScalarsConvert(want.scalar, source.scalar);
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("type mismatch: the value is ", source.Describe(),
                                                 ", but the field takes ", want.Describe()));
}

}  // namespace protogate::aggregate
