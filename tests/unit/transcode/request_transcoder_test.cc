#include "transcode/request_transcoder.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "support/demo_registry.h"

namespace protogate::transcode {
namespace {

namespace gpb = google::protobuf;
using nlohmann::json;
using routing::VariableBinding;

using test::DemoRegistry;

const gpb::Descriptor& Message(const std::string& name) {
  const gpb::Descriptor* descriptor = DemoRegistry()->FindMessage(name);
  EXPECT_NE(descriptor, nullptr) << name;
  return *descriptor;
}

const gpb::Descriptor& Input(const std::string& method) {
  const gpb::MethodDescriptor* descriptor = DemoRegistry()->FindMethod(method);
  EXPECT_NE(descriptor, nullptr) << method;
  return *descriptor->input_type();
}

RequestTranscoder Make(const gpb::Descriptor& type, absl::string_view body,
                       const RequestOptions& options = {}) {
  auto transcoder = RequestTranscoder::Create(DemoRegistry(), type, body, options);
  EXPECT_TRUE(transcoder.ok()) << transcoder.status();
  return *std::move(transcoder);
}

// The request bytes as proto3 JSON with proto field names: the bytes must
// parse as `type`.
json Decode(const gpb::Descriptor& type, const std::string& bytes) {
  std::unique_ptr<gpb::Message> message(DemoRegistry()->Prototype(type)->New());
  EXPECT_TRUE(message->ParseFromString(bytes)) << "not a " << type.full_name();
  gpb::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string text;
  EXPECT_TRUE(gpb::util::MessageToJsonString(*message, &text, options).ok());
  return json::parse(text);
}

using Query = std::vector<std::pair<std::string, std::string>>;

// Transcodes and decodes; fails the test on an error.
json Transcoded(const RequestTranscoder& transcoder, const gpb::Descriptor& type,
                const HttpRequestParts& parts) {
  auto bytes = transcoder.Transcode(parts);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  if (!bytes.ok()) return json();
  return Decode(type, *bytes);
}

absl::Status TranscodeError(const RequestTranscoder& transcoder, const HttpRequestParts& parts) {
  auto bytes = transcoder.Transcode(parts);
  EXPECT_FALSE(bytes.ok());
  return bytes.ok() ? absl::OkStatus() : bytes.status();
}

// For query-only tests on EchoRequest, which has every kind of field.
json EchoQuery(const Query& query, const RequestOptions& options = {}) {
  const gpb::Descriptor& type = Message("demo.catalog.v1.EchoRequest");
  return Transcoded(Make(type, "", options), type, {.query = query});
}

std::string EchoQueryError(const Query& query, const RequestOptions& options = {}) {
  const gpb::Descriptor& type = Message("demo.catalog.v1.EchoRequest");
  absl::Status status = TranscodeError(Make(type, "", options), {.query = query});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  return std::string(status.message());
}

// --- Create ---------------------------------------------------------------

TEST(RequestTranscoderTest, CreateRejectsAnUnknownBodyField) {
  auto transcoder = RequestTranscoder::Create(
      DemoRegistry(), Input("demo.users.v1.UserService.CreateUser"), "nope", {});
  ASSERT_FALSE(transcoder.ok());
  EXPECT_EQ(transcoder.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(transcoder.status().message(),
            "body field \"nope\" names no field of demo.users.v1.CreateUserRequest");
}

TEST(RequestTranscoderTest, CreateAcceptsTheBodyFieldByJsonName) {
  const gpb::Descriptor& type = Input("demo.orders.v1.OrderService.CreateOrder");
  RequestTranscoder transcoder = Make(type, "shippingAddress");
  EXPECT_EQ(Transcoded(transcoder, type, {.body = R"({"city":"Oslo"})"}),
            json::parse(R"({"shipping_address":{"city":"Oslo"}})"));
}

TEST(RequestTranscoderTest, TranscoderIsCopyableAndShared) {
  const gpb::Descriptor& type = Input("demo.users.v1.UserService.GetUser");
  RequestTranscoder original = Make(type, "");
  RequestTranscoder copy = original;
  EXPECT_EQ(Transcoded(copy, type, {.bindings = {{{"user_id"}, "7"}}}),
            json::parse(R"({"user_id":"7"})"));
}

// --- Path variables -------------------------------------------------------

TEST(RequestTranscoderTest, PathVariable) {
  const gpb::Descriptor& type = Input("demo.users.v1.UserService.GetUser");
  EXPECT_EQ(Transcoded(Make(type, ""), type, {.bindings = {{{"user_id"}, "42"}}}),
            json::parse(R"({"user_id":"42"})"));
}

TEST(RequestTranscoderTest, NoInputGivesAnEmptyMessage) {
  const gpb::Descriptor& type = Input("demo.users.v1.UserService.ListUsers");
  auto bytes = Make(type, "").Transcode({});
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, "");
}

TEST(RequestTranscoderTest, MultiSegmentPathVariable) {
  const gpb::Descriptor& type = Input("demo.catalog.v1.CatalogService.GetAsset");
  EXPECT_EQ(Transcoded(Make(type, ""), type, {.bindings = {{{"path"}, "img/logo%2F.png"}}}),
            json::parse(R"({"path":"img/logo%2F.png"})"));
}

TEST(RequestTranscoderTest, PathVariableTypeError) {
  const gpb::Descriptor& type = Input("demo.catalog.v1.CatalogService.Sleep");
  absl::Status status = TranscodeError(Make(type, ""), {.bindings = {{{"millis"}, "abc"}}});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), R"(invalid value "abc" for path parameter "millis": expected int32)");
}

TEST(RequestTranscoderTest, PathVariableOutOfRange) {
  const gpb::Descriptor& type = Input("demo.catalog.v1.CatalogService.Sleep");
  absl::Status status = TranscodeError(Make(type, ""), {.bindings = {{{"millis"}, "2147483648"}}});
  EXPECT_EQ(status.message(),
            R"(invalid value "2147483648" for path parameter "millis": expected int32)");
  EXPECT_EQ(Transcoded(Make(type, ""), type, {.bindings = {{{"millis"}, "-2147483648"}}}),
            json::parse(R"({"millis":-2147483648})"));
}

