// End to end: the GraphQL endpoint over the real demo services — root
// fields as concurrent gRPC calls, mutations in order, variables,
// fragments, aliases, errors with paths and gRPC codes beside partial
// data, per-field auth, introspection, GraphQL over HTTP's statuses, and the
// demo config's joins and selection pushdown.

#include <atomic>
#include <fstream>
#include <string>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "auth/api_key.h"
#include "auth/token_cache.h"
#include "config/gateway_config.h"
#include "gtest/gtest.h"
#include "support/api_key_auth.h"
#include "support/gateway_under_test.h"
#include "support/node_graphql.h"
#include "support/temp_dir.h"

namespace protogate::test {
namespace {

void WithGraphql(config::GatewayConfig& config) { config.graphql.enabled = true; }

// The `graphql:` section of the shipped demo config (config/gateway.yaml):
// its joins, limits and pushdown, over the test's demo services.
void WithDemoGraphql(config::GatewayConfig& config) {
  const std::string path = std::string(PROTOGATE_SOURCE_DIR) + "/config/gateway.yaml";
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto shipped = config::ParseGatewayConfig(text, path);
  ASSERT_TRUE(shipped.ok()) << shipped.status();
  config.graphql = shipped->graphql;
}

HttpRequest Post(const nlohmann::json& body, TestHeaders headers = {}) {
  headers.push_back({"Content-Type", "application/json"});
  return {
      .method = "POST", .target = "/graphql", .headers = std::move(headers), .body = body.dump()};
}

HttpRequest Query(const std::string& query, nlohmann::json variables = nlohmann::json::object()) {
  return Post({{"query", query}, {"variables", std::move(variables)}});
}

TEST(GraphqlTest, RootFieldsAnswerInSelectionOrderWithAliasesAndFragments) {
  GatewayUnderTest gw(WithGraphql);
  HttpResponse response = gw.Call(Query(R"(
    query Q($id: String) {
      ada: getUser(userId: $id) { ...Who verified totalSpentCents profile { region } }
      listOrders(userId: "1") { orders { orderId userId } __typename }
      __typename
    }
    fragment Who on User { email userId })",
                                        {{"id", "1"}}));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.Header("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(response.body.find(R"({"data":{"ada":{"email":"ada@example.com","userId":"1",)"), 0u)
      << response.body;
  nlohmann::json body = GatewayUnderTest::Json(response);
  EXPECT_FALSE(body.contains("errors")) << body;
  EXPECT_EQ(body["data"]["ada"]["verified"], true);
  EXPECT_EQ(body["data"]["ada"]["totalSpentCents"], "123456");  // Int64 as a string
  EXPECT_EQ(body["data"]["ada"]["profile"]["region"], "eu");
  EXPECT_EQ(body["data"]["listOrders"]["__typename"], "ListOrdersResponse");
  EXPECT_EQ(body["data"]["__typename"], "Query");
  ASSERT_FALSE(body["data"]["listOrders"]["orders"].empty());
  for (const auto& order : body["data"]["listOrders"]["orders"]) EXPECT_EQ(order["userId"], "1");
}

TEST(GraphqlTest, QueryRootFieldsAreInFlightTogether) {
  GatewayUnderTest gw(WithGraphql);
  gw.backend().SetResponseDelay(DemoService::kUsers, absl::Milliseconds(1500));
  gw.backend().SetResponseDelay(DemoService::kOrders, absl::Milliseconds(1500));
  std::atomic<int> status{0};
  std::thread client([&] {
    status =
        gw.Call(
              Query(R"({ getUser(userId: "1") { email } listOrders(userId: "1") { totalSize } })"))
            .status;
  });
  bool overlapped = false;
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (!overlapped && absl::Now() < give_up && status == 0) {
    overlapped = gw.backend().stats(DemoService::kUsers).in_flight == 1 &&
                 gw.backend().stats(DemoService::kOrders).in_flight == 1;
    absl::SleepFor(absl::Milliseconds(5));
  }
  client.join();
  EXPECT_TRUE(overlapped) << "the two root fields were never in flight at the same time";
  EXPECT_EQ(status, 200);
}

TEST(GraphqlTest, MutationRootFieldsRunOneAfterAnother) {
  GatewayUnderTest gw(WithGraphql);
  gw.backend().SetResponseDelay(DemoService::kUsers, absl::Milliseconds(200));
  HttpResponse response = gw.Call(Query(R"(mutation {
    a: createUser(user: {email: "one@example.com"}) { email }
    b: createUser(user: {email: "two@example.com"}) { email }
  })"));
  ASSERT_EQ(response.status, 200) << response.body;
  nlohmann::json body = GatewayUnderTest::Json(response);
  EXPECT_EQ(body["data"]["a"]["email"], "one@example.com") << body;
  EXPECT_EQ(body["data"]["b"]["email"], "two@example.com");
  EXPECT_EQ(gw.backend().stats(DemoService::kUsers).max_in_flight, 1);
  EXPECT_EQ(gw.backend().stats(DemoService::kUsers).total_calls, 2);
}

TEST(GraphqlTest, AFailedCallIsAFieldErrorBesideTheOtherFields) {
  GatewayUnderTest gw(WithGraphql);
  HttpResponse response = gw.Call(Query(
      R"({ missing: getUser(userId: "999") { email } found: getUser(userId: "2") { email } })"));
  ASSERT_EQ(response.status, 200) << response.body;
  nlohmann::json body = GatewayUnderTest::Json(response);
  EXPECT_TRUE(body["data"]["missing"].is_null()) << body;
  EXPECT_EQ(body["data"]["found"]["email"], "hopper@example.com");
  ASSERT_EQ(body["errors"].size(), 1u);
  const nlohmann::json& error = body["errors"][0];
  EXPECT_EQ(error["path"], nlohmann::json::array({"missing"}));
  EXPECT_EQ(error["locations"][0]["line"], 1);
  EXPECT_EQ(error["extensions"]["code"], "NOT_FOUND");
  EXPECT_EQ(error["extensions"]["grpcStatus"], 5);
  EXPECT_TRUE(error["extensions"]["details"].is_array());
  EXPECT_NE(error["message"].get<std::string>().find("not found"), std::string::npos);
}

TEST(GraphqlTest, StatusesFollowGraphqlOverHttp) {
  GatewayUnderTest gw(WithGraphql);
  const TestHeaders graphql_accept = {{"Accept", "application/graphql-response+json"}};
  HttpResponse invalid = gw.Call(Post({{"query", "{ getUser { nope } }"}}, graphql_accept));
  EXPECT_EQ(invalid.status, 422) << invalid.body;
  EXPECT_EQ(invalid.Header("Content-Type"), "application/graphql-response+json; charset=utf-8");
  nlohmann::json body = GatewayUnderTest::Json(invalid);
  EXPECT_FALSE(body.contains("data"));
  EXPECT_EQ(body["errors"][0]["message"], "Cannot query field \"nope\" on type \"User\".");

  HttpResponse syntax = gw.Call(Post({{"query", "{ getUser( }"}}, graphql_accept));
  EXPECT_EQ(syntax.status, 400) << syntax.body;
  EXPECT_EQ(GatewayUnderTest::Json(syntax)["errors"][0]["locations"][0]["column"], 12);

  // Plain JSON: every well-formed GraphQL response is a 200.
  EXPECT_EQ(gw.Call(Post({{"query", "{ getUser { nope } }"}})).status, 200);
  EXPECT_EQ(gw.Call(Post({{"query", "{ getUser( }"}})).status, 200);

  EXPECT_EQ(gw.Call(Post({{"query", "{ __typename }"}}, {{"Accept", "text/html"}})).status, 406);
  EXPECT_EQ(gw.Call({.method = "POST",
                     .target = "/graphql",
                     .headers = {{"Content-Type", "text/plain"}},
                     .body = "{ __typename }"})
                .status,
            415);
  EXPECT_EQ(gw.Call(Post({{"variables", {}}})).status, 400);  // no query
  HttpResponse put = gw.Call({.method = "PUT", .target = "/graphql", .body = "{}"});
  EXPECT_EQ(put.status, 405);
  EXPECT_EQ(put.Header("Allow"), "GET, POST");
}

TEST(GraphqlTest, GetRunsQueriesButNeverMutations) {
  GatewayUnderTest gw(WithGraphql);
  HttpResponse query = gw.Call(
      {.target =
           "/graphql?query=query%28%24id%3AString%29%7BgetUser%28userId%3A%24id%29%7Bemail%7D%7D"
           "&variables=%7B%22id%22%3A%223%22%7D"});
  ASSERT_EQ(query.status, 200) << query.body;
  EXPECT_EQ(GatewayUnderTest::Json(query)["data"]["getUser"]["email"], "linus@example.com");
  HttpResponse mutation =
      gw.Call({.target = "/graphql?query=mutation%7BdeleteUser%28userId%3A%221%22%29%7D"});
  EXPECT_EQ(mutation.status, 405) << mutation.body;
  EXPECT_EQ(mutation.Header("Allow"), "POST");
  EXPECT_EQ(gw.backend().stats(DemoService::kUsers).total_calls, 1);
}

TEST(GraphqlTest, VariablesAreCoercedBeforeAnyCall) {
  GatewayUnderTest gw(WithGraphql);
  HttpResponse response =
      gw.Call(Post({{"query", "query($id: String!) { getUser(userId: $id) { email } }"}},
                   {{"Accept", "application/graphql-response+json"}}));
  EXPECT_EQ(response.status, 422) << response.body;
  EXPECT_EQ(GatewayUnderTest::Json(response)["errors"][0]["message"],
            "Variable \"$id\" of required type \"String!\" was not provided.");
  EXPECT_EQ(gw.backend().stats(DemoService::kUsers).total_calls, 0);
}

TEST(GraphqlTest, EachRootFieldHasItsMethodsPolicy) {
  const std::string key = *auth::NewApiKey("partner-acme");
  GatewayUnderTest gw([&](config::GatewayConfig& config) {
    WithGraphql(config);
    RequireApiKey(config, key, {"orders:read"});
    config::AuthPolicyConfig products;
    products.selector = "demo.catalog.v1.CatalogService.*";
    products.is_public = true;
    config::AuthPolicyConfig writes;
    writes.selector = "demo.users.v1.UserService.GetUserProfile";
    writes.scopes = {"users:admin"};
    config.auth.policies = {products, writes};
  });
  const std::string query =
      R"({ getProduct(productId: "p-1") { __typename } getUser(userId: "1") { email }
           getUserProfile(userId: "1") { email } })";
  nlohmann::json anonymous = GatewayUnderTest::Json(gw.Call(Query(query)));
  EXPECT_EQ(anonymous["data"]["getProduct"]["__typename"], "Product") << anonymous;
  EXPECT_TRUE(anonymous["data"]["getUser"].is_null());
  ASSERT_EQ(anonymous["errors"].size(), 2u) << anonymous;
  EXPECT_EQ(anonymous["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
  EXPECT_EQ(anonymous["errors"][0]["path"][0], "getUser");

  HttpRequest keyed = Query(query);
  keyed.headers.push_back({"X-Api-Key", key});
  nlohmann::json known = GatewayUnderTest::Json(gw.Call(keyed));
  EXPECT_EQ(known["data"]["getUser"]["email"], "ada@example.com") << known;
  ASSERT_EQ(known["errors"].size(), 1u) << known;
  EXPECT_EQ(known["errors"][0]["extensions"]["code"], "PERMISSION_DENIED");
  EXPECT_EQ(known["errors"][0]["path"][0], "getUserProfile");
}

TEST(GraphqlTest, IntrospectionDescribesTheSchema) {
  GatewayUnderTest gw(WithGraphql);
  HttpResponse response = gw.Call(Query(R"({
    __type(name: "User") { kind name fields { name type { kind name ofType { name } } } }
    __schema { queryType { name } mutationType { name } }
  })"));
  ASSERT_EQ(response.status, 200) << response.body;
  nlohmann::json body = GatewayUnderTest::Json(response);
  EXPECT_EQ(body["data"]["__type"]["kind"], "OBJECT") << body;
  EXPECT_EQ(body["data"]["__type"]["fields"][0]["name"], "userId");
  EXPECT_EQ(body["data"]["__type"]["fields"][0]["type"]["kind"], "NON_NULL");
  EXPECT_EQ(body["data"]["__type"]["fields"][0]["type"]["ofType"]["name"], "String");
  EXPECT_EQ(body["data"]["__schema"]["queryType"]["name"], "Query");
  EXPECT_EQ(body["data"]["__schema"]["mutationType"]["name"], "Mutation");

  GatewayUnderTest closed([](config::GatewayConfig& config) {
    config.graphql.enabled = true;
    config.graphql.introspection = false;
  });
  HttpResponse refused = closed.Call(Query("{ __schema { queryType { name } } }"));
  EXPECT_EQ(refused.status, 200);
  EXPECT_FALSE(GatewayUnderTest::Json(refused).contains("data"));
}

// graphql-js's own introspection query, answered by the gateway, builds a
// client schema that graphql-js finds valid; and it is the schema
// protogate-routes wrote to gen/schema.graphql for the demo config (both
// printed by graphql-js, types sorted).
TEST(GraphqlTest, GraphqlJsBuildsAValidSchemaFromTheIntrospection) {
  if (!NodeGraphqlInstalled()) GTEST_SKIP() << "node-graphql is not installed";
  const std::string dir = ProcessTempDir("graphql_introspection").string();
  const std::string script = dir + "/introspect.js";
  std::ofstream(script)
      << "const g = require('graphql');\n"
         "const fs = require('fs');\n"
         "if (process.argv[2] === 'query') {\n"
         "  console.log(JSON.stringify({query: g.getIntrospectionQuery({specifiedByUrl: true, "
         "directiveIsRepeatable: true})}));\n"
         "} else {\n"
         "  const result = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));\n"
         "  const schema = g.buildClientSchema(result.data);\n"
         "  const errors = g.validateSchema(schema);\n"
         "  if (errors.length > 0) { console.log(errors.join('; ')); process.exit(0); }\n"
         "  const print = (s) => g.printSchema(g.lexicographicSortSchema(s)).split('\\n');\n"
         "  const served = print(schema);\n"
         "  const written = print(g.buildSchema(fs.readFileSync(process.argv[4], 'utf8')));\n"
         "  for (let i = 0; i < Math.max(served.length, written.length); i++) {\n"
         "    if (served[i] !== written[i]) {\n"
         "      console.log('line ' + (i + 1) + ': served ' + served[i] + ' | written ' + "
         "written[i]);\n"
         "      process.exit(0);\n"
         "    }\n"
         "  }\n"
         "  console.log('valid ' + Object.keys(schema.getTypeMap()).length);\n"
         "}\n";
  const std::string query = RunNode(script + " query");
  GatewayUnderTest gw(WithDemoGraphql);  // join fields included
  HttpResponse response = gw.Call({.method = "POST",
                                   .target = "/graphql",
                                   .headers = {{"Content-Type", "application/json"}},
                                   .body = query});
  ASSERT_EQ(response.status, 200) << response.body;
  const std::string answer = dir + "/answer.json";
  std::ofstream(answer) << response.body;
  const std::string verdict = RunNode(script + " check " + answer + " " +
                                      std::string(PROTOGATE_SOURCE_DIR) + "/gen/schema.graphql");
  EXPECT_EQ(verdict.rfind("valid ", 0), 0u) << verdict;
}

// The demo config's joins: each order's user and each item's product,
// fetched by the gateway with one GetUser per distinct user and one
// BatchGetProducts for every item of the answer.
TEST(GraphqlTest, JoinsFillFieldsFromOtherServicesWithDedupeAndBatching) {
  GatewayUnderTest gw(WithDemoGraphql);
  HttpResponse response = gw.Call(Query(R"({ listOrders(userId: "1", pageSize: 3) {
      orders { orderId user { email } items { productId product { productId title } } } } })"));
  ASSERT_EQ(response.status, 200) << response.body;
  nlohmann::json body = GatewayUnderTest::Json(response);
  EXPECT_FALSE(body.contains("errors")) << body;
  const nlohmann::json& orders = body["data"]["listOrders"]["orders"];
  ASSERT_EQ(orders.size(), 3u) << body;
  int items = 0;
  for (const nlohmann::json& order : orders) {
    EXPECT_EQ(order["user"]["email"], "ada@example.com") << order;
    for (const nlohmann::json& item : order["items"]) {
      EXPECT_EQ(item["product"]["productId"], item["productId"]) << item;
      EXPECT_FALSE(item["product"]["title"].get<std::string>().empty());
      ++items;
    }
  }
  EXPECT_GT(items, 1);
  EXPECT_EQ(gw.backend().stats(DemoService::kUsers).total_calls, 1);    // user 1, once
  EXPECT_EQ(gw.backend().stats(DemoService::kCatalog).total_calls, 1);  // one batch
  EXPECT_EQ(gw.backend().stats(DemoService::kOrders).total_calls, 1);
}

TEST(GraphqlTest, JoinCallsOfSiblingParentsAreInFlightTogether) {
  GatewayUnderTest gw(WithDemoGraphql);
  gw.backend().SetResponseDelay(DemoService::kOrders, absl::Milliseconds(300));
  HttpResponse response =
      gw.Call(Query("{ listUsers { users { userId orders(first: 1) { orderId } } } }"));
  ASSERT_EQ(response.status, 200) << response.body;
  nlohmann::json body = GatewayUnderTest::Json(response);
  const nlohmann::json& users = body["data"]["listUsers"]["users"];
  ASSERT_GE(users.size(), 2u) << body;
  for (const nlohmann::json& user : users) {
    ASSERT_EQ(user["orders"].size(), 1u) << user;  // first: 1 reached ListOrders' page_size
  }
  const CallStats orders = gw.backend().stats(DemoService::kOrders);
  EXPECT_EQ(orders.total_calls, static_cast<int64_t>(users.size()));
  EXPECT_GT(orders.max_in_flight, 1);
}

// SearchProducts trims each product to its `fields` mask and echoes the
// request: the echo shows the mask the gateway sent.
TEST(GraphqlTest, TheSelectionIsPushedDownAsTheReadMask) {
  GatewayUnderTest gw(WithDemoGraphql);
  HttpResponse response = gw.Call(Query(R"({ searchProducts(q: "book") {
      products { title tags } query { q fields } } })"));
  ASSERT_EQ(response.status, 200) << response.body;
  nlohmann::json body = GatewayUnderTest::Json(response);
  EXPECT_FALSE(body.contains("errors")) << body;
  EXPECT_EQ(body["data"]["searchProducts"]["query"]["fields"], "title,tags") << body;
  EXPECT_FALSE(body["data"]["searchProducts"]["products"].empty());
}

// A join's selection reaches its call as the read mask too (GetUser's
// read_mask, recorded by the users service); two selections of one join
// read different fields, so each gets its own call and its own fields.
TEST(GraphqlTest, AJoinsSelectionIsPushedDownToItsCall) {
  GatewayUnderTest gw(WithDemoGraphql);
  HttpResponse response = gw.Call(Query(R"({ listOrders(userId: "1", pageSize: 2) {
      orders { user { email profile { region } } } } })"));
  ASSERT_EQ(response.status, 200) << response.body;
  nlohmann::json body = GatewayUnderTest::Json(response);
  EXPECT_FALSE(body.contains("errors")) << body;
  EXPECT_EQ(body["data"]["listOrders"]["orders"][0]["user"],
            nlohmann::json::parse(R"({"email":"ada@example.com","profile":{"region":"eu"}})"));
  const demo_services::ReceivedMask mask = gw.backend().server().users().controls().last_mask();
  EXPECT_EQ(mask.read_mask, "email,profile.region");
  EXPECT_EQ(gw.backend().stats(DemoService::kUsers).total_calls, 1);

  HttpResponse aliased = gw.Call(Query(R"({ listOrders(userId: "1", pageSize: 1) {
      orders { a: user { email } b: user { profile { displayName } } } } })"));
  ASSERT_EQ(aliased.status, 200) << aliased.body;
  const nlohmann::json order = GatewayUnderTest::Json(aliased)["data"]["listOrders"]["orders"][0];
  EXPECT_EQ(order["a"], nlohmann::json::parse(R"({"email":"ada@example.com"})")) << order;
  EXPECT_EQ(order["b"], nlohmann::json::parse(R"({"profile":{"displayName":"Ada Lovelace"}})"))
      << order;
  EXPECT_EQ(gw.backend().stats(DemoService::kUsers).total_calls, 3);
}

TEST(GraphqlTest, ASlowFieldIsADeadlineExceededErrorAndTheOthersAnswer) {
  GatewayUnderTest gw([](config::GatewayConfig& config) {
    config.graphql.enabled = true;
    for (config::UpstreamConfig& upstream : config.upstreams) {
      if (upstream.service == "demo.catalog.v1.CatalogService") {
        upstream.method_timeouts["Sleep"] = std::chrono::milliseconds(100);
      }
    }
  });
  HttpResponse response =
      gw.Call(Query(R"({ sleep(millis: 3000) { slept } getUser(userId: "1") { email } })"));
  ASSERT_EQ(response.status, 200) << response.body;
  nlohmann::json body = GatewayUnderTest::Json(response);
  EXPECT_TRUE(body["data"]["sleep"].is_null()) << body;
  EXPECT_EQ(body["data"]["getUser"]["email"], "ada@example.com");
  ASSERT_EQ(body["errors"].size(), 1u) << body;
  EXPECT_EQ(body["errors"][0]["path"], nlohmann::json::array({"sleep"}));
  EXPECT_EQ(body["errors"][0]["extensions"]["code"], "DEADLINE_EXCEEDED");
}

TEST(GraphqlTest, WithTrustedDocumentsOnlyThoseRun) {
  const std::string document = R"({ getProduct(productId: "p-1") { title } })";
  const std::string hash = absl::BytesToHexString(auth::DigestOf(document));
  const std::string manifest = ProcessTempDir("graphql_trusted").string() + "/trusted.json";
  std::ofstream(manifest) << nlohmann::json({{"sha256:" + hash, document}}).dump();
  GatewayUnderTest gw([&](config::GatewayConfig& config) {
    config.graphql.enabled = true;
    config.graphql.trusted_documents = manifest;
  });
  HttpResponse by_id = gw.Call(Post({{"documentId", "sha256:" + hash}}));
  ASSERT_EQ(by_id.status, 200) << by_id.body;
  EXPECT_EQ(GatewayUnderTest::Json(by_id)["data"]["getProduct"]["title"],
            "The C++ Programming Language");
  HttpResponse by_text = gw.Call(Query(document));
  EXPECT_EQ(by_text.status, 200) << by_text.body;
  HttpResponse other = gw.Call(Query(R"({ getProduct(productId: "p-2") { title } })"));
  EXPECT_EQ(other.status, 403) << other.body;
  EXPECT_TRUE(GatewayUnderTest::Json(other)["errors"][0]["message"].get<std::string>().find(
                  "trusted documents only") != std::string::npos)
      << other.body;
  HttpResponse unknown = gw.Call(Post({{"documentId", "sha256:" + std::string(64, '0')}}));
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_EQ(gw.backend().stats(DemoService::kCatalog).total_calls, 2);
}

// A client profile's own trusted documents: its callers run only those,
// everyone else any document.
TEST(GraphqlTest, AProfilesTrustedDocumentsBindOnlyItsCallers) {
  const std::string document = R"({ getProduct(productId: "p-1") { title } })";
  const std::string hash = absl::BytesToHexString(auth::DigestOf(document));
  const std::string manifest = ProcessTempDir("graphql_profile_trusted").string() + "/app.json";
  std::ofstream(manifest) << nlohmann::json({{hash, document}}).dump();
  GatewayUnderTest gw([&](config::GatewayConfig& config) {
    config.graphql.enabled = true;
    config::ClientProfileConfig app{.name = "app", .line = 1};
    app.header = "x-client";
    app.header_values = {"app"};
    app.graphql_trusted_documents = manifest;
    config.clients.profiles = {app};
  });
  auto as_app = [](HttpRequest request) {
    request.headers.push_back({"X-Client", "app"});
    return request;
  };
  HttpResponse by_id = gw.Call(as_app(Post({{"documentId", "sha256:" + hash}})));
  ASSERT_EQ(by_id.status, 200) << by_id.body;
  EXPECT_EQ(GatewayUnderTest::Json(by_id)["data"]["getProduct"]["title"],
            "The C++ Programming Language");
  const std::string other = R"({ getProduct(productId: "p-2") { title } })";
  HttpResponse refused = gw.Call(as_app(Query(other)));
  EXPECT_EQ(refused.status, 403) << refused.body;
  HttpResponse anyone = gw.Call(Query(other));
  EXPECT_EQ(anyone.status, 200) << anyone.body;
  EXPECT_EQ(GatewayUnderTest::Json(anyone)["data"]["getProduct"]["title"].is_string(), true);
}

TEST(GraphqlTest, AWrongTrustedDocumentsFileFailsTheLoad) {
  const std::string manifest = ProcessTempDir("graphql_trusted_bad").string() + "/trusted.json";
  std::ofstream(manifest) << R"({"sha256:)" << std::string(64, 'a') << R"(": "{ __typename }"})";
  config::GatewayConfig config = DemoGatewayConfig(DemoBackend());
  config.graphql.enabled = true;
  config.graphql.trusted_documents = manifest;
  auto server = gateway::GatewayServer::Create(config);
  ASSERT_FALSE(server.ok());
  EXPECT_TRUE(absl::StrContains(server.status().message(), "is not the SHA-256 of its document"))
      << server.status();
}

// The first error's message ("" when there is none).
std::string FirstError(const HttpResponse& response) {
  const nlohmann::json body = GatewayUnderTest::Json(response);
  if (!body.contains("errors") || body["errors"].empty()) return "";
  return body["errors"][0].value("message", "");
}

// A reload builds the schema again: a join added to the config is a field
// at once, and a hidden method is gone, without a restart.
TEST(GraphqlTest, AReloadChangesTheSchema) {
  GatewayUnderTest gw(WithGraphql);
  const std::string query = R"({ getOrder(orderId: "o-1") { user { email } } })";
  HttpResponse before = gw.Call(Query(query));
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_TRUE(
      absl::StartsWith(FirstError(before), "Cannot query field \"user\" on type \"Order\"."))
      << before.body;
  config::GatewayConfig changed = gw.config();
  WithDemoGraphql(changed);
  changed.graphql.methods["demo.users.v1.UserService.GetUser"].hidden = true;
  ASSERT_TRUE(gw.gateway().Reload(changed).ok());
  HttpResponse after = gw.Call(Query(query));
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(GatewayUnderTest::Json(after)["data"]["getOrder"]["user"]["email"], "ada@example.com")
      << after.body;
  HttpResponse hidden = gw.Call(Query(R"({ getUser(userId: "1") { email } })"));
  EXPECT_TRUE(
      absl::StartsWith(FirstError(hidden), "Cannot query field \"getUser\" on type \"Query\"."))
      << hidden.body;
}

TEST(GraphqlTest, TheEndpointIsOffUnlessConfigured) {
  GatewayUnderTest gw;
  EXPECT_EQ(gw.Call(Query("{ __typename }")).status, 404);
}

}  // namespace
}  // namespace protogate::test
