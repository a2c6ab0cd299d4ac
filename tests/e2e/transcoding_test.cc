// Table-driven end-to-end cases: HTTP in → (real gateway, real gRPC demo
// services) → HTTP out. The catalog's Echo method returns the request it
// received, so a case's expected JSON shows exactly what the gateway built.

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "support/gateway_under_test.h"

namespace protogate::test {
namespace {

struct Case {
  std::string name;
  HttpRequest request;
  int status;
  nlohmann::json body;  // every key here must be in the answer with this value
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class TranscodingTest : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() { gateway_ = new GatewayUnderTest(); }
  static void TearDownTestSuite() {
    delete gateway_;
    gateway_ = nullptr;
  }
  static GatewayUnderTest* gateway_;
};
GatewayUnderTest* TranscodingTest::gateway_ = nullptr;

TEST_P(TranscodingTest, AnswersAsSpecified) {
  const Case& c = GetParam();
  HttpResponse response = gateway_->Call(c.request);
  EXPECT_EQ(response.status, c.status) << response.body;
  EXPECT_EQ(response.Header("Content-Type"), "application/json");
  std::string where;
  EXPECT_TRUE(JsonContains(GatewayUnderTest::Json(response), c.body, &where))
      << where << "\nbody: " << response.body;
}

HttpRequest Get(std::string target) { return {.method = "GET", .target = std::move(target)}; }
HttpRequest Post(std::string target, std::string body) {
  return {.method = "POST",
          .target = std::move(target),
          .headers = {{"Content-Type", "application/json"}},
          .body = std::move(body)};
}

using json = nlohmann::json;

const std::vector<Case> kRoutingCases = {
    {"PathVariable",
     Get("/v1/users/1"),
     200,
     {{"userId", "1"}, {"email", "ada@example.com"}, {"roles", {"ROLE_ADMIN"}}}},
    {"Int64AsString", Get("/v1/users/1"), 200, {{"totalSpentCents", "123456"}}},
    {"UnknownResourceIsUpstream404", Get("/v1/users/42"), 404, {{"code", 5}}},
    {"NoRoute",
     Get("/v2/nothing/here"),
     404,
     {{"code", 5}, {"message", "no route for GET /v2/nothing/here"}, {"details", json::array()}}},
    {"WrongMethodIs405", {.method = "DELETE", .target = "/v1/users"}, 405, {{"code", 12}}},
    {"ResourceNameVariable",
     Get("/v1/users/1/profile"),
     200,
     {{"displayName", "Ada Lovelace"}, {"region", "eu"}}},
    {"AdditionalBinding", Get("/v1/users/1/orders/o-1"), 200, {{"orderId", "o-1"}}},
    {"PrimaryBinding", Get("/v1/orders/o-1"), 200, {{"orderId", "o-1"}, {"userId", "1"}}},
    {"CustomVerb",
     Post("/v1/orders/o-2:cancel", R"({"reason":"test"})"),
     200,
     {{"orderId", "o-2"}, {"status", "ORDER_STATUS_CANCELLED"}}},
    {"CustomKindPurgeGivesEmptyObject",
     {.method = "PURGE", .target = "/v1/orders/o-1"},
     200,
     json::object()},
    {"LiteralBeatsVariable",
     Get("/v1/products:search?q=zzz-nothing"),
     200,
     {{"query", {{"q", "zzz-nothing"}}}}},
    {"MultiSegmentVariableKeepsReservedEncoded",
     Get("/v1/assets/img/a%2Fb/logo.png"),
     200,
     {{"path", "img/a%2Fb/logo.png"}}},
    {"MultiSegmentVariableKeepsTheClientsCaseOfEscapes",
     Get("/v1/assets/img/a%2fb/logo.png"),
     200,
     {{"path", "img/a%2fb/logo.png"}}},
    {"SingleSegmentVariableDecodesSlash",
     Get("/v1/echo/hello%2Fworld%20x"),
     200,
     {{"request", {{"scalars", {{"stringValue", "hello/world x"}}}}}}},
};

const std::vector<Case> kPathAndQueryCases = {
    {"TypedPathVariables",
     Get("/v1/echo/12/CATEGORY_BOOKS/true:typed"),
     200,
     {{"request",
       {{"scalars", {{"int32Value", 12}, {"enumValue", "CATEGORY_BOOKS"}, {"boolValue", true}}}}}}},
    {"EnumPathVariableByNumber",
     Get("/v1/echo/-3/2/false:typed"),
     200,
     {{"request", {{"scalars", {{"int32Value", -3}, {"enumValue", "CATEGORY_GAMES"}}}}}}},
    {"BadInt32PathVariable", Get("/v1/echo/abc/CATEGORY_BOOKS/true:typed"), 400, {{"code", 3}}},
    {"Int32OutOfRange", Get("/v1/echo/99999999999/CATEGORY_BOOKS/true:typed"), 400, {{"code", 3}}},
    {"BadBoolPathVariable", Get("/v1/echo/1/CATEGORY_BOOKS/maybe:typed"), 400, {{"code", 3}}},
    {"NestedAndRepeatedQuery",
     Get("/v1/echo/x?scalars.int64Value=-5&scalars.repeated_string=a&scalars.repeatedString=b"
         "&nested.inner.name=deep&nested.inner.child.level=3"),
     200,
     {{"request",
       {{"scalars", {{"stringValue", "x"}, {"int64Value", "-5"}, {"repeatedString", {"a", "b"}}}},
        {"nested", {{"inner", {{"name", "deep"}, {"child", {{"level", 3}}}}}}}}}}},
    {"EnumsByNameAndNumberInQuery",
     Get("/v1/echo/x?scalars.repeatedEnum=CATEGORY_TOOLS&scalars.repeatedEnum=1"),
     200,
     {{"request", {{"scalars", {{"repeatedEnum", {"CATEGORY_TOOLS", "CATEGORY_BOOKS"}}}}}}}},
    {"WellKnownTypesInQuery",
     Get("/v1/echo/x?wellKnown.timestamp=2024-01-02T03:04:05Z&wellKnown.duration=1.5s"
         "&wellKnown.fieldMask=a,b.c&wellKnown.int32Wrapper=7&wellKnown.boolWrapper=true"
         "&wellKnown.stringWrapper=hi"),
     200,
     {{"request",
       {{"wellKnown",
         {{"timestamp", "2024-01-02T03:04:05Z"},
          {"duration", "1.500s"},
          {"fieldMask", "a,b.c"},
          {"int32Wrapper", 7},
          {"boolWrapper", true},
          {"stringWrapper", "hi"}}}}}}},
    {"MapsInQuery",
     Get("/v1/echo/x?stringMap[color]=red&stringMap[size]=L&intMap[3]=4"),
     200,
     {{"request", {{"stringMap", {{"color", "red"}, {"size", "L"}}}, {"intMap", {{"3", "4"}}}}}}},
    {"FloatsAndBytesInQuery",
     Get("/v1/echo/x?scalars.doubleValue=2.5&scalars.floatValue=-1&scalars.bytesValue=aGk%3D"),
     200,
     {{"request",
       {{"scalars", {{"doubleValue", 2.5}, {"floatValue", -1}, {"bytesValue", "aGk="}}}}}}},
    {"UnknownQueryParameterIsIgnored", Get("/v1/users/1?utm_source=mail"), 200, {{"userId", "1"}}},
    {"BadQueryValueIsNamed", Get("/v1/echo/x?scalars.int32Value=ten"), 400, {{"code", 3}}},
    {"QueryOnPathBoundFieldIsIgnored",
     Get("/v1/echo/fromPath?scalars.stringValue=fromQuery"),
     200,
     {{"request", {{"scalars", {{"stringValue", "fromPath"}}}}}}},
    {"SearchWithWrappersMapsAndNested",
     Get("/v1/products:search?q=c%2B%2B&tags=a&tags=b&attributes[color]=red&inStock=true"
         "&price.minCents=100&category=CATEGORY_BOOKS&maxAge=30s"),
     200,
     {{"query",
       {{"q", "c++"},
        {"tags", {"a", "b"}},
        {"attributes", {{"color", "red"}}},
        {"inStock", true},
        {"price", {{"minCents", "100"}}},
        {"category", "CATEGORY_BOOKS"},
        {"maxAge", "30s"}}}}},
};

const std::vector<Case> kBodyCases = {
    {"BodyStarWithEveryScalar",
     Post("/v1/echo", R"({"scalars":{"int64Value":"9007199254740993","uint64Value":5,
           "int32Value":"7","bytesValue":"aGk=","enumValue":2,"boolValue":true,
           "sint64Value":-4,"fixed64Value":"18446744073709551615","doubleValue":"NaN"}})"),
     200,
     {{"request",
       {{"scalars",
         {{"int64Value", "9007199254740993"},
          {"uint64Value", "5"},
          {"int32Value", 7},
          {"bytesValue", "aGk="},
          {"enumValue", "CATEGORY_GAMES"},
          {"boolValue", true},
          {"sint64Value", "-4"},
          {"fixed64Value", "18446744073709551615"},
          {"doubleValue", "NaN"}}}}}}},
    {"OriginalFieldNamesAccepted",
     Post("/v1/echo", R"({"scalars":{"int32_value":3}})"),
     200,
     {{"request", {{"scalars", {{"int32Value", 3}}}}}}},
    {"StructValueAndAny",
     Post("/v1/echo", R"({"wellKnown":{"structValue":{"a":1,"b":[true,null,"x"]},"value":"s",
           "listValue":[1,"two"],"any":{"@type":"type.googleapis.com/demo.catalog.v1.PriceRange",
           "minCents":"10"}}})"),
     200,
     {{"request",
       {{"wellKnown",
         {{"structValue", {{"a", 1}, {"b", {true, nullptr, "x"}}}},
          {"value", "s"},
          {"listValue", {1, "two"}},
          {"any",
           {{"@type", "type.googleapis.com/demo.catalog.v1.PriceRange"}, {"minCents", "10"}}}}}}}}},
    {"MessageMapAndOneof",
     Post("/v1/echo", R"({"messageMap":{"k":{"name":"n","level":2}},"choiceNumber":4})"),
     200,
     {{"request", {{"messageMap", {{"k", {{"name", "n"}, {"level", 2}}}}}, {"choiceNumber", 4}}}}},
    {"UnknownJsonFieldIs400", Post("/v1/echo", R"({"nope":1})"), 400, {{"code", 3}}},
    {"MalformedJsonIs400", Post("/v1/echo", R"({"scalars":)"), 400, {{"code", 3}}},
    {"WrongJsonTypeIs400",
     Post("/v1/echo", R"({"scalars":{"int32Value":"x"}})"),
     400,
     {{"code", 3}}},
    {"UnknownAnyTypeIs400",
     Post("/v1/echo", R"({"wellKnown":{"any":{"@type":"type.googleapis.com/no.Such"}}})"),
     400,
     {{"code", 3}}},
    {"EmptyBodyIsEmptyMessage", Post("/v1/echo", ""), 200, {{"request", json::object()}}},
    {"BodyFieldRule",
     Post("/v1/users", R"({"email":"e2e@example.com","profile":{"region":"us"}})"),
     200,
     {{"email", "e2e@example.com"}, {"profile", {{"region", "us"}}}}},
    {"BodyFieldPlusQuery",
     Post("/v1/users?validateOnly=true", R"({"email":"dry@example.com"})"),
     200,
     {{"email", "dry@example.com"}}},
    {"PathOverridesBodyOnNestedField",
     {.method = "PATCH",
      .target = "/v1/users/2?updateMask=profile.displayName",
      .headers = {{"Content-Type", "application/json"}},
      .body = R"({"userId":"999","profile":{"displayName":"Grace H."}})"},
     200,
     {{"userId", "2"}, {"profile", {{"displayName", "Grace H."}}}}},
    {"PutStructBody",
     {.method = "PUT",
      .target = "/v1/products/p-1/attributes",
      .body = R"({"color":"blue","pages":1368})"},
     200,
     {{"productId", "p-1"}, {"attributes", {{"color", "blue"}, {"pages", 1368}}}}},
    {"BodyOnNoBodyRouteIs400",
     {.method = "DELETE", .target = "/v1/users/3", .body = "{}"},
     400,
     {{"code", 3}}},
    // Request bodies are strict JSON (RFC 8259; each field once); the
    // message names the byte.
    {"SingleQuotedStringIs400",
     Post("/v1/echo", R"({"choiceText":'t'})"),
     400,
     {{"code", 3},
      {"message", "invalid JSON body at byte 14: single-quoted string"},
      {"details", json::array()}}},
    {"ControlCharacterInStringIs400",
     Post("/v1/echo", "{\"choiceText\":\"a\tb\"}"),
     400,
     {{"code", 3},
      {"message", "invalid JSON body at byte 16: unescaped control character U+0009 in string"}}},
    {"FieldGivenTwiceByItsTwoNamesIs400",
     Post("/v1/echo", R"({"choiceText":"a","choice_text":"b"})"),
     400,
     {{"code", 3},
      {"message", R"(invalid JSON body at byte 18: field "choice_text" given twice)"}}},
    {"FieldGivenTwiceInAMapValueIs400",
     Post("/v1/echo", R"({"messageMap":{"k":{"name":"n","name":"m"}}})"),
     400,
     {{"code", 3}, {"message", R"(invalid JSON body at byte 31: field "name" given twice)"}}},
    {"DataAfterTheBodyIs400",
     Post("/v1/echo", R"({"choiceText":"a"} x)"),
     400,
     {{"code", 3}, {"message", "invalid JSON body at byte 19: data after the top-level value"}}},
    {"TrailingCommaInAFieldBodyIs400",
     Post("/v1/users", R"({"email":"e@example.com",})"),
     400,
     {{"code", 3}, {"message", "invalid JSON body at byte 24: trailing comma"}}},
    {"SurrogatePairsAndBigNumbersPass",
     Post(
         "/v1/echo",
         R"({"wellKnown":{"structValue":{"s":"\ud83d\ude00","n":123456789012345678901234567890}}})"),
     200,
     {{"request", {{"wellKnown", {{"structValue", {{"s", "\xF0\x9F\x98\x80"}}}}}}}}},
    {"NullBodyIsEmptyMessage", Post("/v1/echo", " null "), 200, {{"request", json::object()}}},
    {"OrderWithBodyStar",
     Post("/v1/orders",
          R"({"userId":"1","items":[{"productId":"p-1","quantity":2,"unitPriceCents":"1500"}]})"),
     200,
     {{"userId", "1"}, {"totalCents", "3000"}, {"status", "ORDER_STATUS_PLACED"}}},
};