TEST(RequestTranscoderTest, PathVariableRejectsWhitespaceAroundNumbers) {
  const gpb::Descriptor& type = Input("demo.catalog.v1.CatalogService.Sleep");
  EXPECT_FALSE(Make(type, "").Transcode({.bindings = {{{"millis"}, " 5"}}}).ok());
  EXPECT_FALSE(Make(type, "").Transcode({.bindings = {{{"millis"}, "5 "}}}).ok());
  EXPECT_FALSE(Make(type, "").Transcode({.bindings = {{{"millis"}, ""}}}).ok());
}

TEST(RequestTranscoderTest, TypedPathVariables) {
  // GET /v1/echo/{scalars.int32_value}/{scalars.enum_value}/{scalars.bool_value}:typed
  const gpb::Descriptor& type = Input("demo.catalog.v1.CatalogService.Echo");
  RequestTranscoder transcoder = Make(type, "*");
  EXPECT_EQ(Transcoded(transcoder, type,
                       {.bindings = {{{"scalars", "int32_value"}, "-7"},
                                     {{"scalars", "enum_value"}, "CATEGORY_GAMES"},
                                     {{"scalars", "bool_value"}, "true"}}}),
            json::parse(R"({"scalars":{"int32_value":-7,"enum_value":"CATEGORY_GAMES",
                                       "bool_value":true}})"));
  absl::Status status =
      TranscodeError(transcoder, {.bindings = {{{"scalars", "int32_value"}, "1"},
                                               {{"scalars", "enum_value"}, "GAMES"},
                                               {{"scalars", "bool_value"}, "true"}}});
  EXPECT_EQ(status.message(),
            R"(invalid value "GAMES" for path parameter "scalars.enum_value": expected a )"
            R"(demo.catalog.v1.Category name or number)");
  status = TranscodeError(transcoder, {.bindings = {{{"scalars", "int32_value"}, "1"},
                                                    {{"scalars", "enum_value"}, "2"},
                                                    {{"scalars", "bool_value"}, "yes"}}});
  EXPECT_EQ(status.message(),
            R"(invalid value "yes" for path parameter "scalars.bool_value": expected bool )"
            R"((true or false))");
}

TEST(RequestTranscoderTest, NestedPathVariableMergesWithTheBodyField) {
  // PATCH /v1/users/{user.user_id} body: "user"
  const gpb::Descriptor& type = Input("demo.users.v1.UserService.UpdateUser");
  EXPECT_EQ(Transcoded(Make(type, "user"), type,
                       {.body = R"({"email":"a@b","profile":{"displayName":"Ann"}})",
                        .bindings = {{{"user", "user_id"}, "u1"}},
                        .query = {{"update_mask", "email,profile.displayName"}}}),
            json::parse(R"({"user":{"user_id":"u1","email":"a@b",
                                    "profile":{"display_name":"Ann"}},
                            "update_mask":"email,profile.displayName"})"));
}

TEST(RequestTranscoderTest, PathWinsOverTheBody) {
  const gpb::Descriptor& type = Input("demo.users.v1.UserService.UpdateUser");
  EXPECT_EQ(Transcoded(Make(type, "user"), type,
                       {.body = R"({"userId":"from-body","email":"a@b"})",
                        .bindings = {{{"user", "user_id"}, "from-path"}}}),
            json::parse(R"({"user":{"user_id":"from-path","email":"a@b"}})"));
}

TEST(RequestTranscoderTest, PathZeroOverridesTheBody) {
  // A proto3 default in the path still overrides: it is written explicitly.
  const gpb::Descriptor& type = Input("demo.catalog.v1.CatalogService.Echo");
  EXPECT_EQ(Transcoded(Make(type, "*"), type,
                       {.body = R"({"scalars":{"int32Value":5,"stringValue":"kept"}})",
                        .bindings = {{{"scalars", "int32_value"}, "0"}}}),
            json::parse(R"({"scalars":{"string_value":"kept"}})"));
}

TEST(RequestTranscoderTest, PathVariableStringIsUtf8Checked) {
  const gpb::Descriptor& type = Input("demo.users.v1.UserService.GetUser");
  absl::Status status = TranscodeError(Make(type, ""), {.bindings = {{{"user_id"}, "a\xff"}}});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("expected valid UTF-8"), std::string::npos) << status;
  EXPECT_EQ(Transcoded(Make(type, ""), type, {.bindings = {{{"user_id"}, "\xc3\xa9t\xc3\xa9"}}}),
            json::parse(R"({"user_id":"été"})"));
}

