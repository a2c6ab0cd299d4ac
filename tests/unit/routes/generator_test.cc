// protogate-routes end to end in-process: goldens of the demo protos, the
// rule file, the default mapping, the injected descriptor set, --check.
//
// Goldens are the checked-in gen/ files. After an intended change, refresh
// them with `tools/gen`, or run this test with PROTOGATE_UPDATE_GOLDENS=1.

#include "routes/generator.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "google/api/annotations.pb.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "routes/cli.h"
#include "routes/route_map.h"
#include "routes/sdl_reader.h"
#include "transcode/type_registry.h"
#include "unit/routes/proto_tree.h"

namespace protogate::routes {
namespace {

using test::Joined;
using test::ProtoTree;
using test::ThingsProto;
using ::testing::HasSubstr;

const std::string kSource = PROTOGATE_SOURCE_DIR;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The flags of tools/gen, with absolute paths.
GenerateOptions DemoOptions() {
  GenerateOptions options;
  options.compile.include_paths = {kSource + "/proto"};
  options.compile.proto_dirs = {kSource + "/proto/demo"};
  options.config_path = kSource + "/config/gateway.yaml";
  options.descriptor_set_path = kSource + "/gen/demo_descriptor_set.pb";
  options.route_map_path = kSource + "/gen/route_map.json";
  options.openapi_path = kSource + "/gen/openapi.json";
  options.schema_path = kSource + "/gen/schema.graphql";
  options.openapi.title = "protogate demo API";
  options.client_openapi = {{"mobile", kSource + "/gen/openapi.mobile.json"},
                            {"partner", kSource + "/gen/openapi.partner.json"}};
  return options;
}

Generated GenerateOrFail(const GenerateOptions& options) {
  Diagnostics diagnostics;
  auto generated = Generate(options, diagnostics);
  EXPECT_TRUE(generated.ok()) << Joined(diagnostics);
  return generated.ok() ? *std::move(generated) : Generated{};
}

const GeneratedFile& FileEndingWith(const Generated& generated, const std::string& suffix) {
  for (const GeneratedFile& file : generated.files) {
    if (file.path.size() >= suffix.size() &&
        file.path.compare(file.path.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return file;
    }
  }
  static const GeneratedFile kNone;
  ADD_FAILURE() << "no output " << suffix;
  return kNone;
}

TEST(GoldenTest, DemoOutputsMatchTheCheckedInGenFolder) {
  Generated generated = GenerateOrFail(DemoOptions());
  if (std::getenv("PROTOGATE_UPDATE_GOLDENS") != nullptr) {
    ASSERT_TRUE(WriteGenerated(generated).ok());
  }
  ASSERT_EQ(generated.files.size(), 8u);  // with the mobile and partner schemas
  for (const GeneratedFile& file : generated.files) {
    EXPECT_TRUE(ReadFile(file.path) == file.contents)
        << file.path << " is stale: run tools/gen (or PROTOGATE_UPDATE_GOLDENS=1)";
  }
  EXPECT_TRUE(StaleFiles(generated).empty());
}

TEST(GoldenTest, OutputIsDeterministic) {
  Generated a = GenerateOrFail(DemoOptions());
  Generated b = GenerateOrFail(DemoOptions());
  ASSERT_EQ(a.files.size(), b.files.size());
  for (size_t i = 0; i < a.files.size(); ++i) EXPECT_EQ(a.files[i].contents, b.files[i].contents);
}

TEST(GoldenTest, DemoRouteMapNamesSourcesUpstreamsAndPolicies) {
  auto map = ParseRouteMap(FileEndingWith(GenerateOrFail(DemoOptions()), "route_map.json").contents,
                           "route_map.json");
  ASSERT_TRUE(map.ok());
  auto get_user = std::find_if(map->begin(), map->end(), [](const RouteMapEntry& e) {
    return e.Key() == "GET /v1/users/{user_id}";
  });
  ASSERT_NE(get_user, map->end());
  EXPECT_EQ(get_user->GrpcFullName(), "demo.users.v1.UserService.GetUser");
  EXPECT_EQ(get_user->source, "demo/users/v1/users.proto:15:5");
  EXPECT_EQ(get_user->upstream, std::vector<std::string>{"127.0.0.1:50051"});
  EXPECT_TRUE(std::is_sorted(map->begin(), map->end(), [](const auto& a, const auto& b) {
    return std::tie(a.path, a.http_method) < std::tie(b.path, b.http_method);
  }));
}

TEST(GoldenTest, DemoOpenApiMapsTypesAsTheGatewayTranscodes) {
  const nlohmann::json api =
      nlohmann::json::parse(FileEndingWith(GenerateOrFail(DemoOptions()), "openapi.json").contents);
  EXPECT_EQ(api["openapi"], "3.1.0");
  const auto& schemas = api["components"]["schemas"];
  const auto& user = schemas["demo.users.v1.User"]["properties"];
  EXPECT_EQ(user["createTime"]["format"], "date-time");
  EXPECT_EQ(user["totalSpentCents"]["type"], "string");
  EXPECT_EQ(user["totalSpentCents"]["format"], "int64");
  EXPECT_EQ(user["totalSpentCents"]["description"], "Lifetime spend in cents.");
  EXPECT_EQ(user["roles"]["items"]["$ref"], "#/components/schemas/demo.users.v1.Role");
  EXPECT_EQ(schemas["demo.users.v1.Role"]["enum"][2], "ROLE_ADMIN");
  EXPECT_EQ(schemas["protogate.Error"]["required"], nlohmann::json({"code", "message", "details"}));

  const auto& profile = api["paths"]["/v1/{name}/profile"]["get"];
  EXPECT_EQ(profile["summary"], "Returns only the profile part of a user, by resource name.");
  EXPECT_EQ(profile["parameters"][0]["schema"]["pattern"], "^users/[^/]+$");
  EXPECT_EQ(profile["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/demo.users.v1.Profile");
  EXPECT_EQ(profile["responses"]["default"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/protogate.Error");

  const auto& list = api["paths"]["/v1/users"]["get"]["parameters"];
  std::vector<std::string> names;
  for (const auto& p : list) names.push_back(p["name"]);
  EXPECT_THAT(names, ::testing::ElementsAre("pageSize", "pageToken", "roles", "createdAfter",
                                            "region", "readMask", "view", "fields", "X-Fields"));
  EXPECT_EQ(list[7]["in"], "query");
  EXPECT_EQ(list[8]["in"], "header");
  // An empty answer has nothing to select.
  for (const auto& p : api["paths"]["/v1/users/{user_id}"]["delete"]["parameters"]) {
    EXPECT_NE(p["name"], "fields");
    EXPECT_NE(p["name"], "X-Fields");
  }
  EXPECT_EQ(list[6]["schema"]["$ref"], "#/components/schemas/demo.users.v1.UserView");
  EXPECT_EQ(list[2]["schema"]["type"], "array");

  const auto& create = api["paths"]["/v1/users"]["post"];
  EXPECT_EQ(create["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/demo.users.v1.User");
  EXPECT_EQ(create["parameters"][0]["name"], "validateOnly");
  EXPECT_TRUE(api["paths"].contains("/v1/assets/{path}"));
}

TEST(RuleFileTest, RulesAndTheDefaultMappingAreInjectedIntoTheDescriptorSet) {
  ProtoTree tree;
  tree.Write("protos/a.proto",
             ThingsProto("  // Reads one thing.\n  rpc Get(Thing) returns (Thing);\n"
                         "  rpc Make(Thing) returns (Thing);\n"
                         "  rpc Ping(Thing) returns (Thing);\n"));
  GenerateOptions options = tree.Options();
  options.default_routes = true;
  options.rule_files = {tree.Write("rules.yaml",
                                   "type: google.api.Service\nconfig_version: 3\nhttp:\n  rules:\n"
                                   "    - selector: things.v1.Things.Get\n"
                                   "      get: /v1/things/{id}\n"
                                   "      additional_bindings:\n"
                                   "        - get: /v1/named/{name}\n"
                                   "    - selector: things.v1.Things.Make\n"
                                   "      post: /v1/things\n"
                                   "      body: \"*\"\n")};
  Generated generated = GenerateOrFail(options);
  ASSERT_EQ(generated.route_count, 4u);

  auto map = ParseRouteMap(FileEndingWith(generated, "route_map.json").contents, "map");
  ASSERT_TRUE(map.ok());
  std::vector<std::string> keys;
  for (const auto& e : *map)
    keys.push_back(e.Key() + " @" + e.source.substr(e.source.rfind('/') + 1));
  EXPECT_THAT(keys, ::testing::ElementsAre("POST /things.v1.Things/Ping @a.proto:13:3",
                                           "GET /v1/named/{name} @rules.yaml:5:7",
                                           "POST /v1/things @rules.yaml:9:7",
                                           "GET /v1/things/{id} @rules.yaml:5:7"));

  // What the gateway loads carries the rules: it needs no other input.
  auto registry =
      transcode::TypeRegistry::FromDescriptorSet(FileEndingWith(generated, ".pb").contents);
  ASSERT_TRUE(registry.ok());
  const auto* get = registry->get()->FindMethod("things.v1.Things.Get");
  ASSERT_NE(get, nullptr);
  const auto& rule = get->options().GetExtension(google::api::http);
  EXPECT_EQ(rule.get(), "/v1/things/{id}");
  ASSERT_EQ(rule.additional_bindings_size(), 1);
  EXPECT_EQ(rule.additional_bindings(0).get(), "/v1/named/{name}");
  const auto& ping = registry->get()
                         ->FindMethod("things.v1.Things.Ping")
                         ->options()
                         .GetExtension(google::api::http);
  EXPECT_EQ(ping.post(), "/things.v1.Things/Ping");
  EXPECT_EQ(ping.body(), "*");
}

TEST(RuleFileTest, WithoutDefaultRoutesUnruledMethodsHaveNoRoute) {
  ProtoTree tree;
  tree.Write("protos/a.proto", ThingsProto("  rpc Get(Thing) returns (Thing);\n"));
  EXPECT_EQ(GenerateOrFail(tree.Options()).route_count, 0u);
}

TEST(RuleFileTest, CustomPatternsAndTwoPatternsInOneRule) {
  auto rules = ParseRuleFile(
      "http:\n  rules:\n    - selector: a.B.C\n      custom: {kind: purge, path: /v1/x}\n",
      "r.yaml");
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ((*rules)[0].rule.custom().kind(), "purge");
  auto both =
      ParseRuleFile("http:\n  rules:\n    - {selector: a.B.C, get: /a, post: /b}\n", "r.yaml");
  ASSERT_FALSE(both.ok());
  EXPECT_THAT(both.status().message(), HasSubstr("r.yaml:3:"));
  EXPECT_THAT(both.status().message(), HasSubstr("move one to additional_bindings"));
  EXPECT_FALSE(ParseRuleFile("http: {rules: [{selector: a.B.C, get: /a", "r.yaml").ok());
}

TEST(CheckTest, StaleOutputsAreNamedWithARouteDiff) {
  ProtoTree tree;
  tree.Write("protos/a.proto",
             ThingsProto("  rpc Get(Thing) returns (Thing) { option (google.api.http) = { get: "
                         "\"/v1/things/{id}\" }; }\n"));
  std::vector<std::string> flags = {"-I",       tree.Path("protos"), "-I",    kSource + "/proto",
                                    "--protos", tree.Path("protos"), "--out", tree.Path("out")};
  std::ostringstream out, err;
  EXPECT_EQ(RunRoutesCli(flags, out, err), kExitOk) << err.str();
  flags.push_back("--check");
  EXPECT_EQ(RunRoutesCli(flags, out, err), kExitOk) << err.str();

  tree.Write("protos/a.proto",
             ThingsProto("  rpc Get(Thing) returns (Thing) { option (google.api.http) = { get: "
                         "\"/v2/things/{id}\" }; }\n"));
  std::ostringstream out2, err2;
  EXPECT_EQ(RunRoutesCli(flags, out2, err2), kExitProblems);
  EXPECT_THAT(err2.str(), HasSubstr("route_map.json: stale"));
  EXPECT_THAT(err2.str(), HasSubstr("path \"/v1/things/{id}\" -> \"/v2/things/{id}\""));
  EXPECT_THAT(err2.str(), HasSubstr("openapi.json: stale"));
  EXPECT_THAT(err2.str(), HasSubstr("descriptor_set.pb: stale"));
  EXPECT_THAT(err2.str(), HasSubstr("regenerate them (tools/gen)"));
}

// The demo config exposes GraphQL: gen/schema.graphql is the schema the
// gateway serves (the e2e tests compare it with the introspection).
TEST(GoldenTest, DemoSchemaHasTheRootFieldsJoinsAndScalars) {
  const std::string sdl = FileEndingWith(GenerateOrFail(DemoOptions()), "schema.graphql").contents;
  EXPECT_THAT(sdl, HasSubstr("type Query {\n"));
  EXPECT_THAT(sdl, HasSubstr("type Mutation {\n"));
  EXPECT_THAT(sdl, HasSubstr("  getUser(\n    userId: String\n"));
  EXPECT_THAT(sdl, HasSubstr("  totalSpentCents: Int64!\n"));
  EXPECT_THAT(sdl, HasSubstr("scalar Int64\n"));
  EXPECT_THAT(sdl, HasSubstr("scalar Timestamp @specifiedBy(url: "));
  // Join fields from graphql.joins, with their declared arguments.
  EXPECT_THAT(sdl, HasSubstr("  user: User\n"));
  EXPECT_THAT(sdl, HasSubstr("  orders(first: Int"));
  auto schema = ReadSdl(sdl, "schema.graphql");
  ASSERT_TRUE(schema.ok()) << schema.status();
  EXPECT_EQ(schema->roots.at("query"), "Query");
}

// A config for the Things service with `rest` after its upstream.
std::string ThingsConfig(const std::string& rest) {
  return "descriptors: out/descriptor_set.pb\n"
         "upstreams:\n  - service: things.v1.Things\n    addresses: [127.0.0.1:1]\n" +
         rest;
}

// A tiny service behind an upstream, and a config that exposes GraphQL.
void WriteGraphqlTree(const ProtoTree& tree, const std::string& field) {
  tree.Write("protos/a.proto",
             "syntax = \"proto3\";\npackage things.v1;\n"
             "import \"google/api/annotations.proto\";\n"
             "message Thing { string id = 1; " +
                 field +
                 " }\n"
                 "service Things {\n"
                 "  rpc Get(Thing) returns (Thing) { option (google.api.http) = { get: "
                 "\"/v1/things/{id}\" }; }\n}\n");
  tree.Write("gateway.yaml", ThingsConfig("graphql: {}\n"));
}

TEST(CheckTest, AStaleSchemaIsExplainedAsASchemaDiff) {
  ProtoTree tree;
  WriteGraphqlTree(tree, "string name = 2;");
  std::vector<std::string> flags = {
      "-I",       tree.Path("protos"),      "-I",    kSource + "/proto",
      "--protos", tree.Path("protos"),      "--out", tree.Path("out"),
      "--config", tree.Path("gateway.yaml")};
  std::ostringstream out, err;
  ASSERT_EQ(RunRoutesCli(flags, out, err), kExitOk) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("wrote " + tree.Path("out/schema.graphql")));
  EXPECT_THAT(ReadFile(tree.Path("out/schema.graphql")),
              HasSubstr("type Query {\n  get(id: String, name: String): Thing\n}\n"));

  WriteGraphqlTree(tree, "int64 size = 3;");
  flags.push_back("--check");
  std::ostringstream out2, err2;
  EXPECT_EQ(RunRoutesCli(flags, out2, err2), kExitProblems);
  EXPECT_THAT(err2.str(), HasSubstr("schema.graphql: stale"));
  EXPECT_THAT(err2.str(), HasSubstr("- Thing.name  BREAKING: removed"));
  EXPECT_THAT(err2.str(), HasSubstr("- Query.get(name:)  BREAKING: removed"));
  EXPECT_THAT(err2.str(), HasSubstr("+ Thing.size"));
}

TEST(CheckTest, WithoutGraphqlInTheConfigNoSchemaIsWritten) {
  ProtoTree tree;
  WriteGraphqlTree(tree, "");
  tree.Write("gateway.yaml", ThingsConfig(""));
  GenerateOptions options = tree.Options();
  options.config_path = tree.Path("gateway.yaml");
  Generated generated = GenerateOrFail(options);
  EXPECT_EQ(generated.files.size(), 3u);
}

TEST(CheckTest, AGraphqlConfigThatDoesNotFitTheProtosIsAProblem) {
  ProtoTree tree;
  WriteGraphqlTree(tree, "");
  tree.Write("gateway.yaml",
             ThingsConfig("graphql:\n  methods:\n    things.v1.Things.Nope: {hidden: true}\n"));
  GenerateOptions options = tree.Options();
  options.config_path = tree.Path("gateway.yaml");
  Diagnostics diagnostics;
  EXPECT_FALSE(Generate(options, diagnostics).ok());
  EXPECT_THAT(Joined(diagnostics), HasSubstr("gateway.yaml:7: graphql.methods: "
                                             "things.v1.Things.Nope is no unary method"));
  EXPECT_THAT(Joined(diagnostics), HasSubstr("hint: fix graphql: in the gateway config"));
}

// The demo's client profiles: the partner's OpenAPI has only its routes,
// the mobile app's has every route (it is recognised by a prefix or header,
// and the demo has no default profile to cap it) with its views inline.
TEST(ClientDocumentTest, DemoProfilesGetTheirRoutesAndViews) {
  Generated generated = GenerateOrFail(DemoOptions());
  const nlohmann::json partner =
      nlohmann::json::parse(FileEndingWith(generated, "/openapi.partner.json").contents);
  EXPECT_EQ(partner["info"]["title"], "protogate demo API (partner)");
  const nlohmann::json& paths = partner["paths"];
  EXPECT_TRUE(paths["/v1/users/{user_id}"].contains("get"));
  EXPECT_FALSE(paths["/v1/users/{user_id}"].contains("delete"));
  EXPECT_FALSE(paths.contains("/v1/users"));  // ListUsers and CreateUser are not the partner's
  EXPECT_TRUE(paths["/v1/orders/{order_id}"].contains("get"));
  EXPECT_FALSE(paths["/v1/orders/{order_id}"].contains("x-purge"));
  // No view: the shared component, whole.
  EXPECT_EQ(paths["/v1/users/{user_id}"]["get"]["responses"]["200"]["content"]["application/json"]
                 ["schema"]["$ref"],
            "#/components/schemas/demo.users.v1.User");

  const nlohmann::json mobile =
      nlohmann::json::parse(FileEndingWith(generated, "/openapi.mobile.json").contents);
  EXPECT_TRUE(mobile["paths"]["/v1/users/{user_id}"].contains("delete"));
  const nlohmann::json& user = mobile["paths"]["/v1/users/{user_id}"]["get"]["responses"]["200"]
                                     ["content"]["application/json"]["schema"];
  EXPECT_EQ(user["type"], "object");
  std::vector<std::string> fields;
  for (const auto& [name, schema] : user["properties"].items()) fields.push_back(name);
  std::sort(fields.begin(), fields.end());
  // The view's fields under the profile's renames (userId: id, profile.avatarUrl: avatar).
  EXPECT_EQ(fields, (std::vector<std::string>{"id", "profile"}));
  EXPECT_EQ(user["properties"]["profile"]["properties"].size(), 2u);
  EXPECT_TRUE(user["properties"]["profile"]["properties"].contains("avatar"));
  EXPECT_TRUE(user["properties"]["profile"]["properties"].contains("displayName"));
  const nlohmann::json& list = mobile["paths"]["/v1/users"]["get"]["responses"]["200"]["content"]
                                     ["application/json"]["schema"];
  EXPECT_EQ(list["properties"]["users"]["type"], "array");
  EXPECT_EQ(list["properties"]["users"]["items"]["properties"]["profile"]["properties"].size(), 1u);

  // The partner's GraphQL schema: only the root fields of its routes.
  const std::string& sdl = FileEndingWith(generated, "/schema.partner.graphql").contents;
  EXPECT_NE(sdl.find("  getOrder("), std::string::npos);
  EXPECT_EQ(sdl.find("  createOrder("), std::string::npos) << "not the partner's";
  EXPECT_EQ(sdl.find("  listUsers("), std::string::npos) << "not the partner's";
}

// A default profile caps a profile recognised by a header, not one
// recognised by client id; a view over a response_body field narrows it.
TEST(ClientDocumentTest, ForgeableProfilesStayWithinTheDefault) {
  ProtoTree tree;
  tree.Write("protos/a.proto",
             ThingsProto("  rpc Get(Thing) returns (Thing) { option (google.api.http) = { get: "
                         "\"/v1/things/{id}\" }; }\n"
                         "  rpc Inside(Thing) returns (Thing) { option (google.api.http) = { get: "
                         "\"/v1/things/{id}/inner\" response_body: \"inner\" }; }\n"));
  tree.Write("gateway.yaml", ThingsConfig("clients:\n"
                                          "  - name: app\n"
                                          "    match: {header: {name: x-app, values: [a]}}\n"
                                          "    views: {things.v1.Things.Get: [name]}\n"
                                          "  - name: ops\n"
                                          "    match: {client_ids: [ops]}\n"
                                          "    views: {things.v1.Things.Inside: [code]}\n"
                                          "  - name: default\n"
                                          "    routes: [things.v1.Things.Get]\n"));
  GenerateOptions options = tree.Options();
  options.config_path = tree.Path("gateway.yaml");
  options.client_openapi = {{"app", tree.Path("out/app.json")},
                            {"ops", tree.Path("out/ops.json")},
                            {"default", tree.Path("out/default.json")}};
  Generated generated = GenerateOrFail(options);
  ASSERT_EQ(generated.files.size(), 6u);
  const nlohmann::json app = nlohmann::json::parse(FileEndingWith(generated, "/app.json").contents);
  EXPECT_EQ(app["paths"].size(), 1u);
  EXPECT_EQ(app["paths"]["/v1/things/{id}"]["get"]["responses"]["200"]["content"]
               ["application/json"]["schema"]["properties"]
                   .size(),
            1u);
  const nlohmann::json ops = nlohmann::json::parse(FileEndingWith(generated, "/ops.json").contents);
  EXPECT_EQ(ops["paths"].size(), 2u);
  EXPECT_TRUE(ops["paths"]["/v1/things/{id}/inner"]["get"]["responses"]["200"]["content"]
                 ["application/json"]["schema"]["properties"]
                     .contains("code"));
  const nlohmann::json fallback =
      nlohmann::json::parse(FileEndingWith(generated, "/default.json").contents);
  EXPECT_EQ(fallback["paths"].size(), 1u);
}

TEST(ClientDocumentTest, AnUnknownProfileOrNoConfigIsAProblem) {
  GenerateOptions options = DemoOptions();
  options.client_openapi = {{"tablet", "unused.json"}};
  Diagnostics diagnostics;
  EXPECT_FALSE(Generate(options, diagnostics).ok());
  EXPECT_THAT(Joined(diagnostics),
              HasSubstr("--client=tablet: " + kSource +
                        "/config/gateway.yaml has no such client profile (profiles: default, "
                        "mobile, partner)"));

  options.config_path = "";
  Diagnostics without_config;
  EXPECT_FALSE(Generate(options, without_config).ok());
  EXPECT_THAT(Joined(without_config), HasSubstr("--client=tablet: client profiles need --config"));
}

TEST(CliTest, UsageErrorsExitTwoAndProblemsExitOne) {
  std::ostringstream out, err;
  EXPECT_EQ(RunRoutesCli({"--bogus"}, out, err), kExitUsage);
  EXPECT_EQ(RunRoutesCli({"-I", "proto"}, out, err), kExitUsage);  // no --protos
  EXPECT_THAT(err.str(), HasSubstr("--protos=DIR is required"));
  ProtoTree tree;
  tree.Write("protos/a.proto", "syntax = \"proto3\";\nmessage {\n");
  EXPECT_EQ(RunRoutesCli({"--protos", tree.Path("protos"), "-I", tree.Path("protos"), "--out",
                          tree.Path("out")},
                         out, err),
            kExitProblems);
  EXPECT_THAT(err.str(), HasSubstr("1 problem(s)"));
}

}  // namespace
}  // namespace protogate::routes
