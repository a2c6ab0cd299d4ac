#pragma once

// Internal to transcode: the few pieces of the protobuf wire format that the
// transcoders write and scan by hand. Writing a field straight onto the wire
// lets the request transcoder merge path and query values into a body by
// concatenation (the wire format's merge rule), with an explicit zero
// overriding the body, which a reflection-built proto3 message would drop.
//
// Pure functions; safe from any thread. Writers append to `out`.

#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace protogate::transcode::wire {

enum class WireType : uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5,
};

size_t VarintSize(uint64_t value);
void AppendVarint(uint64_t value, std::string* out);
size_t TagSize(int field_number);
void AppendTag(int field_number, WireType type, std::string* out);
void AppendFixed32(uint32_t value, std::string* out);
void AppendFixed64(uint64_t value, std::string* out);
// Tag, length, payload.
// The wire type `field`'s elements are written with (a packed repeated
// field's run is length-delimited on the wire; its elements are not).
// Inline: the inspection and the printers call it for every field they read.
inline WireType DeclaredWireType(const google::protobuf::FieldDescriptor& field) {
  switch (field.type()) {
    case google::protobuf::FieldDescriptor::TYPE_DOUBLE:
    case google::protobuf::FieldDescriptor::TYPE_FIXED64:
    case google::protobuf::FieldDescriptor::TYPE_SFIXED64:
      return WireType::kFixed64;
    case google::protobuf::FieldDescriptor::TYPE_FLOAT:
    case google::protobuf::FieldDescriptor::TYPE_FIXED32:
    case google::protobuf::FieldDescriptor::TYPE_SFIXED32:
      return WireType::kFixed32;
    case google::protobuf::FieldDescriptor::TYPE_STRING:
    case google::protobuf::FieldDescriptor::TYPE_BYTES:
    case google::protobuf::FieldDescriptor::TYPE_MESSAGE:
      return WireType::kLengthDelimited;
    case google::protobuf::FieldDescriptor::TYPE_GROUP:
      return WireType::kStartGroup;
    default:
      return WireType::kVarint;
  }
}

void AppendLengthDelimited(int field_number, absl::string_view payload, std::string* out);

inline uint32_t ZigZag32(int32_t v) {
  return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
}
inline uint64_t ZigZag64(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

struct Field {
  int number = 0;
  WireType type = WireType::kVarint;
  absl::string_view raw;      // the whole field: tag through value
  absl::string_view payload;  // the bytes after the length, for kLengthDelimited
};

// Calls `visit` for each top-level field of `message`, in order. Returns
// false (possibly after some visits) when the bytes are not well-formed wire
// format at the top level (groups are checked to their end).
bool ForEachField(absl::string_view message, absl::FunctionRef<void(const Field&)> visit);

}  // namespace protogate::transcode::wire
