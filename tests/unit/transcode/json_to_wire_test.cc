#include "transcode/json_to_wire.h"

#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "support/demo_registry.h"
#include "support/json_shapes.h"
#include "support/json_to_wire_check.h"
#include "transcode/strict_json.h"

namespace protogate::transcode {
namespace {

namespace gpb = google::protobuf;

const gpb::Descriptor& Typed() {
  const gpb::Descriptor* type = test::ShapesRegistry()->FindMessage("protogate.test.Typed");
  EXPECT_NE(type, nullptr);
  return *type;
}

// "" when the writer and protobuf agree on `json` as `type` (the shapes
// schema); documents CheckStrictJson refuses never reach either.
std::string Compare(const std::string& json, bool ignore_unknown = false,
                    const gpb::Descriptor& type = Typed()) {
  if (!CheckStrictJson(json, JsonBodyShape::Message(type), 64).ok()) return "";
  return test::CompareJsonToWire(*test::ShapesRegistry(), type, json, ignore_unknown);
}

// The writer's bytes for `json`, or its error.
std::string Write(const std::string& json, const gpb::Descriptor& type = Typed(),
                  JsonToWireOptions options = {}) {
  auto writer = JsonToWire::ForMessage(type, options);
  if (writer == nullptr) return "<not covered>";
  std::string wire;
  absl::Status status = writer->Append(json, &wire);
  return status.ok() ? wire : std::string(status.message());
}

TEST(JsonToWireTest, TypesReachingAnyOrDynamicJsonAreNotCovered) {
  const auto& registry = *test::ShapesRegistry();
  EXPECT_EQ(JsonToWire::ForMessage(*registry.FindMessage("protogate.test.Shapes"), {}), nullptr);
  EXPECT_EQ(JsonToWire::ForMessage(*registry.FindMessage("protogate.test.WithAny"), {}), nullptr);
  EXPECT_NE(JsonToWire::ForMessage(Typed(), {}), nullptr);
  EXPECT_NE(JsonToWire::ForMessage(*registry.FindMessage("protogate.test.Inner"), {}), nullptr);
}

TEST(JsonToWireTest, EveryDemoRequestTypeIsCovered) {
  for (const char* name :
       {"demo.users.v1.GetUserRequest", "demo.users.v1.CreateUserRequest",
        "demo.orders.v1.CreateOrderRequest", "demo.orders.v1.ListOrdersRequest"}) {
    const gpb::Descriptor* type = test::DemoRegistry()->FindMessage(name);
    ASSERT_NE(type, nullptr) << name;
    EXPECT_NE(JsonToWire::ForMessage(*type, {}), nullptr) << name;
  }
}

TEST(JsonToWireTest, ScalarsInEveryFormProtobufTakes) {
  for (const char* json : {
           R"({"fInt32": 1, "fInt64": "-9223372036854775808", "fUint64": "18446744073709551615"})",
           R"({"f_int32": 1e2, "fSint32": -5, "fSint64": "-7", "fFixed32": 4294967295})",
           R"({"fInt32": "+5", "fUint32": "007", "fSfixed32": -2147483648, "fSfixed64": "12"})",
           R"({"fInt32": 100.0, "fInt64": 1e18, "fFixed64": "0"})",
           R"({"fDouble": "NaN", "fFloat": "-Infinity", "rDouble": [1.5, "2.5", "Infinity"]})",
           R"({"fFloat": 3.4028235e38, "fDouble": -0.0, "rFloat": [1e-50, -1e-46]})",
           R"({"fBool": true, "rBool": [false, true]})",
           R"({"fString": "a\"b\\c\u00e9\ud83d\ude00\n", "rString": ["", "x"]})",
           R"({"fBytes": "aGVsbG8=", "rBytes": ["aGVsbG8", "_-8=", "+/8", ""]})",
           R"({"fEnum": "RED", "rEnum": ["GREEN", 1, -3, "NEGATIVE", 7]})",
           R"({"customName": 3})",
           R"({"renamed": 3})",
           R"({"optInt32": 0, "optString": ""})",
       }) {
    EXPECT_EQ(Compare(json), "") << json;
  }
}

