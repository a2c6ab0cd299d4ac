#include "aggregate/composite_plan.h"

#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "plan_fixtures.h"

namespace protogate::aggregate {
namespace {

::testing::AssertionResult FailsWith(const CompositeSpec& spec,
                                     std::initializer_list<absl::string_view> fragments,
                                     const PlanEnvironment& env = DemoEnvironment()) {
  auto plan = CompositePlan::Build(spec, env);
  if (plan.ok()) return ::testing::AssertionFailure() << "the plan was built";
  if (plan.status().code() != absl::StatusCode::kInvalidArgument) {
    return ::testing::AssertionFailure() << "wrong code: " << plan.status();
  }
  for (absl::string_view fragment : fragments) {
    if (!absl::StrContains(plan.status().message(), fragment)) {
      return ::testing::AssertionFailure()
             << "\"" << plan.status().message() << "\" lacks \"" << fragment << "\"";
    }
  }
  return ::testing::AssertionSuccess();
}

std::shared_ptr<const CompositePlan> BuildOk(const CompositeSpec& spec) {
  auto plan = CompositePlan::Build(spec, DemoEnvironment());
  EXPECT_TRUE(plan.ok()) << plan.status();
  return plan.ok() ? *plan : nullptr;
}

TEST(CompositePlanTest, BuildsTheDashboard) {
  auto plan = BuildOk(SpecFromJson("/v1/dashboard/{user_id}", kDashboardCalls));
  ASSERT_NE(plan, nullptr);
  EXPECT_EQ(plan->name(), "composite:/v1/dashboard/{user_id}");
  EXPECT_EQ(plan->description(),
            "composite composite:/v1/dashboard/{user_id} (GET /v1/dashboard/{user_id}) at "
            "test.yaml:1:3");
  ASSERT_EQ(plan->calls().size(), 3u);
  const PlanCall& user = plan->calls()[0];
  EXPECT_EQ(user.method_path, "/demo.users.v1.UserService/GetUser");
  EXPECT_TRUE(user.dependencies.empty());
  EXPECT_EQ(user.timeout, std::chrono::milliseconds(5000));
  const PlanCall& products = plan->calls()[2];
  EXPECT_EQ(products.dependencies, std::vector<int>({1}));
  EXPECT_EQ(products.concurrency, 2);
  EXPECT_TRUE(products.output.list);
  EXPECT_EQ(products.output.message->full_name(), "demo.catalog.v1.Product");
  EXPECT_FALSE(plan->uses_body());
}

TEST(CompositePlanTest, ConfiguredNameIsTheSelector) {
  CompositeSpec spec = SpecFromJson("/v1/dashboard/{user_id}", kDashboardCalls);
  spec.name = "dashboard";
  EXPECT_EQ(BuildOk(spec)->name(), "dashboard");
}

TEST(CompositePlanTest, TimeoutComesFromTheCallThenTheMethodThenTheService) {
  PlanEnvironment env = DemoEnvironment();
  env.upstreams["demo.users.v1.UserService"].method_timeouts["GetUser"] =
      std::chrono::milliseconds(700);
  CompositeSpec spec = SpecFromJson("/v1/x/{id}", R"({
    "a": {"method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$path.id"}},
    "b": {"method": "demo.users.v1.UserService/GetUser", "timeout_ms": 20},
    "c": {"method": "demo.users.v1.UserService/ListUsers"}})");
  auto plan = CompositePlan::Build(spec, env);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ((*plan)->calls()[0].timeout, std::chrono::milliseconds(700));
  EXPECT_EQ((*plan)->calls()[1].timeout, std::chrono::milliseconds(20));
  EXPECT_EQ((*plan)->calls()[2].timeout, std::chrono::milliseconds(5000));
}

TEST(CompositePlanTest, UnknownService) {
  EXPECT_TRUE(FailsWith(
      SpecFromJson("/v1/x", R"({"a": {"method": "demo.nope.v1.Nope/Get"}})"),
      {"test.yaml:4:7", "composite:/v1/x", "call \"a\"", "unknown service \"demo.nope.v1.Nope\""}));
}

TEST(CompositePlanTest, UnknownMethodListsTheServicesMethods) {
  EXPECT_TRUE(
      FailsWith(SpecFromJson("/v1/x", R"({"a": {"method": "demo.users.v1.UserService/GetUsr"}})"),
                {"call \"a\"", "has no method \"GetUsr\"", "GetUser"}));
}

TEST(CompositePlanTest, MalformedMethodName) {
  EXPECT_TRUE(
      FailsWith(SpecFromJson("/v1/x", R"({"a": {"method": "demo.users.v1.UserService.GetUser"}})"),
                {"must be \"<package.Service>/<Method>\""}));
}

