#pragma once

// Holds JsonToWire to protobuf's own JSON parser (util::JsonToBinaryStream)
// on one document: both must accept it or both refuse it, and when both
// accept, the two outputs must parse to the same message. Used by the unit
// tests and by the differential fuzz target.
//
// The writer's two documented refusals of what protobuf accepts (an empty
// key in a message object; an object as a scalar map value, where protobuf's
// bytes do not parse) count as agreement.
//
// Example:
//   std::string mismatch = test::CompareJsonToWire(*registry, *type, json, false);
//   EXPECT_EQ(mismatch, "") << json;
//
// Header-only; the documents must have passed CheckStrictJson.

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "transcode/json_to_wire.h"
#include "transcode/type_registry.h"

namespace protogate::test {

// How the wire bytes read as `type`, in text format (maps sorted, every NaN
// alike), or "<does not parse>".
inline std::string WireAsText(const google::protobuf::Descriptor& type, const std::string& wire) {
  static google::protobuf::DynamicMessageFactory* const factory =
      new google::protobuf::DynamicMessageFactory();
  std::unique_ptr<google::protobuf::Message> message(factory->GetPrototype(&type)->New());
  if (!message->ParseFromString(wire)) return "<does not parse>";
  std::string text;
  google::protobuf::TextFormat::PrintToString(*message, &text);
  return text;
}

// protobuf's converter on `json` as `type`: ok and the bytes, or the error.
inline google::protobuf::util::Status ProtobufJsonToWire(const transcode::TypeRegistry& registry,
                                                         const google::protobuf::Descriptor& type,
                                                         absl::string_view json,
                                                         bool ignore_unknown, std::string* wire) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = ignore_unknown;
  google::protobuf::io::ArrayInputStream in(json.data(), static_cast<int>(json.size()));
  google::protobuf::io::StringOutputStream out(wire);
  return google::protobuf::util::JsonToBinaryStream(
      registry.resolver(), transcode::TypeRegistry::TypeUrl(type), &in, &out, options);
}

// "" when the writer and protobuf agree on `json`, else what differs.
inline std::string CompareJsonToWire(const transcode::TypeRegistry& registry,
                                     const google::protobuf::Descriptor& type,
                                     absl::string_view json, bool ignore_unknown) {
  auto writer = transcode::JsonToWire::ForMessage(type, {.ignore_unknown_fields = ignore_unknown});
  if (writer == nullptr) return absl::StrCat(type.full_name(), " is not covered");
  std::string fast;
  const absl::Status fast_status = writer->Append(json, &fast);
  std::string reference;
  const auto reference_status =
      ProtobufJsonToWire(registry, type, json, ignore_unknown, &reference);
  const std::string reference_message(reference_status.message().data(),
                                      reference_status.message().size());
  if (!fast_status.ok() && !reference_status.ok()) return "";
  if (!fast_status.ok()) {
    const absl::string_view why = fast_status.message();
    if (absl::StrContains(why, "empty field name") ||
        absl::StrContains(why, "an object for a map value of type")) {
      return "";
    }
    return absl::StrCat("the writer refused what protobuf accepts: ", why);
  }
  if (!reference_status.ok()) {
    return absl::StrCat("the writer accepted what protobuf refuses: ", reference_message);
  }
  const std::string fast_text = WireAsText(type, fast);
  const std::string reference_text = WireAsText(type, reference);
  if (fast_text != reference_text) {
    return absl::StrCat("different messages\nprotobuf:\n", reference_text, "writer:\n", fast_text);
  }
  return "";
}

}  // namespace protogate::test