TEST(JsonToWireTest, RefusesWhatProtobufRefuses) {
  for (const char* json : {
           R"({"fInt32": 1.5})",
           R"({"fInt32": 2147483648})",
           R"({"fUint32": -1})",
           R"({"fInt32": "1e2"})",
           R"({"fInt32": true})",
           R"({"fInt64": "9223372036854775808"})",
           R"({"fFloat": 3.5e38})",
           R"({"fBool": "maybe"})",
           R"({"fBool": 1})",
           R"({"fBytes": "a"})",
           R"({"fBytes": "!!!!"})",
           R"({"fEnum": "PURPLE"})",
           R"({"fString": 5})",
           R"({"colour": 1})",
           R"({"inner": 5})",
           R"({"fInt32": [1]})",
           R"({"rInt32": {"a": 1}})",
           R"({"mInt32": [1]})",
           R"({"mInt32": {"x": 1}})",
           R"({"oString": "a", "oInt32": 1})",
           R"({"ts": "2020-13-01T00:00:00Z"})",
           R"({"dur": "1"})",
           R"({"dur": "315576000001s"})",
           R"({"inner": {"level": "x"}})",
       }) {
    EXPECT_EQ(Compare(json), "") << json;
    EXPECT_NE(Write(json).find("invalid JSON body"), std::string::npos) << json;
  }
}

TEST(JsonToWireTest, MessagesListsMapsAndOneofs) {
  for (const char* json : {
           R"({"inner": {"name": "a", "child": {"level": 2, "tags": ["x", "y"]}}})",
           R"({"child": {"child": {"fInt32": 1}}, "rInner": [{}, {"name": "b"}, null]})",
           R"({"rInt32": [1, [2, [3]], null, 4], "rSint64": "5", "rFixed32": []})",
           R"({"mString": {"a": "b", "": "c"}, "mInt32": {"-1": 2, "01": 3}})",
           R"({"mInt64": {"9223372036854775807": "x"}, "mUint32": {"4294967295": "1"}})",
           R"({"mBool": {"true": "t", "false": "f"}, "mSint32": {"-2": true}})",
           R"({"mInner": {"k": {"name": "n"}, "e": {}}, "mEnum": {"a": "RED", "b": 2}})",
           R"({"mTs": {"a": "1970-01-01T00:00:00Z"}, "mWrapper": {"a": 5, "b": null}})",
           R"({"mNull": {"a": null}, "mShapes": {"1": {"fInt32": 3}}})",
           R"({"mFixed64": {"5": "aGk="}, "mSfixed32": {"-5": -5}, "mSfixed64": {"6": 6}})",
           R"({"mSint64": {"1": "NaN"}, "mFixed32": {"1": 1.25}, "mUint64": {"1": "-3"}})",
           R"({"oInner": {"name": "x"}})",
           R"({"oEnum": "GREEN"})",
           R"({"oTs": "1970-01-01T00:00:01Z"})",
           R"({"oString": null, "oInt32": 5})",
           R"({"mBool": {"TRUE": "x"}})",
           R"({"mInt32": {"1.0": 1}})",
           R"({"mInt32": {" 1": 1}})",
       }) {
    EXPECT_EQ(Compare(json), "") << json;
  }
}