TEST(CompositePlanTest, ServiceWithoutUpstream) {
  PlanEnvironment env = DemoEnvironment();
  env.upstreams.erase("demo.catalog.v1.CatalogService");
  EXPECT_TRUE(FailsWith(
      SpecFromJson("/v1/x", R"({"p": {"method": "demo.catalog.v1.CatalogService/GetProduct"}})"),
      {"call \"p\"", "service demo.catalog.v1.CatalogService has no upstream"}, env));
}

TEST(CompositePlanTest, UnknownRequestField) {
  EXPECT_TRUE(
      FailsWith(SpecFromJson("/v1/x/{id}", R"({"o": {
      "method": "demo.orders.v1.OrderService/ListOrders",
      "request": {"user_id": "$path.id", "page_sise": 3}}})"),
                {"call \"o\"", "request.page_sise",
                 "no field \"page_sise\" in demo.orders.v1.ListOrdersRequest", "page_size"}));
}

TEST(CompositePlanTest, UnknownNestedRequestField) {
  EXPECT_TRUE(
      FailsWith(SpecFromJson("/v1/x", R"({"u": {
      "method": "demo.users.v1.UserService/CreateUser",
      "request": {"user": {"profile": {"regoin": "EU"}}}}})"),
                {"request.user.profile.regoin", "no field \"regoin\" in demo.users.v1.Profile"}));
}

TEST(CompositePlanTest, MessageIntoStringIsATypeMismatch) {
  EXPECT_TRUE(FailsWith(SpecFromJson("/v1/x/{id}", R"({
      "user": {"method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$path.id"}},
      "recs": {"method": "demo.users.v1.UserService/ListUsers",
               "request": {"region": "$user.profile"}}})"),
                        {"call \"recs\"", "request.region", "$user.profile",
                         "type mismatch: the value is a demo.users.v1.Profile message, but the "
                         "field takes a string"}));
}

TEST(CompositePlanTest, ListIntoSingularFieldIsATypeMismatch) {
  EXPECT_TRUE(FailsWith(SpecFromJson("/v1/x/{id}", R"({
      "orders": {"method": "demo.orders.v1.OrderService/ListOrders", "request": {"user_id": "$path.id"}},
      "p": {"method": "demo.catalog.v1.CatalogService/GetProduct",
            "request": {"product_id": "$orders.orders[*].order_id"}}})"),
                        {"call \"p\"", "a list of strings", "takes a string"}));
}

TEST(CompositePlanTest, BoolIntoIntIsATypeMismatch) {
  EXPECT_TRUE(FailsWith(SpecFromJson("/v1/x/{id}", R"({
      "user": {"method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$path.id"}},
      "o": {"method": "demo.orders.v1.OrderService/ListOrders",
            "request": {"page_size": "$user.verified"}}})"),
                        {"the value is a bool, but the field takes an int32"}));
}

TEST(CompositePlanTest, LiteralMappingIntoScalarField) {
  EXPECT_TRUE(FailsWith(SpecFromJson("/v1/x", R"({"u": {
      "method": "demo.users.v1.UserService/GetUser", "request": {"user_id": {"a": 1}}}})"),
                        {"request.user_id", "a mapping cannot fill a string"}));
}

TEST(CompositePlanTest, ReferenceToAnUnknownCall) {
  EXPECT_TRUE(FailsWith(SpecFromJson("/v1/x", R"({"o": {
      "method": "demo.orders.v1.OrderService/ListOrders",
      "request": {"user_id": "$usr.user_id"}}})"),
                        {"call \"o\"", "$usr.user_id: unknown call \"usr\" (calls: o"}));
}

TEST(CompositePlanTest, UnknownFieldInAReference) {
  EXPECT_TRUE(FailsWith(SpecFromJson("/v1/x/{id}", R"({
      "user": {"method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$path.id"}},
      "o": {"method": "demo.orders.v1.OrderService/ListOrders",
            "request": {"user_id": "$user.profile.regoin"}}})"),
                        {"$user.profile.regoin", "no field \"regoin\" in demo.users.v1.Profile"}));
}

TEST(CompositePlanTest, ACycleIsNamed) {
  EXPECT_TRUE(FailsWith(SpecFromJson("/v1/x", R"({
      "a": {"method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$c.userId"}},
      "b": {"method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$a.userId"}},
      "c": {"method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$b.userId"}}})"),
                        {"dependency cycle: a -> c -> b -> a"}));
}

