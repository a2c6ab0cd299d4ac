// Every validation error of protogate-routes: the position, the message and
// a hint how to fix it.

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "routes/generator.h"
#include "unit/routes/proto_tree.h"

namespace protogate::routes {
namespace {

using test::Joined;
using test::ProtoTree;
using test::ThingsProto;
using ::testing::HasSubstr;

std::string Rpc(const std::string& name, const std::string& rule,
                const std::string& types = "(Thing) returns (Thing)") {
  return "  rpc " + name + types + " {\n    option (google.api.http) = { " + rule + " };\n  }\n";
}

// Runs the generator; expects failure and returns every problem as text.
std::string Problems(const ProtoTree& tree, GenerateOptions options) {
  Diagnostics diagnostics;
  auto generated = Generate(options, diagnostics);
  EXPECT_FALSE(generated.ok());
  for (const Diagnostic& d : diagnostics) EXPECT_FALSE(d.hint.empty()) << d.ToString();
  return Joined(diagnostics);
}

std::string Problems(const ProtoTree& tree) { return Problems(tree, tree.Options()); }

TEST(RouteValidationTest, VariableNamingNoFieldSaysWhereAndWhichFieldsExist) {
  ProtoTree tree;
  tree.Write("protos/a.proto", ThingsProto(Rpc("Get", "get: \"/v1/things/{nope}\"")));
  std::string problems = Problems(tree);
  EXPECT_THAT(problems,
              HasSubstr("a.proto:11:5: error: GET /v1/things/{nope} (things.v1.Things.Get)"));
  EXPECT_THAT(problems, HasSubstr("things.v1.Thing has no field \"nope\""));
  EXPECT_THAT(problems, HasSubstr("hint: name one of its fields: id, name, tags"));
}

TEST(RouteValidationTest, VariableNamingRepeatedFieldIsRefused) {
  ProtoTree tree;
  tree.Write("protos/a.proto", ThingsProto(Rpc("Get", "get: \"/v1/things/{tags}\"")));
  EXPECT_THAT(Problems(tree), HasSubstr("variable {tags}: \"tags\" is repeated"));
}

TEST(RouteValidationTest, VariableNamingMapFieldIsRefused) {
  ProtoTree tree;
  tree.Write("protos/a.proto", ThingsProto(Rpc("Get", "get: \"/v1/things/{labels}\"")));
  EXPECT_THAT(Problems(tree), HasSubstr("\"labels\" is a map"));
}

TEST(RouteValidationTest, VariableNamingMessageFieldSuggestsAScalarInside) {
  ProtoTree tree;
  tree.Write("protos/a.proto", ThingsProto(Rpc("Get", "get: \"/v1/things/{inner}\"")));
  std::string problems = Problems(tree);
  EXPECT_THAT(problems, HasSubstr("\"inner\" is a message (things.v1.Inner)"));
  EXPECT_THAT(problems, HasSubstr("e.g. {inner.code}"));
}

TEST(RouteValidationTest, VariableThroughAScalarIsRefused) {
  ProtoTree tree;
  tree.Write("protos/a.proto", ThingsProto(Rpc("Get", "get: \"/v1/things/{id.x}\"")));
  EXPECT_THAT(Problems(tree), HasSubstr("\"id\" is not a message"));
}

TEST(RouteValidationTest, ScalarLikeWellKnownTypesAndNestedFieldsMayBeBound) {
  ProtoTree tree;
  tree.Write("protos/a.proto", ThingsProto(Rpc("Get", "get: \"/v1/things/{at}/{inner.code}\"")));
  Diagnostics diagnostics;
  EXPECT_TRUE(Generate(tree.Options(), diagnostics).ok()) << Joined(diagnostics);
}

TEST(RouteValidationTest, FieldBoundTwiceIsRefused) {
  ProtoTree tree;
  tree.Write("protos/a.proto", ThingsProto(Rpc("Get", "get: \"/v1/{id}/things/{id}\"")));
  std::string problems = Problems(tree);
  EXPECT_THAT(problems, HasSubstr("field path 'id' is bound twice"));
  EXPECT_THAT(problems, HasSubstr("bind each field once"));
}

TEST(RouteValidationTest, BodyNamingNoFieldIsRefused) {
  ProtoTree tree;
  tree.Write("protos/a.proto", ThingsProto(Rpc("Make", "post: \"/v1/things\" body: \"thing\"")));
  std::string problems = Problems(tree);
  EXPECT_THAT(problems, HasSubstr("body \"thing\": things.v1.Thing has no such field"));
  EXPECT_THAT(problems, HasSubstr("or \"*\" for the whole message"));
}

TEST(RouteValidationTest, ResponseBodyNamingNoFieldIsRefused) {
  ProtoTree tree;
  tree.Write("protos/a.proto",
             ThingsProto(Rpc("Get", "get: \"/v1/things/{id}\" response_body: \"nothing\"")));
  EXPECT_THAT(Problems(tree),
              HasSubstr("response_body \"nothing\": things.v1.Thing has no such field"));
}

TEST(RouteValidationTest, BadTemplateIsRefused) {
  ProtoTree tree;
  tree.Write("protos/a.proto", ThingsProto(Rpc("Get", "get: \"v1/things\"")));
  std::string problems = Problems(tree);
  EXPECT_THAT(problems, HasSubstr("bad path template"));
  EXPECT_THAT(problems, HasSubstr("a.proto:11:5"));
}

TEST(RouteValidationTest, ConflictingRoutesAcrossFilesNameBoth) {
  ProtoTree tree;
  tree.Write("protos/a.proto", ThingsProto(Rpc("Get", "get: \"/v1/things/{id}\"")));
  tree.Write(
      "protos/b.proto",
      "syntax = \"proto3\";\npackage other.v1;\nimport \"google/api/annotations.proto\";\n"
      "message M { string name = 1; }\nservice Other {\n"
      "  rpc Find(M) returns (M) { option (google.api.http) = { get: \"/v1/things/{name}\" }; }\n"
      "}\n");
  std::string problems = Problems(tree);
  EXPECT_THAT(problems, HasSubstr("things.v1.Things.Get"));
  EXPECT_THAT(problems, HasSubstr("other.v1.Other.Find"));
  EXPECT_THAT(problems, HasSubstr("a.proto:11:5"));
  EXPECT_THAT(problems, HasSubstr("b.proto:6:"));
  EXPECT_THAT(problems, HasSubstr("change the path or the HTTP method"));
}

// The route map and the OpenAPI generated for `tree`'s one streaming rule.
struct Generated {
  std::string route_map;
  std::string openapi;
};
Generated GenerateOne(const ProtoTree& tree) {
  Diagnostics diagnostics;
  auto generated = Generate(tree.Options(), diagnostics);
  EXPECT_TRUE(generated.ok()) << Joined(diagnostics);
  Generated out;
  if (!generated.ok()) return out;
  for (const GeneratedFile& file : generated->files) {
    if (absl::EndsWith(file.path, "route_map.json")) out.route_map = file.contents;
    if (absl::EndsWith(file.path, "openapi.json")) out.openapi = file.contents;
  }
  return out;
}

// Each kind of streaming method is routed, and the route map and the
// OpenAPI say which kind.
TEST(RouteValidationTest, StreamingMethodsAreRoutedAndMarked) {
  struct Case {
    std::string rpc;
    std::string rule;
    std::string signature;
    std::string kind;
    std::string media;  // what the OpenAPI operation must name
  };
  const Case cases[] = {
      {"Watch", "get: \"/v1/things:watch\"", "(Thing) returns (stream Thing)", "server",
       "application/x-ndjson"},
      {"Upload", "post: \"/v1/things:upload\" body: \"*\"", "(stream Thing) returns (Thing)",
       "client", "application/x-ndjson"},
      {"Chat", "get: \"/v1/things:chat\"", "(stream Thing) returns (stream Thing)", "bidi",
       "x-protogate-websocket"},
  };
  for (const Case& c : cases) {
    ProtoTree tree;
    tree.Write("protos/a.proto", ThingsProto(Rpc(c.rpc, c.rule, c.signature)));
    const Generated generated = GenerateOne(tree);
    EXPECT_THAT(generated.route_map, HasSubstr(absl::StrCat(R"("stream": ")", c.kind, "\"")))
        << c.rpc;
    EXPECT_THAT(generated.openapi,
                HasSubstr(absl::StrCat(R"("x-protogate-stream": ")", c.kind, "\"")))
        << c.rpc;
    EXPECT_THAT(generated.openapi, HasSubstr(c.media)) << c.rpc;
  }
}