TEST(JsonToWireTest, WellKnownTypes) {
  for (const char* json : {
           R"({"ts": "1972-01-01T10:00:20.021Z", "dur": "1.5s", "mask": "a,fooBar.bazQux"})",
           R"({"ts": "2020-02-29T23:59:59.123456789+01:30", "dur": "-0.000000001s"})",
           R"({"ts": "0001-01-01T00:00:00Z", "rTs": ["9999-12-31T23:59:59.999999999Z"]})",
           R"({"ts": "2021-02-29T00:00:00Z"})",
           R"({"ts": "1970-01-01T00:00:00z"})",
           R"({"ts": "1970-01-01 00:00:00Z"})",
           R"({"ts": "1970-01-01T00:00:00.1234567890Z"})",
           R"({"ts": {"seconds": 5, "nanos": 7}})",
           R"({"dur": {"seconds": "-5"}})",
           R"({"dur": "315576000000s", "rDur": ["0s", "1.000000001s", ".5s", "1.s"]})",
           R"({"dur": "-315576000000.999999999s"})",
           R"({"dur": "1.0000000001s"})",
           R"({"mask": "", "rMask": ["a", "b,c"]})",
           R"({"mask": {"paths": ["a_b"]}})",
           R"({"mask": "foo_bar"})",
           R"({"mask": "a..b"})",
           R"({"mask": "Aa"})",
           R"({"empty": {}, "nullValue": null, "rNull": [null, null]})",
           R"({"wDouble": 1.5, "wFloat": "NaN", "wInt64": "5", "wUint64": 5, "wInt32": -1})",
           R"({"wUint32": 1, "wBool": false, "wString": "", "wBytes": "AA==", "rW": [1, null, 2]})",
           R"({"wInt32": {"value": 3}, "wString": null, "wBool": "true"})",
           R"({"empty": {"x": 1}})",
           R"({"wInt32": "x"})",
           R"({"nullValue": 0})",
           R"({"nullValue": "NULL_VALUE"})",
       }) {
    EXPECT_EQ(Compare(json), "") << json;
  }
}

TEST(JsonToWireTest, UnknownFieldsAreNamedOrSkippedWhole) {
  EXPECT_EQ(Write(R"({"fInt32": 1, "colour": "red"})"),
            R"(invalid JSON body: unknown field "colour" in protogate.test.Typed)");
  const std::string json = R"({"colour": {"a": [1, {"b": null}]}, "fInt32": 1, "fEnum": "PURPLE"})";
  EXPECT_EQ(Compare(json, /*ignore_unknown=*/true), "");
  EXPECT_EQ(Write(json, Typed(), {.ignore_unknown_fields = true}),
            Write(R"({"fInt32": 1})", Typed(), {}));
}

TEST(JsonToWireTest, ErrorsNameTheFieldPath) {
  EXPECT_EQ(Write(R"({"rInner": [{}, {"child": {"level": 1.5}}]})"),
            "invalid JSON body: r_inner[1].child.level: invalid value 1.5 for int32");
  EXPECT_EQ(Write(R"({"mInt32": {"a": 1}})"),
            R"(invalid JSON body: m_int32["a"]: invalid value "a" for int32)");
  const std::string long_value(200, '7');
  const std::string error = Write(absl::StrCat(R"({"fInt32": )", long_value, "}"));
  EXPECT_LT(error.size(), 120u) << error;
}

TEST(JsonToWireTest, DeliberateDifferencesFromProtobufAreRefusals) {
  EXPECT_EQ(Write(R"({"": 1})"), "invalid JSON body: empty field name");
  EXPECT_NE(Write(R"({"mInt32": {"1": {}}})").find("an object for a map value"), std::string::npos);
}

TEST(JsonToWireTest, ForFieldWritesTheFieldsOccurrences) {
  const gpb::Descriptor& type = Typed();
  for (const char* name : {"r_int32", "inner", "m_string", "f_string", "ts", "r_inner"}) {
    const gpb::FieldDescriptor* field = type.FindFieldByName(name);
    ASSERT_NE(field, nullptr) << name;
    auto writer = JsonToWire::ForField(*field, {});
    ASSERT_NE(writer, nullptr) << name;
    std::string value;
    switch (field->number()) {
      case 18:
        value = R"({"name": "a"})";
        break;
      case 9:
        value = R"("text")";
        break;
      case 40:
        value = R"({"k": "v"})";
        break;
      case 90:
        value = R"("1970-01-01T00:00:01Z")";
        break;
      case 37:
        value = R"([{"level": 1}, {}])";
        break;
      default:
        value = "[1, 2, 3]";
    }
    std::string wire;
    ASSERT_TRUE(writer->Append(value, &wire).ok()) << name;
    std::string reference;
    ASSERT_TRUE(test::ProtobufJsonToWire(
                    *test::ShapesRegistry(), type,
                    absl::StrCat("{\"", field->json_name(), "\": ", value, "}"), false, &reference)
                    .ok());
    EXPECT_EQ(test::WireAsText(type, wire), test::WireAsText(type, reference)) << name;
  }
}

