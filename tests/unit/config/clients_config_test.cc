#include "config/clients_config.h"

#include <string>

#include "absl/strings/match.h"
#include "config/gateway_config.h"
#include "gtest/gtest.h"

namespace protogate::config {
namespace {

constexpr char kSource[] = "gw.yaml";

// Four lines of a minimal config; the clients section starts at line 5.
std::string WithClients(const std::string& clients) {
  return "descriptors: d.pb\nupstreams:\n  - service: a.B\n    addresses: [h:1]\n" + clients;
}

ClientsConfig ParseOk(const std::string& clients) {
  auto config = ParseGatewayConfig(WithClients(clients), kSource);
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? config->clients : ClientsConfig{};
}

::testing::AssertionResult FailsWith(const std::string& clients, absl::string_view fragment) {
  auto config = ParseGatewayConfig(WithClients(clients), kSource);
  if (config.ok()) return ::testing::AssertionFailure() << "parsed";
  if (absl::StrContains(config.status().message(), fragment)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "\"" << config.status().message() << "\" lacks \"" << fragment << "\"";
}

TEST(ClientsConfigTest, NoSectionMeansNoProfiles) { EXPECT_TRUE(ParseOk("").profiles.empty()); }

TEST(ClientsConfigTest, ProfilesAreReadInFileOrder) {
  ClientsConfig clients = ParseOk(R"yaml(clients:
  - name: mobile
    match:
      client_ids: [app-ios, app-android]
      header: {name: X-Client, values: [ios, android]}
      hosts: [M.Example.com]
      path_prefix: /mobile
    widen_unverified: true
    routes: [demo.users.v1.*, demo.orders.v1.OrderService.GetOrder]
    views:
      demo.users.v1.UserService.GetUser: [user_id, "profile(display_name)"]
  - name: default
    routes: [demo.catalog.v1.*]
)yaml");
  ASSERT_EQ(clients.profiles.size(), 2u);
  const ClientProfileConfig& mobile = clients.profiles[0];
  EXPECT_EQ(mobile.name, "mobile");
  EXPECT_EQ(mobile.line, 6);
  EXPECT_EQ(mobile.client_ids, (std::vector<std::string>{"app-ios", "app-android"}));
  EXPECT_EQ(mobile.header, "x-client");
  EXPECT_EQ(mobile.header_values, (std::vector<std::string>{"ios", "android"}));
  EXPECT_EQ(mobile.hosts, std::vector<std::string>{"m.example.com"});
  EXPECT_EQ(mobile.path_prefix, "/mobile");
  EXPECT_TRUE(mobile.widen_unverified);
  EXPECT_FALSE(mobile.all_routes);
  EXPECT_EQ(mobile.routes.size(), 2u);
  EXPECT_EQ(mobile.route_lines, (std::vector<int>{13, 13}));
  ASSERT_EQ(mobile.views.size(), 1u);
  EXPECT_EQ(mobile.views[0].method, "demo.users.v1.UserService.GetUser");
  EXPECT_EQ(mobile.views[0].fields, (std::vector<std::string>{"user_id", "profile(display_name)"}));
  EXPECT_EQ(mobile.views[0].line, 15);
  const ClientProfileConfig& fallback = clients.profiles[1];
  EXPECT_EQ(fallback.name, kDefaultProfile);
  EXPECT_FALSE(fallback.RecognisedByRequest());
  EXPECT_FALSE(fallback.widen_unverified);
}

TEST(ClientsConfigTest, AProfileWithoutRoutesMayUseEveryRoute) {
  ClientsConfig clients = ParseOk("clients:\n  - name: partner\n    match: {client_ids: [p]}\n");
  ASSERT_EQ(clients.profiles.size(), 1u);
  EXPECT_TRUE(clients.profiles[0].all_routes);
  EXPECT_TRUE(clients.profiles[0].views.empty());
}

TEST(ClientsConfigTest, AViewMaySetTheRequestsViewEnum) {
  ClientsConfig clients = ParseOk(
      "clients:\n  - name: partner\n    match: {client_ids: [p]}\n    views:\n"
      "      demo.users.v1.UserService.GetUser: {view: BASIC}\n"
      "      demo.users.v1.UserService.ListUsers:\n        fields: [users.*.email]\n"
      "        view: USER_VIEW_BASIC\n");
  ASSERT_EQ(clients.profiles.size(), 1u);
  const std::vector<ClientViewConfig>& views = clients.profiles[0].views;
  ASSERT_EQ(views.size(), 2u);
  EXPECT_TRUE(views[0].fields.empty());
  EXPECT_EQ(views[0].view_enum, "BASIC");
  EXPECT_EQ(views[0].view_line, 9);
  EXPECT_EQ(views[1].fields, std::vector<std::string>{"users.*.email"});
  EXPECT_EQ(views[1].view_enum, "USER_VIEW_BASIC");
  EXPECT_EQ(views[1].view_line, 12);
}

TEST(ClientsConfigTest, AViewMayRenameMembers) {
  ClientsConfig clients = ParseOk(
      "clients:\n  - name: mobile\n    match: {client_ids: [m]}\n    views:\n"
      "      demo.users.v1.UserService.GetUser:\n        fields: [user_id, profile]\n"
      "        rename:\n          user_id: id\n          profile.display_name: name\n"
      "      demo.users.v1.UserService.ListUsers: {rename: {next_page_token: more}}\n");
  const std::vector<ClientViewConfig>& views = clients.profiles[0].views;
  ASSERT_EQ(views.size(), 2u);
  ASSERT_EQ(views[0].renames.size(), 2u);
  EXPECT_EQ(views[0].renames[0].path, "user_id");
  EXPECT_EQ(views[0].renames[0].name, "id");
  EXPECT_EQ(views[0].renames[1].path, "profile.display_name");
  EXPECT_EQ(views[0].renames[1].line, 13);
  EXPECT_TRUE(views[1].fields.empty());
  ASSERT_EQ(views[1].renames.size(), 1u);
  EXPECT_EQ(views[1].renames[0].name, "more");
  EXPECT_TRUE(
      FailsWith("clients:\n  - name: m\n    match: {client_ids: [a]}\n    views:\n"
                "      GetUser: {rename: {email: \"e-mail\"}}\n",
                "invalid member name \"e-mail\" for email"));
  EXPECT_TRUE(
      FailsWith("clients:\n  - name: m\n    match: {client_ids: [a]}\n    views:\n"
                "      GetUser: {rename: {}}\n",
                "rename: at least one field"));
}

TEST(ClientsConfigTest, AProfileMayTurnGraphqlIntrospectionOff) {
  ClientsConfig clients = ParseOk(
      "clients:\n  - name: partner\n    match: {client_ids: [p]}\n"
      "    graphql: {introspection: false}\n  - name: mobile\n    match: {client_ids: [m]}\n");
  EXPECT_EQ(clients.profiles[0].graphql_introspection, false);
  EXPECT_EQ(clients.profiles[1].graphql_introspection, std::nullopt);
  ClientsConfig trusted = ParseOk(
      "clients:\n  - name: app\n    match: {client_ids: [a]}\n"
      "    graphql: {trusted_documents: app.trusted.json}\n");
  EXPECT_EQ(trusted.profiles[0].graphql_trusted_documents, "app.trusted.json");
  EXPECT_TRUE(
      FailsWith("clients:\n  - name: m\n    match: {client_ids: [a]}\n"
                "    graphql: {introspect: false}\n",
                "unknown key \"introspect\""));
}

TEST(ClientsConfigTest, MistakesNameTheLine) {
  EXPECT_TRUE(FailsWith("clients:\n  - match: {client_ids: [a]}\n", "gw.yaml:6"));
  EXPECT_TRUE(FailsWith("clients:\n  - match: {client_ids: [a]}\n", "name"));
  EXPECT_TRUE(FailsWith("clients:\n  - name: mobile\n", "match"));
  EXPECT_TRUE(FailsWith("clients:\n  - name: mobile\n    match: {}\n", "match"));
  EXPECT_TRUE(FailsWith("clients:\n  - name: default\n    match: {client_ids: [a]}\n",
                        "the default profile serves the callers no other one recognises"));
  EXPECT_TRUE(FailsWith("clients:\n  - name: mobile app\n    match: {client_ids: [a]}\n",
                        "invalid profile name \"mobile app\""));
  EXPECT_TRUE(FailsWith("clients:\n  - name: m\n    match: {path_prefix: mobile}\n",
                        "invalid path prefix \"mobile\" (expected e.g. /mobile)"));
  EXPECT_TRUE(FailsWith("clients:\n  - name: m\n    match: {path_prefix: mobile}\n", "gw.yaml:7:"));
  EXPECT_TRUE(FailsWith("clients:\n  - name: m\n    match: {path_prefix: /mobile/}\n",
                        "invalid path prefix"));
  EXPECT_TRUE(
      FailsWith("clients:\n  - name: m\n    match: {path_prefix: /}\n", "invalid path prefix"));
  EXPECT_TRUE(
      FailsWith("clients:\n  - name: m\n    match: {header: {name: x-client}}\n", "values"));
  EXPECT_TRUE(FailsWith("clients:\n  - name: m\n    match: {client_ids: [a]}\n    colour: red\n",
                        "colour"));
  EXPECT_TRUE(FailsWith(
      "clients:\n  - name: m\n    match: {client_ids: [a]}\n    views:\n      GetUser: []\n",
      "a view needs at least one field"));
  EXPECT_TRUE(FailsWith(
      "clients:\n  - name: m\n    match: {client_ids: [a]}\n    views:\n      GetUser: {}\n",
      "gw.yaml:9:16: clients[0].views.GetUser.fields: missing required key"));
  EXPECT_TRUE(
      FailsWith("clients:\n  - name: m\n    match: {client_ids: [a]}\n    views:\n"
                "      GetUser: {view: \"a b\"}\n",
                "invalid view \"a b\""));
  EXPECT_TRUE(
      FailsWith("clients:\n  - name: m\n    match: {client_ids: [a]}\n    views:\n"
                "      GetUser: {veiw: BASIC}\n",
                "unknown key \"veiw\", did you mean \"view\"?"));
  EXPECT_TRUE(
      FailsWith("clients:\n  - name: m\n    match: {client_ids: [a]}\n    views:\n      a/b: [x]\n",
                "invalid method \"a/b\""));
  EXPECT_TRUE(FailsWith("clients:\n  - name: m\n    match: {client_ids: [a]}\n    routes: [\"\"]\n",
                        "empty route selectors"));
}

TEST(ClientsConfigTest, TwoProfilesMayNotClaimOneCaller) {
  EXPECT_TRUE(FailsWith(R"(clients:
  - name: a
    match: {client_ids: [x]}
  - name: a
    match: {client_ids: [y]}
)",
                        "gw.yaml:8:5: clients[1]: profile a is already defined at line 6"));
  EXPECT_TRUE(FailsWith(R"(clients:
  - name: a
    match: {client_ids: [x]}
  - name: b
    match: {client_ids: [x]}
)",
                        "client id x already recognises profile a"));
  EXPECT_TRUE(FailsWith(R"(clients:
  - name: a
    match: {hosts: [m.example.com]}
  - name: b
    match: {hosts: [M.EXAMPLE.COM]}
)",
                        "host m.example.com already recognises profile a"));
  EXPECT_TRUE(FailsWith(R"(clients:
  - name: a
    match: {header: {name: x-client, values: [ios]}}
  - name: b
    match: {header: {name: X-Client, values: [ios]}}
)",
                        "header x-client: ios already recognises profile a"));
  EXPECT_TRUE(FailsWith(R"(clients:
  - name: a
    match: {path_prefix: /m}
  - name: b
    match: {path_prefix: /m}
)",
                        "path prefix /m already recognises profile a"));
}

}  // namespace
}  // namespace protogate::config