TEST(CompositePlanTest, ACallNeedingItselfIsACycle) {
  EXPECT_TRUE(FailsWith(SpecFromJson("/v1/x", R"({
      "a": {"method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$a.userId"}}})"),
                        {"dependency cycle: a -> a"}));
}

TEST(CompositePlanTest, PathVariableNotInTheTemplate) {
  EXPECT_TRUE(FailsWith(SpecFromJson("/v1/dashboard/{user_id}", R"({"u": {
      "method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$path.id"}}})"),
                        {"call \"u\"",
                         "path variable \"id\" is not in the template "
                         "/v1/dashboard/{user_id} (variables: user_id)"}));
}

TEST(CompositePlanTest, InvalidPathTemplate) {
  EXPECT_TRUE(FailsWith(SpecFromJson("/v1/{unclosed", R"({"u": {
      "method": "demo.users.v1.UserService/GetUser"}})"),
                        {"path template:"}));
}

TEST(CompositePlanTest, MergedMessagesWithCommonFieldsCollide) {
  EXPECT_TRUE(FailsWith(SpecFromJson("/v1/x/{id}", R"({
      "user": {"method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$path.id"}},
      "other": {"method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$path.id"}}})",
                                     R"({"$merge": ["$user", "$other"]})"),
                        {"key \"userId\" can come from both $user and $other"}));
}

TEST(CompositePlanTest, MergedFieldCollidesWithAPlacedKey) {
  EXPECT_TRUE(FailsWith(SpecFromJson("/v1/x/{id}", R"({
      "user": {"method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$path.id"}}})",
                                     R"({"$merge": "$user", "email": "$user.profile"})"),
                        {"key \"email\" can come from both $user and key \"email\""}));
}

TEST(CompositePlanTest, ErrorsKeyIsReserved) {
  EXPECT_TRUE(FailsWith(SpecFromJson("/v1/x/{id}", R"({
      "user": {"method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$path.id"}}})",
                                     R"({"errors": "$user"})"),
                        {"key \"errors\"", "reserved"}));
}

TEST(CompositePlanTest, OnlyMessagesMerge) {
  EXPECT_TRUE(FailsWith(SpecFromJson("/v1/x/{id}", R"({
      "user": {"method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$path.id"}}})",
                                     R"({"$merge": ["$user.email"]})"),
                        {"$user.email is a string: only a message has known keys to merge"}));
}

TEST(CompositePlanTest, DropOfAnAbsentKey) {
  EXPECT_TRUE(FailsWith(SpecFromJson("/v1/x/{id}", R"({
      "user": {"method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$path.id"}}})",
                                     R"({"user": "$user", "$drop": ["usr.email"]})"),
                        {"\"usr.email\" drops nothing: no key \"usr\""}));
}

TEST(CompositePlanTest, UnknownDirective) {
  EXPECT_TRUE(FailsWith(SpecFromJson("/v1/x/{id}", R"({
      "user": {"method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$path.id"}}})",
                                     R"({"$rename": {"a": "b"}})"),
                        {"response.$rename", "unknown directive"}));
}

TEST(CompositePlanTest, ItemOutsideForEach) {
  EXPECT_TRUE(FailsWith(SpecFromJson("/v1/x", R"({"p": {
      "method": "demo.catalog.v1.CatalogService/GetProduct", "request": {"product_id": "$item"}}})"),
                        {"$item is only defined in the request of a for_each call"}));
}

TEST(CompositePlanTest, ForEachNeedsAList) {
  EXPECT_TRUE(FailsWith(SpecFromJson("/v1/x/{id}", R"({
      "user": {"method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$path.id"}},
      "p": {"method": "demo.catalog.v1.CatalogService/GetProduct", "for_each": "$user.email",
            "request": {"product_id": "$item"}}})"),
                        {"for_each: $user.email is a string, not a list"}));
}

TEST(CompositePlanTest, ListWithoutProjectionMustBeIndexed) {
  EXPECT_TRUE(FailsWith(SpecFromJson("/v1/x/{id}", R"({
      "o": {"method": "demo.orders.v1.OrderService/ListOrders", "request": {"user_id": "$path.id"}},
      "p": {"method": "demo.catalog.v1.CatalogService/GetProduct",
            "request": {"product_id": "$o.orders.items"}}})"),
                        {"use [*] or [<index>] first"}));
}

TEST(CompositePlanTest, FallbackNeedsAnOptionalCall) {
  EXPECT_TRUE(FailsWith(SpecFromJson("/v1/x", R"({"u": {
      "method": "demo.users.v1.UserService/ListUsers", "fallback": {"users": []}}})"),
                        {"fallback is only used by optional calls"}));
}

