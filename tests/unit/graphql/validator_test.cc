#include "graphql/validator.h"

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "graphql/parser.h"
#include "gtest/gtest.h"
#include "support/json_shapes.h"
#include "support/node_graphql.h"

namespace protogate::graphql {
namespace {

namespace gpb = google::protobuf;

std::shared_ptr<const Schema> ShapesSchema() {
  const gpb::ServiceDescriptor* service =
      test::ShapesRegistry()->pool().FindServiceByName("protogate.test.ShapesService");
  EXPECT_NE(service, nullptr);
  std::vector<RootMethod> methods;
  for (int i = 0; i < service->method_count(); ++i) {
    const bool get = service->method(i)->name().rfind("Get", 0) == 0;
    methods.push_back({.method = service->method(i), .has_get_binding = get});
  }
  auto schema = Schema::Build(methods);
  EXPECT_TRUE(schema.ok()) << schema.status();
  return schema.ok() ? *schema : nullptr;
}

const Schema& Shapes() {
  static const std::shared_ptr<const Schema> schema = ShapesSchema();
  return *schema;
}

// Each error as "message @line:column,...".
std::vector<std::string> Errors(const std::string& source) {
  auto document = Parse(source, ParseLimits{});
  EXPECT_TRUE(document.ok()) << document.status();
  if (!document.ok()) return {"<syntax>"};
  std::vector<std::string> out;
  for (const Error& error : Validate(*document, Shapes())) {
    std::vector<std::string> where;
    for (const Location& at : error.locations)
      where.push_back(absl::StrCat(at.line, ":", at.column));
    out.push_back(absl::StrCat(error.message, " @", absl::StrJoin(where, ",")));
  }
  return out;
}

struct Case {
  const char* document;
  std::vector<std::string> errors;
};

void Check(const std::vector<Case>& cases) {
  for (const Case& c : cases) EXPECT_EQ(Errors(c.document), c.errors) << c.document;
}

TEST(GraphqlValidatorTest, ValidDocumentsPass) {
  for (const char* document : {
           "{ getShapes { fInt32 fString inner { name } } }",
           "query Q($n: Int) { getShapes(fInt32: $n) { fInt32 } }",
           "query Q($n: Int = 3) { getShapes(fInt32: $n) { ...F } } fragment F on Shapes { fBool }",
           "{ getShapes { a: fInt32 a: fInt32 ... on Shapes { fBool } } }",
           "{ __typename __schema { types { name } } __type(name: \"Shapes\") { name } }",
           "{ getShapes(fInt64: \"9223372036854775807\", fUint64: 18446744073709551615, "
           "fBytes: \"aGk\", fEnum: RED, rInt32: 1, child: {fInt32: 1}) { fInt32 } }",
           "query Q($s: Boolean!) { getShapes @include(if: $s) { fInt32 @skip(if: false) } }",
           "mutation { putTyped(fInt32: 1) { fInt32 } }",
       }) {
    EXPECT_EQ(Errors(document), std::vector<std::string>{}) << document;
  }
}

TEST(GraphqlValidatorTest, Operations) {
  Check({
      {"query A { __typename } query A { __typename }",
       {"There can be only one operation named \"A\". @1:7,1:30"}},
      {"{ __typename } query B { __typename }",
       {"This anonymous operation must be the only defined operation. @1:1"}},
      {"subscription { __typename }",
       {"Schema is not configured to execute subscription operation. @1:1"}},
  });
}

TEST(GraphqlValidatorTest, Fields) {
  Check({
      {"{ getShapes { nope } }", {"Cannot query field \"nope\" on type \"Shapes\". @1:15"}},
      {"{ getShapes { fint32 } }",
       {"Cannot query field \"fint32\" on type \"Shapes\". Did you mean \"fInt32\", \"fSint32\", "
        "\"fUint32\", \"mInt32\", or \"oInt32\"? @1:15"}},
      {"{ getShapes { inner { __schema { queryType { name } } } } }",
       {"Cannot query field \"__schema\" on type \"Inner\". @1:23"}},
      {"{ getShapes }",
       {"Field \"getShapes\" of type \"Shapes\" must have a selection of subfields. Did you mean "
        "\"getShapes { ... }\"? @1:3"}},
      {"{ getShapes { fInt32 { x } } }",
       {"Field \"fInt32\" must not have a selection since type \"Int!\" has no subfields. @1:24"}},
      {"{ getShapes { a: fInt32 a: fString } }",
       {"Fields \"a\" conflict because \"fInt32\" and \"fString\" are different fields. Use "
        "different aliases on the fields to fetch both if this was intentional. @1:15,1:25"}},
      {"{ getShapes(fInt32: 1) { fInt32 } getShapes(fInt32: 2) { fInt32 } }",
       {"Fields \"getShapes\" conflict because they have differing arguments. Use different "
        "aliases on the fields to fetch both if this was intentional. @1:3,1:35"}},
      {"{ getShapes { inner { x: name } inner { x: level } } }",
       {"Fields \"inner\" conflict because subfields \"x\" conflict because \"name\" and \"level\" "
        "are different fields. Use different aliases on the fields to fetch both if this was "
        "intentional. @1:15,1:23,1:33,1:41"}},
      {"{ getShapes { x: fInt32 ...F } } fragment F on Shapes { x: fBool }",
       {"Fields \"x\" conflict because \"fInt32\" and \"fBool\" are different fields. Use "
        "different aliases on the fields to fetch both if this was intentional. @1:15,1:57"}},
  });
}

TEST(GraphqlValidatorTest, Arguments) {
  Check({
      {"{ getShapes(nope: 1) { fInt32 } }",
       {"Unknown argument \"nope\" on field \"Query.getShapes\". @1:13"}},
      {"{ getShapes(fInt32: 1, fInt32: 2) { fInt32 } }",
       {"There can be only one argument named \"fInt32\". @1:13,1:24"}},
      {"{ __type { name } }",
       {"Field \"__type\" argument \"name\" of type \"String!\" is required, but it was not "
        "provided. @1:3"}},
      {"{ getShapes @skip { fInt32 } }",
       {"Directive \"@skip\" argument \"if\" of type \"Boolean!\" is required, but it was not "
        "provided. @1:13"}},
      {"{ getShapes @skip(if: true, unless: 1) { fInt32 } }",
       {"Unknown argument \"unless\" on directive \"@skip\". @1:29"}},
  });
}

TEST(GraphqlValidatorTest, Fragments) {
  Check({
      {"{ getShapes { ...F } } fragment F on Shapes { fInt32 } fragment F on Shapes { fBool }",
       {"There can be only one fragment named \"F\". @1:33,1:65"}},
      {"{ getShapes { ...G } }", {"Unknown fragment \"G\". @1:18"}},
      {"{ getShapes { fInt32 } } fragment F on Shapes { fInt32 }",
       {"Fragment \"F\" is never used. @1:26"}},
      {"{ getShapes { ...F } } fragment F on Inner { name }",
       {"Fragment \"F\" cannot be spread here as objects of type \"Shapes\" can never be of type "
        "\"Inner\". @1:15"}},
      {"{ getShapes { ... on Inner { name } } }",
       {"Fragment cannot be spread here as objects of type \"Shapes\" can never be of type "
        "\"Inner\". @1:15"}},
      {"{ getShapes { ... on Nope { name } } }", {"Unknown type \"Nope\". @1:22"}},
      {"{ getShapes { ...F } } fragment F on Int { name }",
       {"Fragment \"F\" cannot condition on non composite type \"Int\". @1:38"}},
      {"{ getShapes { ...F } } fragment F on Shapes { ...G } fragment G on Shapes { ...F }",
       {"Cannot spread fragment \"F\" within itself via \"G\". @1:47,1:77"}},
  });
}

TEST(GraphqlValidatorTest, Variables) {
  Check({
      {"query Q($a: Int, $a: Int) { getShapes(fInt32: $a) { fInt32 } }",
       {"There can be only one variable named \"$a\". @1:10,1:19"}},
      {"query Q($a: Shapes) { getShapes { fInt32 } }",
       {"Variable \"$a\" cannot be non-input type \"Shapes\". @1:13",
        "Variable \"$a\" is never used in operation \"Q\". @1:9"}},
      {"query Q { getShapes(fInt32: $x) { fInt32 } }",
       {"Variable \"$x\" is not defined by operation \"Q\". @1:29,1:1"}},
      {"query Q($x: Int) { getShapes { fInt32 } }",
       {"Variable \"$x\" is never used in operation \"Q\". @1:9"}},
      {"query Q($x: String) { getShapes(fInt32: $x) { fInt32 } }",
       {"Variable \"$x\" of type \"String\" used in position expecting type \"Int\". @1:9,1:41"}},
      {"query Q($x: Boolean) { getShapes @skip(if: $x) { fInt32 } }",
       {"Variable \"$x\" of type \"Boolean\" used in position expecting type \"Boolean!\". "
        "@1:9,1:44"}},
      {"query Q($x: Boolean = true) { getShapes @skip(if: $x) { fInt32 } }", {}},
  });
}

TEST(GraphqlValidatorTest, Values) {
  Check({
      {"{ getShapes(fInt32: 2147483648) { fInt32 } }",
       {"Int cannot represent non 32-bit signed integer value: 2147483648 @1:21"}},
      {"{ getShapes(fInt32: \"x\") { fInt32 } }",
       {"Int cannot represent non-integer value: \"x\" @1:21"}},
      {"{ getShapes(fUint32: -1) { fInt32 } }",
       {"UInt32 cannot represent non 32-bit unsigned integer value: -1 @1:22"}},
      {"{ getShapes(fBytes: \"a\") { fInt32 } }",
       {"Bytes cannot represent a non base64 value: \"a\" @1:21"}},
      {"{ getShapes(fEnum: BLUE) { fInt32 } }",
       {"Value \"BLUE\" does not exist in \"Color\" enum. @1:20"}},
      {"{ getShapes(fEnum: \"RED\") { fInt32 } }",
       {"Enum \"Color\" cannot represent non-enum value: \"RED\". Did you mean the enum value "
        "\"RED\" or \"GREEN\"? @1:20"}},
      {"{ getShapes(child: {nope: 1}) { fInt32 } }",
       {"Field \"nope\" is not defined by type \"ShapesInput\". @1:21"}},
      {"{ getShapes(child: {fInt32: 1, fInt32: 2}) { fInt32 } }",
       {"There can be only one input field named \"fInt32\". @1:21,1:32"}},
      {"{ getShapes(child: {oString: \"a\", oInt32: 1}) { fInt32 } }",
       {"Fields \"oString\" and \"oInt32\" of \"ShapesInput\" are members of the oneof \"pick\": "
        "set at most one. @1:20"}},
      {"{ getShapes(child: 3) { fInt32 } }",
       {"Expected value of type \"ShapesInput\", found 3. @1:20"}},
  });
}

TEST(GraphqlValidatorTest, Directives) {
  Check({
      {"{ getShapes @nope { fInt32 } }", {"Unknown directive \"@nope\". @1:13"}},
      {"query Q @skip(if: true) { __typename }",
       {"Directive \"@skip\" may not be used on QUERY. @1:9"}},
      {"{ getShapes @skip(if: true) @skip(if: false) { fInt32 } }",
       {"The directive \"@skip\" can only be used once at this location. @1:13,1:29"}},
  });
}

TEST(GraphqlValidatorTest, HostileMergingIsBounded) {
  std::string document = "{ getShapes { ";
  for (int i = 0; i < 2000; ++i) absl::StrAppend(&document, "fInt32 ");
  document += "} }";
  auto parsed = Parse(document, {.max_tokens = 100000});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  std::vector<Error> errors = Validate(*parsed, Shapes());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "Document is too complex to validate.");
}

// graphql-js on the same SDL and documents gives the same messages.
std::string GraphqlJsErrors(const std::string& sdl, const std::vector<std::string>& documents) {
  const std::string dir = ::testing::TempDir();
  std::ofstream(dir + "/validator_schema.graphql") << sdl;
  std::ofstream docs(dir + "/validator_documents.txt");
  for (const std::string& d : documents) docs << d << "\n";
  docs.close();
  std::ofstream(dir + "/validator_check.js")
      << "const {buildSchema, parse, validate} = require('graphql');\n"
         "const fs = require('fs');\n"
         "const schema = buildSchema(fs.readFileSync(process.argv[2], 'utf8'));\n"
         "for (const d of fs.readFileSync(process.argv[3], 'utf8').split('\\n')) {\n"
         "  if (d === '') continue;\n"
         "  for (const e of validate(schema, parse(d))) {\n"
         "    console.log(e.message + ' @' + e.locations.map(l => l.line + ':' + "
         "l.column).join(','));\n"
         "  }\n"
         "}\n";
  return test::RunNode(dir + "/validator_check.js " + dir + "/validator_schema.graphql " + dir +
                       "/validator_documents.txt");
}

TEST(GraphqlValidatorTest, MessagesMatchGraphqlJs) {
  if (!test::NodeGraphqlInstalled()) GTEST_SKIP() << "node-graphql is not installed";
  const std::vector<std::string> documents = {
      "{ getShapes { nope } }",
      "{ getShapes { fint32 } }",
      "{ getShapes }",
      "{ getShapes(fInt32: 2147483648, fString: 3, fBool: 1, fDouble: \"x\") { fInt32 } }",
      "{ getShapes(fEnum: \"RED\") { fInt32 } }",
      "{ getShapes(fEnum: BLUE) { fInt32 } }",
      "{ getShapes(child: {nope: 1, fInt32: 1, fInt32: 2}) { fInt32 } }",
      "query A($x: Int, $y: String) { getShapes(fInt32: $y, fString: $z) { a: fInt32 a: fBool } }",
      "query A { __typename } query A { __type { name } }",
      "{ getShapes { ...F ...G } } fragment F on Shapes { ...G } fragment G on Shapes { ...F }",
      "fragment H on Inner { name } { getShapes { ...H ... on Nope { x } } }",
      "{ getShapes(nope: 1, fInt32: 1, fInt32: 2) @skip(if: true, if: false) @nope { fInt32 } }",
      "query Q($b: Boolean) @include(if: $b) { getShapes { inner { x: name } inner { x: level } "
      "} }",
  };
  std::string mine;
  for (const std::string& d : documents) {
    for (const std::string& line : Errors(d)) absl::StrAppend(&mine, line, "\n");
  }
  EXPECT_EQ(mine, GraphqlJsErrors(Shapes().Sdl(), documents));
}

}  // namespace
}  // namespace protogate::graphql
