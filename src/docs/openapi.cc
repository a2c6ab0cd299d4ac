#include "docs/openapi.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/json_text.h"
#include "nlohmann/json.hpp"
#include "routing/http_template.h"
#include "transcode/http_body.h"
#include "transcode/text_value.h"

namespace protogate::docs {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using Json = nlohmann::ordered_json;

constexpr char kErrorSchema[] = "protogate.Error";
constexpr int kMaxQueryDepth = 4;

template <typename D>
std::string CommentOf(const D& descriptor) {
  google::protobuf::SourceLocation location;
  if (!descriptor.GetSourceLocation(&location)) return "";
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(location.leading_comments, '\n')) {
    lines.emplace_back(absl::StripAsciiWhitespace(line));
  }
  return std::string(absl::StripAsciiWhitespace(absl::StrJoin(lines, "\n")));
}

std::string Ref(absl::string_view name) { return absl::StrCat("#/components/schemas/", name); }

void Describe(Json& schema, const std::string& text) {
  if (!text.empty()) schema["description"] = text;
}

Json Nullable(const char* type, const char* format = nullptr) {
  Json schema{{"type", {type, "null"}}};
  if (format != nullptr) schema["format"] = format;
  return schema;
}

// Messages with a JSON form of their own; null when `message` is not one.
Json WellKnownSchema(const Descriptor& message) {
  using W = Descriptor::WellKnownType;
  switch (message.well_known_type()) {
    case W::WELLKNOWNTYPE_TIMESTAMP:
      return {{"type", "string"}, {"format", "date-time"}};
    case W::WELLKNOWNTYPE_DURATION:
      return {{"type", "string"},
              {"pattern", "^-?[0-9]+(\\.[0-9]+)?s$"},
              {"description", "seconds with an \"s\" suffix, e.g. \"1.5s\""}};
    case W::WELLKNOWNTYPE_FIELDMASK:
      return {{"type", "string"},
              {"description",
               "comma-separated field paths in lowerCamel, e.g. \"email,profile.displayName\""}};
    case W::WELLKNOWNTYPE_STRUCT:
      return {{"type", "object"}, {"additionalProperties", true}};
    case W::WELLKNOWNTYPE_VALUE:
      return Json::object();
    case W::WELLKNOWNTYPE_LISTVALUE:
      return {{"type", "array"}, {"items", Json::object()}};
    case W::WELLKNOWNTYPE_ANY:
      return {
          {"type", "object"},
          {"properties",
           {{"@type", {{"type", "string"}, {"description", "type URL of the packed message"}}}}},
          {"required", {"@type"}},
          {"additionalProperties", true}};
    case W::WELLKNOWNTYPE_DOUBLEVALUE:
      return Nullable("number", "double");
    case W::WELLKNOWNTYPE_FLOATVALUE:
      return Nullable("number", "float");
    case W::WELLKNOWNTYPE_INT64VALUE:
      return Nullable("string", "int64");
    case W::WELLKNOWNTYPE_UINT64VALUE:
      return Nullable("string", "uint64");
    case W::WELLKNOWNTYPE_INT32VALUE:
      return Nullable("integer", "int32");
    case W::WELLKNOWNTYPE_UINT32VALUE:
      return Nullable("integer", "uint32");
    case W::WELLKNOWNTYPE_BOOLVALUE:
      return Nullable("boolean");
    case W::WELLKNOWNTYPE_STRINGVALUE:
      return Nullable("string");
    case W::WELLKNOWNTYPE_BYTESVALUE:
      return Nullable("string", "byte");
    default:
      break;
  }
  if (message.full_name() == "google.protobuf.Empty") {
    return {{"type", "object"}, {"additionalProperties", false}};
  }
  return nullptr;
}

Json ErrorSchema() {
  return {
      {"type", "object"},
      {"description", "The gateway's error model, for its own errors and the services'."},
      {"properties",
       {{"code", {{"type", "integer"}, {"format", "int32"}, {"description", "gRPC status code"}}},
        {"message", {{"type", "string"}}},
        {"details",
         {{"type", "array"},
          {"items",
           {{"type", "object"},
            {"properties", {{"@type", {{"type", "string"}}}}},
            {"additionalProperties", true}}}}}}},
      {"required", {"code", "message", "details"}}};
}