INSTANTIATE_TEST_SUITE_P(Routing, TranscodingTest, ::testing::ValuesIn(kRoutingCases),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(PathAndQuery, TranscodingTest, ::testing::ValuesIn(kPathAndQueryCases),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Body, TranscodingTest, ::testing::ValuesIn(kBodyCases),
                         [](const auto& info) { return info.param.name; });

TEST(TranscodingErrorsTest, BadPathValueNamesTheParameter) {
  GatewayUnderTest gw;
  HttpResponse response = gw.Call(Get("/v1/echo/abc/CATEGORY_BOOKS/true:typed"));
  EXPECT_EQ(response.status, 400);
  std::string message = GatewayUnderTest::Json(response)["message"];
  EXPECT_NE(message.find("int32_value"), std::string::npos) << message;
  EXPECT_NE(message.find("abc"), std::string::npos) << message;
}

TEST(TranscodingErrorsTest, MalformedJsonNamesThePosition) {
  GatewayUnderTest gw;
  HttpResponse response = gw.Call(Post("/v1/echo", "{\"scalars\": {\"int32Value\": 1,,}}"));
  EXPECT_EQ(response.status, 400);
  std::string message = GatewayUnderTest::Json(response)["message"];
  EXPECT_FALSE(message.empty());
  EXPECT_NE(message.find_first_of("0123456789"), std::string::npos)
      << "no position in: " << message;
}

TEST(TranscodingErrorsTest, MethodNotAllowedListsAllowedMethods) {
  GatewayUnderTest gw;
  HttpResponse response = gw.Call({.method = "DELETE", .target = "/v1/users"});
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.Header("Allow"), "GET, POST");
}