TEST(RequestTranscoderTest, PathVariableNamingNoFieldIsAGatewayFault) {
  const gpb::Descriptor& type = Input("demo.users.v1.UserService.GetUser");
  absl::Status status = TranscodeError(Make(type, ""), {.bindings = {{{"nope"}, "1"}}});
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(status.message(),
            "path variable \"nope\" names no field of demo.users.v1.GetUserRequest");
  const gpb::Descriptor& update = Input("demo.users.v1.UserService.UpdateUser");
  EXPECT_EQ(TranscodeError(Make(update, "user"), {.bindings = {{{"user"}, "1"}}}).code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(
      TranscodeError(Make(update, "user"), {.bindings = {{{"user", "user_id", "x"}, "1"}}}).code(),
      absl::StatusCode::kInternal);
  EXPECT_EQ(TranscodeError(Make(update, "user"), {.bindings = {{{}, "1"}}}).code(),
            absl::StatusCode::kInternal);
}

TEST(RequestTranscoderTest, LongValuesAreCutInErrors) {
  const gpb::Descriptor& type = Input("demo.catalog.v1.CatalogService.Sleep");
  absl::Status status =
      TranscodeError(Make(type, ""), {.bindings = {{{"millis"}, std::string(1000, 'x')}}});
  EXPECT_LT(status.message().size(), 200u);
  EXPECT_NE(status.message().find("xxx...\""), std::string::npos) << status;
}

// --- Body -----------------------------------------------------------------

TEST(RequestTranscoderTest, WholeBodyWithJsonAndProtoNames) {
  const gpb::Descriptor& type = Input("demo.orders.v1.OrderService.CreateOrder");
  EXPECT_EQ(Transcoded(Make(type, "*"), type, {.body = R"({
              "userId": "u1",
              "shipping_address": {"line1": "Main St 1", "postalCode": "0150"},
              "items": [{"productId": "p1", "quantity": 2, "unitPriceCents": "1999"},
                        {"product_id": "p2", "quantity": 1, "unit_price_cents": 500}],
              "labels": {"gift": "yes"}
            })"}),
            json::parse(R"({"user_id":"u1",
                            "shipping_address":{"line1":"Main St 1","postal_code":"0150"},
                            "items":[{"product_id":"p1","quantity":2,"unit_price_cents":"1999"},
                                     {"product_id":"p2","quantity":1,"unit_price_cents":"500"}],
                            "labels":{"gift":"yes"}})"));
}

TEST(RequestTranscoderTest, Int64AsStringOrNumber) {
  const gpb::Descriptor& type = Input("demo.catalog.v1.CatalogService.Echo");
  RequestTranscoder transcoder = Make(type, "*");
  EXPECT_EQ(
      Transcoded(transcoder, type, {.body = R"({"scalars":{"int64Value":"-9223372036854775808",
                                        "uint64Value":18446744073709551615}})"}),
      json::parse(R"({"scalars":{"int64_value":"-9223372036854775808",
                                       "uint64_value":"18446744073709551615"}})"));
  EXPECT_EQ(
      TranscodeError(transcoder, {.body = R"({"scalars":{"int64Value":"9223372036854775808"}})"})
          .code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(RequestTranscoderTest, BytesInTheBodyAreBase64) {
  const gpb::Descriptor& type = Input("demo.catalog.v1.CatalogService.Echo");
  EXPECT_EQ(Transcoded(Make(type, "*"), type, {.body = R"({"scalars":{"bytesValue":"AAEC/w=="}})"}),
            json::parse(R"({"scalars":{"bytes_value":"AAEC/w=="}})"));
}

TEST(RequestTranscoderTest, StructValueAndAnyInTheBody) {
  const gpb::Descriptor& type = Input("demo.catalog.v1.CatalogService.Echo");
  json decoded = Transcoded(Make(type, "*"), type, {.body = R"({"wellKnown":{
      "structValue": {"a": [1, "x", null, true], "b": {"c": 2.5}},
      "value": "text",
      "listValue": [1, {"k": false}],
      "any": {"@type": "type.googleapis.com/demo.users.v1.User", "email": "a@b"},
      "timestamp": "2024-01-31T12:00:00.5Z",
      "duration": "-1.25s",
      "fieldMask": "userId,profile.displayName",
      "int32Wrapper": 0,
      "stringWrapper": ""}})"});
  EXPECT_EQ(decoded, json::parse(R"({"well_known":{
      "struct_value": {"a": [1, "x", null, true], "b": {"c": 2.5}},
      "value": "text",
      "list_value": [1, {"k": false}],
      "any": {"@type": "type.googleapis.com/demo.users.v1.User", "email": "a@b"},
      "timestamp": "2024-01-31T12:00:00.500Z",
      "duration": "-1.250s",
      "field_mask": "userId,profile.displayName",
      "int32_wrapper": 0,
      "string_wrapper": ""}})"));
}

TEST(RequestTranscoderTest, AnyOfAnUnknownTypeIsRefused) {
  const gpb::Descriptor& type = Input("demo.catalog.v1.CatalogService.Echo");
  absl::Status status = TranscodeError(
      Make(type, "*"),
      {.body = R"({"wellKnown":{"any":{"@type":"type.googleapis.com/x.Nope","a":1}}})"});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("x.Nope"), std::string::npos) << status;
}

TEST(RequestTranscoderTest, MapsAndOneofInTheBody) {
  const gpb::Descriptor& type = Input("demo.catalog.v1.CatalogService.Echo");
  EXPECT_EQ(Transcoded(Make(type, "*"), type,
                       {.body = R"({"stringMap":{"a":"1"},"intMap":{"7":"70","-1":2},
                             "messageMap":{"k":{"name":"n","level":3}},"choiceNumber":9})"}),
            json::parse(R"({"string_map":{"a":"1"},"int_map":{"7":"70","-1":"2"},
                            "message_map":{"k":{"name":"n","level":3}},"choice_number":9})"));
}

TEST(RequestTranscoderTest, UnknownJsonFieldIsRefusedByDefault) {
  const gpb::Descriptor& type = Input("demo.orders.v1.OrderService.CreateOrder");
  absl::Status status =
      TranscodeError(Make(type, "*"), {.body = R"({"userId":"u1","colour":"red"})"});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message().rfind("invalid JSON body: ", 0), 0u) << status;
  EXPECT_NE(status.message().find("colour"), std::string::npos) << status;
}

TEST(RequestTranscoderTest, UnknownJsonFieldIsIgnoredWhenAsked) {
  const gpb::Descriptor& type = Input("demo.orders.v1.OrderService.CreateOrder");
  RequestTranscoder transcoder = Make(type, "*", {.ignore_unknown_json_fields = true});
  EXPECT_EQ(Transcoded(transcoder, type, {.body = R"({"userId":"u1","colour":{"deep":[1,2]}})"}),
            json::parse(R"({"user_id":"u1"})"));
}

TEST(RequestTranscoderTest, MalformedJsonSaysWhere) {
  const gpb::Descriptor& type = Input("demo.orders.v1.OrderService.CreateOrder");
  RequestTranscoder transcoder = Make(type, "*");
  struct Case {
    const char* body;
    const char* message;
  };
  // Syntax faults are found by the strict check, with their byte; what
  // does not fit the message is named by its field path.
  const Case cases[] = {
      {R"({"userId": "u1", "note": })", " at byte 25: expected a value, got '}'"},
      {R"({"userId":"u1")", " at byte 14: unexpected end of input"},
      {R"({"note":"\ud800"})", " at byte 9: lone high surrogate \\ud800"},
      {R"({"userId":"u1","colour":"red"})",
       R"(: unknown field "colour" in demo.orders.v1.CreateOrderRequest)"},
      {R"({"items":[{"quantity":1},{"quantity":1.5}]})",
       ": items[1].quantity: invalid value 1.5 for int32"},
      {"[1,2]", ": expected an object for demo.orders.v1.CreateOrderRequest, got an array"},
  };
  for (const Case& c : cases) {
    absl::Status status = TranscodeError(transcoder, {.body = c.body});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(status.message(), absl::StrCat("invalid JSON body", c.message)) << c.body;
  }
}