std::string RegexEscape(absl::string_view literal) {
  std::string out;
  for (char c : literal) {
    if (std::string_view(".^$|?*+()[]{}\\").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

class Builder {
 public:
  Json Build(const std::vector<OpenApiRoute>& routes, const OpenApiOptions& options);

 private:
  Json MessageSchema(const Descriptor& message);
  Json ViewSchema(const Descriptor& type, const transcode::FieldSelection* view,
                  const transcode::FieldRenames* renames);
  Json EnumSchema(const EnumDescriptor& type);
  Json SingularSchema(const FieldDescriptor& field);
  Json FieldSchema(const FieldDescriptor& field);
  Json Operation(const OpenApiRoute& route, const routing::HttpTemplate& tmpl,
                 const std::string& operation_id, Json path_params);
  void AddQueryParams(const Descriptor& message, const std::string& proto_prefix,
                      const std::string& json_prefix, const OpenApiRoute& route,
                      const std::set<std::string>& bound, std::vector<const Descriptor*>& stack,
                      Json& params);
  Json PathParams(const routing::HttpTemplate& tmpl, const Descriptor& input, std::string& key);

  std::map<std::string, Json> schemas_;
  std::map<std::string, Json> tags_;
};

Json Builder::EnumSchema(const EnumDescriptor& type) {
  if (schemas_.count(type.full_name()) == 0) {
    Json names = Json::array();
    for (int i = 0; i < type.value_count(); ++i) names.push_back(type.value(i)->name());
    Json schema{{"type", "string"}, {"enum", names}};
    Describe(schema, CommentOf(type));
    schemas_[type.full_name()] = std::move(schema);
  }
  return {{"$ref", Ref(type.full_name())}};
}

Json Builder::MessageSchema(const Descriptor& message) {
  Json known = WellKnownSchema(message);
  if (!known.is_null()) return known;
  if (schemas_.count(message.full_name()) == 0) {
    schemas_[message.full_name()] = Json::object();  // placeholder: recursive messages
    Json properties = Json::object();
    for (int i = 0; i < message.field_count(); ++i) {
      const FieldDescriptor& field = *message.field(i);
      Json schema = FieldSchema(field);
      Describe(schema, CommentOf(field));
      properties[field.json_name()] = std::move(schema);
    }
    Json schema{{"type", "object"}, {"properties", std::move(properties)}};
    Describe(schema, CommentOf(message));
    schemas_[message.full_name()] = std::move(schema);
  }
  return {{"$ref", Ref(message.full_name())}};
}

// A profile's answer: only the view's fields (all without one), each whole
// unless the view selects within it, under the profile's names. Inline: the
// shared component describes the whole message.
Json Builder::ViewSchema(const Descriptor& type, const transcode::FieldSelection* view,
                         const transcode::FieldRenames* renames) {
  std::vector<std::pair<const FieldDescriptor*, const transcode::FieldSelection*>> fields;
  if (view != nullptr) {
    for (const auto& member : view->members) fields.emplace_back(member.field, member.sub.get());
  } else {
    for (int i = 0; i < type.field_count(); ++i) fields.emplace_back(type.field(i), nullptr);
  }
  Json properties = Json::object();
  for (const auto& [field, selected] : fields) {
    const transcode::FieldRenames::Entry* entry =
        renames != nullptr ? renames->Find(field->number()) : nullptr;
    const transcode::FieldRenames* renamed = entry != nullptr ? entry->sub.get() : nullptr;
    Json schema;
    if (selected == nullptr && renamed == nullptr) {
      schema = FieldSchema(*field);
    } else {
      const Descriptor& sub = field->is_map() ? *field->message_type()->map_value()->message_type()
                                              : *field->message_type();
      Json inner = ViewSchema(sub, selected, renamed);
      if (field->is_map()) {
        schema = {{"type", "object"}, {"additionalProperties", std::move(inner)}};
      } else if (field->is_repeated()) {
        schema = {{"type", "array"}, {"items", std::move(inner)}};
      } else {
        schema = std::move(inner);
      }
    }
    Describe(schema, CommentOf(*field));
    properties[transcode::MemberName(renames, *field, false)] = std::move(schema);
  }
  Json schema{{"type", "object"}, {"properties", std::move(properties)}};
  Describe(schema, CommentOf(type));
  return schema;
}

Json Builder::SingularSchema(const FieldDescriptor& field) {
  switch (field.type()) {
    case FieldDescriptor::TYPE_DOUBLE:
      return {{"type", "number"}, {"format", "double"}};
    case FieldDescriptor::TYPE_FLOAT:
      return {{"type", "number"}, {"format", "float"}};
    case FieldDescriptor::TYPE_INT32:
    case FieldDescriptor::TYPE_SINT32:
    case FieldDescriptor::TYPE_SFIXED32:
      return {{"type", "integer"}, {"format", "int32"}};
    case FieldDescriptor::TYPE_UINT32:
    case FieldDescriptor::TYPE_FIXED32:
      return {{"type", "integer"}, {"format", "uint32"}, {"minimum", 0}};
    case FieldDescriptor::TYPE_INT64:
    case FieldDescriptor::TYPE_SINT64:
    case FieldDescriptor::TYPE_SFIXED64:
      return {{"type", "string"}, {"format", "int64"}};
    case FieldDescriptor::TYPE_UINT64:
    case FieldDescriptor::TYPE_FIXED64:
      return {{"type", "string"}, {"format", "uint64"}};
    case FieldDescriptor::TYPE_BOOL:
      return {{"type", "boolean"}};
    case FieldDescriptor::TYPE_STRING:
      return {{"type", "string"}};
    case FieldDescriptor::TYPE_BYTES:
      return {{"type", "string"}, {"format", "byte"}};
    case FieldDescriptor::TYPE_ENUM:
      return EnumSchema(*field.enum_type());
    case FieldDescriptor::TYPE_MESSAGE:
    case FieldDescriptor::TYPE_GROUP:
      return MessageSchema(*field.message_type());
  }
  return Json::object();
}

Json Builder::FieldSchema(const FieldDescriptor& field) {
  if (field.is_map()) {
    return {{"type", "object"},
            {"additionalProperties", SingularSchema(*field.message_type()->map_value())}};
  }
  if (field.is_repeated()) return {{"type", "array"}, {"items", SingularSchema(field)}};
  return SingularSchema(field);
}

const FieldDescriptor* Resolve(const Descriptor& input, const std::vector<std::string>& path) {
  const Descriptor* message = &input;
  const FieldDescriptor* field = nullptr;
  for (const std::string& name : path) {
    if (message == nullptr) return nullptr;
    field = message->FindFieldByName(name);
    if (field == nullptr) return nullptr;
    message = field->message_type();
  }
  return field;
}

// Fills `key` with the OpenAPI path and returns the path parameters.
Json Builder::PathParams(const routing::HttpTemplate& tmpl, const Descriptor& input,
                         std::string& key) {
  using Kind = routing::TemplateSegment::Kind;
  Json params = Json::array();
  std::vector<std::string> parts;
  const auto& segments = tmpl.segments();
  int unnamed = 0;
  for (size_t i = 0; i < segments.size();) {
    auto variable =
        std::find_if(tmpl.variables().begin(), tmpl.variables().end(),
                     [&](const auto& v) { return v.start_segment == static_cast<int>(i); });
    if (variable == tmpl.variables().end()) {
      if (segments[i].kind == Kind::kLiteral) {
        parts.push_back(segments[i].literal);
      } else {
        const std::string name = absl::StrCat("_segment", ++unnamed);
        parts.push_back(absl::StrCat("{", name, "}"));
        params.push_back({{"name", name},
                          {"in", "path"},
                          {"required", true},
                          {"description", "any value (not passed to the service)"},
                          {"schema", {{"type", "string"}}}});
      }
      ++i;
      continue;
    }
    const std::string name = absl::StrJoin(variable->field_path, ".");
    parts.push_back(absl::StrCat("{", name, "}"));
    const FieldDescriptor* field = Resolve(input, variable->field_path);
    Json schema = field != nullptr ? SingularSchema(*field) : Json{{"type", "string"}};
    std::string description = field != nullptr ? CommentOf(*field) : "";
    const bool simple = variable->end_segment - variable->start_segment == 1 &&
                        segments[i].kind == Kind::kSingleWildcard;
    if (!simple) {
      std::vector<std::string> pattern;
      for (int s = variable->start_segment; s < variable->end_segment; ++s) {
        const auto& segment = segments[static_cast<size_t>(s)];
        pattern.push_back(segment.kind == Kind::kLiteral          ? RegexEscape(segment.literal)
                          : segment.kind == Kind::kSingleWildcard ? "[^/]+"
                                                                  : ".*");
      }
      schema = {{"type", "string"},
                {"pattern", absl::StrCat("^", absl::StrJoin(pattern, "/"), "$")}};
    }
    if (variable->multi_segment) {
      absl::StrAppend(&description, description.empty() ? "" : "\n\n",
                      "Matches several path segments: the value may contain \"/\", sent as is.");
    }
    Json param{{"name", name}, {"in", "path"}, {"required", true}};
    Describe(param, description);
    param["schema"] = std::move(schema);
    params.push_back(std::move(param));
    i = static_cast<size_t>(variable->end_segment);
  }
  key = absl::StrCat("/", absl::StrJoin(parts, "/"));
  if (!tmpl.verb().empty()) absl::StrAppend(&key, ":", tmpl.verb());
  return params;
}

void Builder::AddQueryParams(const Descriptor& message, const std::string& proto_prefix,
                             const std::string& json_prefix, const OpenApiRoute& route,
                             const std::set<std::string>& bound,
                             std::vector<const Descriptor*>& stack, Json& params) {
  for (int i = 0; i < message.field_count(); ++i) {
    const FieldDescriptor& field = *message.field(i);
    const std::string proto_path = proto_prefix + field.name();
    const std::string json_path = json_prefix + field.json_name();
    if (proto_prefix.empty() && field.name() == route.body) continue;
    if (bound.count(proto_path) > 0) continue;
    Json param{{"name", json_path}, {"in", "query"}};
    Describe(param, CommentOf(field));
    if (field.is_map()) {
      if (!transcode::IsTextValued(*field.message_type()->map_value())) continue;
      param["style"] = "deepObject";
      param["explode"] = true;
    } else if (field.type() == FieldDescriptor::TYPE_MESSAGE && !transcode::IsTextValued(field)) {
      const Descriptor* nested = field.message_type();
      if (field.is_repeated() ||
          nested->well_known_type() != Descriptor::WELLKNOWNTYPE_UNSPECIFIED ||
          stack.size() >= kMaxQueryDepth ||
          std::find(stack.begin(), stack.end(), nested) != stack.end()) {
        continue;
      }
      stack.push_back(nested);
      AddQueryParams(*nested, proto_path + ".", json_path + ".", route, bound, stack, params);
      stack.pop_back();
      continue;
    } else if (field.is_repeated()) {
      param["explode"] = true;
    }
    param["schema"] = FieldSchema(field);
    params.push_back(std::move(param));
  }
}

// The gateway's partial responses (`fields` or X-Fields, AIP-161), on routes
// whose answer is a message a selection can narrow: the whole response or a
// singular message response_body, not a well-known type nor an empty one.
void AddFieldSelectionParams(const OpenApiRoute& route, const FieldDescriptor* response_field,
                             Json& params) {
  const Descriptor* answer = route.method->output_type();
  if (response_field != nullptr) {
    if (response_field->type() != FieldDescriptor::TYPE_MESSAGE || response_field->is_repeated()) {
      return;
    }
    answer = response_field->message_type();
  }
  if (answer->field_count() == 0 ||  // google.protobuf.Empty: nothing to select
      answer->well_known_type() != Descriptor::WELLKNOWNTYPE_UNSPECIFIED) {
    return;
  }
  constexpr char kWhat[] =
      "the fields of the answer to return, as comma-separated field paths (AIP-161: "
      "`userId,profile.region`, `items.*.name`, or `profile(region,avatarUrl)`); an unknown "
      "path is a 400.";
  // A request field named `fields` takes the query parameter for itself.
  if (route.method->input_type()->FindFieldByName("fields") == nullptr) {
    params.push_back({{"name", "fields"},
                      {"in", "query"},
                      {"description", absl::StrCat("Partial response: ", kWhat)},
                      {"schema", {{"type", "string"}}}});
  }
  params.push_back({{"name", "X-Fields"},
                    {"in", "header"},
                    {"description", absl::StrCat("Partial response, as a header: ", kWhat)},
                    {"schema", {{"type", "string"}}}});
}

// A body of any media type (google.api.HttpBody).
Json RawContent() { return {{"*/*", {{"schema", {{"type", "string"}, {"format", "binary"}}}}}}; }

Json Builder::Operation(const OpenApiRoute& route, const routing::HttpTemplate& tmpl,
                        const std::string& operation_id, Json params) {
  const auto& method = *route.method;
  Json op;
  op["operationId"] = operation_id;
  const std::string comment = CommentOf(method);
  if (!comment.empty()) {
    op["summary"] = comment.substr(0, comment.find('\n'));
    op["description"] = comment;
  }
  op["tags"] = {method.service()->full_name()};
  if (route.body != "*") {
    std::set<std::string> bound;
    for (const auto& v : tmpl.variables()) bound.insert(absl::StrJoin(v.field_path, "."));
    std::vector<const Descriptor*> stack = {method.input_type()};
    AddQueryParams(*method.input_type(), "", "", route, bound, stack, params);
  }
  const FieldDescriptor* response_field =
      route.response_body.empty() ? nullptr
                                  : method.output_type()->FindFieldByName(route.response_body);
  AddFieldSelectionParams(route, response_field, params);
  if (!params.empty()) op["parameters"] = std::move(params);
  if (!route.body.empty()) {
    const FieldDescriptor* field =
        route.body == "*" ? nullptr : method.input_type()->FindFieldByName(route.body);
    Json schema = field != nullptr ? FieldSchema(*field) : MessageSchema(*method.input_type());
    Json content = {{"application/json", {{"schema", schema}}}};
    const Descriptor* body_type = field != nullptr ? field->message_type() : method.input_type();
    if (transcode::IsHttpBody(body_type) && !method.client_streaming()) {
      content = RawContent();  // google.api.HttpBody: the bytes as they are
    } else if (method.client_streaming()) {
      // A stream of messages: one JSON object per line, or one array.
      content = {{"application/x-ndjson", {{"schema", schema}}},
                 {"application/json", {{"schema", {{"type", "array"}, {"items", schema}}}}}};
      op["x-protogate-stream"] = "client";
    }
    op["requestBody"] = {{"required", !method.client_streaming()}, {"content", std::move(content)}};
  }
  Json response;
  if (route.view != nullptr || route.renames != nullptr) {
    const Descriptor& answer =
        response_field != nullptr ? *response_field->message_type() : *method.output_type();
    response = ViewSchema(answer, route.view.get(), route.renames.get());
  } else {
    response = response_field != nullptr ? FieldSchema(*response_field)
                                         : MessageSchema(*method.output_type());
  }
  Json ok_content = {{"application/json", {{"schema", response}}}};
  // (A WebSocket's frames are JSON, HttpBody or not.)
  const bool raw = response_field == nullptr && transcode::IsHttpBody(method.output_type()) &&
                   !(method.client_streaming() && method.server_streaming());
  if (raw) {
    // google.api.HttpBody: the bytes in their own media type; streamed, one
    // body whose pieces are the messages' data.
    ok_content = RawContent();
    if (method.server_streaming()) op["x-protogate-stream"] = "server";
  } else if (method.server_streaming()) {
    // Each message as it comes: one JSON value per line, one event each, or
    // one array (the Accept header chooses).
    ok_content = {{"application/x-ndjson", {{"schema", response}}},
                  {"text/event-stream", {{"schema", {{"type", "string"}}}}},
                  {"application/json", {{"schema", {{"type", "array"}, {"items", response}}}}}};
    op["x-protogate-stream"] = "server";
  }
  Json ok = {{"description", "OK"}, {"content", std::move(ok_content)}};
  std::string ok_status = "200";
  if (method.server_streaming() && method.client_streaming()) {
    // A WebSocket: one JSON message per text frame each way.
    op["x-protogate-stream"] = "bidi";
    op["x-protogate-websocket"] = {{"send", MessageSchema(*method.input_type())},
                                   {"receive", response}};
    ok_status = "101";
    ok = {{"description",
           "Switching Protocols: a WebSocket, one JSON message per text frame each way "
           "(x-protogate-websocket has their schemas); the call's error comes as a last "
           "{\"error\": ...} frame and a close code of 4000 + the gRPC code"}};
  }
  op["responses"] = {
      {ok_status, std::move(ok)},
      {"default",
       {{"description", "An error: the gRPC status in the gateway's error model"},
        {"content", {{"application/json", {{"schema", {{"$ref", Ref(kErrorSchema)}}}}}}}}}};
  op["x-grpc-method"] = absl::StrCat("/", method.service()->full_name(), "/", method.name());
  return op;
}

std::string OperationKey(const std::string& http_method) {
  static const std::set<std::string> kStandard = {"GET",   "PUT",  "POST",    "DELETE",
                                                  "PATCH", "HEAD", "OPTIONS", "TRACE"};
  const std::string lower = absl::AsciiStrToLower(http_method);
  return kStandard.count(http_method) > 0 ? lower : absl::StrCat("x-", lower);
}

Json Builder::Build(const std::vector<OpenApiRoute>& routes, const OpenApiOptions& options) {
  struct Item {
    std::string key;
    std::string op_key;
    std::string operation_id;
    const OpenApiRoute* route;
    routing::HttpTemplate tmpl;
    Json params;
  };
  std::vector<Item> items;
  std::map<std::string, int> bindings_seen;
  for (const OpenApiRoute& route : routes) {
    auto tmpl = routing::HttpTemplate::Parse(route.path_template);
    if (!tmpl.ok()) continue;  // reported where the routes were loaded
    const auto& method = *route.method;
    int n = bindings_seen[method.full_name()]++;
    std::string id = absl::StrCat(method.service()->name(), "_", method.name(),
                                  n == 0 ? "" : absl::StrCat("_", n));
    Item item{"", OperationKey(route.http_method), std::move(id), &route, *tmpl, nullptr};
    item.params = PathParams(item.tmpl, *method.input_type(), item.key);
    items.push_back(std::move(item));
  }
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return std::tie(a.key, a.op_key) < std::tie(b.key, b.op_key);
  });
  Json paths = Json::object();
  for (Item& item : items) {
    Json& path_item = paths[item.key];
    if (path_item.contains(item.op_key)) continue;  // same OpenAPI path for two templates
    path_item[item.op_key] = Operation(*item.route, item.tmpl, item.operation_id, item.params);
    const auto& service = *item.route->method->service();
    Json tag{{"name", service.full_name()}};
    Describe(tag, CommentOf(service));
    tags_[service.full_name()] = std::move(tag);
  }
  schemas_[kErrorSchema] = ErrorSchema();
  Json root;
  root["openapi"] = "3.1.0";
  root["info"] = {{"title", options.title}, {"version", options.version}};
  Json tags = Json::array();
  for (auto& [name, tag] : tags_) tags.push_back(tag);
  root["tags"] = std::move(tags);
  root["paths"] = std::move(paths);
  Json schemas = Json::object();
  for (auto& [name, schema] : schemas_) schemas[name] = schema;
  root["components"] = {{"schemas", std::move(schemas)}};
  return root;
}

}  // namespace

std::string RenderOpenApi(const std::vector<OpenApiRoute>& routes, const OpenApiOptions& options) {
  return common::JsonText(Builder().Build(routes, options), 2) + "\n";
}

}  // namespace protogate::docs
