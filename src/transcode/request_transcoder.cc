#include "transcode/request_transcoder.h"

#include <optional>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/types/span.h"
#include "common/json_text.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "transcode/http_body.h"
#include "transcode/json_to_wire.h"
#include "transcode/text_value.h"
#include "transcode/wire_format.h"

namespace protogate::transcode {
namespace {

namespace gpb = google::protobuf;

using FieldPath = absl::InlinedVector<const gpb::FieldDescriptor*, 4>;

enum class BodyKind {
  kNone,          // no body rule
  kWhole,         // body: "*"
  kMessageField,  // body: a singular message field; the JSON is that message
  kOtherField,    // body: a scalar, repeated or map field; the JSON is its value
  kRawWhole,      // body: "*" of a google.api.HttpBody request; the bytes as they are
  kRawField,      // body: a google.api.HttpBody field; the bytes as they are
};

// Values echoed in error messages are cut, so an error body stays small
// whatever the client sent.
constexpr size_t kMaxEchoedValue = 64;

std::string Echo(absl::string_view value) { return common::Shortened(value, kMaxEchoedValue); }

// Query names and body fields resolve as the body's keys do.
const gpb::FieldDescriptor* FindField(const gpb::Descriptor& message, absl::string_view name) {
  return FindJsonField(message, name);
}

bool IsSingularMessage(const gpb::FieldDescriptor& field) {
  return field.type() == gpb::FieldDescriptor::TYPE_MESSAGE && !field.is_repeated();
}

// Appends `leaf` (fields of the innermost message) inside the message fields
// `parents`, outermost first: the sizes are computed inside-out so the bytes
// are written once, front to back.
void AppendNested(absl::Span<const gpb::FieldDescriptor* const> parents, absl::string_view leaf,
                  std::string* out) {
  absl::InlinedVector<size_t, 4> payload_sizes(parents.size());
  size_t size = leaf.size();
  for (size_t i = parents.size(); i-- > 0;) {
    payload_sizes[i] = size;
    size += wire::TagSize(parents[i]->number()) + wire::VarintSize(size);
  }
  out->reserve(out->size() + size);
  for (size_t i = 0; i < parents.size(); ++i) {
    wire::AppendTag(parents[i]->number(), wire::WireType::kLengthDelimited, out);
    wire::AppendVarint(payload_sizes[i], out);
  }
  out->append(leaf.data(), leaf.size());
}

// Appends the field at the end of `path` with the value `text`, wrapped in
// the messages before it.
absl::Status AppendPathValue(absl::Span<const gpb::FieldDescriptor* const> path,
                             absl::string_view text, std::string* out) {
  if (path.size() == 1) return AppendFieldFromText(*path[0], text, out);
  std::string leaf;
  if (absl::Status s = AppendFieldFromText(*path.back(), text, &leaf); !s.ok()) return s;
  AppendNested(path.first(path.size() - 1), leaf, out);
  return absl::OkStatus();
}

absl::Status InvalidValue(absl::string_view what, absl::string_view value, absl::string_view kind,
                          absl::string_view name, const absl::Status& reason) {
  return absl::InvalidArgumentError(absl::StrCat("invalid ", what, " \"", Echo(value), "\" for ",
                                                 kind, " parameter \"", Echo(name),
                                                 "\": ", reason.message()));
}

bool IsEmptyJson(absl::string_view body) {
  absl::string_view trimmed = absl::StripAsciiWhitespace(body);
  return trimmed.empty() || trimmed == "null";
}

// Syntax errors never reach protobuf (CheckStrictJson refuses them first,
// with their byte offset); what protobuf still reports is about values. Its
// message may carry the text around the fault on lines of their own: keep
// the first line only.
absl::Status JsonError(absl::string_view protobuf_message) {
  absl::string_view message = protobuf_message;
  if (size_t newline = message.find('\n'); newline != absl::string_view::npos) {
    message = message.substr(0, newline);
  }
  absl::ConsumePrefix(&message, ": ");  // protobuf's field path is empty at the root
  return absl::InvalidArgumentError(absl::StrCat("invalid JSON body: ", message));
}

// A query parameter name split into its dotted field names and, for
// "m[key]", the map key.
struct QueryName {
  absl::InlinedVector<absl::string_view, 4> segments;
  std::optional<absl::string_view> map_key;
};

QueryName SplitQueryName(absl::string_view name) {
  QueryName result;
  if (size_t open = name.find('['); open != absl::string_view::npos && name.back() == ']') {
    result.map_key = name.substr(open + 1, name.size() - open - 2);
    name = name.substr(0, open);
  }
  for (size_t start = 0;;) {
    size_t dot = name.find('.', start);
    result.segments.push_back(name.substr(start, dot - start));
    if (dot == absl::string_view::npos) break;
    start = dot + 1;
  }
  return result;
}

// An HttpBody's content_type is a proto3 string: the service would refuse
// the whole request over bytes that are not UTF-8.
absl::Status ContentTypeNotUtf8() {
  return absl::InvalidArgumentError("the Content-Type header is not valid UTF-8");
}

}  // namespace

struct RequestTranscoder::Impl {
  std::shared_ptr<const TypeRegistry> registry;
  const gpb::Descriptor* type = nullptr;
  BodyKind body_kind = BodyKind::kNone;
  const gpb::FieldDescriptor* body_field = nullptr;
  std::string body_type_url;                        // the type the JSON body is converted as
  std::string body_json_prefix;                     // kOtherField: `{"<json name>":`
  JsonBodyShape body_shape = JsonBodyShape::Any();  // what the client's JSON is
  RequestOptions options;
  gpb::util::JsonParseOptions json_options;
  // The body written straight to wire; null where the writer does not cover
  // the body's type (Any, Struct, Value, ...) and protobuf converts it.
  std::shared_ptr<const JsonToWire> body_writer;