TEST(RequestTranscoderTest, WhatProtobufWouldAcceptButStrictJsonRefusesIsA400) {
  const gpb::Descriptor& type = Input("demo.orders.v1.OrderService.CreateOrder");
  RequestTranscoder transcoder = Make(type, "*");
  struct Case {
    std::string body;
    const char* message;
  };
  const Case cases[] = {
      {R"({"userId": 'u1'})", "invalid JSON body at byte 11: single-quoted string"},
      {"{\"note\":\"a\tb\"}",
       "invalid JSON body at byte 10: unescaped control character "
       "U+0009 in string"},
      {R"({"note":"x"} trailing)", "invalid JSON body at byte 13: data after the top-level value"},
      {R"({"userId":"a","user_id":"b"})",
       R"(invalid JSON body at byte 14: field "user_id" given twice)"},
      {R"({"items":[{"quantity":1,"quantity":2}]})",
       R"(invalid JSON body at byte 24: field "quantity" given twice)"},
      {R"({"labels":{"a":"1","a":"2"}})",
       R"(invalid JSON body at byte 19: map key "a" given twice)"},
      {R"({"note":"x",})", "invalid JSON body at byte 11: trailing comma"},
      {"{\"note\":\"\xff\"}", "invalid JSON body at byte 9: invalid UTF-8"},
  };
  for (const Case& c : cases) {
    absl::Status status = TranscodeError(transcoder, {.body = c.body});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.body;
    EXPECT_EQ(status.message(), c.message) << c.body;
  }
}

TEST(RequestTranscoderTest, StrictJsonAppliesToFieldBodies) {
  const gpb::Descriptor& order = Input("demo.orders.v1.OrderService.CreateOrder");
  // body: "items" (a repeated message field): offsets are the client's.
  absl::Status status =
      TranscodeError(Make(order, "items"), {.body = R"([{"quantity":1,"quantity":2}])"});
  EXPECT_EQ(status.message(), R"(invalid JSON body at byte 15: field "quantity" given twice)");
  // body: "user" (a message field).
  const gpb::Descriptor& create_user = Input("demo.users.v1.UserService.CreateUser");
  status = TranscodeError(Make(create_user, "user"), {.body = R"({"email":'a@b'})"});
  EXPECT_EQ(status.message(), "invalid JSON body at byte 9: single-quoted string");
}

TEST(RequestTranscoderTest, JsonDeeperThanTheLimitIsRefused) {
  const gpb::Descriptor& type = Input("demo.orders.v1.OrderService.CreateOrder");
  RequestTranscoder transcoder = Make(type, "*", {.max_json_depth = 2});
  EXPECT_EQ(Transcoded(transcoder, type, {.body = R"({"shippingAddress":{"line1":"x"}})"}),
            json::parse(R"({"shipping_address":{"line1":"x"}})"));
  absl::Status status = TranscodeError(transcoder, {.body = R"({"items":[{"quantity":1}]})"});
  EXPECT_EQ(status.message(), "invalid JSON body at byte 10: nesting deeper than 2");
  // The default is 64.
  std::string deep = R"({"wellKnown":{"value":)";
  for (int i = 0; i < 63; ++i) deep += "[";
  for (int i = 0; i < 63; ++i) deep += "]";
  deep += "}}";
  const gpb::Descriptor& echo = Input("demo.catalog.v1.CatalogService.Echo");
  status = TranscodeError(Make(echo, "*"), {.body = deep});
  EXPECT_EQ(status.message(), "invalid JSON body at byte 84: nesting deeper than 64");
}

TEST(RequestTranscoderTest, MalformedJsonInAFieldBodySaysWhereInTheBody) {
  const gpb::Descriptor& type = Input("demo.orders.v1.OrderService.CreateOrder");
  absl::Status status = TranscodeError(Make(type, "items"), {.body = R"([{"quantity": 1},, ])"});
  EXPECT_EQ(status.message(), "invalid JSON body at byte 17: expected a value, got ','");
  status = TranscodeError(Make(type, "items"), {.body = R"([{"quantity": "x"}])"});
  EXPECT_EQ(status.message(),
            R"(invalid JSON body: items[0].quantity: invalid value "x" for int32)");
}

TEST(RequestTranscoderTest, AHighDepthLimitLetsDeepBodiesThrough) {
  const gpb::Descriptor& echo = Input("demo.catalog.v1.CatalogService.Echo");
  auto nested = [](int depth) {
    std::string body = R"({"wellKnown":{"value":)";
    for (int i = 0; i < depth; ++i) body += "[";
    for (int i = 0; i < depth; ++i) body += "]";
    return body + "}}";
  };
  auto deep = Make(echo, "*", {.max_json_depth = 1000}).Transcode({.body = nested(500)});
  EXPECT_TRUE(deep.ok()) << deep.status();
  EXPECT_EQ(TranscodeError(Make(echo, "*"), {.body = nested(500)}).message(),
            "invalid JSON body at byte 84: nesting deeper than 64");
}

TEST(RequestTranscoderTest, JsonOfTheWrongShapeIsRefused) {
  const gpb::Descriptor& type = Input("demo.orders.v1.OrderService.CreateOrder");
  RequestTranscoder transcoder = Make(type, "*");
  for (const char* body :
       {"[1,2]", "42", "\"text\"", R"({"items":"notalist"})", R"({"items":[{"quantity":"many"}]})",
        R"({"userId":"u1")", "{", R"({"note":"\ud800"})"}) {
    absl::Status status = TranscodeError(transcoder, {.body = body});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << body;
  }
}

TEST(RequestTranscoderTest, EmptyOrNullBodyIsAnEmptyMessage) {
  const gpb::Descriptor& type = Input("demo.orders.v1.OrderService.CreateOrder");
  RequestTranscoder transcoder = Make(type, "*");
  for (const char* body : {"", "  \r\n", "null", " null "}) {
    auto bytes = transcoder.Transcode({.body = body});
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    EXPECT_EQ(*bytes, "") << body;
  }
}

TEST(RequestTranscoderTest, BodyField) {
  // POST /v1/users body: "user"; query fills the rest.
  const gpb::Descriptor& type = Input("demo.users.v1.UserService.CreateUser");
  EXPECT_EQ(Transcoded(Make(type, "user"), type,
                       {.body = R"({"email":"a@b","roles":["ROLE_ADMIN",1],"totalSpentCents":"10",
                             "createTime":"2024-01-31T12:00:00Z"})",
                        .query = {{"validate_only", "true"}}}),
            json::parse(R"({"user":{"email":"a@b","roles":["ROLE_ADMIN","ROLE_CUSTOMER"],
                                    "total_spent_cents":"10",
                                    "create_time":"2024-01-31T12:00:00Z"},
                            "validate_only":true})"));
}

