#include "aggregate/evaluation.h"

#include "demo/orders/v1/orders.pb.h"
#include "demo/users/v1/users.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "plan_fixtures.h"

namespace protogate::aggregate {
namespace {

constexpr char kUserAndOrders[] = R"({
  "user": {"method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$path.id"}},
  "orders": {"method": "demo.orders.v1.OrderService/ListOrders",
             "request": {"user_id": "$user.user_id", "page_size": "$query.limit"}}
})";

Json User() {
  return Json::parse(R"({"userId": "1", "email": "ada@example.com",
                         "profile": {"displayName": "Ada", "region": "EU"}, "verified": true})");
}

Json Orders() {
  return Json::parse(R"({"orders": [{"orderId": "o-1", "note": "x"}, {"orderId": "o-2"}],
                         "totalSize": 2})");
}

std::shared_ptr<const CompositePlan> Plan(const std::string& response) {
  auto plan =
      CompositePlan::Build(SpecFromJson("/v1/x/{id}", kUserAndOrders, response), DemoEnvironment());
  EXPECT_TRUE(plan.ok()) << plan.status();
  return plan.ok() ? *plan : nullptr;
}

Json Compose(const std::string& response, Sources sources) {
  auto plan = Plan(response);
  if (plan == nullptr) return nullptr;
  sources.calls.resize(plan->calls().size());
  return Evaluate(plan->response(), sources).value_or(nullptr);
}

Sources WithOutputs(std::optional<Json> user, std::optional<Json> orders) {
  Sources sources;
  sources.calls = {std::move(user), std::move(orders)};
  return sources;
}

TEST(EvaluationTest, SourcesOfARequest) {
  Sources sources = SourcesOf({{{"user", "id"}, "42"}, {{"name"}, "a/b"}},
                              {{"tag", "x"}, {"limit", "3"}, {"tag", "y"}});
  EXPECT_EQ(sources.path, Json::parse(R"({"user.id": "42", "name": "a/b"})"));
  EXPECT_EQ(sources.query, Json::parse(R"({"tag": ["x", "y"], "limit": ["3"]})"));
}

TEST(EvaluationTest, PlacePickAndRename) {
  Json body = Compose(R"({"who": "$user", "name": "$user.profile.display_name",
                          "orders": "$orders.orders"})",
                      WithOutputs(User(), Orders()));
  EXPECT_EQ(body, Json::parse(R"({"who": )" + User().dump() + R"(, "name": "Ada",
                                  "orders": )" +
                              Orders()["orders"].dump() + "}"));
}

TEST(EvaluationTest, KeysKeepTheConfiguredOrder) {
  Json body =
      Compose(R"({"z": "$user.email", "a": "$user.user_id"})", WithOutputs(User(), Orders()));
  EXPECT_EQ(body.dump(), R"({"z":"ada@example.com","a":"1"})");
}

TEST(EvaluationTest, MergeSpreadsAMessageAtThisLevel) {
  Json body = Compose(R"({"$merge": ["$user.profile"], "orders": "$orders.totalSize"})",
                      WithOutputs(User(), Orders()));
  EXPECT_EQ(body, Json::parse(R"({"displayName": "Ada", "region": "EU", "orders": 2})"));
}

TEST(EvaluationTest, DropRemovesPathsAfterPlacing) {
  Json body = Compose(R"({"user": "$user", "orders": "$orders.orders",
                          "$drop": ["user.email", "user.profile.region", "orders[*].note"]})",
                      WithOutputs(User(), Orders()));
  EXPECT_EQ(body, Json::parse(R"({"user": {"userId": "1", "profile": {"displayName": "Ada"},
                                           "verified": true},
                                  "orders": [{"orderId": "o-1"}, {"orderId": "o-2"}]})"));
}

TEST(EvaluationTest, NestedShapesAndLiterals) {
  Json body = Compose(R"({"meta": {"version": 2, "source": "$$gateway",
                                   "ids": ["$user.user_id", "$orders.orders[0].order_id"]}})",
                      WithOutputs(User(), Orders()));
  EXPECT_EQ(body, Json::parse(R"({"meta": {"version": 2, "source": "$gateway",
                                           "ids": ["1", "o-1"]}})"));
}

TEST(EvaluationTest, MissingOutputsLeaveKeysOut) {
  Json body = Compose(R"({"user": "$user", "list": "$orders.orders",
                          "$merge": ["$orders"]})",
                      WithOutputs(User(), std::nullopt));
  EXPECT_EQ(body, Json::parse(R"({"user": )" + User().dump() + "}"));
}

