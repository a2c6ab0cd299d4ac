#include "graphql/input_values.h"

#include <string>
#include <vector>

#include "graphql/parser.h"
#include "gtest/gtest.h"
#include "support/json_shapes.h"

namespace protogate::graphql {
namespace {

namespace gpb = google::protobuf;

const Schema& Shapes() {
  static const std::shared_ptr<const Schema> schema = [] {
    const gpb::ServiceDescriptor* service =
        test::ShapesRegistry()->pool().FindServiceByName("protogate.test.ShapesService");
    std::vector<RootMethod> methods;
    for (int i = 0; i < service->method_count(); ++i) {
      const bool get = service->method(i)->name().rfind("Get", 0) == 0;
      methods.push_back({.method = service->method(i), .has_get_binding = get});
    }
    return *Schema::Build(methods);
  }();
  return *schema;
}

Document ParseOrDie(const std::string& source) {
  auto document = Parse(source, ParseLimits{});
  EXPECT_TRUE(document.ok()) << document.status();
  return document.ok() ? *std::move(document) : Document{};
}

std::vector<std::string> CoercionErrors(const std::string& source, const Json& given) {
  Document document = ParseOrDie(source);
  std::vector<std::string> out;
  for (const Error& error : CoerceVariables(Shapes(), document.operations[0], given).errors) {
    out.push_back(error.message);
  }
  return out;
}

TEST(GraphqlInputValuesTest, VariablesAreCoercedWithDefaults) {
  Document document = ParseOrDie(
      "query Q($a: Int = 3, $b: Int64, $c: [Int!], $d: Color, $e: String) { __typename }");
  CoercedVariables coerced = CoerceVariables(Shapes(), document.operations[0],
                                             Json::parse(R"({"b": 5, "c": 7, "d": "RED"})"));
  EXPECT_TRUE(coerced.errors.empty());
  EXPECT_EQ(coerced.values.dump(), R"({"a":3,"b":"5","c":[7],"d":"RED"})");
}

TEST(GraphqlInputValuesTest, VariableErrorsHaveGraphqlJsWords) {
  const char* q = "query Q($id: String!) { __typename }";
  EXPECT_EQ(
      CoercionErrors(q, Json::object()),
      std::vector<std::string>{"Variable \"$id\" of required type \"String!\" was not provided."});
  EXPECT_EQ(
      CoercionErrors(q, Json::parse(R"({"id": null})")),
      std::vector<std::string>{"Variable \"$id\" of non-null type \"String!\" must not be null."});
  EXPECT_EQ(CoercionErrors("query Q($x: Int) { __typename }", Json::parse(R"({"x": "abc"})")),
            std::vector<std::string>{
                "Variable \"$x\" got invalid value \"abc\"; Int cannot represent non-integer "
                "value: \"abc\""});
  EXPECT_EQ(CoercionErrors("query Q($x: Int) { __typename }", Json::parse(R"({"x": 2147483648})")),
            std::vector<std::string>{
                "Variable \"$x\" got invalid value 2147483648; Int cannot represent non 32-bit "
                "signed integer value: 2147483648"});
  EXPECT_EQ(CoercionErrors("query Q($x: ShapesInput) { __typename }",
                           Json::parse(R"({"x": {"rInt32": [1, "y"], "z": 1}})")),
            (std::vector<std::string>{
                "Variable \"$x\" got invalid value \"y\" at \"x.rInt32[1]\"; Int cannot represent "
                "non-integer value: \"y\"",
                "Variable \"$x\" got invalid value { rInt32: [1, \"y\"], z: 1 }; Field \"z\" is "
                "not defined by type \"ShapesInput\"."}));
  EXPECT_EQ(CoercionErrors("query Q($x: ShapesInput) { __typename }",
                           Json::parse(R"({"x": {"oString": "a", "oInt32": 1}})")),
            std::vector<std::string>{
                "Variable \"$x\" got invalid value { oString: \"a\", oInt32: 1 }; Fields "
                "\"oString\" and \"oInt32\" of \"ShapesInput\" are members of the oneof \"pick\": "
                "set at most one."});
  EXPECT_EQ(CoercionErrors("query Q($x: Color) { __typename }", Json::parse(R"({"x": "BLUE"})")),
            std::vector<std::string>{
                "Variable \"$x\" got invalid value \"BLUE\"; Value \"BLUE\" does not exist in "
                "\"Color\" enum."});
}

TEST(GraphqlInputValuesTest, SixtyFourBitIntegersStayExact) {
  const char* q = "query Q($x: Int64, $u: UInt64) { __typename }";
  EXPECT_TRUE(CoercionErrors(q, Json::parse(R"({"x": "-9223372036854775808",
                                                "u": 18446744073709551615})"))
                  .empty());
  EXPECT_EQ(CoercionErrors(q, Json::parse(R"({"x": 1e300})")),
            std::vector<std::string>{
                "Variable \"$x\" got invalid value 1e+300; Int64 cannot represent non 64-bit "
                "signed integer value: 1e+300"});
  EXPECT_EQ(CoercionErrors(q, Json::parse(R"({"u": "-1"})")),
            std::vector<std::string>{
                "Variable \"$u\" got invalid value \"-1\"; UInt64 cannot represent non 64-bit "
                "unsigned integer value: -1"});
}

absl::StatusOr<Json> Request(const std::string& source, const Json& variables = Json::object()) {
  Document document = ParseOrDie(source);
  const Operation& op = document.operations[0];
  CoercedVariables coerced = CoerceVariables(Shapes(), op, variables);
  EXPECT_TRUE(coerced.errors.empty());
  const Selection& field = op.selections[0];
  const SchemaType* root =
      op.type == Operation::Type::kQuery ? Shapes().query() : Shapes().mutation();
  return RequestJson(Shapes(), *Shapes().FindField(*root, field.name), field.arguments,
                     coerced.values);
}

TEST(GraphqlInputValuesTest, RequestJsonOfEveryKind) {
  auto json = Request(
      "query Q($n: Int64, $gone: Int) { getShapes(fInt32: -1, fUint32: 4294967295, "
      "fDouble: 1.5, fInt64: $n, fUint64: 18446744073709551615, fString: \"s\", fBytes: \"aGk=\", "
      "fBool: true, fEnum: GREEN, rInt32: 1, rString: [\"a\", \"b\"], fSint32: $gone, "
      "inner: {name: \"n\", tags: [\"t\"]}, ts: \"1972-01-01T10:00:20.021Z\", oString: null, "
      "mString: [{key: \"k\", value: \"v\"}], mInt32: [{key: 1, value: 2}]) { fInt32 } }",
      Json::parse(R"({"n": 9007199254740993})"));
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(json->dump(),
            R"({"fDouble":1.5,"fInt64":"9007199254740993","fUint64":"18446744073709551615",)"
            R"("fInt32":-1,"fBool":true,"fString":"s","fBytes":"aGk=","fUint32":4294967295,)"
            R"("fEnum":"GREEN","inner":{"name":"n","tags":["t"]},"rInt32":[1],)"
            R"("rString":["a","b"],"mString":{"k":"v"},"mInt32":{"1":2},)"
            R"("ts":"1972-01-01T10:00:20.021Z"})");
}

TEST(GraphqlInputValuesTest, ADuplicateMapKeyIsRefused) {
  auto json =
      Request("{ getShapes(mString: [{key: \"k\", value: \"a\"}, {key: \"k\"}]) { fInt32 } }");
  EXPECT_EQ(json.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(GraphqlInputValuesTest, ScalarLiterals) {
  Value int_value;
  int_value.kind = Value::Kind::kInt;
  int_value.text = "2147483648";
  EXPECT_EQ(ScalarLiteralProblem("Int", int_value),
            "Int cannot represent non 32-bit signed integer value: 2147483648");
  EXPECT_EQ(ScalarLiteralProblem("Int64", int_value), std::nullopt);
  EXPECT_EQ(ScalarLiteralProblem("Float", int_value), std::nullopt);
  EXPECT_EQ(ScalarLiteralProblem("ID", int_value), std::nullopt);
  Value text;
  text.kind = Value::Kind::kString;
  text.text = "a-_b";
  EXPECT_EQ(ScalarLiteralProblem("Bytes", text), std::nullopt);
  EXPECT_EQ(ScalarLiteralProblem("Int", text), "Int cannot represent non-integer value: \"a-_b\"");
  EXPECT_EQ(ScalarLiteralProblem("JSON", text), std::nullopt);
  Value empty;
  empty.kind = Value::Kind::kObject;
  EXPECT_EQ(ScalarLiteralProblem("Empty", empty), std::nullopt);
  EXPECT_NE(ScalarLiteralProblem("Empty", text), std::nullopt);
}

TEST(GraphqlInputValuesTest, DirectiveConditions) {
  Document document = ParseOrDie("{ a @skip(if: $s) b @include(if: true) c @skip(if: 1) }");
  const auto& set = document.operations[0].selections;
  EXPECT_EQ(*DirectiveCondition(set[0].directives[0], Json::parse(R"({"s": true})")), true);
  EXPECT_EQ(*DirectiveCondition(set[1].directives[0], Json::object()), true);
  EXPECT_FALSE(DirectiveCondition(set[2].directives[0], Json::object()).ok());
}

TEST(GraphqlInputValuesTest, Suggestions) {
  EXPECT_EQ(SuggestionList("nme", {"name", "id", "NAME"}),
            (std::vector<std::string>{"NAME", "name"}));
  EXPECT_EQ(DidYouMean({"a", "b"}), " Did you mean \"a\" or \"b\"?");
}

}  // namespace
}  // namespace protogate::graphql