TEST(RequestTranscoderTest, EmptyBodyFieldStillSetsTheField) {
  const gpb::Descriptor& type = Input("demo.users.v1.UserService.CreateUser");
  EXPECT_EQ(Transcoded(Make(type, "user"), type, {.body = ""}), json::parse(R"({"user":{}})"));
  EXPECT_EQ(Transcoded(Make(type, "user"), type, {.body = "{}"}), json::parse(R"({"user":{}})"));
}

TEST(RequestTranscoderTest, BodyFieldErrorsComeFromItsType) {
  const gpb::Descriptor& type = Input("demo.users.v1.UserService.CreateUser");
  absl::Status status = TranscodeError(Make(type, "user"), {.body = R"({"validateOnly":true})"});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("validateOnly"), std::string::npos) << status;
}

TEST(RequestTranscoderTest, StructBodyField) {
  // PUT /v1/products/{product_id}/attributes body: "attributes"
  const gpb::Descriptor& type = Input("demo.catalog.v1.CatalogService.SetAttributes");
  EXPECT_EQ(
      Transcoded(Make(type, "attributes"), type,
                 {.body = R"({"color":"red","size":[1,2]})", .bindings = {{{"product_id"}, "p1"}}}),
      json::parse(R"({"product_id":"p1","attributes":{"color":"red","size":[1,2]}})"));
}

TEST(RequestTranscoderTest, ScalarBodyField) {
  const gpb::Descriptor& type = Input("demo.users.v1.UserService.CreateUser");
  RequestTranscoder transcoder = Make(type, "validate_only");
  EXPECT_EQ(Transcoded(transcoder, type, {.body = "true"}),
            json::parse(R"({"validate_only":true})"));
  EXPECT_EQ(Transcoded(transcoder, type, {.body = ""}), json::parse("{}"));
  EXPECT_EQ(TranscodeError(transcoder, {.body = R"({"a":1})"}).code(),
            absl::StatusCode::kInvalidArgument);
  // The wrapping must not let a body escape its field.
  EXPECT_EQ(TranscodeError(transcoder, {.body = R"(true, "user": {"email": "x"})"}).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RequestTranscoderTest, RepeatedAndMapBodyFields) {
  const gpb::Descriptor& type = Input("demo.orders.v1.OrderService.CreateOrder");
  EXPECT_EQ(
      Transcoded(Make(type, "items"), type,
                 {.body = R"([{"productId":"p1","quantity":2}])", .query = {{"userId", "u1"}}}),
      json::parse(R"({"user_id":"u1","items":[{"product_id":"p1","quantity":2}]})"));
  EXPECT_EQ(Transcoded(Make(type, "labels"), type, {.body = R"({"a":"b"})"}),
            json::parse(R"({"labels":{"a":"b"}})"));
}

TEST(RequestTranscoderTest, NoBodyRuleRefusesABody) {
  const gpb::Descriptor& type = Input("demo.users.v1.UserService.GetUser");
  absl::Status status =
      TranscodeError(Make(type, ""), {.body = "{}", .bindings = {{{"user_id"}, "1"}}});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("takes no request body"), std::string::npos) << status;
  EXPECT_EQ(Transcoded(Make(type, ""), type, {.body = " \r\n", .bindings = {{{"user_id"}, "1"}}}),
            json::parse(R"({"user_id":"1"})"));
}

// --- Query parameters -----------------------------------------------------

TEST(RequestTranscoderTest, QueryParametersOfSearch) {
  const gpb::Descriptor& type = Input("demo.catalog.v1.CatalogService.SearchProducts");
  EXPECT_EQ(Transcoded(Make(type, ""), type,
                       {.query = {{"q", "red shoes"},
                                  {"tags", "a"},
                                  {"tags", "b"},
                                  {"category", "CATEGORY_GAMES"},
                                  {"price.min_cents", "100"},
                                  {"price.maxCents", "9000000000"},
                                  {"inStock", "true"},
                                  {"attributes[color]", "red"},
                                  {"attributes[size.eu]", "42"},
                                  {"max_age", "1.5s"},
                                  {"fields", "title,priceCents"},
                                  {"page_size", "20"},
                                  {"updated_after", "2024-01-31T12:00:00+01:00"}}}),
            json::parse(R"({"q":"red shoes","tags":["a","b"],"category":"CATEGORY_GAMES",
                            "price":{"min_cents":"100","max_cents":"9000000000"},
                            "in_stock":true,"attributes":{"color":"red","size.eu":"42"},
                            "max_age":"1.500s","fields":"title,priceCents","page_size":20,
                            "updated_after":"2024-01-31T11:00:00Z"})"));
}

TEST(RequestTranscoderTest, EnumByNumber) {
  const gpb::Descriptor& type = Input("demo.catalog.v1.CatalogService.SearchProducts");
  EXPECT_EQ(Transcoded(Make(type, ""), type, {.query = {{"category", "3"}}}),
            json::parse(R"({"category":"CATEGORY_TOOLS"})"));
  // proto3 enums are open: an unnamed number is kept.
  EXPECT_EQ(Transcoded(Make(type, ""), type, {.query = {{"category", "99"}}}),
            json::parse(R"({"category":99})"));
}

TEST(RequestTranscoderTest, RepeatedEnumsByNameAndNumber) {
  const gpb::Descriptor& type = Input("demo.users.v1.UserService.ListUsers");
  EXPECT_EQ(Transcoded(Make(type, ""), type,
                       {.query = {{"roles", "ROLE_ADMIN"}, {"roles", "3"}, {"roles", "0"}}}),
            json::parse(R"({"roles":["ROLE_ADMIN","ROLE_SUPPORT","ROLE_UNSPECIFIED"]})"));
}

TEST(RequestTranscoderTest, LastValueWinsForASingularField) {
  const gpb::Descriptor& type = Input("demo.users.v1.UserService.ListUsers");
  EXPECT_EQ(Transcoded(Make(type, ""), type, {.query = {{"page_size", "5"}, {"pageSize", "7"}}}),
            json::parse(R"({"page_size":7})"));
}

