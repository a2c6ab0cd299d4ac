#pragma once

// A test schema with every shape of field the proto3 JSON mapping knows, as
// a TypeRegistry, for the JSON-to-wire tests and the differential fuzz
// target. Built from descriptors in code (no .proto file to compile), on top
// of the well-known types linked into libprotobuf. In .proto terms:
//
//   syntax = "proto3";
//   package protogate.test;
//   enum Color { COLOR_UNSPECIFIED = 0; RED = 1; GREEN = 2; NEGATIVE = -3; }
//   message Inner { string name = 1; int32 level = 2; Inner child = 3;
//                   repeated string tags = 4; }
//   message Shapes {
//     double f_double = 1; ... Color f_enum = 16;      // one of each scalar
//     Shapes child = 17; Inner inner = 18;
//     repeated int32 r_int32 = 21; ... repeated Inner r_inner = 35;
//     map<string, string> m_string = 40; ... map<bool, string> m_bool = 51;
//     map<string, Inner> m_inner = 52; ... map<string, NullValue> m_null = 62;
//     oneof pick { string o_string = 70; ... Timestamp o_ts = 75; }
//     optional int32 opt_int32 = 80; optional string opt_string = 81;
//     int32 renamed = 82 [json_name = "customName"];
//     Timestamp ts = 90; ... every wrapper; repeated WKTs 110..116;
//   }
//   message Typed { ... }  // Shapes without Struct, Value and ListValue
//   message WithAny { google.protobuf.Any any = 1; Shapes shapes = 2; }
//   service ShapesService {  // Get* have idempotency_level NO_SIDE_EFFECTS
//     rpc GetShapes(Shapes) returns (Shapes); rpc PutTyped(Typed) returns (Typed);
//     rpc GetInner(Inner) returns (Inner); rpc PutAny(WithAny) returns (WithAny);
//   }
//
// Example:
//   const auto* shapes = test::ShapesRegistry()->FindMessage("protogate.test.Shapes");
//
// Header-only, like demo_registry.h; the registry is built once per process.

#include <cstdlib>
#include <memory>
#include <string>

#include "google/protobuf/any.pb.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/empty.pb.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/wrappers.pb.h"
#include "transcode/type_registry.h"

