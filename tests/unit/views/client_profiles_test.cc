#include "views/client_profiles.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "support/demo_registry.h"
#include "unit/aggregate/plan_fixtures.h"

namespace protogate::views {
namespace {

using config::ClientProfileConfig;
using config::ClientsConfig;
using test::DemoRegistry;

enum Route { kGetUser, kListUsers, kGetOrder, kDashboard, kRouteCount };

// The README's dashboard: user, orders, a product per order.
const aggregate::CompositePlan& Dashboard() {
  static const auto* const kPlan = [] {
    auto plan = aggregate::CompositePlan::Build(
        aggregate::SpecFromJson("/v1/dashboard/{user_id}", aggregate::kDashboardCalls),
        aggregate::DemoEnvironment());
    EXPECT_TRUE(plan.ok()) << plan.status();
    return new std::shared_ptr<const aggregate::CompositePlan>(*plan);
  }();
  return **kPlan;
}

std::vector<RouteFacts> Routes() {
  auto type = [](const char* name) { return DemoRegistry()->FindMessage(name); };
  return {
      {"demo.users.v1.UserService.GetUser", type("demo.users.v1.User"),
       type("demo.users.v1.GetUserRequest")},
      {"demo.users.v1.UserService.ListUsers", type("demo.users.v1.ListUsersResponse"),
       type("demo.users.v1.ListUsersRequest")},
      {"demo.orders.v1.OrderService.GetOrder", type("demo.orders.v1.Order"),
       type("demo.orders.v1.GetOrderRequest")},
      {.selector = "user_dashboard", .composite = true, .plan = &Dashboard()},
  };
}

ClientProfileConfig Profile(std::string name, std::vector<std::string> routes = {}) {
  ClientProfileConfig profile{.name = std::move(name), .line = 3};
  profile.all_routes = routes.empty();
  profile.route_lines.assign(routes.size(), 4);
  profile.routes = std::move(routes);
  return profile;
}

std::shared_ptr<const ClientProfiles> BuildOk(std::vector<ClientProfileConfig> profiles) {
  auto built = ClientProfiles::Build(ClientsConfig{std::move(profiles)}, "gw.yaml", Routes());
  EXPECT_TRUE(built.ok()) << built.status();
  return built.ok() ? *built : std::make_shared<ClientProfiles>();
}

std::string BuildError(std::vector<ClientProfileConfig> profiles) {
  auto built = ClientProfiles::Build(ClientsConfig{std::move(profiles)}, "gw.yaml", Routes());
  EXPECT_FALSE(built.ok());
  return built.ok() ? "" : std::string(built.status().message());
}

// The first of a request's recognition, with headers from `headers`.
ClientProfiles::Recognition Recognise(const ClientProfiles& profiles,
                                      const std::map<std::string, std::string>& headers,
                                      absl::string_view host, absl::string_view path) {
  return profiles.RecogniseRequest(
      [&headers](absl::string_view name) -> absl::string_view {
        auto it = headers.find(std::string(name));
        return it == headers.end() ? absl::string_view() : absl::string_view(it->second);
      },
      host, path);
}

TEST(ClientProfilesTest, NoProfilesAllowEverything) {
  ClientProfiles none;
  EXPECT_TRUE(none.empty());
  EXPECT_TRUE(none.Allows(kUnrecognised, false, kGetUser));
  EXPECT_EQ(none.View(kUnrecognised, kGetUser), nullptr);
  EXPECT_EQ(none.Name(kUnrecognised), "default");
}

TEST(ClientProfilesTest, HeaderBeatsHostBeatsPrefix) {
  ClientProfileConfig by_header = Profile("ios");
  by_header.header = "x-client";
  by_header.header_values = {"ios"};
  ClientProfileConfig by_host = Profile("partner");
  by_host.hosts = {"partner.example.com"};
  ClientProfileConfig by_prefix = Profile("mobile");
  by_prefix.path_prefix = "/mobile";
  auto profiles = BuildOk({by_prefix, by_host, by_header});

  auto seen =
      Recognise(*profiles, {{"x-client", "ios"}}, "partner.example.com:8443", "/mobile/v1/users/1");
  EXPECT_EQ(profiles->Name(seen.profile), "ios");
  EXPECT_EQ(seen.prefix_length, 7u) << "the prefix comes off whichever profile wins";

  seen = Recognise(*profiles, {{"x-client", "android"}}, "Partner.Example.COM", "/mobile");
  EXPECT_EQ(profiles->Name(seen.profile), "partner");
  EXPECT_EQ(seen.prefix_length, 7u);

  seen = Recognise(*profiles, {}, "localhost:8080", "/mobile/v1/users/1");
  EXPECT_EQ(profiles->Name(seen.profile), "mobile");

  // "/mobilex" is not under "/mobile".
  seen = Recognise(*profiles, {}, "localhost", "/mobilex/v1");
  EXPECT_EQ(seen.profile, kUnrecognised);
  EXPECT_EQ(seen.prefix_length, 0u);
  EXPECT_EQ(profiles->Name(seen.profile), "default");
}

TEST(ClientProfilesTest, ClientIdsNameProfiles) {
  ClientProfileConfig partner = Profile("partner");
  partner.client_ids = {"acme", "globex"};
  auto profiles = BuildOk({partner});
  EXPECT_EQ(profiles->Name(profiles->RecogniseClientId("globex")), "partner");
  EXPECT_EQ(profiles->RecogniseClientId("initech"), kUnrecognised);
  EXPECT_EQ(profiles->RecogniseClientId(""), kUnrecognised);
}

TEST(ClientProfilesTest, RouteSetsAndTheUnverifiedCeiling) {
  ClientProfileConfig mobile = Profile("mobile", {"demo.users.v1.*", "user_dashboard"});
  mobile.path_prefix = "/mobile";
  mobile.client_ids = {"app"};
  ClientProfileConfig fallback = Profile("default", {"demo.users.v1.UserService.GetUser"});
  auto profiles = BuildOk({mobile, fallback});
  const int m = 0;

  // Unrecognised callers get the default profile's routes.
  EXPECT_TRUE(profiles->Allows(kUnrecognised, false, kGetUser));
  EXPECT_FALSE(profiles->Allows(kUnrecognised, false, kListUsers));
  // Recognised by its identity: the profile's own routes.
  EXPECT_TRUE(profiles->Allows(m, true, kListUsers));
  EXPECT_TRUE(profiles->Allows(m, true, kDashboard));
  EXPECT_FALSE(profiles->Allows(m, true, kGetOrder));
  // Recognised by a forgeable prefix: no more than the default profile.
  EXPECT_TRUE(profiles->Allows(m, false, kGetUser));
  EXPECT_FALSE(profiles->Allows(m, false, kListUsers));
  // Before authentication, a route some identity may use stays visible...
  EXPECT_TRUE(profiles->MayAllowAfterAuthentication(kUnrecognised, kListUsers));
  // ...and one nobody may use is hidden at once.
  EXPECT_FALSE(profiles->MayAllowAfterAuthentication(kUnrecognised, kGetOrder));

  mobile.widen_unverified = true;
  auto widened = BuildOk({mobile, fallback});
  EXPECT_TRUE(widened->Allows(m, false, kListUsers));
  EXPECT_FALSE(widened->Allows(m, false, kGetOrder));
}

TEST(ClientProfilesTest, WithoutADefaultProfileUnrecognisedCallersSeeEverything) {
  ClientProfileConfig partner = Profile("partner", {"demo.orders.v1.*"});
  partner.client_ids = {"acme"};
  auto profiles = BuildOk({partner});
  EXPECT_TRUE(profiles->Allows(kUnrecognised, false, kGetUser));
  EXPECT_TRUE(profiles->Allows(0, true, kGetOrder));
  EXPECT_FALSE(profiles->Allows(0, true, kGetUser));
}

TEST(ClientProfilesTest, ViewsAreSelectionsOverTheAnswer) {
  ClientProfileConfig mobile = Profile("mobile");
  mobile.path_prefix = "/m";
  mobile.views = {{.method = "demo.users.v1.UserService.GetUser",
                   .fields = {"userId", "profile(displayName)"},
                   .line = 7}};
  ClientProfileConfig fallback = Profile("default");
  fallback.views = {
      {.method = "demo.users.v1.UserService.ListUsers", .fields = {"users.*.email"}, .line = 9}};
  auto profiles = BuildOk({mobile, fallback});
  auto view = profiles->View(0, kGetUser);
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(transcode::ProtoPaths(*view),
            (std::vector<std::string>{"user_id", "profile.display_name"}));
  EXPECT_EQ(profiles->View(0, kListUsers), nullptr) << "a profile's own views only";
  ASSERT_NE(profiles->View(kUnrecognised, kListUsers), nullptr);
  EXPECT_EQ(transcode::ProtoPaths(*profiles->View(kUnrecognised, kListUsers)),
            std::vector<std::string>{"users.email"});
}

// AIP-157: a profile's view enum, by its value's name or its last part; a
// view may set it alone (the whole answer, the service's smaller view).
TEST(ClientProfilesTest, ViewEnumsAreResolvedAgainstTheRequest) {
  ClientProfileConfig partner = Profile("partner");
  partner.client_ids = {"p"};
  partner.views = {{.method = "demo.users.v1.UserService.GetUser", .line = 7, .view_enum = "BASIC"},
                   {.method = "demo.users.v1.UserService.ListUsers",
                    .fields = {"users.*.email"},
                    .line = 8,
                    .view_enum = "USER_VIEW_FULL"}};
  auto profiles = BuildOk({partner});
  EXPECT_EQ(profiles->View(0, kGetUser), nullptr);
  const RequestView get = profiles->ViewEnum(0, kGetUser);
  EXPECT_EQ(get.field_number, 4);
  EXPECT_EQ(get.value, 1);
  const RequestView list = profiles->ViewEnum(0, kListUsers);
  EXPECT_EQ(list.field_number, 7);
  EXPECT_EQ(list.value, 2);
  EXPECT_NE(profiles->View(0, kListUsers), nullptr);
  EXPECT_EQ(profiles->ViewEnum(0, kGetOrder).field_number, 0);
  EXPECT_EQ(profiles->ViewEnum(kUnrecognised, kGetUser).field_number, 0);
}

TEST(ClientProfilesTest, ViewEnumMistakesNameTheLine) {
  ClientProfileConfig no_field = Profile("partner");
  no_field.views = {{.method = "demo.orders.v1.OrderService.GetOrder",
                     .line = 7,
                     .view_enum = "BASIC",
                     .view_line = 8}};
  EXPECT_EQ(BuildError({no_field}),
            "gw.yaml:8: clients: profile partner: views: demo.orders.v1.OrderService.GetOrder: "
            "view BASIC: its request demo.orders.v1.GetOrderRequest has no `view` enum field "
            "(AIP-157)");
  ClientProfileConfig unknown = Profile("partner");
  unknown.views = {{.method = "demo.users.v1.UserService.GetUser",
                    .line = 7,
                    .view_enum = "TINY",
                    .view_line = 8}};
  EXPECT_EQ(BuildError({unknown}),
            "gw.yaml:8: clients: profile partner: views: demo.users.v1.UserService.GetUser: view "
            "TINY is not a demo.users.v1.UserView value (USER_VIEW_UNSPECIFIED, USER_VIEW_BASIC, "
            "USER_VIEW_FULL)");
}

// Renames print through the route's own transcoder when there is one (the
// gateway), and are listed without one (the CLI).
TEST(ClientProfilesTest, RenamesAreCheckedAgainstTheView) {
  ClientProfileConfig mobile = Profile("mobile");
  mobile.path_prefix = "/m";
  mobile.views = {{.method = "demo.users.v1.UserService.GetUser",
                   .fields = {"userId", "profile(displayName)"},
                   .line = 7,
                   .renames = {{"user_id", "id", 8}, {"profile.display_name", "name", 9}}}};
  auto profiles = BuildOk({mobile});
  auto renames = profiles->Renames(0, kGetUser);
  ASSERT_NE(renames, nullptr);
  EXPECT_EQ(renames->entries.size(), 2u);
  EXPECT_EQ(profiles->Renames(kUnrecognised, kGetUser), nullptr);
  EXPECT_EQ(profiles->Response(0, kGetUser), nullptr) << "no transcoder given: nothing prints";

  ClientProfileConfig outside = mobile;
  outside.views[0].renames = {{"email", "mail", 8}};
  EXPECT_EQ(BuildError({outside}),
            "gw.yaml:8: clients: profile mobile: views: demo.users.v1.UserService.GetUser: "
            "rename: demo.users.v1.User.email is not among the view's fields");
  ClientProfileConfig bad = mobile;
  bad.views[0].renames = {{"user_id", "id", 8}, {"profile.nme", "n", 9}};
  EXPECT_EQ(BuildError({bad}),
            "gw.yaml:9: clients: profile mobile: views: demo.users.v1.UserService.GetUser: "
            "rename profile.nme: fields: no field \"nme\" at \"profile.nme\"");
  ClientProfileConfig composite = Profile("mobile");
  composite.views = {{.method = "user_dashboard", .line = 8, .renames = {{"user", "u", 9}}}};
  EXPECT_EQ(BuildError({composite}),
            "gw.yaml:9: clients: profile mobile: views: user_dashboard is a composite: its keys "
            "are named in its `response:` (give the profile a composite of its own to name them "
            "otherwise)");
}

// A composite's view keeps keys of its answer; the calls nothing kept reads
// are prepared as skipped once, at load.
TEST(ClientProfilesTest, CompositeViewsSelectTheAnswer) {
  ClientProfileConfig mobile = Profile("mobile");
  mobile.path_prefix = "/mobile";
  mobile.views = {{.method = "user_dashboard", .fields = {"user.email"}, .line = 8}};
  auto profiles = BuildOk({mobile});
  ASSERT_NE(profiles->AnswerView(0, kDashboard), nullptr);
  std::shared_ptr<const aggregate::SelectedPlan> plan = profiles->AnswerPlan(0, kDashboard);
  ASSERT_NE(plan, nullptr);
  EXPECT_EQ(plan->made, std::vector<bool>({true, false, false}));
  EXPECT_EQ(plan->masks[0].paths, "email");
  EXPECT_EQ(profiles->AnswerPlan(kUnrecognised, kDashboard), nullptr);
  EXPECT_EQ(profiles->View(0, kDashboard), nullptr);
}

// GraphQL root fields are methods, routed or not: the same selectors and
// the same ceiling for forgeable recognition as routes.
TEST(ClientProfilesTest, MethodsFollowTheRouteSelectors) {
  ClientProfileConfig tablet = Profile("tablet", {"demo.users.v1.*"});
  tablet.header = "x-client";
  tablet.header_values = {"tablet"};
  tablet.graphql_introspection = false;
  ClientProfileConfig partner = Profile("partner", {"demo.orders.v1.OrderService.Get*"});
  partner.client_ids = {"p"};
  auto profiles =
      BuildOk({tablet, partner, Profile("default", {"demo.users.v1.UserService.Get*"})});
  const std::string get_user = "demo.users.v1.UserService.GetUser";
  const std::string delete_user = "demo.users.v1.UserService.DeleteUser";
  EXPECT_TRUE(profiles->AllowsMethod(kUnrecognised, false, get_user));
  EXPECT_FALSE(profiles->AllowsMethod(kUnrecognised, false, delete_user));
  // Recognised by a header: within the default's methods.
  EXPECT_TRUE(profiles->AllowsMethod(0, false, get_user));
  EXPECT_FALSE(profiles->AllowsMethod(0, false, delete_user));
  EXPECT_TRUE(profiles->AllowsMethod(0, true, delete_user));
  EXPECT_TRUE(profiles->AllowsMethod(1, true, "demo.orders.v1.OrderService.GetOrder"));
  EXPECT_FALSE(profiles->AllowsMethod(1, true, get_user));
  EXPECT_EQ(profiles->GraphqlIntrospection(0), false);
  EXPECT_EQ(profiles->GraphqlIntrospection(1), std::nullopt);
}

TEST(ClientProfilesTest, MistakesNameTheProfileAndLine) {
  EXPECT_EQ(BuildError({Profile("mobile", {"demo.nothing.*"})}),
            "gw.yaml:4: clients: profile mobile: route selector \"demo.nothing.*\" selects no "
            "route");

  ClientProfileConfig unknown = Profile("mobile");
  unknown.views = {{.method = "demo.users.v1.UserService.DeleteUser", .fields = {"x"}, .line = 8}};
  EXPECT_EQ(BuildError({unknown}),
            "gw.yaml:8: clients: profile mobile: views: demo.users.v1.UserService.DeleteUser has "
            "no route");

  ClientProfileConfig composite = Profile("mobile");
  composite.views = {{.method = "user_dashboard", .fields = {"usr"}, .line = 8}};
  EXPECT_EQ(BuildError({composite}),
            "gw.yaml:8: clients: profile mobile: views: user_dashboard: fields: no field \"usr\" "
            "at \"usr\"");
  composite.views = {{.method = "user_dashboard", .line = 8, .view_enum = "BASIC", .view_line = 9}};
  EXPECT_EQ(BuildError({composite}),
            "gw.yaml:9: clients: profile mobile: views: user_dashboard is a composite: its calls' "
            "requests set their own view");

  ClientProfileConfig bad_path = Profile("mobile");
  bad_path.views = {
      {.method = "demo.users.v1.UserService.GetUser", .fields = {"profile.nme"}, .line = 9}};
  EXPECT_EQ(BuildError({bad_path}),
            "gw.yaml:9: clients: profile mobile: views: demo.users.v1.UserService.GetUser: "
            "fields: no field \"nme\" at \"profile.nme\"");
}

}  // namespace
}  // namespace protogate::views
