#include "transcode/response_transcoder.h"

#include <optional>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/json_text.h"
#include "common/status_macros.h"
#include "google/protobuf/arena.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "transcode/proto_status.h"
#include "transcode/wire_format.h"
#include "transcode/wire_inspection.h"

namespace protogate::transcode {
namespace {

namespace gpb = google::protobuf;

enum class BodyKind {
  kWhole,         // no response_body
  kMessageField,  // a singular message field: printed as its own type
  kOtherField,    // scalar, repeated or map: cut out of the whole message's JSON
};

}  // namespace

struct ResponseTranscoder::Impl {
  std::shared_ptr<const TypeRegistry> registry;
  const gpb::Descriptor* type = nullptr;
  std::string type_url;
  BodyKind body_kind = BodyKind::kWhole;
  const gpb::FieldDescriptor* body_field = nullptr;
  std::string field_type_url;  // kMessageField
  std::string key_prefix;      // kOtherField: `{"<key>":`
  std::string default_json;    // kOtherField: the field's JSON when it is not on the wire
  gpb::util::JsonPrintOptions print_options;
  JsonOutputOptions options;
  std::string response_body_field;
  // New member names over the selectable type (a client profile's); null: none.
  std::shared_ptr<const FieldRenames> renames;
  // The fast printers of `type` and, for kMessageField, of the field's type;
  // nullptr where they do not apply, and protobuf prints.
  std::unique_ptr<const JsonPrinter> printer;
  std::unique_ptr<const JsonPrinter> field_printer;

  absl::StatusOr<std::string> DefaultJson(const std::string& key) const;
  absl::StatusOr<std::string> Normalize(absl::string_view binary) const;
  absl::Status NotAValidResponse() const;
  absl::StatusOr<std::string> Print(const JsonPrinter* fast, const std::string& url,
                                    absl::string_view binary) const;
  static std::optional<std::string> PrintFast(const JsonPrinter* fast, absl::string_view binary);
  absl::StatusOr<std::string> TranscodeMessageField(absl::string_view binary,
                                                    const FieldSelection* selection) const;
  // `pretrimmed`: the bytes were trimmed to `selection` already.
  absl::StatusOr<std::string> PrintSelected(const JsonPrinter* fast, const std::string& url,
                                            absl::string_view binary,
                                            const FieldSelection* selection, bool pretrimmed) const;
  absl::StatusOr<std::string> TranscodeOtherField(absl::string_view binary) const;
};

namespace {

std::string JsonString(const std::string& text) { return common::JsonQuoted(text); }

const gpb::FieldDescriptor* FindTopLevelField(const gpb::Descriptor& message,
                                              absl::string_view name) {
  for (int i = 0; i < message.field_count(); ++i) {
    const gpb::FieldDescriptor* field = message.field(i);
    if (field->name() == name || field->json_name() == name) return field;
  }
  return nullptr;
}

// Where the JSON value starting at `json[at]` ends (one past it). `json` is
// the printer's own output, so valid JSON: only strings and nesting matter.
size_t ValueEnd(absl::string_view json, size_t at) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = at; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
        if (depth == 0) return i + 1;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return i;  // the end of the enclosing object
      if (--depth == 0) return i + 1;
    } else if (c == ',' && depth == 0) {
      return i;
    }
  }
  return json.size();
}

// The text of member `quoted_key` of the compact JSON object `json`, exactly
// as printed; nullopt when absent.
std::optional<absl::string_view> MemberText(absl::string_view json, absl::string_view quoted_key) {
  size_t at = 1;  // past '{'
  while (at < json.size() && json[at] == '"') {
    const size_t key_end = ValueEnd(json, at);
    const absl::string_view key = json.substr(at, key_end - at);
    const size_t value_start = key_end + 1;  // past ':'
    const size_t value_end = ValueEnd(json, value_start);
    if (key == quoted_key) return json.substr(value_start, value_end - value_start);
    at = value_end + 1;  // past ','
  }
  return std::nullopt;
}