  absl::Status AppendBody(const HttpRequestParts& parts, std::string* out) const;
  // The JSON body (already checked strictly) as wire bytes: the writer where
  // it covers the type, else protobuf's converter.
  absl::Status ConvertBody(absl::string_view json, std::string* out) const;
  absl::Status JsonToBinary(absl::string_view json, std::string* out) const;
  absl::StatusOr<FieldPath> ResolveBinding(const routing::VariableBinding& binding) const;
  absl::Status AppendQueryParameter(absl::string_view name, absl::string_view value,
                                    absl::Span<const FieldPath> bound, std::string* out) const;
  absl::Status UnknownQueryParameter(absl::string_view name) const;
};

absl::StatusOr<RequestTranscoder> RequestTranscoder::Create(
    std::shared_ptr<const TypeRegistry> registry, const gpb::Descriptor& request_type,
    absl::string_view body_field, const RequestOptions& options) {
  auto impl = std::make_shared<Impl>();
  impl->type = &request_type;
  impl->options = options;
  impl->json_options.ignore_unknown_fields = options.ignore_unknown_json_fields;
  const JsonToWireOptions writer_options{.ignore_unknown_fields =
                                             options.ignore_unknown_json_fields};
  if (body_field.empty()) {
    impl->body_kind = BodyKind::kNone;
  } else if (body_field == "*" && IsHttpBody(&request_type)) {
    impl->body_kind = BodyKind::kRawWhole;
  } else if (body_field == "*") {
    impl->body_kind = BodyKind::kWhole;
    impl->body_type_url = TypeRegistry::TypeUrl(request_type);
    impl->body_shape = JsonBodyShape::Message(request_type);
    impl->body_writer = JsonToWire::ForMessage(request_type, writer_options);
  } else {
    const gpb::FieldDescriptor* field = FindField(request_type, body_field);
    if (field == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "body field \"", body_field, "\" names no field of ", request_type.full_name()));
    }
    impl->body_field = field;
    impl->body_shape = JsonBodyShape::FieldValue(*field);
    if (IsSingularMessage(*field) && IsHttpBody(field->message_type())) {
      impl->body_kind = BodyKind::kRawField;
    } else if (IsSingularMessage(*field)) {
      impl->body_kind = BodyKind::kMessageField;
      impl->body_type_url = TypeRegistry::TypeUrl(*field->message_type());
      impl->body_writer = JsonToWire::ForMessage(*field->message_type(), writer_options);
    } else {
      // protobuf converts only whole messages from JSON: the body becomes
      // the value of this one field in a request-typed JSON object.
      impl->body_kind = BodyKind::kOtherField;
      impl->body_type_url = TypeRegistry::TypeUrl(request_type);
      impl->body_json_prefix = absl::StrCat("{", common::JsonQuoted(field->json_name()), ":");
      impl->body_writer = JsonToWire::ForField(*field, writer_options);
    }
  }
  impl->registry = std::move(registry);
  return RequestTranscoder(std::move(impl));
}