TEST(TranscodingOptionsTest, StrictQueryRejectsUnknownParameters) {
  GatewayUnderTest gw(
      [](config::GatewayConfig& c) { c.transcoding.reject_unknown_query_parameters = true; });
  EXPECT_EQ(gw.Call(Get("/v1/users/1?utm_source=mail")).status, 400);
  EXPECT_EQ(gw.Call(Get("/v1/users?pageSize=1")).status, 200);
}

TEST(TranscodingOptionsTest, UnknownJsonFieldsCanBeIgnored) {
  GatewayUnderTest gw(
      [](config::GatewayConfig& c) { c.transcoding.ignore_unknown_json_fields = true; });
  HttpResponse response = gw.Call(Post("/v1/echo", R"({"nope":1,"choiceText":"t"})"));
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(GatewayUnderTest::Json(response)["request"]["choiceText"], "t");
}

TEST(TranscodingOptionsTest, MaxJsonDepthApplies) {
  GatewayUnderTest gw([](config::GatewayConfig& c) { c.transcoding.max_json_depth = 3; });
  HttpResponse ok = gw.Call(Post("/v1/echo", R"({"wellKnown":{"listValue":[1]}})"));
  EXPECT_EQ(ok.status, 200) << ok.body;
  HttpResponse deep = gw.Call(Post("/v1/echo", R"({"wellKnown":{"listValue":[[1]]}})"));
  EXPECT_EQ(deep.status, 400) << deep.body;
  EXPECT_EQ(GatewayUnderTest::Json(deep)["message"],
            "invalid JSON body at byte 27: nesting deeper than 3");
}

