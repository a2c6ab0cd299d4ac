#include "aggregate/answer_selection.h"

#include <string>
#include <vector>

#include "aggregate/evaluation.h"
#include "demo/orders/v1/orders.pb.h"
#include "demo/users/v1/users.pb.h"
#include "gtest/gtest.h"
#include "plan_fixtures.h"

namespace protogate::aggregate {
namespace {

namespace gpb = google::protobuf;

// The dashboard of the README, shaped as the demo config shapes it.
constexpr char kDashboardShape[] = R"({
  "user": "$user", "orders": "$orders.orders", "products": "$products",
  "summary": {"region": "$user.profile.region", "label": "dashboard"}})";

std::shared_ptr<const CompositePlan> Plan(const std::string& calls = kDashboardCalls,
                                          const std::string& shape = kDashboardShape) {
  auto plan = CompositePlan::Build(SpecFromJson("/v1/dashboard/{user_id}", calls, shape),
                                   DemoEnvironment());
  EXPECT_TRUE(plan.ok()) << plan.status();
  return plan.ok() ? *plan : nullptr;
}

std::shared_ptr<const SelectedPlan> Selected(const CompositePlan& plan, const std::string& text) {
  auto kept = ParseAnswerSelection(text, plan);
  EXPECT_TRUE(kept.ok()) << text << ": " << kept.status();
  return SelectCalls(plan, kept.ok() ? kept->get() : nullptr);
}

std::string Error(const CompositePlan& plan, const std::string& text) {
  auto kept = ParseAnswerSelection(text, plan);
  EXPECT_FALSE(kept.ok()) << text;
  return std::string(kept.status().message());
}

// Which calls run, by name, and each one's mask ("-" when skipped).
std::string Runs(const CompositePlan& plan, const SelectedPlan& selected) {
  std::string out;
  for (size_t i = 0; i < plan.calls().size(); ++i) {
    if (!out.empty()) out += " ";
    out += plan.calls()[i].name + "=";
    out += selected.made[i] ? "[" + selected.masks[i].paths + "]" : "-";
  }
  return out;
}

TEST(AnswerSelectionTest, TheWholeAnswerAsksEachCallForWhatItReads) {
  auto plan = Plan();
  // `orders` is read at `orders` (the answer) and orders.items.product_id
  // (the for_each): the mask is the wider one. `user` is read whole.
  EXPECT_EQ(Runs(*plan, *plan->whole()), "user=[] orders=[orders] products=[]");
}

TEST(AnswerSelectionTest, UnreadCallsAreSkippedAndMasksNarrow) {
  auto plan = Plan();
  EXPECT_EQ(Runs(*plan, *Selected(*plan, "user(email,profile.region)")),
            "user=[email,profile.region] orders=- products=-");
  // The products need the orders' product ids: orders runs for them only.
  EXPECT_EQ(Runs(*plan, *Selected(*plan, "products.title")),
            "user=- orders=[orders.items.product_id] products=[title]");
  EXPECT_EQ(Runs(*plan, *Selected(*plan, "orders.*.orderId,summary.region")),
            "user=[profile.region] orders=[orders.order_id] products=-");
  // A literal reads no call.
  EXPECT_EQ(Runs(*plan, *Selected(*plan, "summary.label")), "user=- orders=- products=-");
  EXPECT_EQ(Runs(*plan, *Selected(*plan, "summary,errors")),
            "user=[profile.region] orders=- products=-");
}

TEST(AnswerSelectionTest, ACallTheAnswerNeverReadsStillRuns) {
  auto plan = Plan(R"({
    "user": {"method": "demo.users.v1.UserService/GetUser",
             "request": {"user_id": "$path.user_id"}},
    "check": {"method": "demo.orders.v1.OrderService/ListOrders",
              "request": {"user_id": "$path.user_id"}}})",
                   R"({"user": "$user"})");
  EXPECT_EQ(Runs(*plan, *Selected(*plan, "user.email")), "user=[email] check=[]");
}