// Random documents shaped on the schema, most of them plausible and many
// hostile in one place: the writer must agree with protobuf on every one.
class RandomJson {
 public:
  explicit RandomJson(uint32_t seed) : rng_(seed) {}

  std::string Message(const gpb::Descriptor& type, int depth) {
    std::string out = "{";
    const int count = Pick(depth > 3 ? 2 : 5);
    for (int i = 0; i < count; ++i) {
      if (i > 0) out += ", ";
      if (type.field_count() == 0 || Chance(30)) {
        out += "\"unknownField\": " + Scalar();
        continue;
      }
      const gpb::FieldDescriptor* field = type.field(Pick(type.field_count()));
      out += "\"" + (Chance(2) ? field->name() : field->json_name()) + "\": ";
      out += FieldValue(*field, depth);
    }
    return out + "}";
  }

 private:
  int Pick(int n) { return static_cast<int>(rng_() % static_cast<uint32_t>(n)); }
  bool Chance(int one_in) { return Pick(one_in) == 0; }
  template <size_t N>
  std::string OneOf(const char* const (&options)[N]) {
    return options[Pick(N)];
  }

  std::string Scalar() {
    static const char* const kAny[] = {"null",  "true",  "false", "0",       "-1", "1.5", "\"\"",
                                       "\"x\"", "1e400", "-0",    "\"NaN\"", "[]", "{}"};
    return OneOf(kAny);
  }

  std::string FieldValue(const gpb::FieldDescriptor& field, int depth) {
    if (Chance(25)) return Scalar();
    if (field.is_map()) {
      const gpb::FieldDescriptor& key = *field.message_type()->map_key();
      const gpb::FieldDescriptor& value = *field.message_type()->map_value();
      std::string out = "{";
      const int count = Pick(3);
      for (int i = 0; i < count; ++i) {
        if (i > 0) out += ", ";
        out += MapKey(key) + ": " + Single(value, depth + 1);
      }
      return out + "}";
    }
    if (field.is_repeated() && !Chance(10)) {
      std::string out = "[";
      const int count = Pick(4);
      for (int i = 0; i < count; ++i) {
        if (i > 0) out += ", ";
        out += Chance(15) ? "[" + Single(field, depth) + "]" : Single(field, depth);
      }
      return out + "]";
    }
    return Single(field, depth);
  }

  std::string MapKey(const gpb::FieldDescriptor& key) {
    static const char* const kInts[] = {"\"0\"",          "\"-1\"", "\"42\"",  "\"007\"", "\"+3\"",
                                        "\"4294967296\"", "\"x\"",  "\"1.0\"", "\"\""};
    static const char* const kBools[] = {"\"true\"", "\"false\"", "\"True\"", "\"1\"", "\"x\""};
    static const char* const kStrings[] = {"\"a\"", "\"\"", "\"\\u00e9\"", "\"a b\"", "\"1\""};
    switch (key.cpp_type()) {
      case gpb::FieldDescriptor::CPPTYPE_BOOL:
        return OneOf(kBools);
      case gpb::FieldDescriptor::CPPTYPE_STRING:
        return OneOf(kStrings);
      default:
        return OneOf(kInts);
    }
  }

