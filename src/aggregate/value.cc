#include "aggregate/value.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "aggregate/value_printer.h"
#include "google/protobuf/arena.h"
#include "google/protobuf/message.h"
#include "transcode/wire_format.h"
#include "transcode/wire_inspection.h"

namespace protogate::aggregate {
namespace {

namespace gpb = google::protobuf;
using transcode::wire::DeclaredWireType;
using transcode::wire::WireType;

size_t VarintLength(absl::string_view bytes) {
  size_t n = 0;
  while (n < bytes.size() && (static_cast<uint8_t>(bytes[n]) & 0x80) != 0) ++n;
  return std::min(n + 1, bytes.size());
}

// Splits a packed payload into its elements; false when it does not split.
bool SplitPacked(absl::string_view payload, WireType type, std::vector<absl::string_view>& out) {
  while (!payload.empty()) {
    size_t size = 0;
    if (type == WireType::kVarint) {
      size = VarintLength(payload);
      if ((static_cast<uint8_t>(payload[size - 1]) & 0x80) != 0) return false;
    } else {
      size = type == WireType::kFixed64 ? 8 : 4;
      if (payload.size() < size) return false;
    }
    out.push_back(payload.substr(0, size));
    payload.remove_prefix(size);
  }
  return true;
}

// Messages of google.protobuf.* print as JSON scalars or free-form values:
// they stay field values, printed with their field.
bool IsPlainMessage(const gpb::FieldDescriptor& field) {
  return field.type() == gpb::FieldDescriptor::TYPE_MESSAGE && !field.is_map() &&
         !absl::StartsWith(field.message_type()->full_name(), "google.protobuf.");
}

Value ElementValue(const Value& message, absl::string_view element,
                   const gpb::FieldDescriptor& field) {
  if (!IsPlainMessage(field)) return Value::FieldView(message.owner(), element, field);
  element.remove_prefix(VarintLength(element));  // the length
  return Value::MessageView(message.owner(), element, *field.message_type());
}

}  // namespace

Value::Value(Json json)
    : kind_(Kind::kJson), json_(std::make_shared<const Json>(std::move(json))) {}

Value::Value(std::optional<Json> json) {
  if (json) *this = Value(*std::move(json));
}

Value Value::Message(std::shared_ptr<const std::string> bytes, const gpb::Descriptor& type) {
  const absl::string_view wire = *bytes;
  return MessageView(std::move(bytes), wire, type);
}

Value Value::MessageView(std::shared_ptr<const void> owner, absl::string_view wire,
                         const gpb::Descriptor& type) {
  Value value;
  value.kind_ = Kind::kMessage;
  value.owner_ = std::move(owner);
  value.wire_ = wire;
  value.message_ = &type;
  return value;
}

Value Value::FieldView(std::shared_ptr<const void> owner, absl::string_view element,
                       const gpb::FieldDescriptor& field) {
  Value value;
  value.kind_ = Kind::kField;
  value.owner_ = std::move(owner);
  value.wire_ = element;
  value.field_ = &field;
  return value;
}

Value Value::MapView(std::shared_ptr<const void> owner, std::vector<absl::string_view> entries,
                     const gpb::FieldDescriptor& field) {
  Value value;
  value.kind_ = Kind::kField;
  value.owner_ = std::move(owner);
  value.field_ = &field;
  value.entries_ = std::make_shared<const std::vector<absl::string_view>>(std::move(entries));
  return value;
}

Value Value::List(std::vector<Value> items) {
  Value value;
  value.kind_ = Kind::kList;
  value.items_ = std::make_shared<const std::vector<Value>>(std::move(items));
  return value;
}

const std::vector<absl::string_view>& Value::map_entries() const {
  static const auto* const kNone = new std::vector<absl::string_view>();
  return entries_ ? *entries_ : *kNone;
}

std::optional<Value> WireMessage(std::string bytes, const gpb::Descriptor& type,
                                 const transcode::TypeRegistry& registry) {
  switch (transcode::InspectWire(bytes, type)) {
    case transcode::WireShape::kPrintable:
      break;
    case transcode::WireShape::kNeedsNormalizing: {
      gpb::Arena arena;
      gpb::Message* message = registry.Prototype(type)->New(&arena);
      if (!message->ParseFromString(bytes)) return std::nullopt;
      // A field sent with the wrong wire type parses as unknown; lookups
      // by number would misread it.
      message->DiscardUnknownFields();
      bytes = message->SerializeAsString();
      break;
    }
    case transcode::WireShape::kMalformed:
      return std::nullopt;
  }
  return Value::Message(std::make_shared<const std::string>(std::move(bytes)), type);
}

namespace {

// The elements of one field as a scan of its message meets them.
struct Gathered {
  std::vector<absl::string_view> elements;
  bool ok = true;
};

// The output was checked on arrival (transcode::InspectWire): a wire type
// other than the declared one is an unknown field, as the printer skips it.
void Gather(const transcode::wire::Field& f, const gpb::FieldDescriptor& field, Gathered& into) {
  const WireType declared = DeclaredWireType(field);
  if (f.type == declared) {
    into.elements.push_back(f.raw.substr(VarintLength(f.raw)));
  } else if (field.is_repeated() && field.is_packable() && f.type == WireType::kLengthDelimited) {
    into.ok = into.ok && SplitPacked(f.payload, declared, into.elements);
  }
}

Value GatheredValue(const Value& message, const gpb::FieldDescriptor& field, Gathered gathered);

}  // namespace

Value FieldOf(const Value& message, const gpb::FieldDescriptor& field) {
  if (message.kind() != Value::Kind::kMessage) return {};
  Gathered gathered;
  transcode::wire::ForEachField(message.wire(), [&](const transcode::wire::Field& f) {
    if (f.number == field.number()) Gather(f, field, gathered);
  });
  return GatheredValue(message, field, std::move(gathered));
}

std::vector<Value> FieldsOf(const Value& message,
                            absl::Span<const gpb::FieldDescriptor* const> fields) {
  std::vector<Value> values(fields.size());
  if (message.kind() != Value::Kind::kMessage) return values;
  std::vector<Gathered> gathered(fields.size());
  transcode::wire::ForEachField(message.wire(), [&](const transcode::wire::Field& f) {
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i] != nullptr && fields[i]->number() == f.number)
        Gather(f, *fields[i], gathered[i]);
    }
  });
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i] != nullptr)
      values[i] = GatheredValue(message, *fields[i], std::move(gathered[i]));
  }
  return values;
}