TEST(RequestTranscoderTest, QueryValueErrorsNameTheParameter) {
  const gpb::Descriptor& type = Input("demo.catalog.v1.CatalogService.SearchProducts");
  RequestTranscoder transcoder = Make(type, "");
  struct Case {
    Query query;
    std::string message;
  };
  const Case cases[] = {
      {{{"page_size", "abc"}},
       R"(invalid value "abc" for query parameter "page_size": expected int32)"},
      {{{"page_size", "1.5"}},
       R"(invalid value "1.5" for query parameter "page_size": expected int32)"},
      {{{"price.min_cents", "9223372036854775808"}},
       R"(invalid value "9223372036854775808" for query parameter "price.min_cents": expected int64)"},
      {{{"category", "CATEGORY_NOPE"}},
       R"(invalid value "CATEGORY_NOPE" for query parameter "category": expected a demo.catalog.v1.Category name or number)"},
      {{{"in_stock", "maybe"}},
       R"(invalid value "maybe" for query parameter "in_stock": expected bool (true or false))"},
      {{{"updated_after", "yesterday"}},
       R"(invalid value "yesterday" for query parameter "updated_after": expected an RFC 3339 timestamp such as "2024-01-31T12:00:00Z")"},
      {{{"max_age", "5"}},
       R"(invalid value "5" for query parameter "max_age": expected a duration in seconds such as "1.5s")"},
      {{{"fields", "a,,b"}},
       R"(invalid value "a,,b" for query parameter "fields": expected a comma-separated list of field paths)"},
      {{{"price", "5"}},
       R"(query parameter "price" cannot be mapped: "price" is a message (demo.catalog.v1.PriceRange); set its fields instead)"},
      {{{"attributes", "red"}},
       R"(query parameter "attributes" cannot be mapped: "attributes" is a map; use "attributes[key]=value")"},
      {{{"q[x]", "1"}}, R"(query parameter "q[x]" cannot be mapped: "q" is not a map)"},
      {{{"tags.x", "1"}}, R"(query parameter "tags.x" cannot be mapped: "tags" is repeated)"},
  };
  for (const Case& c : cases) {
    absl::Status status = TranscodeError(transcoder, {.query = c.query});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(status.message(), c.message);
  }
}

TEST(RequestTranscoderTest, UnknownQueryParameterIsIgnoredByDefault) {
  const gpb::Descriptor& type = Input("demo.users.v1.UserService.ListUsers");
  EXPECT_EQ(
      Transcoded(
          Make(type, ""), type,
          {.query =
               {{"nope", "1"}, {"page_size", "2"}, {"region.x", "1"}, {"", "x"}, {"a..b", ""}}}),
      json::parse(R"({"page_size":2})"));
}

TEST(RequestTranscoderTest, UnknownQueryParameterIsRefusedWhenStrict) {
  const gpb::Descriptor& type = Input("demo.users.v1.UserService.ListUsers");
  RequestTranscoder transcoder = Make(type, "", {.reject_unknown_query_parameters = true});
  absl::Status status = TranscodeError(transcoder, {.query = {{"page_size", "2"}, {"nope", "1"}}});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            R"(unknown query parameter "nope": demo.users.v1.ListUsersRequest has no such field)");
  EXPECT_FALSE(transcoder.Transcode({.query = {{"region.x", "1"}}}).ok());
}

TEST(RequestTranscoderTest, QueryParameterBoundByThePathIsIgnored) {
  // GET /v1/users/{user_id}/orders/{order_id}
  const gpb::Descriptor& type = Input("demo.orders.v1.OrderService.GetOrder");
  RequestTranscoder transcoder = Make(type, "", {.reject_unknown_query_parameters = true});
  EXPECT_EQ(Transcoded(transcoder, type,
                       {.bindings = {{{"user_id"}, "u1"}, {{"order_id"}, "o1"}},
                        .query = {{"order_id", "other"}, {"userId", "other"}}}),
            json::parse(R"({"user_id":"u1","order_id":"o1"})"));
}

TEST(RequestTranscoderTest, NestedQueryParameterBoundByThePathIsIgnored) {
  const gpb::Descriptor& type = Input("demo.catalog.v1.CatalogService.Echo");
  RequestTranscoder transcoder = Make(type, "");  // as if the route had no body
  EXPECT_EQ(Transcoded(transcoder, type,
                       {.bindings = {{{"scalars", "string_value"}, "path"}},
                        .query = {{"scalars.stringValue", "query"}, {"scalars.int32_value", "3"}}}),
            json::parse(R"({"scalars":{"string_value":"path","int32_value":3}})"));
}

TEST(RequestTranscoderTest, QueryParameterForTheBodyFieldIsIgnored) {
  const gpb::Descriptor& type = Input("demo.users.v1.UserService.CreateUser");
  EXPECT_EQ(Transcoded(Make(type, "user"), type,
                       {.body = R"({"email":"body"})",
                        .query = {{"user.email", "query"}, {"validateOnly", "1"}}}),
            json::parse(R"({"user":{"email":"body"},"validate_only":true})"));
}

TEST(RequestTranscoderTest, WholeBodyIgnoresTheQuery) {
  const gpb::Descriptor& type = Input("demo.orders.v1.OrderService.CreateOrder");
  EXPECT_EQ(Transcoded(Make(type, "*"), type,
                       {.body = R"({"note":"n"})", .query = {{"note", "q"}, {"request_id", "r"}}}),
            json::parse(R"({"note":"n"})"));
}

TEST(RequestTranscoderTest, WholeBodyRefusesTheQueryWhenStrict) {
  const gpb::Descriptor& type = Input("demo.orders.v1.OrderService.CreateOrder");
  RequestTranscoder transcoder = Make(type, "*", {.reject_unknown_query_parameters = true});
  absl::Status status = TranscodeError(transcoder, {.body = "{}", .query = {{"note", "q"}}});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            R"(query parameter "note" is not allowed: the request body carries the whole request)");
}

