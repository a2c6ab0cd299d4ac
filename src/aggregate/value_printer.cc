#include "aggregate/value_printer.h"

#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/json_text.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/json_util.h"
#include "transcode/wire_format.h"

namespace protogate::aggregate {
namespace gpb = google::protobuf;
namespace wire = transcode::wire;

ValuePrinter::ValuePrinter(std::shared_ptr<const transcode::TypeRegistry> registry,
                           transcode::JsonOutputOptions options)
    : registry_(std::move(registry)), options_(options) {}

void ValuePrinter::Prepare(const gpb::Descriptor& type) {
  std::vector<const gpb::Descriptor*> pending = {&type};
  while (!pending.empty()) {
    const gpb::Descriptor* next = pending.back();
    pending.pop_back();
    if (printers_.contains(next)) continue;
    printers_[next] = transcode::JsonPrinter::Create(
        *next, options_, transcode::JsonPrinter::Coverage::kStructsAndWrappers);
    for (int i = 0; i < next->field_count(); ++i) {
      const gpb::Descriptor* child = next->field(i)->message_type();
      if (child != nullptr && !printers_.contains(child)) pending.push_back(child);
    }
  }
}

const transcode::JsonPrinter* ValuePrinter::Fast(const gpb::Descriptor& type) const {
  auto it = printers_.find(&type);
  return it == printers_.end() ? nullptr : it->second.get();
}

bool ValuePrinter::PrintMessage(const gpb::Descriptor& type, absl::string_view bytes,
                                std::string* out) const {
  if (const transcode::JsonPrinter* fast = Fast(type); fast != nullptr && fast->Print(bytes, out)) {
    return true;
  }
  if (registry_ == nullptr) return false;
  gpb::util::JsonPrintOptions print;
  print.preserve_proto_field_names = options_.use_proto_field_names;
  print.always_print_primitive_fields = options_.emit_default_values;
  print.always_print_enums_as_ints = options_.enums_as_ints;
  const size_t size = out->size();
  gpb::util::Status status;
  {
    gpb::io::ArrayInputStream in(bytes.data(), static_cast<int>(bytes.size()));
    gpb::io::StringOutputStream stream(out);
    status = gpb::util::BinaryToJsonStream(
        registry_->resolver(), transcode::TypeRegistry::TypeUrl(type), &in, &stream, print);
  }
  if (status.ok()) return true;
  out->resize(size);
  return false;
}

// A field's value prints alone with its message's fast printer; otherwise
// (a map, a declined type) as a message holding only that field, whose
// `{"key":` and `}` are cut away.
bool ValuePrinter::PrintField(const Value& value, std::string* out) const {
  const gpb::FieldDescriptor& field = *value.field();
  const gpb::Descriptor& parent = *field.containing_type();
  if (!field.is_map()) {
    if (const transcode::JsonPrinter* fast = Fast(parent);
        fast != nullptr && fast->PrintField(field.number(), value.wire(), out)) {
      return true;
    }
  }
  std::string message;
  const auto tag_type =
      field.is_map() ? wire::WireType::kLengthDelimited : wire::DeclaredWireType(field);
  if (field.is_map()) {
    for (absl::string_view entry : value.map_entries()) {
      wire::AppendTag(field.number(), tag_type, &message);
      message.append(entry.data(), entry.size());
    }
  } else {
    wire::AppendTag(field.number(), tag_type, &message);
    message.append(value.wire().data(), value.wire().size());
  }
  std::string whole;
  if (!PrintMessage(parent, message, &whole)) return false;
  const std::string key =
      common::JsonQuoted(options_.use_proto_field_names ? field.name() : field.json_name());
  absl::string_view text = whole;
  if (!absl::ConsumePrefix(&text, absl::StrCat("{", key, ":")) ||
      !absl::ConsumeSuffix(&text, "}")) {
    // Default values printed beside it: find the key in the tree.
    const Json tree = Json::parse(whole, nullptr, false);
    if (!tree.is_object()) return false;
    auto it = tree.find(options_.use_proto_field_names ? field.name() : field.json_name());
    if (it == tree.end()) return false;
    Json one = field.is_repeated() && !field.is_map() && it->is_array() && !it->empty()
                   ? it->front()
                   : *it;
    out->append(common::JsonText(one));
    return true;
  }
  if (field.is_repeated() && !field.is_map()) {
    if (!absl::ConsumePrefix(&text, "[") || !absl::ConsumeSuffix(&text, "]")) return false;
  }
  out->append(text.data(), text.size());
  return true;
}

bool ValuePrinter::Print(const Value& value, std::string* out) const {
  switch (value.kind()) {
    case Value::Kind::kAbsent:
      return false;
    case Value::Kind::kJson:
      if (value.json().is_discarded()) return false;
      out->append(common::JsonText(value.json()));
      return true;
    case Value::Kind::kMessage:
      return PrintMessage(*value.message_type(), value.wire(), out);
    case Value::Kind::kField:
      return PrintField(value, out);
    case Value::Kind::kList: {
      const size_t size = out->size();
      out->push_back('[');
      bool first = true;
      for (const Value& item : value.items()) {
        if (item.absent()) continue;
        if (!first) out->push_back(',');
        if (!Print(item, out)) {
          out->resize(size);
          return false;
        }
        first = false;
      }
      out->push_back(']');
      return true;
    }
  }
  return false;
}

bool ValuePrinter::PrintMembers(const Value& value, std::string* out, bool* first) const {
  if (value.kind() == Value::Kind::kJson) {
    if (!value.json().is_object()) return false;
    for (auto it = value.json().begin(); it != value.json().end(); ++it) {
      if (!*first) out->push_back(',');
      *first = false;
      out->append(common::JsonQuoted(it.key()));
      out->push_back(':');
      out->append(common::JsonText(*it));
    }
    return true;
  }
  if (value.kind() != Value::Kind::kMessage) return false;
  std::string text;
  if (!PrintMessage(*value.message_type(), value.wire(), &text)) return false;
  absl::string_view members = text;
  if (!absl::ConsumePrefix(&members, "{") || !absl::ConsumeSuffix(&members, "}")) return false;
  if (members.empty()) return true;
  if (!*first) out->push_back(',');
  *first = false;
  out->append(members.data(), members.size());
  return true;
}

std::optional<Json> ValuePrinter::ToJson(const Value& value) const {
  switch (value.kind()) {
    case Value::Kind::kAbsent:
      return std::nullopt;
    case Value::Kind::kJson:
      if (value.json().is_discarded()) return std::nullopt;
      return value.json();
    case Value::Kind::kList: {
      Json list = Json::array();
      for (const Value& item : value.items()) {
        std::optional<Json> json = ToJson(item);
        if (json) list.push_back(*std::move(json));
      }
      return list;
    }
    case Value::Kind::kMessage:
    case Value::Kind::kField:
      break;
  }
  std::string text;
  if (!Print(value, &text)) return std::nullopt;
  Json json = Json::parse(text, nullptr, false);
  if (json.is_discarded()) return std::nullopt;
  return json;
}

}  // namespace protogate::aggregate