TEST(EvaluationTest, PathQueryBodyAndAuthSources) {
  Sources sources = SourcesOf({{{"id"}, "7"}}, {{"limit", "5"}});
  sources.body = Json::parse(R"({"filter": {"region": "EU"}})");
  sources.auth = Json::parse(R"({"subject": "user-7"})");
  Json body = Compose(R"({"id": "$path.id", "limit": "$query.limit", "all": "$query.limit",
                          "region": "$body.filter.region", "who": "$auth.subject",
                          "none": "$query.nope"})",
                      sources);
  EXPECT_EQ(body, Json::parse(R"({"id": "7", "limit": "5", "all": "5", "region": "EU",
                                  "who": "user-7"})"));
}

TEST(EvaluationTest, RequestValuesTakeTheirFieldsJsonForm) {
  auto plan = CompositePlan::Build(SpecFromJson("/v1/x/{flag}", R"({
      "u": {"method": "demo.users.v1.UserService/GetUser", "request": {"user_id": 42}},
      "e": {"method": "demo.catalog.v1.CatalogService/Echo",
            "request": {"scalars": {"bool_value": "$path.flag", "string_value": "$u.verified",
                                    "repeated_string": "$query.tag"}}}})"),
                                   DemoEnvironment());
  ASSERT_TRUE(plan.ok()) << plan.status();
  Sources sources = SourcesOf({{{"flag"}, "true"}}, {{"tag", "a"}, {"tag", "b"}});
  sources.calls = {User(), std::nullopt};
  EXPECT_EQ(Evaluate((*plan)->calls()[0].request, sources), Json::parse(R"({"user_id": "42"})"));
  EXPECT_EQ(Evaluate((*plan)->calls()[1].request, sources),
            Json::parse(R"({"scalars": {"bool_value": true, "string_value": "true",
                                        "repeated_string": ["a", "b"]}})"));
}

TEST(EvaluationTest, ItemIsTheCurrentElement) {
  auto plan = CompositePlan::Build(SpecFromJson("/v1/x/{id}", R"({
      "o": {"method": "demo.orders.v1.OrderService/ListOrders", "request": {"user_id": "$path.id"}},
      "p": {"method": "demo.catalog.v1.CatalogService/GetProduct",
            "for_each": "$o.orders[*].items[*]", "request": {"product_id": "$item.product_id"}}})"),
                                   DemoEnvironment());
  ASSERT_TRUE(plan.ok()) << plan.status();
  Sources sources;
  const Value item(Json::parse(R"({"productId": "p-2", "quantity": 1})"));
  sources.item = &item;
  EXPECT_EQ(Evaluate((*plan)->calls()[1].request, sources),
            Json::parse(R"({"product_id": "p-2"})"));
}

// The same outputs as wire Values: User() and Orders() as messages.
Value WireOf(const Json& json, google::protobuf::Message&& message) {
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json.dump(), &message).ok());
  return Value::Message(std::make_shared<const std::string>(message.SerializeAsString()),
                        *message.GetDescriptor());
}

// The printed answer from wire outputs reads as the tree evaluated from
// their JSON forms, for every shape of the response.
TEST(EvaluationTest, AnswersPrintedFromWireMatchTheTree) {
  const char* shapes[] = {
      R"({"who": "$user", "name": "$user.profile.display_name", "orders": "$orders.orders"})",
      R"({"z": "$user.email", "a": "$user.user_id", "none": "$user.total_spent_cents"})",
      R"({"$merge": ["$user.profile"], "orders": "$orders.totalSize"})",
      R"({"$merge": ["$user.profile", "$orders"], "v": "$user.verified"})",
      R"({"user": "$user", "orders": "$orders.orders",
          "$drop": ["user.email", "user.profile.region", "orders[*].note"]})",
      R"({"meta": {"version": 2, "source": "$$gateway",
                   "ids": ["$user.user_id", "$orders.orders[0].order_id",
                           "$user.total_spent_cents"]}})",
      R"({"ids": "$orders.orders[*].order_id", "first": "$orders.orders[0]"})",
  };
  for (const char* shape : shapes) {
    auto plan = Plan(shape);
    ASSERT_NE(plan, nullptr) << shape;
    Sources tree = WithOutputs(User(), Orders());
    Sources wire;
    wire.printer = &plan->printer();
    wire.calls = {WireOf(User(), demo::users::v1::User()),
                  WireOf(Orders(), demo::orders::v1::ListOrdersResponse())};
    std::string printed;
    ASSERT_TRUE(PrintResponse(plan->response(), wire, &printed)) << shape;
    EXPECT_EQ(printed, Evaluate(plan->response(), tree)->dump()) << shape;
  }
}

TEST(EvaluationTest, AnAnswerWithoutOutputsPrintsItsLiterals) {
  auto plan = Plan(R"({"user": "$user", "n": [1, "$user.email"], "o": {"x": null}})");
  ASSERT_NE(plan, nullptr);
  Sources sources;
  sources.calls.resize(2);
  std::string printed;
  ASSERT_TRUE(PrintResponse(plan->response(), sources, &printed));
  EXPECT_EQ(printed, R"({"n":[1],"o":{"x":null}})");
}

}  // namespace
}  // namespace protogate::aggregate
