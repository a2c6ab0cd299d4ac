#include "graphql/parser.h"

#include <string>

#include "gtest/gtest.h"

namespace protogate::graphql {
namespace {

Document Parsed(const std::string& source) {
  absl::StatusOr<Document> document = Parse(source, {});
  EXPECT_TRUE(document.ok()) << document.status() << "\n" << source;
  return document.ok() ? *std::move(document) : Document{};
}

// The error's message and "line:column".
std::string Error(const std::string& source, ParseLimits limits = {}) {
  absl::StatusOr<Document> document = Parse(source, limits);
  if (document.ok()) return "<parsed>";
  EXPECT_EQ(document.status().code(), absl::StatusCode::kInvalidArgument);
  std::optional<Location> where = ErrorLocation(document.status());
  EXPECT_TRUE(where.has_value());
  return std::string(document.status().message()) +
         (where ? " @" + std::to_string(where->line) + ":" + std::to_string(where->column) : "");
}

TEST(GraphqlParserTest, TheShorthandIsOneAnonymousQuery) {
  Document doc = Parsed("{ user(id: 4) { id name smallPic: profilePic(size: 64) } }");
  ASSERT_EQ(doc.operations.size(), 1u);
  const Operation& op = doc.operations[0];
  EXPECT_EQ(op.type, Operation::Type::kQuery);
  EXPECT_EQ(op.name, "");
  ASSERT_EQ(op.selections.size(), 1u);
  const Selection& user = op.selections[0];
  EXPECT_EQ(user.kind, Selection::Kind::kField);
  EXPECT_EQ(user.name, "user");
  ASSERT_EQ(user.arguments.size(), 1u);
  EXPECT_EQ(user.arguments[0].name, "id");
  EXPECT_EQ(user.arguments[0].value.kind, Value::Kind::kInt);
  EXPECT_EQ(user.arguments[0].value.text, "4");
  ASSERT_EQ(user.selections.size(), 3u);
  EXPECT_EQ(user.selections[2].alias, "smallPic");
  EXPECT_EQ(user.selections[2].name, "profilePic");
  EXPECT_EQ(user.selections[2].response_key(), "smallPic");
  EXPECT_EQ(user.selections[1].response_key(), "name");
  EXPECT_EQ(user.selections[2].location, (Location{1, 25}));
}

TEST(GraphqlParserTest, OperationsVariablesDirectivesAndFragments) {
  Document doc = Parsed(R"(
query Q($id: ID! = "1", $ids: [[Int!]]! = [[1], [2]]) @cached(ttl: 5) {
  user(id: $id) {
    ...F @include(if: $flag)
    ... on User @skip(if: false) { name }
    ... { id }
  }
}
mutation M { delete(id: 1) }
subscription { events { id } }
fragment F on User @dir { friends(first: 10) { name } }
)");
  ASSERT_EQ(doc.operations.size(), 3u);
  ASSERT_EQ(doc.fragments.size(), 1u);
  const Operation& q = doc.operations[0];
  EXPECT_EQ(q.name, "Q");
  EXPECT_EQ(q.location, (Location{2, 1}));
  ASSERT_EQ(q.variables.size(), 2u);
  EXPECT_EQ(q.variables[0].name, "id");
  EXPECT_EQ(q.variables[0].type.kind, TypeRef::Kind::kNonNull);
  EXPECT_EQ(q.variables[0].type.of[0].name, "ID");
  ASSERT_TRUE(q.variables[0].default_value.has_value());
  EXPECT_EQ(q.variables[0].default_value->text, "1");
  const TypeRef& ids = q.variables[1].type;  // [[Int!]]!
  ASSERT_EQ(ids.kind, TypeRef::Kind::kNonNull);
  ASSERT_EQ(ids.of[0].kind, TypeRef::Kind::kList);
  ASSERT_EQ(ids.of[0].of[0].kind, TypeRef::Kind::kList);
  ASSERT_EQ(ids.of[0].of[0].of[0].kind, TypeRef::Kind::kNonNull);
  EXPECT_EQ(ids.of[0].of[0].of[0].of[0].name, "Int");
  ASSERT_EQ(q.directives.size(), 1u);
  EXPECT_EQ(q.directives[0].name, "cached");
  const auto& sels = q.selections[0].selections;
  ASSERT_EQ(sels.size(), 3u);
  EXPECT_EQ(sels[0].kind, Selection::Kind::kFragmentSpread);
  EXPECT_EQ(sels[0].name, "F");
  EXPECT_EQ(sels[0].directives[0].arguments[0].value.kind, Value::Kind::kVariable);
  EXPECT_EQ(sels[0].directives[0].arguments[0].value.text, "flag");
  EXPECT_EQ(sels[1].kind, Selection::Kind::kInlineFragment);
  EXPECT_EQ(sels[1].type_condition, "User");
  EXPECT_EQ(sels[2].kind, Selection::Kind::kInlineFragment);
  EXPECT_EQ(sels[2].type_condition, "");
  EXPECT_EQ(doc.operations[1].type, Operation::Type::kMutation);
  EXPECT_EQ(doc.operations[2].type, Operation::Type::kSubscription);
  EXPECT_EQ(doc.operations[2].name, "");
  EXPECT_EQ(doc.fragments[0].name, "F");
  EXPECT_EQ(doc.fragments[0].type_condition, "User");
  EXPECT_EQ(doc.fragments[0].directives[0].name, "dir");
}

TEST(GraphqlParserTest, EveryKindOfValue) {
  Document doc =
      Parsed(R"({ f(a: -0, b: 1.5e-3, c: 0.0, d: 1E2, e: true, f: false, g: null, h: RED, )"
             R"(i: [1, [2], {}], j: {k: "v", l: $x}, m: "") })");
  const auto& args = doc.operations[0].selections[0].arguments;
  ASSERT_EQ(args.size(), 11u);
  EXPECT_EQ(args[0].value.kind, Value::Kind::kInt);
  EXPECT_EQ(args[0].value.text, "-0");
  EXPECT_EQ(args[1].value.kind, Value::Kind::kFloat);
  EXPECT_EQ(args[1].value.text, "1.5e-3");
  EXPECT_EQ(args[2].value.kind, Value::Kind::kFloat);
  EXPECT_EQ(args[3].value.kind, Value::Kind::kFloat);
  EXPECT_TRUE(args[4].value.boolean);
  EXPECT_EQ(args[5].value.kind, Value::Kind::kBoolean);
  EXPECT_FALSE(args[5].value.boolean);
  EXPECT_EQ(args[6].value.kind, Value::Kind::kNull);
  EXPECT_EQ(args[7].value.kind, Value::Kind::kEnum);
  EXPECT_EQ(args[7].value.text, "RED");
  ASSERT_EQ(args[8].value.list.size(), 3u);
  EXPECT_EQ(args[8].value.list[1].list[0].text, "2");
  EXPECT_EQ(args[8].value.list[2].kind, Value::Kind::kObject);
  ASSERT_EQ(args[9].value.fields.size(), 2u);
  EXPECT_EQ(args[9].value.fields[0].name, "k");
  EXPECT_EQ(args[9].value.fields[1].value.kind, Value::Kind::kVariable);
  EXPECT_EQ(args[10].value.kind, Value::Kind::kString);
  EXPECT_EQ(args[10].value.text, "");
}

std::string StringValue(const std::string& literal) {
  Document doc = Parsed("{ f(s: " + literal + ") }");
  if (doc.operations.empty()) return "<error>";
  return doc.operations[0].selections[0].arguments[0].value.text;
}

TEST(GraphqlParserTest, StringEscapes) {
  EXPECT_EQ(StringValue(R"("a\"b\\c\/d\b\f\n\r\t")"), "a\"b\\c/d\b\f\n\r\t");
  EXPECT_EQ(StringValue(R"("\u00e9\u20AC")"), "\xc3\xa9\xe2\x82\xac");
  EXPECT_EQ(StringValue(R"("\ud83d\ude00")"), "\xf0\x9f\x98\x80");  // a surrogate pair
  EXPECT_EQ(StringValue(R"("\u{1F600}\u{41}")"),
            "\xf0\x9f\x98\x80"
            "A");
  EXPECT_EQ(StringValue("\"caf\xc3\xa9 \t tab\""), "caf\xc3\xa9 \t tab");
}

TEST(GraphqlParserTest, BlockStringsLoseTheirIndentation) {
  EXPECT_EQ(StringValue("\"\"\"\n    Hello,\n      World!\n\n    Yours,\n      GraphQL.\n  \"\"\""),
            "Hello,\n  World!\n\nYours,\n  GraphQL.");
  EXPECT_EQ(StringValue(R"("""a \""" b""")"), R"(a """ b)");
  EXPECT_EQ(StringValue(R"("""  first line keeps its spaces""")"), "  first line keeps its spaces");
  EXPECT_EQ(StringValue("\"\"\"\r\n  x\r\n    y\r\n\"\"\""), "x\n  y");
  EXPECT_EQ(StringValue(R"("""\n is not an escape""")"), R"(\n is not an escape)");
}

TEST(GraphqlParserTest, IgnoredTokens) {
  Document doc = Parsed("\xEF\xBB\xBF# a comment\n,,{ a,,, b # another\r\n c\r d }");
  EXPECT_EQ(doc.operations[0].selections.size(), 4u);
  EXPECT_EQ(doc.operations[0].selections[3].location, (Location{4, 2}));
}

TEST(GraphqlParserTest, ColumnsCountCodePoints) {
  const std::string source = "{ f(s: \"\xc3\xa9\xc3\xa9\") g }";
  Document doc = Parsed(source);
  EXPECT_EQ(doc.operations[0].selections[1].location, (Location{1, 14}));
}

TEST(GraphqlParserTest, SyntaxErrorsInGraphqlJsWords) {
  EXPECT_EQ(Error(""), "Syntax Error: Unexpected <EOF>. @1:1");
  EXPECT_EQ(Error("{"), "Syntax Error: Expected Name, found <EOF>. @1:2");
  EXPECT_EQ(Error("{}"), "Syntax Error: Expected Name, found \"}\". @1:2");
  EXPECT_EQ(Error("{ a(): b }"), "Syntax Error: Expected Name, found \")\". @1:5");
  EXPECT_EQ(Error("query Q() { a }"), "Syntax Error: Expected \"$\", found \")\". @1:9");
  EXPECT_EQ(Error("{ a }\n}"), "Syntax Error: Unexpected \"}\". @2:1");
  EXPECT_EQ(Error("type Query { a: Int }"), "Syntax Error: Unexpected Name \"type\". @1:1");
  EXPECT_EQ(Error("fragment on on User { a }"), "Syntax Error: Unexpected Name \"on\". @1:10");
  EXPECT_EQ(Error("fragment F User { a }"),
            "Syntax Error: Expected \"on\", found Name \"User\". @1:12");
  EXPECT_EQ(Error("{ a(x: 01) }"),
            "Syntax Error: Invalid number, unexpected digit after 0: \"1\". @1:9");
  EXPECT_EQ(Error("{ a(x: 1.) }"),
            "Syntax Error: Invalid number, expected digit but got: \")\". @1:10");
  EXPECT_EQ(Error("{ a(x: 1x) }"),
            "Syntax Error: Invalid number, expected digit but got: \"x\". @1:9");
  EXPECT_EQ(Error("{ a(x: 1.5.1) }"),
            "Syntax Error: Invalid number, expected digit but got: \".\". @1:11");
  EXPECT_EQ(Error("{ a(x: -) }"),
            "Syntax Error: Invalid number, expected digit but got: \")\". @1:9");
  EXPECT_EQ(Error("{ a(x: \"abc) }"), "Syntax Error: Unterminated string. @1:8");
  EXPECT_EQ(Error("{ a(x: \"a\nb\") }"), "Syntax Error: Unterminated string. @1:8");
  EXPECT_EQ(Error(R"({ a(x: "\x") })"),
            R"(Syntax Error: Invalid character escape sequence: "\x". @1:9)");
  EXPECT_EQ(Error(R"({ a(x: "\u12") })"),
            R"(Syntax Error: Invalid Unicode escape sequence: "\u12"". @1:9)");
  EXPECT_EQ(Error(R"({ a(x: "\ud83d") })"),
            R"(Syntax Error: Invalid Unicode escape sequence: "\ud83d". @1:9)");
  EXPECT_EQ(Error(R"({ a(x: "\ude00") })"),
            R"(Syntax Error: Invalid Unicode escape sequence: "\ude00". @1:9)");
  EXPECT_EQ(Error(R"({ a(x: "\u{110000}") })"),
            R"(Syntax Error: Invalid Unicode escape sequence: "\u{110000". @1:9)");
  EXPECT_EQ(Error("{ a(x: \"\x07\") }"),
            "Syntax Error: Invalid character within String: U+0007. @1:9");
  EXPECT_EQ(Error("{ a % }"), "Syntax Error: Unexpected character: \"%\". @1:5");
  EXPECT_EQ(Error("{ a \xc3\xa9 }"), "Syntax Error: Unexpected character: U+00E9. @1:5");
  EXPECT_EQ(Error("{ a(x: .5) }"), "Syntax Error: Unexpected character: \".\". @1:8");
  EXPECT_EQ(Error("query Q($v: Int = $w) { a }"),
            "Syntax Error: Unexpected variable \"$w\" in constant value. @1:19");
  EXPECT_EQ(Error("{ a(x: \"\xff\") }"), "Syntax Error: Invalid UTF-8 at byte 8. @1:1");
}

TEST(GraphqlParserTest, LimitsBoundTokensAndNesting) {
  std::string deep = "{";
  for (int i = 0; i < 100; ++i) deep += " a {";
  deep += " b";
  for (int i = 0; i < 101; ++i) deep += " }";
  EXPECT_EQ(Error(deep).substr(0, 50), "Syntax Error: Document nesting deeper than 64. @1:");
  EXPECT_EQ(Error(deep, {.max_tokens = 100000, .max_depth = 200}), "<parsed>");
  std::string list = "{ a(x: ";
  for (int i = 0; i < 10000; ++i) list += "[";
  EXPECT_NE(Error(list).find("nesting deeper than 64"), std::string::npos);
  std::string wide = "{";
  for (int i = 0; i < 30000; ++i) wide += " a";
  wide += " }";
  EXPECT_NE(Error(wide).find("Document contains more than 20000 tokens"), std::string::npos);
}

}  // namespace
}  // namespace protogate::graphql