  std::string Single(const gpb::FieldDescriptor& field, int depth) {
    if (Chance(20)) return Scalar();
    switch (field.cpp_type()) {
      case gpb::FieldDescriptor::CPPTYPE_INT32:
      case gpb::FieldDescriptor::CPPTYPE_INT64:
      case gpb::FieldDescriptor::CPPTYPE_UINT32:
      case gpb::FieldDescriptor::CPPTYPE_UINT64: {
        static const char* const kInts[] = {"0",
                                            "1",
                                            "-1",
                                            "2147483647",
                                            "2147483648",
                                            "-2147483648",
                                            "-2147483649",
                                            "4294967295",
                                            "4294967296",
                                            "9007199254740993",
                                            "1e2",
                                            "1.0",
                                            "1.5",
                                            "-0",
                                            "1E3",
                                            "1e-2",
                                            "\"12\"",
                                            "\"-12\"",
                                            "\"+5\"",
                                            "\"007\"",
                                            "\"1e2\"",
                                            "\"\"",
                                            "\" 1\"",
                                            "\"9223372036854775807\"",
                                            "\"9223372036854775808\"",
                                            "\"-9223372036854775808\"",
                                            "\"18446744073709551615\"",
                                            "\"18446744073709551616\"",
                                            "9223372036854775807",
                                            "18446744073709551615",
                                            "1e19",
                                            "\"0x10\"",
                                            "\"1.0\""};
        return OneOf(kInts);
      }
      case gpb::FieldDescriptor::CPPTYPE_DOUBLE:
      case gpb::FieldDescriptor::CPPTYPE_FLOAT: {
        static const char* const kFloats[] = {
            "0",       "1.5",          "-2.25e-3",      "3.4028235e38", "3.4028236e38",
            "3.5e38",  "-3.5e38",      "1e308",         "1e-320",       "1.7976931348623157e308",
            "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "\"1.5\"",      "\"nan\"",
            "\"inf\"", "\"\"",         "\" 1\"",        "\"1e5\"",      "\"0x1p3\"",
            "-0.0",    "1e-46",        "\"1.5 \""};
        return OneOf(kFloats);
      }
      case gpb::FieldDescriptor::CPPTYPE_BOOL: {
        static const char* const kBools[] = {"true",  "false",   "\"true\"", "\"false\"",
                                             "\"t\"", "\"YES\"", "\"0\"",    "\"n\"",
                                             "1",     "0",       "\"maybe\""};
        return OneOf(kBools);
      }
      case gpb::FieldDescriptor::CPPTYPE_ENUM: {
        static const char* const kEnums[] = {
            "\"RED\"", "\"GREEN\"", "\"NEGATIVE\"", "\"red\"", "\"NULL_VALUE\"",        "1",
            "-3",      "7",         "\"1\"",        "\"\"",    "\"COLOR_UNSPECIFIED\"", "null",
            "1.0",     "1.5"};
        return OneOf(kEnums);
      }
      case gpb::FieldDescriptor::CPPTYPE_STRING: {
        if (field.type() == gpb::FieldDescriptor::TYPE_BYTES) {
          static const char* const kBytes[] = {
              "\"\"",     "\"aGk=\"",  "\"aGk\"", "\"a-_9\"",    "\"a+/9\"",    "\"a\"",
              "\"aG=k\"", "\"aGk==\"", "\"!!\"",  "\"aGk=\\n\"", "\"YQ==YQ==\""};
          return OneOf(kBytes);
        }
        static const char* const kStrings[] = {"\"\"",          "\"text\"",
                                               "\"\\u0000\"",   "\"\\ud83d\\ude00\"",
                                               "\"\\\"q\\\"\"", "\"\\u00e9t\\u00e9\"",
                                               "\"a\\/b\""};
        return OneOf(kStrings);
      }
      case gpb::FieldDescriptor::CPPTYPE_MESSAGE:
        return MessageValue(*field.message_type(), depth);
    }
    return "null";
  }

