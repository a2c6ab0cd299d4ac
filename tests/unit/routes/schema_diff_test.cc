// The SDL reader and the GraphQL schema diff: what protogate-routes writes
// reads back, syntax errors have positions, and each breaking-change rule
// of graphql-js holds (and its safe counterparts are not flagged).

#include "routes/schema_diff.h"

#include <sstream>

#include "gmock/gmock.h"
#include "graphql/schema.h"
#include "gtest/gtest.h"
#include "routes/cli.h"
#include "routes/sdl_reader.h"
#include "unit/routes/proto_tree.h"

namespace protogate::routes {
namespace {

using ::testing::HasSubstr;

SdlSchema Read(const std::string& text) {
  auto schema = ReadSdl(text, "schema.graphql");
  EXPECT_TRUE(schema.ok()) << schema.status();
  return schema.ok() ? *std::move(schema) : SdlSchema{};
}

ApiDiff Diff(const std::string& before, const std::string& after) {
  return DiffSchemas(Read(before), Read(after));
}

// The one change a diff holds, as "<marker> <subject>[ BREAKING]: <details>".
std::string OnlyChange(const ApiDiff& diff) {
  EXPECT_EQ(diff.changes.size(), 1u) << diff.ToString();
  if (diff.changes.empty()) return "";
  const ApiChange& change = diff.changes[0];
  std::string text = change.kind == ApiChange::Kind::kAdded     ? "+ "
                     : change.kind == ApiChange::Kind::kRemoved ? "- "
                                                                : "~ ";
  text += change.subject;
  if (change.breaking) text += " BREAKING";
  for (const std::string& detail : change.details) text += ": " + detail;
  return text;
}

constexpr char kSchema[] = R"(
"""Exactly one field of the input object is given."""
directive @oneOf on INPUT_OBJECT

"""A 64-bit integer, as a string."""
scalar Int64 @specifiedBy(url: "https://protobuf.dev/programming-guides/json/")

type Query {
  """One user."""
  getUser(userId: String, first: Int = 10, tags: [String!] = ["a", "b"]): User
  search(filter: FilterInput): [Result!]!
}

type User implements Node & Named {
  userId: String!
  age: Int @deprecated(reason: "use birthday")
  friends: [User!]!
}

interface Node { userId: String! }
interface Named { name: String }
union Result = | User | Product
type Product { id: String! }

enum Role {
  ROLE_UNSPECIFIED
  "The admin." ROLE_ADMIN @deprecated
}

input FilterInput @oneOf {
  byId: String
  byRole: Role = ROLE_ADMIN
  nested: FilterInput
  where: Where = {min: 1, max: 2.5, exact: true}
}
input Where { min: Int max: Float exact: Boolean }
schema { query: Query }
)";

TEST(SdlReaderTest, ReadsEveryDefinitionKind) {
  SdlSchema schema = Read(kSchema);
  ASSERT_EQ(schema.types.size(), 10u);
  EXPECT_EQ(schema.types.at("Int64").kind, SdlType::Kind::kScalar);
  const SdlType& query = schema.types.at("Query");
  ASSERT_EQ(query.fields.size(), 2u);
  const SdlField& get_user = query.fields[0];
  EXPECT_EQ(get_user.name, "getUser");
  EXPECT_EQ(graphql::TypeText(get_user.type), "User");
  ASSERT_EQ(get_user.arguments.size(), 3u);
  EXPECT_EQ(get_user.arguments[1].default_value, "10");
  EXPECT_EQ(get_user.arguments[2].default_value, "[\"a\", \"b\"]");
  EXPECT_EQ(graphql::TypeText(get_user.arguments[2].type), "[String!]");
  EXPECT_EQ(graphql::TypeText(query.fields[1].type), "[Result!]!");
  EXPECT_THAT(schema.types.at("User").interfaces, ::testing::ElementsAre("Node", "Named"));
  EXPECT_EQ(schema.types.at("Node").kind, SdlType::Kind::kInterface);
  EXPECT_THAT(schema.types.at("Result").members, ::testing::ElementsAre("User", "Product"));
  EXPECT_THAT(schema.types.at("Role").members,
              ::testing::ElementsAre("ROLE_UNSPECIFIED", "ROLE_ADMIN"));
  const SdlType& filter = schema.types.at("FilterInput");
  EXPECT_TRUE(filter.one_of);
  EXPECT_EQ(filter.input_fields[1].default_value, "ROLE_ADMIN");
  EXPECT_EQ(filter.input_fields[3].default_value, "{min: 1, max: 2.5, exact: true}");
  EXPECT_FALSE(schema.types.at("Where").one_of);
  EXPECT_THAT(schema.directives.at("oneOf").locations, ::testing::ElementsAre("INPUT_OBJECT"));
  EXPECT_EQ(schema.roots.size(), 1u);
  EXPECT_EQ(schema.roots.at("query"), "Query");
}

TEST(SdlReaderTest, RootsDefaultToTheTypesOfTheirNames) {
  SdlSchema schema = Read("type Query { a: Int }\ntype Mutation { b: Int }");
  EXPECT_EQ(schema.roots.at("query"), "Query");
  EXPECT_EQ(schema.roots.at("mutation"), "Mutation");
  EXPECT_FALSE(schema.roots.contains("subscription"));
}

TEST(SdlReaderTest, ErrorsHaveTheFileLineAndColumn) {
  auto missing = ReadSdl("type Query {\n  a: \n}\n", "s.graphql");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "s.graphql:3:1: Syntax Error: Expected Name, found \"}\".");
  auto twice = ReadSdl("type A { a: Int }\nenum A { X }", "s.graphql");
  ASSERT_FALSE(twice.ok());
  EXPECT_THAT(twice.status().message(),
              HasSubstr("s.graphql:2:6: Syntax Error: A is defined twice"));
  auto extension = ReadSdl("extend type A { b: Int }", "s.graphql");
  ASSERT_FALSE(extension.ok());
  EXPECT_THAT(extension.status().message(), HasSubstr("type extensions are not read"));
  EXPECT_FALSE(ReadSdl("type A { a: [[[Int }", "s.graphql").ok());
  EXPECT_FALSE(ReadSdl("type A { a: Int = }", "s.graphql").ok());
  EXPECT_FALSE(ReadSdl("input A { a: Int = [1, 2 }", "s.graphql").ok());
  EXPECT_FALSE(ReadSdl("type A { a(x: Int: Int }", "s.graphql").ok());
  EXPECT_FALSE(ReadSdl("type A \xff", "s.graphql").ok());
  EXPECT_FALSE(ReadSdl("query { a }", "s.graphql").ok());  // an operation is no schema
}