RequestTranscoder::RequestTranscoder(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

absl::StatusOr<std::string> RequestTranscoder::Transcode(const HttpRequestParts& parts) const {
  const Impl& impl = *impl_;
  absl::InlinedVector<FieldPath, 2> bound;
  bound.reserve(parts.bindings.size());
  for (const routing::VariableBinding& binding : parts.bindings) {
    auto path = impl.ResolveBinding(binding);
    if (!path.ok()) return path.status();
    bound.push_back(*std::move(path));
  }

  std::string out;
  if (absl::Status s = impl.AppendBody(parts, &out); !s.ok()) return s;

  if (impl.body_kind == BodyKind::kWhole || impl.body_kind == BodyKind::kRawWhole) {
    if (impl.options.reject_unknown_query_parameters && !parts.query.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("query parameter \"", Echo(parts.query.front().first),
                       "\" is not allowed: the request body carries the whole request"));
    }
  } else {
    for (const auto& [name, value] : parts.query) {
      absl::Status s = impl.AppendQueryParameter(name, value, bound, &out);
      if (!s.ok()) return s;
    }
  }

  // Path values go last: on the wire a later singular field wins, so the
  // path overrides the same field given in the body or the query.
  for (size_t i = 0; i < bound.size(); ++i) {
    const routing::VariableBinding& binding = parts.bindings[i];
    if (absl::Status s = AppendPathValue(bound[i], binding.value, &out); !s.ok()) {
      return InvalidValue("value", binding.value, "path", absl::StrJoin(binding.field_path, "."),
                          s);
    }
  }
  return out;
}