namespace protogate::test {

namespace shapes_internal {

namespace gpb = google::protobuf;
using Type = gpb::FieldDescriptorProto::Type;
constexpr Type kMessage = gpb::FieldDescriptorProto::TYPE_MESSAGE;
constexpr Type kEnum = gpb::FieldDescriptorProto::TYPE_ENUM;

inline gpb::FieldDescriptorProto* AddField(gpb::DescriptorProto* message, const std::string& name,
                                           int number, Type type, const std::string& type_name = "",
                                           bool repeated = false) {
  gpb::FieldDescriptorProto* field = message->add_field();
  field->set_name(name);
  field->set_number(number);
  field->set_type(type);
  field->set_label(repeated ? gpb::FieldDescriptorProto::LABEL_REPEATED
                            : gpb::FieldDescriptorProto::LABEL_OPTIONAL);
  if (!type_name.empty()) field->set_type_name(type_name);
  return field;
}

// map<key, value> name = number, with its entry type "<Name>Entry".
inline void AddMap(gpb::DescriptorProto* message, const std::string& name, int number, Type key,
                   Type value, const std::string& value_type = "") {
  std::string entry_name;
  bool upper = true;
  for (char c : name) {
    if (c == '_') {
      upper = true;
      continue;
    }
    entry_name.push_back(upper ? static_cast<char>(c - 'a' + 'A') : c);
    upper = false;
  }
  entry_name += "Entry";
  gpb::DescriptorProto* entry = message->add_nested_type();
  entry->set_name(entry_name);
  entry->mutable_options()->set_map_entry(true);
  AddField(entry, "key", 1, key);
  AddField(entry, "value", 2, value, value_type);
  AddField(message, name, number, kMessage, ".protogate.test." + message->name() + "." + entry_name,
           true);
}

// A copy of `shapes` named `name`, without the fields that reach Struct,
// Value or ListValue (directly or as map values), referring to itself where
// the original referred to Shapes: every field the JSON-to-wire writer covers.
inline gpb::DescriptorProto WithoutDynamicTypes(const gpb::DescriptorProto& shapes,
                                                const std::string& name) {
  auto dynamic = [](const std::string& type_name) {
    return type_name == ".google.protobuf.Struct" || type_name == ".google.protobuf.Value" ||
           type_name == ".google.protobuf.ListValue";
  };
  const std::string from = ".protogate.test." + shapes.name();
  const std::string to = ".protogate.test." + name;
  auto rename = [&](gpb::FieldDescriptorProto* field) {
    const std::string& type_name = field->type_name();
    if (type_name.compare(0, from.size(), from) == 0 &&
        (type_name.size() == from.size() || type_name[from.size()] == '.')) {
      field->set_type_name(to + type_name.substr(from.size()));
    }
  };
  gpb::DescriptorProto typed = shapes;
  typed.set_name(name);
  typed.clear_field();
  typed.clear_nested_type();
  for (const auto& entry : shapes.nested_type()) {
    if (dynamic(entry.field(1).type_name())) continue;
    gpb::DescriptorProto* copy = typed.add_nested_type();
    *copy = entry;
    rename(copy->mutable_field(1));
  }
  for (const auto& field : shapes.field()) {
    bool drops = dynamic(field.type_name());
    for (const auto& entry : shapes.nested_type()) {
      if (field.type_name() == from + "." + entry.name() && dynamic(entry.field(1).type_name())) {
        drops = true;
      }
    }
    if (drops) continue;
    gpb::FieldDescriptorProto* copy = typed.add_field();
    *copy = field;
    rename(copy);
  }
  return typed;
}

inline gpb::FileDescriptorProto ShapesFile() {
  using F = gpb::FieldDescriptorProto;
  gpb::FileDescriptorProto file;
  file.set_name("protogate/test/json_shapes.proto");
  file.set_package("protogate.test");
  file.set_syntax("proto3");
  for (const char* dependency : {"google/protobuf/any.proto", "google/protobuf/duration.proto",
                                 "google/protobuf/empty.proto", "google/protobuf/field_mask.proto",
                                 "google/protobuf/struct.proto", "google/protobuf/timestamp.proto",
                                 "google/protobuf/wrappers.proto"}) {
    file.add_dependency(dependency);
  }
  gpb::EnumDescriptorProto* color = file.add_enum_type();
  color->set_name("Color");
  int value_number[] = {0, 1, 2, -3};
  const char* value_name[] = {"COLOR_UNSPECIFIED", "RED", "GREEN", "NEGATIVE"};
  for (int i = 0; i < 4; ++i) {
    auto* value = color->add_value();
    value->set_name(value_name[i]);
    value->set_number(value_number[i]);
  }
  const std::string kColor = ".protogate.test.Color";
  const std::string kInner = ".protogate.test.Inner";
  const std::string kShapes = ".protogate.test.Shapes";

  gpb::DescriptorProto* inner = file.add_message_type();
  inner->set_name("Inner");
  AddField(inner, "name", 1, F::TYPE_STRING);
  AddField(inner, "level", 2, F::TYPE_INT32);
  AddField(inner, "child", 3, kMessage, kInner);
  AddField(inner, "tags", 4, F::TYPE_STRING, "", true);

  gpb::DescriptorProto* shapes = file.add_message_type();
  shapes->set_name("Shapes");
  const struct {
    const char* suffix;
    Type type;
  } scalars[] = {
      {"double", F::TYPE_DOUBLE},     {"float", F::TYPE_FLOAT},   {"int64", F::TYPE_INT64},
      {"uint64", F::TYPE_UINT64},     {"int32", F::TYPE_INT32},   {"fixed64", F::TYPE_FIXED64},
      {"fixed32", F::TYPE_FIXED32},   {"bool", F::TYPE_BOOL},     {"string", F::TYPE_STRING},
      {"bytes", F::TYPE_BYTES},       {"uint32", F::TYPE_UINT32}, {"sfixed32", F::TYPE_SFIXED32},
      {"sfixed64", F::TYPE_SFIXED64}, {"sint32", F::TYPE_SINT32}, {"sint64", F::TYPE_SINT64}};
  int number = 1;
  for (const auto& s : scalars) AddField(shapes, std::string("f_") + s.suffix, number++, s.type);
  AddField(shapes, "f_enum", 16, kEnum, kColor);
  AddField(shapes, "child", 17, kMessage, kShapes);
  AddField(shapes, "inner", 18, kMessage, kInner);

  number = 21;
  for (const auto& s : scalars) {
    AddField(shapes, std::string("r_") + s.suffix, number++, s.type, "", true);
  }
  AddField(shapes, "r_enum", 36, kEnum, kColor, true);
  AddField(shapes, "r_inner", 37, kMessage, kInner, true);

  AddMap(shapes, "m_string", 40, F::TYPE_STRING, F::TYPE_STRING);
  AddMap(shapes, "m_int32", 41, F::TYPE_INT32, F::TYPE_INT32);
  AddMap(shapes, "m_int64", 42, F::TYPE_INT64, F::TYPE_STRING);
  AddMap(shapes, "m_uint32", 43, F::TYPE_UINT32, F::TYPE_UINT64);
  AddMap(shapes, "m_uint64", 44, F::TYPE_UINT64, F::TYPE_INT64);
  AddMap(shapes, "m_sint32", 45, F::TYPE_SINT32, F::TYPE_BOOL);
  AddMap(shapes, "m_sint64", 46, F::TYPE_SINT64, F::TYPE_FLOAT);
  AddMap(shapes, "m_fixed32", 47, F::TYPE_FIXED32, F::TYPE_DOUBLE);
  AddMap(shapes, "m_fixed64", 48, F::TYPE_FIXED64, F::TYPE_BYTES);
  AddMap(shapes, "m_sfixed32", 49, F::TYPE_SFIXED32, F::TYPE_SINT32);
  AddMap(shapes, "m_sfixed64", 50, F::TYPE_SFIXED64, F::TYPE_FIXED32);
  AddMap(shapes, "m_bool", 51, F::TYPE_BOOL, F::TYPE_STRING);
  AddMap(shapes, "m_inner", 52, F::TYPE_STRING, kMessage, kInner);
  AddMap(shapes, "m_enum", 53, F::TYPE_STRING, kEnum, kColor);
  AddMap(shapes, "m_value", 54, F::TYPE_STRING, kMessage, ".google.protobuf.Value");
  AddMap(shapes, "m_ts", 55, F::TYPE_STRING, kMessage, ".google.protobuf.Timestamp");
  AddMap(shapes, "m_list", 56, F::TYPE_STRING, kMessage, ".google.protobuf.ListValue");
  AddMap(shapes, "m_struct", 57, F::TYPE_STRING, kMessage, ".google.protobuf.Struct");
  AddMap(shapes, "m_wrapper", 58, F::TYPE_STRING, kMessage, ".google.protobuf.Int32Value");
  AddMap(shapes, "m_null", 59, F::TYPE_STRING, kEnum, ".google.protobuf.NullValue");
  AddMap(shapes, "m_shapes", 60, F::TYPE_INT32, kMessage, kShapes);

  shapes->add_oneof_decl()->set_name("pick");
  const struct {
    const char* name;
    Type type;
    const char* type_name;
  } picks[] = {{"o_string", F::TYPE_STRING, ""},
               {"o_int32", F::TYPE_INT32, ""},
               {"o_inner", kMessage, ".protogate.test.Inner"},
               {"o_enum", kEnum, ".protogate.test.Color"},
               {"o_value", kMessage, ".google.protobuf.Value"},
               {"o_ts", kMessage, ".google.protobuf.Timestamp"}};
  number = 70;
  for (const auto& p : picks) {
    AddField(shapes, p.name, number++, p.type, p.type_name)->set_oneof_index(0);
  }
  for (const char* name : {"opt_int32", "opt_string"}) {
    shapes->add_oneof_decl()->set_name(std::string("_") + name);
    auto* field = AddField(shapes, name, name[4] == 'i' ? 80 : 81,
                           name[4] == 'i' ? F::TYPE_INT32 : F::TYPE_STRING);
    field->set_proto3_optional(true);
    field->set_oneof_index(shapes->oneof_decl_size() - 1);
  }
  AddField(shapes, "renamed", 82, F::TYPE_INT32)->set_json_name("customName");

  const struct {
    const char* name;
    const char* type;
  } wkts[] = {{"ts", "Timestamp"},
              {"dur", "Duration"},
              {"mask", "FieldMask"},
              {"st", "Struct"},
              {"val", "Value"},
              {"lv", "ListValue"},
              {"empty", "Empty"},
              {"w_double", "DoubleValue"},
              {"w_float", "FloatValue"},
              {"w_int64", "Int64Value"},
              {"w_uint64", "UInt64Value"},
              {"w_int32", "Int32Value"},
              {"w_uint32", "UInt32Value"},
              {"w_bool", "BoolValue"},
              {"w_string", "StringValue"},
              {"w_bytes", "BytesValue"}};
  number = 90;
  for (const auto& w : wkts) {
    AddField(shapes, w.name, number++, kMessage, std::string(".google.protobuf.") + w.type);
  }
  AddField(shapes, "null_value", 106, kEnum, ".google.protobuf.NullValue");
  const struct {
    const char* name;
    const char* type;
  } repeated_wkts[] = {{"r_ts", "Timestamp"},  {"r_dur", "Duration"}, {"r_val", "Value"},
                       {"r_lv", "ListValue"},  {"r_st", "Struct"},    {"r_w", "Int32Value"},
                       {"r_mask", "FieldMask"}};
  number = 110;
  for (const auto& w : repeated_wkts) {
    AddField(shapes, w.name, number++, kMessage, std::string(".google.protobuf.") + w.type, true);
  }
  AddField(shapes, "r_null", 117, kEnum, ".google.protobuf.NullValue", true);

  *file.add_message_type() = WithoutDynamicTypes(*shapes, "Typed");

  gpb::DescriptorProto* with_any = file.add_message_type();
  with_any->set_name("WithAny");
  AddField(with_any, "any", 1, kMessage, ".google.protobuf.Any");
  AddField(with_any, "shapes", 2, kMessage, kShapes);

  gpb::ServiceDescriptorProto* service = file.add_service();
  service->set_name("ShapesService");
  const struct {
    const char* name;
    const char* type;
    bool query;
  } methods[] = {{"GetShapes", "Shapes", true},
                 {"PutTyped", "Typed", false},
                 {"GetInner", "Inner", true},
                 {"PutAny", "WithAny", false}};
  for (const auto& m : methods) {
    gpb::MethodDescriptorProto* method = service->add_method();
    method->set_name(m.name);
    method->set_input_type(std::string(".protogate.test.") + m.type);
    method->set_output_type(std::string(".protogate.test.") + m.type);
    if (m.query)
      method->mutable_options()->set_idempotency_level(gpb::MethodOptions::NO_SIDE_EFFECTS);
  }
  return file;
}

inline std::string ShapesDescriptorSetBytes() {
  gpb::FileDescriptorSet set;
  for (const gpb::Descriptor* wkt :
       {gpb::Any::descriptor(), gpb::Duration::descriptor(), gpb::Empty::descriptor(),
        gpb::FieldMask::descriptor(), gpb::Struct::descriptor(), gpb::Timestamp::descriptor(),
        gpb::Int32Value::descriptor()}) {
    wkt->file()->CopyTo(set.add_file());
  }
  *set.add_file() = ShapesFile();
  return set.SerializeAsString();
}

}  // namespace shapes_internal

inline std::shared_ptr<const transcode::TypeRegistry> ShapesRegistry() {
  static const std::shared_ptr<const transcode::TypeRegistry> registry = [] {
    auto loaded =
        transcode::TypeRegistry::FromDescriptorSet(shapes_internal::ShapesDescriptorSetBytes());
    if (!loaded.ok()) std::abort();
    return *loaded;
  }();
  return registry;
}

}  // namespace protogate::test