TEST(AnswerSelectionTest, MergedMembersAreSelectedByTheirNames) {
  auto plan = Plan(R"({
    "user": {"method": "demo.users.v1.UserService/GetUser",
             "request": {"user_id": "$path.user_id"}}})",
                   R"({"$merge": ["$user.profile"], "id": "$user.user_id"})");
  EXPECT_EQ(Runs(*plan, *plan->whole()), "user=[profile,user_id]");
  EXPECT_EQ(Runs(*plan, *Selected(*plan, "region,display_name")),
            "user=[profile.display_name,profile.region]");
  EXPECT_EQ(Runs(*plan, *Selected(*plan, "id")), "user=[user_id]");
}

TEST(AnswerSelectionTest, ErrorsNameThePath) {
  auto plan = Plan();
  EXPECT_EQ(Error(*plan, "usr"), "fields: no field \"usr\" at \"usr\"");
  EXPECT_EQ(Error(*plan, "user.nme"), "fields: no field \"nme\" at \"user.nme\"");
  EXPECT_EQ(Error(*plan, "summary.label.x"),
            "fields: \"label\" has no sub-fields at \"summary.label.x\"");
  EXPECT_EQ(Error(*plan, "summary(region(x))"),
            "fields: \"region\" has no sub-fields at \"summary.region(\"");
  EXPECT_EQ(Error(*plan, "user.*"), "fields: \"*\" follows no repeated or map field at \"user.*\"");
  EXPECT_EQ(Error(*plan, "errors.call"), "fields: \"errors\" has no sub-fields at \"errors.call\"");
  EXPECT_EQ(Error(*plan, "*"), "fields: \"*\" follows no repeated or map field at \"*\"");
  EXPECT_EQ(Error(*plan, "products.*.*.title"),
            "fields: \"*\" follows no repeated or map field at \"products.*.*\"");
  EXPECT_EQ(Error(*plan, "user,,orders"), "fields: unexpected \",\" at offset 5");
}

TEST(AnswerSelectionTest, TheClientNarrowsWithinItsView) {
  auto plan = Plan();
  auto view = ParseAnswerSelection("user(profile),orders", *plan);
  ASSERT_TRUE(view.ok()) << view.status();
  auto narrowed = [&](const std::string& text) -> absl::StatusOr<std::string> {
    auto asked = ParseAnswerSelection(text, *plan);
    if (!asked.ok()) return asked.status();
    auto kept = NarrowAnswerSelection(**asked, **view, *plan);
    if (!kept.ok()) return kept.status();
    return Runs(*plan, *SelectCalls(*plan, kept->get()));
  };
  EXPECT_EQ(*narrowed("user"), "user=[profile] orders=- products=-");
  EXPECT_EQ(*narrowed("user.profile.region,orders.total_cents"),
            "user=[profile.region] orders=[orders.total_cents] products=-");
  EXPECT_EQ(narrowed("products").status().message(),
            "fields: no field \"products\" at \"products\"");
  EXPECT_EQ(narrowed("user.email").status().message(),
            "fields: no field \"email\" at \"user.email\"");
}

TEST(AnswerSelectionTest, TheNarrowedAnswerKeepsOnlyWhatWasAsked) {
  auto plan = Plan();
  demo::users::v1::User user;
  user.set_user_id("1");
  user.set_email("ada@example.com");
  user.mutable_profile()->set_region("EU");
  user.mutable_profile()->set_display_name("Ada");
  demo::orders::v1::ListOrdersResponse orders;
  auto* order = orders.add_orders();
  order->set_order_id("o-1");
  order->set_total_cents(250);
  order->add_items()->set_product_id("p-1");

  Sources sources;
  sources.printer = &plan->printer();
  // Outputs are of the plan's types (the registry's, not the generated code's).
  const auto output = [&](const gpb::Message& message, size_t call) {
    return *WireMessage(message.SerializeAsString(), *plan->calls()[call].response_type,
                        *DemoRegistry());
  };
  sources.calls = {output(user, 0), output(orders, 1), Value()};
  std::string body;
  auto selected = Selected(*plan, "summary(label),user(profile.region),orders.totalCents");
  ASSERT_TRUE(PrintResponse(selected->response, sources, &body));
  EXPECT_EQ(body, R"({"user":{"profile":{"region":"EU"}},"orders":[{"totalCents":"250"}],)"
                  R"("summary":{"label":"dashboard"}})");
}

}  // namespace
}  // namespace protogate::aggregate