// Drops from `json` (printed from a message of the selection's type) the
// members the selection does not keep: with defaults shown, the printer
// writes unselected fields at their defaults even once their bytes are gone.
void Prune(const FieldSelection& selection, bool proto_names, nlohmann::ordered_json& json) {
  if (!json.is_object()) return;
  nlohmann::ordered_json kept = nlohmann::ordered_json::object();
  for (const FieldSelection::Member& member : selection.members) {
    const std::string& key = proto_names ? member.field->name() : member.field->json_name();
    auto it = json.find(key);
    if (it == json.end()) continue;
    if (member.sub) {
      if (member.field->is_map()) {
        for (auto& value : it.value()) Prune(*member.sub, proto_names, value);
      } else if (member.field->is_repeated()) {
        for (auto& element : *it) Prune(*member.sub, proto_names, element);
      } else {
        Prune(*member.sub, proto_names, *it);
      }
    }
    kept[key] = std::move(*it);
  }
  json = std::move(kept);
}

}  // namespace

// The JSON of the response_body field holding its default value, as the
// printer writes it with defaults shown. Done once, at Create.
absl::StatusOr<std::string> ResponseTranscoder::Impl::DefaultJson(const std::string& key) const {
  gpb::util::JsonPrintOptions options = print_options;
  options.always_print_primitive_fields = true;
  std::string json;
  auto status = gpb::util::BinaryToJsonString(registry->resolver(), type_url, "", &json, options);
  if (!status.ok()) return ToAbslStatus(status);
  nlohmann::json parsed = nlohmann::json::parse(json, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains(key)) {
    // A field the printer leaves out even with defaults on (a proto3
    // optional or oneof member): null is its JSON absence.
    return std::string("null");
  }
  return common::JsonText(parsed[key]);
}

absl::StatusOr<ResponseTranscoder> ResponseTranscoder::Create(
    std::shared_ptr<const TypeRegistry> registry, const gpb::Descriptor& response_type,
    absl::string_view response_body_field, const JsonOutputOptions& options) {
  return Build(std::move(registry), response_type, response_body_field, options, nullptr);
}

absl::StatusOr<ResponseTranscoder> ResponseTranscoder::Renamed(
    std::shared_ptr<const FieldRenames> renames) const {
  const Impl& impl = *impl_;
  if (renames == nullptr || renames->type != selectable_type()) {
    return absl::InvalidArgumentError("renames must be over the answer's message type");
  }
  return Build(impl.registry, *impl.type, impl.response_body_field, impl.options,
               std::move(renames));
}

absl::StatusOr<ResponseTranscoder> ResponseTranscoder::Build(
    std::shared_ptr<const TypeRegistry> registry, const gpb::Descriptor& response_type,
    absl::string_view response_body_field, const JsonOutputOptions& options,
    std::shared_ptr<const FieldRenames> renames) {
  auto impl = std::make_shared<Impl>();
  impl->registry = std::move(registry);
  impl->options = options;
  impl->response_body_field = std::string(response_body_field);
  impl->renames = renames;
  impl->type = &response_type;
  impl->type_url = TypeRegistry::TypeUrl(response_type);
  impl->print_options.add_whitespace = false;
  impl->print_options.always_print_primitive_fields = options.emit_default_values;
  impl->print_options.always_print_enums_as_ints = options.enums_as_ints;
  impl->print_options.preserve_proto_field_names = options.use_proto_field_names;
  const FieldRenames* whole_renames = response_body_field.empty() ? renames.get() : nullptr;
  impl->printer =
      JsonPrinter::Create(response_type, options, JsonPrinter::Coverage::kCommon, whole_renames);
  if (!response_body_field.empty()) {
    const gpb::FieldDescriptor* field = FindTopLevelField(response_type, response_body_field);
    if (field == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("response_body field \"", response_body_field,
                                                     "\" names no field of ",
                                                     response_type.full_name()));
    }
    impl->body_field = field;
    if (field->type() == gpb::FieldDescriptor::TYPE_MESSAGE && !field->is_repeated()) {
      impl->body_kind = BodyKind::kMessageField;
      impl->field_type_url = TypeRegistry::TypeUrl(*field->message_type());
      impl->field_printer = JsonPrinter::Create(*field->message_type(), options,
                                                JsonPrinter::Coverage::kCommon, renames.get());
    } else {
      impl->body_kind = BodyKind::kOtherField;
      const std::string& key = options.use_proto_field_names ? field->name() : field->json_name();
      impl->key_prefix = absl::StrCat("{", JsonString(key), ":");
      auto default_json = impl->DefaultJson(key);
      if (!default_json.ok()) return default_json.status();
      impl->default_json = *std::move(default_json);
    }
  }
  return ResponseTranscoder(std::move(impl));
}