  std::string MessageValue(const gpb::Descriptor& type, int depth) {
    const std::string& name = type.full_name();
    if (name == "google.protobuf.Timestamp" && !Chance(8)) {
      static const char* const kTimes[] = {
          "\"1970-01-01T00:00:00Z\"",          "\"2020-02-29T12:30:45.5Z\"",
          "\"2021-02-29T00:00:00Z\"",          "\"0001-01-01T00:00:00Z\"",
          "\"0000-12-31T23:59:59Z\"",          "\"9999-12-31T23:59:59.999999999Z\"",
          "\"1970-01-01T00:00:00.123+05:30\"", "\"1970-01-01T00:00:00-23:59\"",
          "\"1970-01-01T24:00:00Z\"",          "\"1970-01-01T00:00:60Z\"",
          "\"1970-01-01T00:00:00\"",           "\"1970-1-01T00:00:00Z\"",
          "\"1970-01-01T00:00:00.Z\"",         "\"1970-01-01T00:00:00.0000000001Z\"",
          "\"1970-01-01T00:00:00+24:00\"",     "\"\""};
      return OneOf(kTimes);
    }
    if (name == "google.protobuf.Duration" && !Chance(8)) {
      static const char* const kDurations[] = {"\"0s\"",
                                               "\"1s\"",
                                               "\"-1.5s\"",
                                               "\"0.000000001s\"",
                                               "\"1.0000000001s\"",
                                               "\"315576000000s\"",
                                               "\"315576000001s\"",
                                               "\"-315576000000.999999999s\"",
                                               "\"s\"",
                                               "\"1\"",
                                               "\"1.s\"",
                                               "\".5s\"",
                                               "\"+1s\"",
                                               "\"1e3s\"",
                                               "\"-0s\"",
                                               "\"- 1s\"",
                                               "\"\""};
      return OneOf(kDurations);
    }
    if (name == "google.protobuf.FieldMask" && !Chance(8)) {
      static const char* const kMasks[] = {"\"\"",          "\"a\"",    "\"fooBar\"", "\"foo_bar\"",
                                           "\"a.b,cD.eF\"", "\"a,,b\"", "\"A\"",      "\"a1b\"",
                                           "\"a.\"",        "\",\""};
      return OneOf(kMasks);
    }
    if (absl::StartsWith(name, "google.protobuf.") && absl::EndsWith(name, "Value") &&
        name != "google.protobuf.Value" && !Chance(5)) {
      return Single(*type.FindFieldByName("value"), depth);
    }
    if (depth > 6) return "{}";
    return Message(type, depth + 1);
  }

  std::mt19937 rng_;
};

TEST(JsonToWireTest, RandomDocumentsAgreeWithProtobuf) {
  const auto& shapes = *test::ShapesRegistry();
  const gpb::Descriptor* types[] = {&Typed(), shapes.FindMessage("protogate.test.Inner")};
  int compared = 0;
  int accepted = 0;
  for (uint32_t seed = 1; seed <= 3000; ++seed) {
    RandomJson random(seed);
    for (const gpb::Descriptor* type : types) {
      const std::string json = random.Message(*type, 0);
      const bool ignore_unknown = seed % 3 == 0;
      if (!CheckStrictJson(json, JsonBodyShape::Message(*type), 64).ok()) continue;
      ++compared;
      std::string wire;
      if (test::ProtobufJsonToWire(shapes, *type, json, ignore_unknown, &wire).ok()) ++accepted;
      EXPECT_EQ(test::CompareJsonToWire(shapes, *type, json, ignore_unknown), "")
          << "seed " << seed << " ignore_unknown " << ignore_unknown << "\n"
          << json;
    }
  }
  // Both sides of the comparison are exercised: refusals and conversions.
  EXPECT_GT(compared, 4000);
  EXPECT_GT(accepted, 1000);
  EXPECT_LT(accepted, compared - 1000);
  std::printf("%d documents compared, %d accepted\n", compared, accepted);
}

TEST(JsonToWireTest, RandomDemoRequestsAgreeWithProtobuf) {
  const auto& demo = *test::DemoRegistry();
  int covered = 0;
  for (const char* name :
       {"demo.users.v1.CreateUserRequest", "demo.orders.v1.CreateOrderRequest",
        "demo.orders.v1.ListOrdersRequest", "demo.catalog.v1.Scalars", "demo.catalog.v1.WellKnown",
        "demo.catalog.v1.Nested", "demo.catalog.v1.SearchProductsRequest"}) {
    const gpb::Descriptor& type = *demo.FindMessage(name);
    if (JsonToWire::ForMessage(type, {}) == nullptr) continue;  // reaches Struct or Any
    ++covered;
    for (uint32_t seed = 1; seed <= 500; ++seed) {
      const std::string json = RandomJson(seed).Message(type, 0);
      if (!CheckStrictJson(json, JsonBodyShape::Message(type), 64).ok()) continue;
      EXPECT_EQ(test::CompareJsonToWire(demo, type, json, false), "") << name << "\n" << json;
    }
  }
  EXPECT_GE(covered, 5);
}

}  // namespace
}  // namespace protogate::transcode