TEST(RequestTranscoderTest, EveryScalarKindFromTheQuery) {
  EXPECT_EQ(EchoQuery({{"scalars.double_value", "-2.5e3"},
                       {"scalars.float_value", "1.5"},
                       {"scalars.int64_value", "-9223372036854775808"},
                       {"scalars.uint64_value", "18446744073709551615"},
                       {"scalars.int32_value", "-1"},
                       {"scalars.fixed64_value", "18446744073709551615"},
                       {"scalars.fixed32_value", "4294967295"},
                       {"scalars.bool_value", "1"},
                       {"scalars.string_value", "héllo wörld"},
                       {"scalars.bytes_value", "AAEC/w=="},
                       {"scalars.uint32_value", "4294967295"},
                       {"scalars.sfixed32_value", "-2147483648"},
                       {"scalars.sfixed64_value", "-9223372036854775808"},
                       {"scalars.sint32_value", "-2147483648"},
                       {"scalars.sint64_value", "-9223372036854775808"},
                       {"scalars.enum_value", "CATEGORY_BOOKS"},
                       {"scalars.repeated_int32", "1"},
                       {"scalars.repeated_int32", "-2"},
                       {"scalars.repeated_string", "x"},
                       {"scalars.repeatedString", "y"},
                       {"scalars.repeated_enum", "2"},
                       {"scalars.repeated_enum", "CATEGORY_TOOLS"}}),
            json::parse(R"({"scalars":{
                "double_value":-2500.0,"float_value":1.5,
                "int64_value":"-9223372036854775808","uint64_value":"18446744073709551615",
                "int32_value":-1,"fixed64_value":"18446744073709551615",
                "fixed32_value":4294967295,"bool_value":true,"string_value":"héllo wörld",
                "bytes_value":"AAEC/w==","uint32_value":4294967295,
                "sfixed32_value":-2147483648,"sfixed64_value":"-9223372036854775808",
                "sint32_value":-2147483648,"sint64_value":"-9223372036854775808",
                "enum_value":"CATEGORY_BOOKS","repeated_int32":[1,-2],
                "repeated_string":["x","y"],
                "repeated_enum":["CATEGORY_GAMES","CATEGORY_TOOLS"]}})"));
}

TEST(RequestTranscoderTest, ScalarRangeErrors) {
  struct Case {
    const char* name;
    const char* value;
    const char* expected;
  };
  const Case cases[] = {
      {"scalars.int64_value", "9223372036854775808", "int64"},
      {"scalars.uint64_value", "-1", "uint64"},
      {"scalars.uint64_value", "18446744073709551616", "uint64"},
      {"scalars.int32_value", "2147483648", "int32"},
      {"scalars.uint32_value", "4294967296", "uint32"},
      {"scalars.fixed32_value", "-1", "fixed32"},
      {"scalars.sint32_value", "1e3", "sint32"},
      {"scalars.sfixed64_value", "0x10", "sfixed64"},
      {"scalars.float_value", "1e39", "float"},
      {"scalars.double_value", "1e999", "double"},
      {"scalars.double_value", "inf", "double"},
      {"scalars.double_value", "", "double"},
      {"scalars.bool_value", "", "bool (true or false)"},
      {"scalars.bytes_value", "not base64!", "base64 bytes"},
      {"scalars.string_value", "\xc0\x80", "valid UTF-8 text"},
      {"scalars.string_value", "\xed\xa0\x80", "valid UTF-8 text"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(EchoQueryError({{c.name, c.value}}),
              absl::StrCat("invalid value \"", c.value, "\" for query parameter \"", c.name,
                           "\": expected ", c.expected));
  }
}

TEST(RequestTranscoderTest, FloatSpecialValues) {
  json decoded = EchoQuery({{"scalars.double_value", "NaN"},
                            {"scalars.float_value", "-Infinity"},
                            {"scalars.repeated_int32", "0"}});
  EXPECT_EQ(decoded["scalars"]["double_value"], "NaN");
  EXPECT_EQ(decoded["scalars"]["float_value"], "-Infinity");
  EXPECT_EQ(EchoQuery({{"scalars.double_value", "Infinity"}})["scalars"]["double_value"],
            "Infinity");
}

TEST(RequestTranscoderTest, BoolSpellings) {
  for (const char* yes : {"true", "True", "TRUE", "1"}) {
    EXPECT_EQ(EchoQuery({{"scalars.bool_value", yes}}),
              json::parse(R"({"scalars":{"bool_value":true}})"))
        << yes;
  }
  for (const char* no : {"false", "False", "0"}) {
    // An explicit false still creates the parent message.
    EXPECT_EQ(EchoQuery({{"scalars.bool_value", no}}), json::parse(R"({"scalars":{}})")) << no;
  }
}

TEST(RequestTranscoderTest, BytesAcceptStandardAndUrlSafeBase64) {
  EXPECT_EQ(EchoQuery({{"scalars.bytes_value", "-_8"}}),
            json::parse(R"({"scalars":{"bytes_value":"+/8="}})"));
  EXPECT_EQ(EchoQuery({{"scalars.bytes_value", "+/8="}}),
            json::parse(R"({"scalars":{"bytes_value":"+/8="}})"));
  EXPECT_EQ(EchoQuery({{"scalars.bytes_value", "aGk"}}),
            json::parse(R"({"scalars":{"bytes_value":"aGk="}})"));
}

TEST(RequestTranscoderTest, ProtoOptionalZeroIsPresent) {
  EXPECT_EQ(EchoQuery({{"scalars.optional_int32", "0"}}),
            json::parse(R"({"scalars":{"optional_int32":0}})"));
}

TEST(RequestTranscoderTest, WrappersFromTheQuery) {
  EXPECT_EQ(EchoQuery({{"well_known.int32_wrapper", "0"},
                       {"well_known.int64_wrapper", "-5"},
                       {"well_known.uint32_wrapper", "7"},
                       {"well_known.uint64_wrapper", "18446744073709551615"},
                       {"well_known.float_wrapper", "0.5"},
                       {"well_known.double_wrapper", "NaN"},
                       {"well_known.bool_wrapper", "false"},
                       {"well_known.string_wrapper", ""},
                       {"wellKnown.bytesWrapper", "aGk="}}),
            json::parse(R"({"well_known":{"int32_wrapper":0,"int64_wrapper":"-5",
                "uint32_wrapper":7,"uint64_wrapper":"18446744073709551615",
                "float_wrapper":0.5,"double_wrapper":"NaN","bool_wrapper":false,
                "string_wrapper":"","bytes_wrapper":"aGk="}})"));
  EXPECT_EQ(EchoQueryError({{"well_known.int32_wrapper", "x"}}),
            R"(invalid value "x" for query parameter "well_known.int32_wrapper": expected int32)");
}