ResponseTranscoder::ResponseTranscoder(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

const gpb::Descriptor* ResponseTranscoder::selectable_type() const {
  switch (impl_->body_kind) {
    case BodyKind::kWhole:
      return impl_->type;
    case BodyKind::kMessageField:
      return impl_->body_field->message_type();
    case BodyKind::kOtherField:
      return nullptr;
  }
  return nullptr;
}

const gpb::FieldDescriptor* ResponseTranscoder::body_field() const { return impl_->body_field; }

absl::StatusOr<std::string> ResponseTranscoder::Transcode(absl::string_view binary,
                                                          const FieldSelection* selection) const {
  const Impl& impl = *impl_;
  // A selection over the whole answer trims the bytes first, so that only
  // what is kept is inspected and printed: trimming commutes with the
  // merge that normalizing does (it keeps or drops each field by number,
  // and within sub-messages the same way), and bytes that are not wire
  // format fail either way.
  std::string trimmed;
  bool pretrimmed = false;
  if (selection != nullptr && impl.body_kind == BodyKind::kWhole) {
    if (!FilterWire(*selection, binary, &trimmed)) return impl.NotAValidResponse();
    binary = trimmed;
    pretrimmed = true;
  }
  std::string normalized;
  switch (InspectWire(binary, *impl.type)) {
    case WireShape::kPrintable:
      break;
    case WireShape::kNeedsNormalizing: {
      auto reserialized = impl.Normalize(binary);
      if (!reserialized.ok()) return reserialized.status();
      normalized = *std::move(reserialized);
      binary = normalized;
      break;
    }
    case WireShape::kMalformed:
      return impl.NotAValidResponse();
  }
  switch (impl.body_kind) {
    case BodyKind::kWhole:
      return impl.PrintSelected(impl.printer.get(), impl.type_url, binary, selection, pretrimmed);
    case BodyKind::kMessageField:
      return impl.TranscodeMessageField(binary, selection);
    case BodyKind::kOtherField:
      return impl.TranscodeOtherField(binary);
  }
  return absl::InternalError("unreachable");
}

absl::Status ResponseTranscoder::Impl::NotAValidResponse() const {
  return absl::InternalError(absl::StrCat("response is not a valid ", type->full_name()));
}

// What a parser would make of the bytes, written back canonically.
absl::StatusOr<std::string> ResponseTranscoder::Impl::Normalize(absl::string_view binary) const {
  gpb::Arena arena;
  gpb::Message* message = registry->Prototype(*type)->New(&arena);
  if (!message->ParseFromArray(binary.data(), static_cast<int>(binary.size()))) {
    return NotAValidResponse();
  }
  // A field sent with the wrong wire type parses as unknown; the printer
  // would look it up by number and misread it.
  message->DiscardUnknownFields();
  return message->SerializeAsString();
}

std::optional<std::string> ResponseTranscoder::Impl::PrintFast(const JsonPrinter* fast,
                                                               absl::string_view binary) {
  if (fast == nullptr) return std::nullopt;
  std::string json;
  json.reserve(binary.size() + binary.size() / 2 + 16);
  if (fast->Print(binary, &json)) return json;
  return std::nullopt;
}

absl::StatusOr<std::string> ResponseTranscoder::Impl::Print(const JsonPrinter* fast,
                                                            const std::string& url,
                                                            absl::string_view binary) const {
  if (auto printed = PrintFast(fast, binary)) return *std::move(printed);
  std::string json;
  // The stream form reads the caller's bytes in place (the string form
  // would copy them).
  gpb::util::Status status;
  {
    gpb::io::ArrayInputStream in(binary.data(), static_cast<int>(binary.size()));
    gpb::io::StringOutputStream out(&json);
    status = gpb::util::BinaryToJsonStream(registry->resolver(), url, &in, &out, print_options);
  }
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("response is not a valid ", type->full_name(), ": ",
                                            status.message().ToString()));
  }
  return json;
}