TEST(TranscodingOptionsTest, OutputOptionsApply) {
  GatewayUnderTest gw([](config::GatewayConfig& c) {
    c.transcoding.use_proto_field_names = true;
    c.transcoding.emit_default_values = true;
    c.transcoding.enums_as_ints = true;
  });
  HttpResponse response = gw.Call(Get("/v1/users/1"));
  ASSERT_EQ(response.status, 200);
  nlohmann::json body = GatewayUnderTest::Json(response);
  EXPECT_EQ(body["user_id"], "1");
  EXPECT_EQ(body["roles"], nlohmann::json({2}));
  EXPECT_FALSE(body.contains("userId"));
  HttpResponse empty = gw.Call(Post("/v1/echo", "{}"));
  nlohmann::json scalars = GatewayUnderTest::Json(empty)["request"]["scalars"];
  EXPECT_EQ(scalars, nullptr) << "unset message fields stay absent";
  HttpResponse defaults = gw.Call(Post("/v1/echo", R"({"scalars":{}})"));
  nlohmann::json printed = GatewayUnderTest::Json(defaults)["request"]["scalars"];
  EXPECT_EQ(printed["int32_value"], 0);
  EXPECT_EQ(printed["enum_value"], 0);
  EXPECT_EQ(printed["string_value"], "");
}

}  // namespace
}  // namespace protogate::test