TEST(RouteValidationTest, RuleSelectorNamingNoMethodSuggestsOne) {
  ProtoTree tree;
  tree.Write("protos/a.proto", ThingsProto("  rpc Get(Thing) returns (Thing);\n"));
  GenerateOptions options = tree.Options();
  options.rule_files = {tree.Write("rules.yaml",
                                   "http:\n  rules:\n    - selector: things.v1.Thing.Get\n"
                                   "      get: /v1/things/{id}\n")};
  std::string problems = Problems(tree, options);
  EXPECT_THAT(problems,
              HasSubstr("rules.yaml:3:7: error: selector things.v1.Thing.Get names no method"));
  EXPECT_THAT(problems, HasSubstr("did you mean things.v1.Things.Get?"));
}

TEST(RouteValidationTest, RuleForAnAnnotatedMethodIsRefused) {
  ProtoTree tree;
  tree.Write("protos/a.proto", ThingsProto(Rpc("Get", "get: \"/v1/things/{id}\"")));
  GenerateOptions options = tree.Options();
  options.rule_files = {tree.Write("rules.yaml",
                                   "http:\n  rules:\n    - selector: things.v1.Things.Get\n"
                                   "      get: /v2/things/{id}\n")};
  std::string problems = Problems(tree, options);
  EXPECT_THAT(problems, HasSubstr("already has a google.api.http annotation at a.proto:11:5"));
}