// Trims the bytes to the selection first, so that the printer skips what
// nobody asked for. The fast printer writes the new names itself; what
// protobuf prints is renamed afterwards.
absl::StatusOr<std::string> ResponseTranscoder::Impl::PrintSelected(const JsonPrinter* fast,
                                                                    const std::string& url,
                                                                    absl::string_view binary,
                                                                    const FieldSelection* selection,
                                                                    bool pretrimmed) const {
  std::string trimmed;
  if (selection != nullptr && !pretrimmed) {
    if (!FilterWire(*selection, binary, &trimmed)) return NotAValidResponse();
    binary = trimmed;
  }
  if (auto printed = PrintFast(fast, binary)) return *std::move(printed);
  ASSIGN_OR_RETURN(std::string json, Print(nullptr, url, binary));
  const bool prune = selection != nullptr && print_options.always_print_primitive_fields;
  if (!prune && renames == nullptr) return json;
  nlohmann::ordered_json parsed = nlohmann::ordered_json::parse(json, nullptr, false);
  if (parsed.is_discarded()) return NotAValidResponse();
  const bool proto_names = print_options.preserve_proto_field_names;
  if (prune) Prune(*selection, proto_names, parsed);
  if (renames != nullptr) RenameMembers(*renames, proto_names, parsed);
  return common::JsonText(parsed);
}

absl::StatusOr<std::string> ResponseTranscoder::Impl::TranscodeMessageField(
    absl::string_view binary, const FieldSelection* selection) const {
  // The bytes are canonical by now: the field is on the wire once at most.
  absl::string_view payload;
  wire::ForEachField(binary, [&](const wire::Field& field) {
    if (field.number == body_field->number()) payload = field.payload;
  });
  return PrintSelected(field_printer.get(), field_type_url, payload, selection, false);
}

absl::StatusOr<std::string> ResponseTranscoder::Impl::TranscodeOtherField(
    absl::string_view binary) const {
  std::string only_field;
  wire::ForEachField(binary, [&](const wire::Field& field) {
    if (field.number == body_field->number()) only_field.append(field.raw.data(), field.raw.size());
  });
  auto json = Print(printer.get(), type_url, only_field);
  if (!json.ok()) return json.status();
  // A message holding one field prints as {"<key>":<value>}, or as {} when
  // the field is at its default; with defaults shown, every other field
  // prints beside it, at its default.
  const absl::string_view quoted_key =
      absl::string_view(key_prefix).substr(1, key_prefix.size() - 2);
  if (absl::StartsWith(*json, "{\"")) {
    if (auto member = MemberText(*json, quoted_key)) return std::string(*member);
  }
  if (*json == "{}") return default_json;
  // A key the printer escaped otherwise (an unusual json_name): parse.
  const std::string& key =
      print_options.preserve_proto_field_names ? body_field->name() : body_field->json_name();
  nlohmann::ordered_json parsed = nlohmann::ordered_json::parse(*json, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains(key)) {
    return NotAValidResponse();
  }
  return common::JsonText(parsed[key]);
}

}  // namespace protogate::transcode