namespace {

Value GatheredValue(const Value& message, const gpb::FieldDescriptor& field, Gathered gathered) {
  std::vector<absl::string_view>& elements = gathered.elements;
  if (!gathered.ok || elements.empty()) return {};
  if (field.is_map()) return Value::MapView(message.owner(), std::move(elements), field);
  if (!field.is_repeated()) return ElementValue(message, elements.back(), field);
  std::vector<Value> items;
  items.reserve(elements.size());
  for (absl::string_view element : elements) items.push_back(ElementValue(message, element, field));
  return Value::List(std::move(items));
}

}  // namespace

namespace {

const transcode::FieldSelection::Member* MemberNamed(const transcode::FieldSelection& selection,
                                                     const std::string& key, bool proto_names) {
  for (const transcode::FieldSelection::Member& member : selection.members) {
    const gpb::FieldDescriptor& field = *member.field;
    if (key == (proto_names ? field.name() : field.json_name()) || key == field.name() ||
        key == field.json_name()) {
      return &member;
    }
  }
  return nullptr;
}

void KeepJson(Json& value, const transcode::FieldSelection& selection, bool proto_names) {
  if (value.is_array()) {
    for (Json& element : value) KeepJson(element, selection, proto_names);
    return;
  }
  if (!value.is_object()) return;
  for (auto it = value.begin(); it != value.end();) {
    const transcode::FieldSelection::Member* member = MemberNamed(selection, it.key(), proto_names);
    if (member == nullptr) {
      it = value.erase(it);
      continue;
    }
    if (member->sub && member->field->is_map() && it->is_object()) {
      for (Json& map_value : *it) KeepJson(map_value, *member->sub, proto_names);
    } else if (member->sub) {
      KeepJson(*it, *member->sub, proto_names);
    }
    ++it;
  }
}

}  // namespace

Value Kept(const Value& value, const transcode::FieldSelection& selection, bool proto_names) {
  switch (value.kind()) {
    case Value::Kind::kMessage: {
      if (value.message_type() != selection.type) return value;
      auto kept = std::make_shared<std::string>();
      // The bytes were checked on arrival: filtering cannot fail on them.
      if (!transcode::FilterWire(selection, value.wire(), kept.get())) return value;
      return Value::Message(std::move(kept), *value.message_type());
    }
    case Value::Kind::kList: {
      std::vector<Value> items;
      items.reserve(value.items().size());
      for (const Value& item : value.items()) items.push_back(Kept(item, selection, proto_names));
      return Value::List(std::move(items));
    }
    case Value::Kind::kJson: {
      Json json = value.json();
      KeepJson(json, selection, proto_names);
      return Value(std::move(json));
    }
    default:
      return value;
  }
}

Value Lookup(const Value& start, absl::Span<const PathStep> steps, const ValuePrinter& printer) {
  Value current = start;
  for (size_t i = 0; i < steps.size(); ++i) {
    const PathStep& step = steps[i];
    if (current.absent()) return {};
    if (current.kind() == Value::Kind::kJson)
      return Value(Resolve(current.json(), steps.subspan(i)));
    switch (step.kind) {
      case PathStep::Kind::kField:
        if (current.kind() == Value::Kind::kMessage && step.field != nullptr &&
            step.field->containing_type() == current.message_type()) {
          current = FieldOf(current, *step.field);
          continue;
        }
        if (current.is_wire()) {
          // No descriptor to go on with (a Struct, a map): its JSON form.
          std::optional<Json> json = printer.ToJson(current);
          if (!json) return {};
          return Value(Resolve(*json, steps.subspan(i)));
        }
        return {};
      case PathStep::Kind::kIndex:
        if (current.kind() != Value::Kind::kList || step.index >= current.items().size()) return {};
        current = Value(current.items()[step.index]);
        continue;
      case PathStep::Kind::kEach: {
        if (current.kind() != Value::Kind::kList) return {};
        const absl::Span<const PathStep> rest = steps.subspan(i + 1);
        const bool nested = std::any_of(rest.begin(), rest.end(), [](const PathStep& s) {
          return s.kind == PathStep::Kind::kEach;
        });
        std::vector<Value> out;
        for (const Value& element : current.items()) {
          Value found = Lookup(element, rest, printer);
          if (found.absent()) continue;
          // A nested projection already made a list: flatten it into ours.
          if (nested && found.kind() == Value::Kind::kList) {
            out.insert(out.end(), found.items().begin(), found.items().end());
          } else if (nested && found.kind() == Value::Kind::kJson && found.json().is_array()) {
            for (const Json& inner : found.json()) out.emplace_back(inner);
          } else {
            out.push_back(std::move(found));
          }
        }
        return Value::List(std::move(out));
      }
    }
  }
  return current;
}

}  // namespace protogate::aggregate