TEST(SdlReaderTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep = "type A { a: " + std::string(100000, '[') + "Int }";
  EXPECT_FALSE(ReadSdl(deep, "s.graphql").ok());
  std::string value = "input A { a: Int = " + std::string(100000, '[') + " }";
  EXPECT_FALSE(ReadSdl(value, "s.graphql").ok());
}

TEST(SchemaDiffTest, TheSameSchemaHasNoChanges) { EXPECT_TRUE(Diff(kSchema, kSchema).empty()); }

TEST(SchemaDiffTest, RemovalsAreBreaking) {
  EXPECT_EQ(OnlyChange(Diff("type Query { a: Int b: Int }", "type Query { a: Int }")),
            "- Query.b BREAKING");
  EXPECT_EQ(OnlyChange(Diff("type Query { a: Int }\ntype B { b: Int }", "type Query { a: Int }")),
            "- type B BREAKING");
  EXPECT_EQ(OnlyChange(Diff("type Query { a(x: Int): Int }", "type Query { a: Int }")),
            "- Query.a(x:) BREAKING");
  EXPECT_EQ(OnlyChange(Diff("enum E { X Y }", "enum E { X }")), "- E.Y BREAKING");
  EXPECT_EQ(OnlyChange(Diff("input I { a: Int b: Int }", "input I { a: Int }")), "- I.b BREAKING");
  EXPECT_EQ(OnlyChange(Diff("union U = A | B\ntype A { a: Int }\ntype B { b: Int }",
                            "union U = A\ntype A { a: Int }\ntype B { b: Int }")),
            "- U | B BREAKING");
  EXPECT_EQ(OnlyChange(Diff("directive @d on FIELD", "")), "- directive @d BREAKING");
}

TEST(SchemaDiffTest, AdditionsAreSafeUnlessClientsMustSendThem) {
  EXPECT_EQ(OnlyChange(Diff("type Query { a: Int }", "type Query { a: Int b: Int }")), "+ Query.b");
  EXPECT_EQ(OnlyChange(Diff("enum E { X }", "enum E { X Y }")), "+ E.Y");
  EXPECT_EQ(OnlyChange(Diff("type Query { a: Int }", "type Query { a(x: Int): Int }")),
            "+ Query.a(x:)");
  EXPECT_EQ(OnlyChange(Diff("type Query { a: Int }", "type Query { a(x: Int! = 1): Int }")),
            "+ Query.a(x:)");
  EXPECT_EQ(OnlyChange(Diff("type Query { a: Int }", "type Query { a(x: Int!): Int }")),
            "+ Query.a(x:) BREAKING: required (Int!, no default): clients must send it");
  EXPECT_EQ(OnlyChange(Diff("input I { a: Int }", "input I { a: Int b: String! }")),
            "+ I.b BREAKING: required (String!, no default): clients must send it");
  EXPECT_EQ(OnlyChange(Diff("type Query { a: Int }", "type Query { a: Int }\nscalar S")),
            "+ scalar S");
}

