#include "transcode/strict_json.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "support/demo_registry.h"

namespace protogate::transcode {
namespace {

namespace gpb = google::protobuf;
using test::DemoRegistry;

const gpb::Descriptor& Message(const std::string& name) {
  const gpb::Descriptor* descriptor = DemoRegistry()->FindMessage(name);
  EXPECT_NE(descriptor, nullptr) << name;
  return *descriptor;
}

JsonBodyShape Order() {
  return JsonBodyShape::Message(Message("demo.orders.v1.CreateOrderRequest"));
}
JsonBodyShape Echo() { return JsonBodyShape::Message(Message("demo.catalog.v1.EchoRequest")); }

std::string Check(absl::string_view json, const JsonBodyShape& shape = JsonBodyShape::Any(),
                  int max_depth = kDefaultMaxJsonDepth) {
  absl::Status status = CheckStrictJson(json, shape, max_depth);
  if (status.ok()) return "OK";
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  return std::string(status.message());
}

struct Hostile {
  std::string body;
  std::string message;  // after "invalid JSON body at byte "
};

TEST(StrictJsonTest, HostileBodiesAreRefusedWithOffsetAndReason) {
  const Hostile cases[] = {
      // What protobuf 3.21 accepts and RFC 8259 does not.
      {R"({"userId": 'u1'})", "11: single-quoted string"},
      {R"({'userId': "u1"})", "1: single-quoted string"},
      {"{\"note\":\"a\tb\"}", "10: unescaped control character U+0009 in string"},
      {"{\"note\":\"a\nb\"}", "10: unescaped control character U+000A in string"},
      {std::string("{\"note\":\"a\0b\"}", 14), "10: unescaped control character U+0000 in string"},
      {"{\"note\":\"\x1f\"}", "9: unescaped control character U+001F in string"},
      {R"({"note": "x" /* c */})", "13: comment"},
      {"{\"note\": \"x\" // c\n}", "13: comment"},
      {"// c\n{}", "0: comment"},
      {"{} /* c */", "3: comment"},
      {R"({"items": [1, 2,]})", "15: trailing comma"},
      {R"({"note": "x",})", "12: trailing comma"},
      {R"({"note": "x" , })", "13: trailing comma"},
      {"[1,\n]", "2: trailing comma"},
      {R"({"v": NaN})", "6: NaN literal"},
      {R"({"v": Infinity})", "6: Infinity literal"},
      {R"({"v": -Infinity})", "6: Infinity literal"},
      {R"({"v": 01})", "6: leading zero in number"},
      {R"({"v": -00.5})", "7: leading zero in number"},
      {R"({"v": 1.})", "8: invalid number: expected a digit after '.'"},
      {R"({"v": .5})", "6: expected a value, got '.'"},
      {R"({"v": +1})", "6: expected a value, got '+'"},
      {R"({"v": 1e})", "8: invalid number: expected a digit in the exponent"},
      {R"({"v": 1e+})", "9: invalid number: expected a digit in the exponent"},
      {R"({"v": -})", "7: invalid number: expected a digit"},
      {R"({"v": 0x10})", "7: expected ',' or '}' after an object member, got 'x'"},
      // Invalid UTF-8: a bad lead byte, an overlong form, an encoded
      // surrogate, beyond U+10FFFF, a truncated sequence.
      {"{\"note\":\"\xff\"}", "9: invalid UTF-8"},
      {"{\"note\":\"a\xc0\xaf\"}", "10: invalid UTF-8"},
      {"{\"note\":\"\xed\xa0\x80\"}", "9: invalid UTF-8"},
      {"{\"note\":\"\xf4\x90\x80\x80\"}", "9: invalid UTF-8"},
      {"{\"note\":\"\xe2\x82\"}", "9: invalid UTF-8"},
      {"{\"n\xc3\"}", "3: invalid UTF-8"},
      // Valid sequences before the fault are decoded, not refused.
      {"[\"caf\xc3\xa9\xf0\x9f\x98\x80\", \"\xff\"]", "15: invalid UTF-8"},
      {"\xef\xbb\xbf{}", "0: expected a value, got byte 0xEF"},
      // Lone surrogates in \u escapes.
      {R"({"note":"\ud800"})", "9: lone high surrogate \\ud800"},
      {R"({"note":"\uD83Dx"})", "9: lone high surrogate \\uD83D"},
      {R"({"note":"\uD83D\u0041"})", "9: lone high surrogate \\uD83D"},
      {R"({"note":"\uD83D\uD83D"})", "9: lone high surrogate \\uD83D"},
      {R"({"note":"ok\uDE00"})", "11: lone low surrogate \\uDE00"},
      {R"({"note":"\u12"})", "9: invalid \\u escape: expected 4 hex digits"},
      {R"({"note":"\x"})", "9: invalid escape \\x"},
      {R"({"note":"\'"})", "9: invalid escape \\'"},
      // After the top-level value.
      {R"({"note":"x"} {"note":"y"})", "13: data after the top-level value"},
      {R"({"note":"x"}})", "12: data after the top-level value"},
      {"{} x", "3: data after the top-level value"},
      {"[] \f", "3: data after the top-level value"},
      // Structure.
      {R"({"userId": "u1", "note": })", "25: expected a value, got '}'"},
      {R"({"userId":"u1")", "14: unexpected end of input"},
      {R"({"userId":"u1)", "13: unterminated string"},
      {"{", "1: unexpected end of input"},
      {"{\"a\" 1}", "5: expected ':' after the object key, got '1'"},
      {"{1:2}", "1: expected a double-quoted object key, got '1'"},
      {"{,}", "1: expected a double-quoted object key, got ','"},
      {"[1 2]", "3: expected ',' or ']' after an array element, got '2'"},
      {"[,1]", "1: expected a value, got ','"},
      {"[tru]", "1: invalid literal (expected true, false or null)"},
      {"[True]", "1: expected a value, got 'T'"},
      {"[\x01]", "1: expected a value, got byte 0x01"},
      {"", "0: unexpected end of input"},
      {"  ", "2: unexpected end of input"},
  };
  for (const Hostile& c : cases) {
    EXPECT_EQ(Check(c.body, Order()), absl::StrCat("invalid JSON body at byte ", c.message))
        << c.body;
  }
}

TEST(StrictJsonTest, AFieldGivenTwiceByEitherNameIsRefused) {
  EXPECT_EQ(Check(R"({"userId":"a","userId":"b"})", Order()),
            R"(invalid JSON body at byte 14: field "user_id" given twice)");
  EXPECT_EQ(Check(R"({"user_id":"a","userId":"b"})", Order()),
            R"(invalid JSON body at byte 15: field "user_id" given twice)");
  EXPECT_EQ(Check(R"({"userId":"a", "user_id":null})", Order()),
            R"(invalid JSON body at byte 15: field "user_id" given twice)");
  // Escapes are decoded before comparing: "user\u005fid" is "user_id".
  EXPECT_EQ(Check(R"({"user_id":"a","user\u005fid":"b"})", Order()),
            R"(invalid JSON body at byte 15: field "user_id" given twice)");
}

TEST(StrictJsonTest, DuplicatesAreFoundInNestedRepeatedAndMapValues) {
  // A message inside a message.
  EXPECT_EQ(Check(R"({"shippingAddress":{"line1":"a","line1":"b"}})", Order()),
            R"(invalid JSON body at byte 32: field "line1" given twice)");
  // Elements of a repeated message field.
  EXPECT_EQ(Check(R"({"items":[{"quantity":1},{"quantity":1,"quantity":2}]})", Order()),
            R"(invalid JSON body at byte 39: field "quantity" given twice)");
  EXPECT_EQ(Check(R"({"items":[{"productId":"p","product_id":"q"}]})", Order()),
            R"(invalid JSON body at byte 27: field "product_id" given twice)");
  // Values of a map whose values are messages, and deeper.
  EXPECT_EQ(Check(R"({"messageMap":{"k":{"name":"a","name":"b"}}})", Echo()),
            R"(invalid JSON body at byte 31: field "name" given twice)");
  EXPECT_EQ(Check(R"({"nested":{"items":[{"child":{"level":1,"level":2}}]}})", Echo()),
            R"(invalid JSON body at byte 40: field "level" given twice)");
}

TEST(StrictJsonTest, MapKeysAndStructKeysAreNotFields) {
  // Map keys that happen to be a field's two names are two keys.
  EXPECT_EQ(Check(R"({"labels":{"user_id":"a","userId":"b"}})", Order()), "OK");
  EXPECT_EQ(Check(R"({"wellKnown":{"structValue":{"user_id":1,"userId":2}}})", Echo()), "OK");
  EXPECT_EQ(Check(R"({"wellKnown":{"value":{"a":{"b":[{"b":1,"B":2}]}}}})", Echo()), "OK");
  // A repeated map key is refused all the same, and so is a repeated
  // Struct key.
  EXPECT_EQ(Check(R"({"labels":{"a":"1","a":"2"}})", Order()),
            R"(invalid JSON body at byte 19: map key "a" given twice)");
  EXPECT_EQ(Check(R"({"intMap":{"7":"1","7":"2"}})", Echo()),
            R"(invalid JSON body at byte 19: map key "7" given twice)");
  EXPECT_EQ(Check(R"({"wellKnown":{"structValue":{"a":1,"a":2}}})", Echo()),
            R"(invalid JSON body at byte 35: key "a" given twice)");
}

TEST(StrictJsonTest, WithoutASchemaKeysAreComparedAsWritten) {
  EXPECT_EQ(Check(R"({"user_id":1,"userId":2})"), "OK");
  EXPECT_EQ(Check(R"({"a":{"b":1},"c":{"b":1}})"), "OK");
  EXPECT_EQ(Check(R"({"a":1,"\u0061":2})"), R"(invalid JSON body at byte 7: key "a" given twice)");
  EXPECT_EQ(Check(R"([{"x":1},{"y":[{"z":1,"z":1}]}])"),
            R"(invalid JSON body at byte 22: key "z" given twice)");
}

TEST(StrictJsonTest, UnknownKeysOfAMessageAreComparedAsWritten) {
  // Unknown fields are protobuf's to refuse or ignore; repeating one is ours.
  EXPECT_EQ(Check(R"({"colour":1,"color":2})", Order()), "OK");
  EXPECT_EQ(Check(R"({"colour":1,"colour":2})", Order()),
            R"(invalid JSON body at byte 12: key "colour" given twice)");
}

TEST(StrictJsonTest, ManyKeysStayLinearAndStillFindTheDuplicate) {
  std::string body = "{";
  for (int i = 0; i < 5000; ++i) absl::StrAppend(&body, "\"k", i, "\":", i, ",");
  const size_t at = body.size();
  absl::StrAppend(&body, "\"k4321\":0}");
  EXPECT_EQ(Check(body),
            absl::StrCat("invalid JSON body at byte ", at, ": key \"k4321\" given twice"));
  body.replace(at, 7, "\"k9999\"");
  EXPECT_EQ(Check(body), "OK");
}

TEST(StrictJsonTest, LongKeysAreCutInTheMessage) {
  const std::string key(200, 'k');
  EXPECT_EQ(Check(absl::StrCat("{\"", key, "\":1,\"", key, "\":2}")),
            absl::StrCat("invalid JSON body at byte 206: key \"", std::string(64, 'k'),
                         "...\" given twice"));
}

TEST(StrictJsonTest, NestingDeeperThanTheLimitIsRefused) {
  EXPECT_EQ(Check(std::string(64, '[') + std::string(64, ']')), "OK");
  EXPECT_EQ(Check(std::string(65, '[') + std::string(65, ']')),
            "invalid JSON body at byte 64: nesting deeper than 64");
  EXPECT_EQ(Check(R"({"a":{"b":[1]}})", JsonBodyShape::Any(), 3), "OK");
  EXPECT_EQ(Check(R"({"a":{"b":[1]}})", JsonBodyShape::Any(), 2),
            "invalid JSON body at byte 10: nesting deeper than 2");
  EXPECT_EQ(Check("{}", JsonBodyShape::Any(), 1), "OK");
  // Far deeper than any limit: refused without recursion, at the first
  // bracket past the limit.
  const std::string deep(1000000, '[');
  EXPECT_EQ(Check(deep, JsonBodyShape::Any(), 1000),
            "invalid JSON body at byte 1000: nesting deeper than 1000");
}

TEST(StrictJsonTest, ValidBodiesPass) {
  const char* valid[] = {
      R"({"userId":"u1","items":[{"productId":"p-1","quantity":2,"unitPriceCents":"1500"}]})",
      R"( { "note" : "x" } )",
      "{\n\t\"note\":\r\n\"x\"\n}\n",
      R"({})",
      R"([])",
      R"("just a string")",
      R"(0)",
      R"(-0)",
      R"(null)",
      R"([true,false,null])",
      // Big numbers: beyond 64 bits, beyond a double's range, tiny.
      R"([123456789012345678901234567890123456789, -98765432109876543210, 1e400, -1E-400])",
      R"([0.5, -0.0, 1.5e+10, 2E-3, 10, 1234567890.0987654321])",
      // Escapes and unicode: every short escape, \u with a proper surrogate
      // pair (U+1F600), U+0000, raw UTF-8 of every length.
      R"(["\"\\\/\b\f\n\r\t", "\u00e9\u20AC\ud83d\ude00\uD834\uDD1E", "\u0000", "\uFFFF"])",
      "[\"caf\xc3\xa9\", \"\xe2\x82\xac\", \"\xf0\x9f\x98\x80\", \"\xef\xbf\xbf\", \"\x7f\"]",
      // Nested arrays.
      R"([[[[1,[2,[3]]]],[[]],[{}]]])",
      R"({"a":[[{"b":[[{"c":{}}]]}]]})",
  };
  for (const char* body : valid) {
    EXPECT_EQ(Check(body), "OK") << body;
    EXPECT_EQ(Check(body, Order()), "OK") << body;
  }
}

TEST(StrictJsonTest, FieldValueShapes) {
  const gpb::Descriptor& order = Message("demo.orders.v1.CreateOrderRequest");
  const gpb::FieldDescriptor& items = *order.FindFieldByName("items");
  const gpb::FieldDescriptor& labels = *order.FindFieldByName("labels");
  EXPECT_EQ(Check(R"([{"quantity":1},{"quantity":2}])", JsonBodyShape::FieldValue(items)), "OK");
  EXPECT_EQ(Check(R"([{"quantity":1,"quantity":2}])", JsonBodyShape::FieldValue(items)),
            R"(invalid JSON body at byte 15: field "quantity" given twice)");
  EXPECT_EQ(Check(R"({"a":"1","b":"2","a":"3"})", JsonBodyShape::FieldValue(labels)),
            R"(invalid JSON body at byte 17: map key "a" given twice)");
}

TEST(StrictJsonTest, FindJsonFieldPrefersTheProtoName) {
  const gpb::Descriptor& order = Message("demo.orders.v1.CreateOrderRequest");
  EXPECT_EQ(FindJsonField(order, "user_id"), order.FindFieldByName("user_id"));
  EXPECT_EQ(FindJsonField(order, "userId"), order.FindFieldByName("user_id"));
  EXPECT_EQ(FindJsonField(order, "UserId"), nullptr);
}

}  // namespace
}  // namespace protogate::transcode