TEST(CompositePlanTest, ReservedAndInvalidCallNames) {
  EXPECT_TRUE(FailsWith(
      SpecFromJson("/v1/x", R"({"query": {"method": "demo.users.v1.UserService/ListUsers"}})"),
      {"call \"query\"", "the name is reserved"}));
  EXPECT_TRUE(FailsWith(
      SpecFromJson("/v1/x", R"({"my-call": {"method": "demo.users.v1.UserService/ListUsers"}})"),
      {"must be an identifier"}));
}

TEST(CompositePlanTest, ConcurrencyWithoutForEach) {
  EXPECT_TRUE(FailsWith(SpecFromJson("/v1/x", R"({"u": {
      "method": "demo.users.v1.UserService/ListUsers", "concurrency": 3}})"),
                        {"concurrency and distinct only apply with for_each"}));
}

TEST(CompositePlanTest, BatchNeedsForEachAndAListResponse) {
  EXPECT_TRUE(FailsWith(SpecFromJson("/v1/x", R"({"p": {"batch": {
      "method": "demo.catalog.v1.CatalogService/SearchProducts", "response": "products"}}})"),
                        {"batch needs for_each"}));
  EXPECT_TRUE(FailsWith(SpecFromJson("/v1/x/{id}", R"({
      "o": {"method": "demo.orders.v1.OrderService/ListOrders", "request": {"user_id": "$path.id"}},
      "p": {"for_each": "$o.orders[*].order_id", "batch": {
            "method": "demo.catalog.v1.CatalogService/SearchProducts",
            "request": {"tags": "$items"}, "response": "query"}}})"),
                        {"batch.response: query is a demo.catalog.v1.SearchProductsRequest "
                         "message, not a list"}));
}

TEST(CompositePlanTest, BatchTakesTheWholeList) {
  auto plan = BuildOk(SpecFromJson("/v1/x/{id}", R"({
      "o": {"method": "demo.orders.v1.OrderService/ListOrders", "request": {"user_id": "$path.id"}},
      "p": {"for_each": "$o.orders[*].items[*].product_id", "batch": {
            "method": "demo.catalog.v1.CatalogService/SearchProducts",
            "request": {"tags": "$items"}, "response": "products"}}})"));
  ASSERT_NE(plan, nullptr);
  const PlanCall& p = plan->calls()[1];
  EXPECT_TRUE(p.batched);
  EXPECT_EQ(p.method_path, "/demo.catalog.v1.CatalogService/SearchProducts");
  EXPECT_EQ(p.output.message->full_name(), "demo.catalog.v1.Product");
  EXPECT_TRUE(p.output.list);
}

TEST(CompositePlanTest, BodyReferencesMarkThePlan) {
  auto plan = BuildOk(SpecFromJson("/v1/x", R"({"u": {
      "method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$body.who.id"}}})"));
  ASSERT_NE(plan, nullptr);
  EXPECT_TRUE(plan->uses_body());
}

TEST(CompositePlanTest, ProtoNamesAndJsonNamesBothResolve) {
  CompositeSpec spec = SpecFromJson("/v1/x/{id}", R"({
      "user": {"method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$path.id"}},
      "recs": {"method": "demo.users.v1.UserService/ListUsers",
               "request": {"region": "$user.profile.region", "pageSize": 3}}})",
                                    R"({"name": "$user.profile.display_name"})");
  auto plan = BuildOk(spec);
  ASSERT_NE(plan, nullptr);
  // Printed keys follow the output options: lowerCamel by default.
  EXPECT_EQ(plan->response().fields[0].second.ref.steps[1].name, "displayName");
  PlanEnvironment proto_names = DemoEnvironment();
  proto_names.output.use_proto_field_names = true;
  auto plan2 = CompositePlan::Build(spec, proto_names);
  ASSERT_TRUE(plan2.ok()) << plan2.status();
  EXPECT_EQ((*plan2)->response().fields[0].second.ref.steps[1].name, "display_name");
}

TEST(CompositePlanTest, DefaultResponsePlacesEveryCallUnderItsName) {
  auto plan = BuildOk(SpecFromJson("/v1/dashboard/{user_id}", kDashboardCalls));
  ASSERT_NE(plan, nullptr);
  ASSERT_EQ(plan->response().fields.size(), 3u);
  EXPECT_EQ(plan->response().fields[0].first, "user");
  EXPECT_EQ(plan->response().fields[2].first, "products");
}

}  // namespace
}  // namespace protogate::aggregate