TEST(RequestTranscoderTest, TimestampDurationFieldMaskFromTheQuery) {
  EXPECT_EQ(EchoQuery({{"well_known.timestamp", "1970-01-01T00:00:00Z"},
                       {"well_known.duration", "-0.000000001s"},
                       {"well_known.field_mask", "a.bC,d_e"}}),
            json::parse(R"({"well_known":{"timestamp":"1970-01-01T00:00:00Z",
                "duration":"-0.000000001s","field_mask":"a.bC,dE"}})"));
  EXPECT_EQ(EchoQuery({{"well_known.duration", "315576000000s"}}),
            json::parse(R"({"well_known":{"duration":"315576000000s"}})"));
  EXPECT_EQ(EchoQuery({{"well_known.field_mask", ""}}),
            json::parse(R"({"well_known":{"field_mask":""}})"));
  for (const char* bad :
       {"315576000001s", "1.5", "1.s", "1.0000000001s", "--1s", "+1s", "s", "1 s", "1.-5s"}) {
    EXPECT_NE(EchoQueryError({{"well_known.duration", bad}}).find("expected a duration"),
              std::string::npos)
        << bad;
  }
  for (const char* bad : {"2024-13-01T00:00:00Z", "2024-01-01", "0", "10000-01-01T00:00:00Z"}) {
    EXPECT_NE(EchoQueryError({{"well_known.timestamp", bad}}).find("RFC 3339"), std::string::npos)
        << bad;
  }
  for (const char* bad : {"a_B", "a b", "a,", "a;b"}) {
    EXPECT_NE(EchoQueryError({{"well_known.field_mask", bad}}).find("field paths"),
              std::string::npos)
        << bad;
  }
}

TEST(RequestTranscoderTest, OtherWellKnownMessagesAreNotMappable) {
  for (const char* name : {"well_known.struct_value", "well_known.value", "well_known.any",
                           "well_known.list_value", "nested.inner"}) {
    EXPECT_NE(EchoQueryError({{name, "x"}}).find("cannot be mapped"), std::string::npos) << name;
  }
}

TEST(RequestTranscoderTest, DeeplyNestedQueryParameters) {
  EXPECT_EQ(EchoQuery({{"nested.inner.child.child.name", "deep"},
                       {"nested.inner.level", "2"},
                       {"nested.inner.child.level", "3"}}),
            json::parse(R"({"nested":{"inner":{"level":2,"child":{"level":3,
                                                                 "child":{"name":"deep"}}}}})"));
  EXPECT_NE(EchoQueryError({{"nested.items.name", "x"}}).find("\"items\" is repeated"),
            std::string::npos);
}

TEST(RequestTranscoderTest, MapsFromTheQuery) {
  EXPECT_EQ(EchoQuery({{"string_map[a]", "1"},
                       {"string_map[a.b]", "2"},
                       {"stringMap[]", "empty key"},
                       {"int_map[-7]", "70"},
                       {"int_map[8]", "80"},
                       {"int_map[8]", "81"}}),
            json::parse(R"({"string_map":{"a":"1","a.b":"2","":"empty key"},
                            "int_map":{"-7":"70","8":"81"}})"));
  EXPECT_EQ(EchoQueryError({{"int_map[x]", "1"}}),
            R"(invalid key "x" for query parameter "int_map[x]": expected int32)");
  EXPECT_EQ(EchoQueryError({{"int_map[1]", "x"}}),
            R"(invalid value "x" for query parameter "int_map[1]": expected int64)");
  EXPECT_EQ(
      EchoQueryError({{"message_map[k]", "x"}}),
      R"(query parameter "message_map[k]" cannot be mapped: the values of "message_map" are messages)");
}

TEST(RequestTranscoderTest, OneofFromTheQuery) {
  EXPECT_EQ(EchoQuery({{"choice_text", "t"}, {"choiceNumber", "0"}}),
            json::parse(R"({"choice_number":0})"));
}

TEST(RequestTranscoderTest, SafeFromManyThreads) {
  const gpb::Descriptor& type = Input("demo.users.v1.UserService.UpdateUser");
  RequestTranscoder transcoder = Make(type, "user");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&transcoder, t] {
      for (int i = 0; i < 100; ++i) {
        std::string id = std::to_string(t * 1000 + i);
        auto bytes = transcoder.Transcode({.body = R"({"email":"a@b"})",
                                           .bindings = {{{"user", "user_id"}, id}},
                                           .query = {{"update_mask", "email"}}});
        ASSERT_TRUE(bytes.ok());
        ASSERT_NE(bytes->find(id), std::string::npos);
      }
    });
  }
  for (auto& thread : threads) thread.join();
}

// google.api.HttpBody: the body's bytes and the Content-Type, as they are
// (no JSON check: they need not be JSON, nor UTF-8).
TEST(RequestTranscoderTest, AnHttpBodyFieldTakesTheRawBodyAndTheOtherFieldsAsUsual) {
  const gpb::Descriptor& type = Input("demo.orders.v1.OrderService.AttachDocument");
  RequestTranscoder transcoder = Make(type, "document");
  const std::string raw("\x00\xff{not json", 11);
  json request = Transcoded(transcoder, type,
                            {.body = raw,
                             .content_type = "image/png",
                             .bindings = {VariableBinding{{"order_id"}, "o-1"}},
                             .query = {{"title", "scan"}}});
  EXPECT_EQ(request["order_id"], "o-1");
  EXPECT_EQ(request["title"], "scan");
  EXPECT_EQ(request["document"]["content_type"], "image/png");
  EXPECT_EQ(request["document"]["data"], "AP97bm90IGpzb24=");  // base64 of the raw bytes
}

TEST(RequestTranscoderTest, AnHttpBodysContentTypeMustBeUtf8) {
  const gpb::Descriptor& type = Input("demo.orders.v1.OrderService.AttachDocument");
  absl::Status status =
      TranscodeError(Make(type, "document"), {.body = "x", .content_type = "text/\xff"});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "the Content-Type header is not valid UTF-8");
}

TEST(RequestTranscoderTest, AWholeHttpBodyRequestIsTheRawBody) {
  const gpb::Descriptor& type = Message("google.api.HttpBody");
  RequestTranscoder transcoder = Make(type, "*");
  json request = Transcoded(transcoder, type, {.body = "a,b\n1,2\n", .content_type = "text/csv"});
  EXPECT_EQ(request["content_type"], "text/csv");
  EXPECT_EQ(request["data"], "YSxiCjEsMgo=");
  // An empty body with no Content-Type is the empty message.
  EXPECT_EQ(Transcoded(transcoder, type, {}), json::object());
}

}  // namespace
}  // namespace protogate::transcode