absl::Status RequestTranscoder::Impl::AppendBody(const HttpRequestParts& parts,
                                                 std::string* out) const {
  const absl::string_view body = parts.body;
  switch (body_kind) {
    case BodyKind::kNone:
      if (absl::StripAsciiWhitespace(body).empty()) return absl::OkStatus();
      return absl::InvalidArgumentError(
          absl::StrCat("this method takes no request body (", type->full_name(),
                       " is built from the path and the query string)"));
    case BodyKind::kWhole:
      if (IsEmptyJson(body)) return absl::OkStatus();
      if (absl::Status s = CheckStrictJson(body, body_shape, options.max_json_depth); !s.ok()) {
        return s;
      }
      return ConvertBody(body, out);
    case BodyKind::kMessageField: {
      std::string message;
      if (!IsEmptyJson(body)) {
        if (absl::Status s = CheckStrictJson(body, body_shape, options.max_json_depth); !s.ok()) {
          return s;
        }
        if (absl::Status s = ConvertBody(body, &message); !s.ok()) return s;
      }
      // An empty body still sets the field, as "{}" would.
      wire::AppendLengthDelimited(body_field->number(), message, out);
      return absl::OkStatus();
    }
    case BodyKind::kOtherField: {
      if (IsEmptyJson(body)) return absl::OkStatus();
      // One JSON value exactly, which the strict check ensures: `true,
      // "other": 1` must not reach fields beyond this one through the
      // wrapping.
      if (absl::Status s = CheckStrictJson(body, body_shape, options.max_json_depth); !s.ok()) {
        return s;
      }
      return ConvertBody(body, out);
    }
    case BodyKind::kRawWhole:
      if (!IsValidUtf8(parts.content_type)) return ContentTypeNotUtf8();
      AppendHttpBody(parts.content_type, body, out);
      return absl::OkStatus();
    case BodyKind::kRawField: {
      if (!IsValidUtf8(parts.content_type)) return ContentTypeNotUtf8();
      std::string message;
      AppendHttpBody(parts.content_type, body, &message);
      wire::AppendLengthDelimited(body_field->number(), message, out);
      return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

absl::Status RequestTranscoder::Impl::ConvertBody(absl::string_view json, std::string* out) const {
  if (body_writer != nullptr) return body_writer->Append(json, out);
  if (body_kind == BodyKind::kOtherField) {
    return JsonToBinary(absl::StrCat(body_json_prefix, json, "}"), out);
  }
  return JsonToBinary(json, out);
}

absl::Status RequestTranscoder::Impl::JsonToBinary(absl::string_view json, std::string* out) const {
  gpb::util::Status status;
  {
    gpb::io::ArrayInputStream in(json.data(), static_cast<int>(json.size()));
    gpb::io::StringOutputStream sink(out);
    status = gpb::util::JsonToBinaryStream(registry->resolver(), body_type_url, &in, &sink,
                                           json_options);
  }
  if (status.ok()) return absl::OkStatus();
  return JsonError(absl::string_view(status.message().data(), status.message().size()));
}

absl::StatusOr<FieldPath> RequestTranscoder::Impl::ResolveBinding(
    const routing::VariableBinding& binding) const {
  FieldPath path;
  const gpb::Descriptor* message = type;
  for (const std::string& name : binding.field_path) {
    const gpb::FieldDescriptor* field = message == nullptr ? nullptr : FindField(*message, name);
    if (field == nullptr || (!path.empty() && !IsSingularMessage(*path.back()))) {
      field = nullptr;
    }
    if (field == nullptr) {
      // The route table and the descriptors disagree: a gateway
      // configuration fault, not the client's.
      return absl::InternalError(absl::StrCat("path variable \"",
                                              absl::StrJoin(binding.field_path, "."),
                                              "\" names no field of ", type->full_name()));
    }
    path.push_back(field);
    message = field->message_type();
  }
  if (path.empty() || !IsTextValued(*path.back())) {
    return absl::InternalError(
        absl::StrCat("path variable \"", absl::StrJoin(binding.field_path, "."),
                     "\" cannot be bound: ", type->full_name(), " has no text-valued field there"));
  }
  return path;
}

absl::Status RequestTranscoder::Impl::UnknownQueryParameter(absl::string_view name) const {
  if (!options.reject_unknown_query_parameters) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("unknown query parameter \"", Echo(name),
                                                 "\": ", type->full_name(), " has no such field"));
}

absl::Status RequestTranscoder::Impl::AppendQueryParameter(absl::string_view name,
                                                           absl::string_view value,
                                                           absl::Span<const FieldPath> bound,
                                                           std::string* out) const {
  auto unmappable = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("query parameter \"", Echo(name), "\" cannot be mapped: ", why));
  };
  const QueryName parsed = SplitQueryName(name);
  FieldPath path;
  const gpb::Descriptor* message = type;
  for (absl::string_view segment : parsed.segments) {
    if (!path.empty() && path.back()->is_repeated()) {
      return unmappable(absl::StrCat("\"", path.back()->name(), "\" is repeated"));
    }
    const gpb::FieldDescriptor* field = message == nullptr ? nullptr : FindField(*message, segment);
    if (field == nullptr) return UnknownQueryParameter(name);
    path.push_back(field);
    message = field->type() == gpb::FieldDescriptor::TYPE_MESSAGE ? field->message_type() : nullptr;
  }

  // The spec leaves a field bound by the path, or carried by the body, to
  // them: such a parameter is ignored.
  if (body_field != nullptr && path.front() == body_field) return absl::OkStatus();
  for (const FieldPath& taken : bound) {
    if (taken == path) return absl::OkStatus();
  }

  const gpb::FieldDescriptor& leaf = *path.back();
  if (parsed.map_key.has_value()) {
    if (!leaf.is_map()) return unmappable(absl::StrCat("\"", leaf.name(), "\" is not a map"));
    const gpb::FieldDescriptor& key_field = *leaf.message_type()->map_key();
    const gpb::FieldDescriptor& value_field = *leaf.message_type()->map_value();
    if (!IsTextValued(value_field)) {
      return unmappable(absl::StrCat("the values of \"", leaf.name(), "\" are messages"));
    }
    std::string entry;
    if (absl::Status s = AppendFieldFromText(key_field, *parsed.map_key, &entry); !s.ok()) {
      return InvalidValue("key", *parsed.map_key, "query", name, s);
    }
    if (absl::Status s = AppendFieldFromText(value_field, value, &entry); !s.ok()) {
      return InvalidValue("value", value, "query", name, s);
    }
    AppendNested(path, entry, out);
    return absl::OkStatus();
  }
  if (leaf.is_map()) {
    return unmappable(
        absl::StrCat("\"", leaf.name(), "\" is a map; use \"", leaf.name(), "[key]=value\""));
  }
  if (!IsTextValued(leaf)) {
    return unmappable(absl::StrCat("\"", leaf.name(), "\" is a message (",
                                   leaf.message_type()->full_name(), "); set its fields instead"));
  }
  if (absl::Status s = AppendPathValue(path, value, out); !s.ok()) {
    return InvalidValue("value", value, "query", name, s);
  }
  return absl::OkStatus();
}

}  // namespace protogate::transcode