TEST(SchemaDiffTest, OutputTypesMayOnlyGetStricter) {
  EXPECT_EQ(OnlyChange(Diff("type Query { a: Int }", "type Query { a: Int! }")),
            "~ Query.a: type \"Int\" -> \"Int!\"");
  EXPECT_EQ(OnlyChange(Diff("type Query { a: [Int] }", "type Query { a: [Int!]! }")),
            "~ Query.a: type \"[Int]\" -> \"[Int!]!\"");
  EXPECT_EQ(OnlyChange(Diff("type Query { a: Int! }", "type Query { a: Int }")),
            "~ Query.a BREAKING: type \"Int!\" -> \"Int\"");
  EXPECT_EQ(OnlyChange(Diff("type Query { a: Int }", "type Query { a: String }")),
            "~ Query.a BREAKING: type \"Int\" -> \"String\"");
  EXPECT_EQ(OnlyChange(Diff("type Query { a: [Int] }", "type Query { a: Int }")),
            "~ Query.a BREAKING: type \"[Int]\" -> \"Int\"");
}

TEST(SchemaDiffTest, InputTypesMayOnlyGetLooser) {
  EXPECT_EQ(OnlyChange(Diff("type Query { a(x: Int!): Int }", "type Query { a(x: Int): Int }")),
            "~ Query.a(x:): type \"Int!\" -> \"Int\"");
  EXPECT_EQ(OnlyChange(Diff("type Query { a(x: Int): Int }", "type Query { a(x: Int!): Int }")),
            "~ Query.a(x:) BREAKING: type \"Int\" -> \"Int!\"");
  EXPECT_EQ(OnlyChange(Diff("input I { a: [Int!] }", "input I { a: [Int] }")),
            "~ I.a: type \"[Int!]\" -> \"[Int]\"");
  EXPECT_EQ(OnlyChange(Diff("input I { a: [Int] }", "input I { a: [String] }")),
            "~ I.a BREAKING: type \"[Int]\" -> \"[String]\"");
  EXPECT_EQ(
      OnlyChange(Diff("type Query { a(x: Int = 1): Int }", "type Query { a(x: Int = 2): Int }")),
      "~ Query.a(x:): default \"1\" -> \"2\"");
}

TEST(SchemaDiffTest, KindsOneOfAndRootsChangingAreBreaking) {
  EXPECT_EQ(OnlyChange(Diff("type Query { a: Int }\ntype T { a: Int }",
                            "type Query { a: Int }\ninput T { a: Int }")),
            "~ input T BREAKING: kind \"type\" -> \"input\"");
  EXPECT_EQ(OnlyChange(Diff("input I { a: Int b: Int }", "input I @oneOf { a: Int b: Int }")),
            "~ input I BREAKING: @oneOf added: exactly one field may be given now");
  EXPECT_EQ(OnlyChange(Diff("input I @oneOf { a: Int b: Int }", "input I { a: Int b: Int }")),
            "~ input I: @oneOf removed");
  EXPECT_EQ(OnlyChange(Diff("type Query { a: Int }\ntype Q2 { a: Int }",
                            "type Query { a: Int }\ntype Q2 { a: Int }\nschema { query: Q2 }")),
            "~ schema query BREAKING: root type \"Query\" -> \"Q2\"");
}

TEST(SchemaDiffTest, TheCliDiffsSchemasByTheirExtension) {
  test::ProtoTree tree;
  const std::string before = tree.Write("old.graphql", "type Query { a: Int b: Int }\n");
  const std::string after = tree.Write("new.graphql", "type Query { a: Int c: Int }\n");
  std::ostringstream out, err;
  EXPECT_EQ(RunRoutesCli({"diff", before, after}, out, err), kExitProblems) << err.str();
  EXPECT_EQ(out.str(),
            "- Query.b  BREAKING: removed\n"
            "+ Query.c\n"
            "1 added, 1 removed, 0 changed (breaking)\n");
  std::ostringstream out2, err2;
  EXPECT_EQ(RunRoutesCli({"diff", before, before}, out2, err2), kExitOk);
  EXPECT_EQ(out2.str(), "0 added, 0 removed, 0 changed\n");
  const std::string broken = tree.Write("broken.graphql", "type Query {");
  std::ostringstream out3, err3;
  EXPECT_EQ(RunRoutesCli({"diff", before, broken}, out3, err3), kExitUsage);
  EXPECT_THAT(err3.str(), HasSubstr("broken.graphql:1:13: Syntax Error"));
}

}  // namespace
}  // namespace protogate::routes