TEST(RouteValidationTest, RuleFileErrorsCarryLineAndColumn) {
  ProtoTree tree;
  tree.Write("protos/a.proto", ThingsProto("  rpc Get(Thing) returns (Thing);\n"));
  GenerateOptions options = tree.Options();
  options.rule_files = {tree.Write("rules.yaml",
                                   "http:\n  rules:\n    - selector: things.v1.Things.Get\n"
                                   "      gett: /v1/things/{id}\n")};
  EXPECT_THAT(Problems(tree, options), HasSubstr("rules.yaml:4:7"));
}

TEST(RouteValidationTest, RoutedServiceWithoutUpstreamIsRefusedWithConfig) {
  ProtoTree tree;
  tree.Write("protos/a.proto", ThingsProto(Rpc("Get", "get: \"/v1/things/{id}\"")));
  GenerateOptions options = tree.Options();
  options.config_path = tree.Write("gateway.yaml",
                                   "descriptors: out/descriptor_set.pb\nupstreams:\n"
                                   "  - {service: other.v1.Other, addresses: [127.0.0.1:1]}\n");
  std::string problems = Problems(tree, options);
  EXPECT_THAT(problems, HasSubstr("service things.v1.Things has routes but no upstream"));
  EXPECT_THAT(problems, HasSubstr("add under `upstreams:`"));
}

TEST(RouteValidationTest, CompileErrorsCarryTheDiskPathLineAndColumn) {
  ProtoTree tree;
  const std::string path = tree.Write("protos/a.proto", "syntax = \"proto3\";\nmessage {\n");
  std::string problems = Problems(tree);
  EXPECT_THAT(problems, HasSubstr(path + ":2:9"));
}

TEST(RouteValidationTest, MissingImportHintsAtIncludePaths) {
  ProtoTree tree;
  tree.Write("protos/a.proto", "syntax = \"proto3\";\nimport \"nowhere/x.proto\";\n");
  EXPECT_THAT(Problems(tree), HasSubstr("add the folder that holds it with -I"));
}

TEST(RouteValidationTest, EveryProblemIsReportedNotOnlyTheFirst) {
  ProtoTree tree;
  tree.Write("protos/a.proto", ThingsProto(Rpc("Get", "get: \"/v1/things/{nope}\"") +
                                           Rpc("Make", "post: \"/v1/things\" body: \"x\"")));
  Diagnostics diagnostics;
  EXPECT_FALSE(Generate(tree.Options(), diagnostics).ok());
  EXPECT_EQ(diagnostics.size(), 2u) << Joined(diagnostics);
}

}  // namespace
}  // namespace protogate::routes
