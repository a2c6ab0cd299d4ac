#include "aggregate/request_writer.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/json_text.h"
#include "common/status_macros.h"
#include "google/protobuf/util/json_util.h"
#include "transcode/text_value.h"
#include "transcode/wire_format.h"

namespace protogate::aggregate {
namespace {

namespace gpb = google::protobuf;
namespace wire = transcode::wire;
using FD = gpb::FieldDescriptor;

// Same encoding and meaning: an element of `from` is an element of `to`.
bool SameElementType(const FD& from, const FD& to) {
  if (from.type() != to.type()) return false;
  if (from.type() == FD::TYPE_ENUM) return from.enum_type() == to.enum_type();
  if (from.type() != FD::TYPE_MESSAGE) return true;
  if (from.is_map() != to.is_map()) return false;
  if (!from.is_map()) return from.message_type() == to.message_type();
  // Two maps' entry types are distinct messages: compare their key and value.
  return SameElementType(*from.message_type()->map_key(), *to.message_type()->map_key()) &&
         SameElementType(*from.message_type()->map_value(), *to.message_type()->map_value());
}

bool IsPlainMessageField(const FD& field) {
  return field.type() == FD::TYPE_MESSAGE && !field.is_map() &&
         field.message_type()->file()->name().rfind("google/protobuf/", 0) != 0;
}

// Appends `value` as occurrences of `target` when no conversion is needed;
// false (nothing appended) otherwise.
bool AppendWire(const Value& value, const FD& target, std::string* out) {
  switch (value.kind()) {
    case Value::Kind::kField: {
      const FD& source = *value.field();
      if (!SameElementType(source, target) || source.is_map() != target.is_map()) return false;
      if (target.is_map()) {
        for (absl::string_view entry : value.map_entries()) {
          wire::AppendTag(target.number(), wire::WireType::kLengthDelimited, out);
          out->append(entry.data(), entry.size());
        }
        return true;
      }
      wire::AppendTag(target.number(), wire::DeclaredWireType(target), out);
      out->append(value.wire().data(), value.wire().size());
      return true;
    }
    case Value::Kind::kMessage:
      if (target.type() != FD::TYPE_MESSAGE || target.is_map() ||
          target.message_type() != value.message_type()) {
        return false;
      }
      wire::AppendLengthDelimited(target.number(), value.wire(), out);
      return true;
    case Value::Kind::kJson: {
      // A path or query string, or a string of the request body.
      if (target.type() != FD::TYPE_STRING || !value.json().is_string()) return false;
      const std::string& text = value.json().get_ref<const std::string&>();
      if (!transcode::IsValidUtf8(text)) return false;  // protobuf's parser says why
      wire::AppendLengthDelimited(target.number(), text, out);
      return true;
    }
    case Value::Kind::kList: {
      if (!target.is_repeated() || target.is_map()) return false;
      const size_t size = out->size();
      for (const Value& item : value.items()) {
        if (item.kind() == Value::Kind::kList || !AppendWire(item, target, out)) {
          out->resize(size);
          return false;
        }
      }
      return true;
    }
    case Value::Kind::kAbsent:
      return false;
  }
  return false;
}

// Appends the message of `type` that the JSON text `json` is, converted by
// protobuf's JSON parser (as a whole request used to be).
absl::Status AppendFromJson(const gpb::Descriptor& type, const std::string& json,
                            const transcode::TypeRegistry& registry, std::string* out) {
  std::string bytes;
  auto status =
      gpb::util::JsonToBinaryString(registry.resolver(), transcode::TypeRegistry::TypeUrl(type),
                                    json, &bytes, gpb::util::JsonParseOptions());
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("request: ", std::string(status.message().data(), status.message().size())));
  }
  out->append(bytes);
  return absl::OkStatus();
}

// `target` holding `json`: the one member of a message of its containing type.
absl::Status AppendConverted(const FD& target, const Json& json,
                             const transcode::TypeRegistry& registry, std::string* out) {
  return AppendFromJson(
      *target.containing_type(),
      absl::StrCat("{", common::JsonQuoted(target.json_name()), ":", common::JsonText(json), "}"),
      registry, out);
}

absl::Status AppendField(const TemplateField& field, const Sources& sources,
                         const transcode::TypeRegistry& registry, std::string* out) {
  const ValueTemplate& node = field.second;
  const FD& target = *node.target;
  switch (node.kind) {
    case ValueTemplate::Kind::kLiteral:
      out->append(node.literal_wire);
      return absl::OkStatus();
    case ValueTemplate::Kind::kReference: {
      const Value value = Lookup(node.ref, sources);
      if (value.absent() || AppendWire(value, target, out)) return absl::OkStatus();
      break;  // a conversion
    }
    case ValueTemplate::Kind::kObject:
      if (IsPlainMessageField(target) && node.merges.empty() && node.drops.empty()) {
        std::string message;
        RETURN_IF_ERROR(WriteRequest(node, *target.message_type(), sources, registry, &message));
        wire::AppendLengthDelimited(target.number(), message, out);
        return absl::OkStatus();
      }
      break;  // a map, a Struct or a well-known type: its JSON form
    case ValueTemplate::Kind::kList:
      break;
  }
  std::optional<Json> json = Evaluate(node, sources);
  if (!json) return absl::OkStatus();
  return AppendConverted(target, *json, registry, out);
}

}  // namespace

absl::Status PrepareRequestLiterals(ValueTemplate& tmpl, const gpb::Descriptor& type,
                                    const transcode::TypeRegistry& registry) {
  for (TemplateField& field : tmpl.fields) {
    ValueTemplate& node = field.second;
    if (node.target == nullptr) continue;
    if (node.kind == ValueTemplate::Kind::kLiteral) {
      node.literal_wire.clear();
      std::optional<Json> json = Evaluate(node, Sources());
      if (json) RETURN_IF_ERROR(AppendConverted(*node.target, *json, registry, &node.literal_wire));
    } else if (node.kind == ValueTemplate::Kind::kObject && IsPlainMessageField(*node.target)) {
      RETURN_IF_ERROR(PrepareRequestLiterals(node, *node.target->message_type(), registry));
    }
  }
  return absl::OkStatus();
}

absl::Status WriteRequest(const ValueTemplate& tmpl, const gpb::Descriptor& type,
                          const Sources& sources, const transcode::TypeRegistry& registry,
                          std::string* out) {
  for (const TemplateField& field : tmpl.fields) {
    if (field.second.target == nullptr || field.second.target->containing_type() != &type) {
      // Not compiled against this message's fields: the whole request as JSON.
      std::optional<Json> json = Evaluate(tmpl, sources);
      return AppendFromJson(type, common::JsonText(json ? *json : Json::object()), registry, out);
    }
  }
  for (const TemplateField& field : tmpl.fields) {
    RETURN_IF_ERROR(AppendField(field, sources, registry, out));
  }
  return absl::OkStatus();
}

}  // namespace protogate::aggregate
