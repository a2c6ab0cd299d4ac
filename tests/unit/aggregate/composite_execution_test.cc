#include "aggregate/composite_execution.h"

#include <algorithm>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/json_text.h"
#include "demo/catalog/v1/catalog.pb.h"
#include "demo/orders/v1/orders.pb.h"
#include "demo/users/v1/users.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "plan_fixtures.h"
#include "transcode/status_mapping.h"

namespace protogate::aggregate {
namespace {

namespace gpb = google::protobuf;
using upstream::UnaryCallRequest;
using upstream::UnaryCallResult;

// Scripted upstream: records every call and completes them when the test
// says, in the order it says, on the test thread.
class FakeUpstream {
 public:
  struct Pending {
    std::string call;
    UnaryCallRequest request;
    std::function<void(UnaryCallResult)> done;
  };

  CallStarter Starter() {
    return [this](const PlanCall& call, UnaryCallRequest request,
                  std::function<void(UnaryCallResult)> done) {
      pending_.push_back({call.name, std::move(request), std::move(done)});
      started_.push_back(call.name);
      in_flight_[call.name]++;
      max_in_flight_[call.name] = std::max(max_in_flight_[call.name], in_flight_[call.name]);
    };
  }

  // Completes the oldest pending call of `call` with `result`.
  void Answer(const std::string& call, UnaryCallResult result) {
    auto it = std::find_if(pending_.begin(), pending_.end(),
                           [&](const Pending& p) { return p.call == call; });
    ASSERT_NE(it, pending_.end()) << "no pending call " << call;
    Pending pending = std::move(*it);
    pending_.erase(it);
    in_flight_[call]--;
    pending.done(std::move(result));
  }

  // Completes the first pending call that `match` accepts; false if none.
  bool AnswerFirst(const std::function<bool(const Pending&)>& match, UnaryCallResult result) {
    auto it = std::find_if(pending_.begin(), pending_.end(), match);
    if (it == pending_.end()) return false;
    Pending pending = std::move(*it);
    pending_.erase(it);
    in_flight_[pending.call]--;
    pending.done(std::move(result));
    return true;
  }

  std::deque<Pending>& pending() { return pending_; }
  const std::vector<std::string>& started() const { return started_; }
  int max_in_flight(const std::string& call) { return max_in_flight_[call]; }

 private:
  std::deque<Pending> pending_;
  std::vector<std::string> started_;
  std::map<std::string, int> in_flight_;
  std::map<std::string, int> max_in_flight_;
};

UnaryCallResult Ok(const gpb::Message& message) {
  UnaryCallResult result;
  result.response = message.SerializeAsString();
  return result;
}

UnaryCallResult Error(int code, const std::string& message) {
  UnaryCallResult result;
  result.code = code;
  result.message = message;
  return result;
}

demo::users::v1::User UserMessage() {
  demo::users::v1::User user;
  user.set_user_id("1");
  user.set_email("ada@example.com");
  user.mutable_profile()->set_region("EU");
  return user;
}

demo::orders::v1::ListOrdersResponse OrdersMessage(std::vector<std::string> product_ids) {
  demo::orders::v1::ListOrdersResponse orders;
  int n = 0;
  for (const std::string& id : product_ids) {
    auto* order = orders.add_orders();
    order->set_order_id("o-" + std::to_string(++n));
    order->add_items()->set_product_id(id);
  }
  return orders;
}

demo::catalog::v1::Product ProductMessage(const std::string& id) {
  demo::catalog::v1::Product product;
  product.set_product_id(id);
  product.set_title("title " + id);
  return product;
}

// The request a call was sent, as JSON with proto field names.
Json RequestJson(const PlanCall& call, const std::string& bytes) {
  std::string json;
  gpb::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  auto status = gpb::util::BinaryToJsonString(DemoRegistry()->resolver(), call.request_type_url,
                                              bytes, &json, options);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return Json::parse(json);
}

// A composite's result as the gateway renders it: HTTP status, gRPC code and
// body in the error model on failure, the composed body on success.
struct Rendered {
  int http_status = 200;
  int code = 0;
  std::string body;
  bool partial = false;
  std::vector<CallTiming> timings;

  std::string TimingsForLog() const {
    CompositeResponse timed;
    timed.timings = timings;
    return timed.TimingsForLog();
  }
};

Rendered Render(CompositeResponse result) {
  Rendered rendered;
  rendered.partial = result.partial;
  rendered.timings = std::move(result.timings);
  if (result.status.ok()) {
    rendered.body = std::move(result.body);
    return rendered;
  }
  rendered.code = static_cast<int>(result.status.code());
  rendered.http_status = transcode::HttpStatusFromGrpcCode(rendered.code);
  rendered.body = transcode::ErrorBody(rendered.code, result.status.message(), result.details);
  return rendered;
}

struct Harness {
  std::shared_ptr<const CompositePlan> plan;
  FakeUpstream upstream;
  std::optional<Rendered> response;
  int answers = 0;

  void Start(const std::string& calls, const std::string& shape = "", CompositeRequest request = {},
             const PlanEnvironment& env = DemoEnvironment()) {
    auto built = CompositePlan::Build(SpecFromJson("/v1/dashboard/{user_id}", calls, shape), env);
    ASSERT_TRUE(built.ok()) << built.status();
    plan = *built;
    if (request.bindings.empty()) request.bindings = {{{"user_id"}, "1"}};
    ExecuteComposite(
        plan, std::move(request),
        [this](CompositeResponse r) {
          ++answers;
          response = Render(std::move(r));
        },
        upstream.Starter());
  }

  Json Body() const { return response ? Json::parse(response->body) : Json(); }

  Json SentRequest(size_t index) {
    const auto& pending = upstream.pending()[index];
    for (const PlanCall& call : plan->calls()) {
      if (call.name == pending.call) return RequestJson(call, pending.request.request);
    }
    return nullptr;
  }
};

TEST(CompositeExecutionTest, IndependentCallsAreAllInFlightAtOnce) {
  Harness run;
  run.Start(R"({
    "user": {"method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$path.user_id"}},
    "orders": {"method": "demo.orders.v1.OrderService/ListOrders",
               "request": {"user_id": "$path.user_id"}},
    "search": {"method": "demo.catalog.v1.CatalogService/SearchProducts"}})");
  EXPECT_EQ(run.upstream.started(), std::vector<std::string>({"user", "orders", "search"}));
  EXPECT_FALSE(run.response);
  run.upstream.Answer("orders", Ok(OrdersMessage({})));
  run.upstream.Answer("search", Ok(demo::catalog::v1::SearchProductsResponse()));
  EXPECT_FALSE(run.response);
  run.upstream.Answer("user", Ok(UserMessage()));
  ASSERT_TRUE(run.response);
  EXPECT_EQ(run.response->http_status, 200);
  EXPECT_FALSE(run.response->partial);
  EXPECT_EQ(run.Body()["user"]["email"], "ada@example.com");
  EXPECT_EQ(run.answers, 1);
}

TEST(CompositeExecutionTest, ADependentCallStartsWhenItsInputArrives) {
  Harness run;
  run.Start(R"({
    "user": {"method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$path.user_id"}},
    "recs": {"method": "demo.users.v1.UserService/ListUsers",
             "request": {"region": "$user.profile.region", "page_size": 3}},
    "orders": {"method": "demo.orders.v1.OrderService/ListOrders",
               "request": {"user_id": "$path.user_id"}}})");
  EXPECT_EQ(run.upstream.started(), std::vector<std::string>({"user", "orders"}));
  run.upstream.Answer("user", Ok(UserMessage()));
  ASSERT_EQ(run.upstream.started().back(), "recs");
  EXPECT_EQ(run.SentRequest(1), Json::parse(R"({"region": "EU", "page_size": 3})"));
  run.upstream.Answer("recs", Ok(demo::users::v1::ListUsersResponse()));
  EXPECT_FALSE(run.response);  // orders still out
  run.upstream.Answer("orders", Ok(OrdersMessage({})));
  ASSERT_TRUE(run.response);
  EXPECT_EQ(run.response->http_status, 200);
}

TEST(CompositeExecutionTest, FanOutHonoursTheConcurrencyLimit) {
  Harness run;
  run.Start(R"({
    "orders": {"method": "demo.orders.v1.OrderService/ListOrders",
               "request": {"user_id": "$path.user_id"}},
    "products": {"method": "demo.catalog.v1.CatalogService/GetProduct",
                 "for_each": "$orders.orders[*].items[0].product_id",
                 "request": {"product_id": "$item"}, "concurrency": 2}})",
            R"({"products": "$products[*].title"})");
  run.upstream.Answer("orders", Ok(OrdersMessage({"p-1", "p-2", "p-3", "p-4", "p-5"})));
  EXPECT_EQ(run.upstream.pending().size(), 2u);
  EXPECT_EQ(run.SentRequest(0), Json::parse(R"({"product_id": "p-1"})"));
  // Answer out of order; each answer lets one more start.
  for (const char* id : {"p-2", "p-1", "p-4", "p-3", "p-5"}) {
    const bool answered = run.upstream.AnswerFirst(
        [&](const FakeUpstream::Pending& p) {
          return RequestJson(run.plan->calls()[1], p.request.request)["product_id"] == id;
        },
        Ok(ProductMessage(id)));
    ASSERT_TRUE(answered) << id << " was not started";
    EXPECT_LE(run.upstream.pending().size(), 2u);
  }
  EXPECT_EQ(run.upstream.max_in_flight("products"), 2);
  ASSERT_TRUE(run.response);
  // Results follow the list, not the answer order.
  EXPECT_EQ(run.Body()["products"],
            Json::parse(R"(["title p-1", "title p-2", "title p-3", "title p-4", "title p-5"])"));
  EXPECT_EQ(run.response->timings[1].calls, 5);
}

TEST(CompositeExecutionTest, DistinctItemsAreCalledOnce) {
  Harness run;
  run.Start(R"({
    "orders": {"method": "demo.orders.v1.OrderService/ListOrders",
               "request": {"user_id": "$path.user_id"}},
    "products": {"method": "demo.catalog.v1.CatalogService/GetProduct",
                 "for_each": "$orders.orders[*].items[*].product_id", "distinct": true,
                 "request": {"product_id": "$item"}, "concurrency": 8}})");
  run.upstream.Answer("orders", Ok(OrdersMessage({"p-1", "p-2", "p-1"})));
  EXPECT_EQ(run.upstream.pending().size(), 2u);
}

TEST(CompositeExecutionTest, AnEmptyListMakesNoCall) {
  Harness run;
  run.Start(std::string(kDashboardCalls));
  run.upstream.Answer("user", Ok(UserMessage()));
  run.upstream.Answer("orders", Ok(OrdersMessage({})));
  ASSERT_TRUE(run.response);
  EXPECT_EQ(run.Body()["products"], Json::array());
  EXPECT_EQ(run.response->timings[2].calls, 0);
}

TEST(CompositeExecutionTest, TheAnswerIsTheSameWhateverOrderCallsFinishIn) {
  const std::vector<std::string> names = {"user", "orders", "catalog"};
  std::vector<std::string> order = names;
  std::set<std::string> bodies;
  do {
    Harness run;
    run.Start(R"({
      "user": {"method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$path.user_id"}},
      "orders": {"method": "demo.orders.v1.OrderService/ListOrders",
                 "request": {"user_id": "$path.user_id"}, "required": false},
      "catalog": {"method": "demo.catalog.v1.CatalogService/GetProduct", "required": false}})",
              R"({"$merge": ["$user"], "orders": "$orders.orders", "product": "$catalog"})");
    for (const std::string& name : order) {
      if (name == "user") run.upstream.Answer(name, Ok(UserMessage()));
      if (name == "orders") run.upstream.Answer(name, Ok(OrdersMessage({"p-1"})));
      if (name == "catalog") run.upstream.Answer(name, Error(5, "no product"));
    }
    ASSERT_TRUE(run.response);
    bodies.insert(run.response->body);
  } while (std::next_permutation(order.begin(), order.end()));
  EXPECT_EQ(bodies.size(), 1u) << *bodies.begin();
}

TEST(CompositeExecutionTest, ARequiredFailureFailsTheRouteAndNamesTheCall) {
  Harness run;
  run.Start(R"({
    "user": {"method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$path.user_id"}},
    "recs": {"method": "demo.users.v1.UserService/ListUsers",
             "request": {"region": "$user.profile.region"}},
    "orders": {"method": "demo.orders.v1.OrderService/ListOrders",
               "request": {"user_id": "$path.user_id"}}})");
  run.upstream.Answer("user", Error(5, "user 1 not found"));
  ASSERT_TRUE(run.response);
  EXPECT_EQ(run.response->http_status, 404);
  EXPECT_EQ(run.response->code, 5);
  EXPECT_EQ(run.Body()["message"],
            "call \"user\" failed: NOT_FOUND: user 1 not found (not run: recs)");
  EXPECT_EQ(run.Body()["code"], 5);
  EXPECT_EQ(run.response->TimingsForLog().find("recs:-") != std::string::npos, true)
      << run.response->TimingsForLog();
  // The late answer of a call still in flight changes nothing.
  run.upstream.Answer("orders", Ok(OrdersMessage({})));
  EXPECT_EQ(run.answers, 1);
}

TEST(CompositeExecutionTest, AnOptionalFailureIsAPartialAnswer) {
  Harness run;
  run.Start(R"({
    "user": {"method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$path.user_id"}},
    "orders": {"method": "demo.orders.v1.OrderService/ListOrders",
               "request": {"user_id": "$path.user_id"}, "required": false},
    "search": {"method": "demo.catalog.v1.CatalogService/SearchProducts", "required": false,
               "fallback": {"products": []}}})");
  run.upstream.Answer("orders", Error(14, "orders down"));
  run.upstream.Answer("search", Error(4, "too slow"));
  run.upstream.Answer("user", Ok(UserMessage()));
  ASSERT_TRUE(run.response);
  EXPECT_EQ(run.response->http_status, 200);
  EXPECT_TRUE(run.response->partial);
  Json body = run.Body();
  EXPECT_FALSE(body.contains("orders")) << body;
  EXPECT_EQ(body["search"], Json::parse(R"({"products": []})"));
  EXPECT_EQ(body["errors"], Json::parse(R"([
      {"call": "orders", "code": 14, "message": "orders down"},
      {"call": "search", "code": 4, "message": "too slow"}])"));
}

TEST(CompositeExecutionTest, DependentsOfAFailedOptionalCallDoNotRun) {
  Harness run;
  run.Start(R"({
    "orders": {"method": "demo.orders.v1.OrderService/ListOrders",
               "request": {"user_id": "$path.user_id"}, "required": false},
    "products": {"method": "demo.catalog.v1.CatalogService/GetProduct", "required": false,
                 "for_each": "$orders.orders[*].items[0].product_id",
                 "request": {"product_id": "$item"}}})");
  run.upstream.Answer("orders", Error(14, "down"));
  ASSERT_TRUE(run.response);
  EXPECT_EQ(run.Body()["errors"][1], Json::parse(R"json({"call": "products", "code": 14,
                "message": "not run: call \"orders\" it needs has no output (UNAVAILABLE: down)"})json"));
  EXPECT_EQ(run.response->TimingsForLog().substr(0, 8), "orders:1");
  EXPECT_TRUE(absl::EndsWith(run.response->TimingsForLog(), "products:-"));
}

TEST(CompositeExecutionTest, ARequiredCallWhoseInputFailedEndsTheRoute) {
  Harness run;
  run.Start(std::string(R"({
    "orders": {"method": "demo.orders.v1.OrderService/ListOrders",
               "request": {"user_id": "$path.user_id"}, "required": false},
    "products": {"method": "demo.catalog.v1.CatalogService/GetProduct",
                 "for_each": "$orders.orders[*].items[0].product_id",
                 "request": {"product_id": "$item"}}})"));
  run.upstream.Answer("orders", Error(14, "down"));
  ASSERT_TRUE(run.response);
  EXPECT_EQ(run.response->http_status, 503);
  EXPECT_EQ(run.Body()["message"],
            "call \"products\" did not run: call \"orders\" it needs has no output "
            "(UNAVAILABLE: down)");
}

TEST(CompositeExecutionTest, AFallbackFeedsDependents) {
  Harness run;
  run.Start(kDashboardCalls);
  run.upstream.Answer("orders", Error(14, "down"));
  run.upstream.Answer("user", Ok(UserMessage()));
  ASSERT_TRUE(run.response);  // products ran over the fallback's empty list
  EXPECT_EQ(run.Body()["orders"], Json::parse(R"({"orders": []})"));
  EXPECT_EQ(run.Body()["products"], Json::array());
  EXPECT_TRUE(run.response->partial);
}

TEST(CompositeExecutionTest, AFailedFanOutItemIsNamed) {
  Harness run;
  run.Start(kDashboardCalls);
  run.upstream.Answer("user", Ok(UserMessage()));
  run.upstream.Answer("orders", Ok(OrdersMessage({"p-1", "p-404"})));
  run.upstream.Answer("products", Ok(ProductMessage("p-1")));
  run.upstream.Answer("products", Error(5, "product p-404 not found"));
  ASSERT_TRUE(run.response);
  EXPECT_EQ(run.response->http_status, 404);
  EXPECT_EQ(run.Body()["message"],
            "call \"products\" failed: NOT_FOUND: item 1 (\"p-404\"): product p-404 not found");
}

TEST(CompositeExecutionTest, EveryCallCarriesTheSameRequestIdAndStart) {
  Harness run;
  CompositeRequest request;
  request.request_id = "rid-1";
  request.start = absl::FromUnixMicros(1717200000123456);
  request.metadata = {{"authorization", "Bearer t"}, {"x-request-id", "from-client"}};
  run.Start(kDashboardCalls, "", std::move(request));
  run.upstream.Answer("orders", Ok(OrdersMessage({"p-1"})));
  ASSERT_EQ(run.upstream.pending().size(), 2u);
  for (const auto& pending : run.upstream.pending()) {
    EXPECT_EQ(pending.request.metadata,
              upstream::Metadata({{"authorization", "Bearer t"},
                                  {"x-request-id", "rid-1"},
                                  {"x-protogate-request-start", "2024-06-01T00:00:00.123456Z"}}));
  }
}

TEST(CompositeExecutionTest, ServiceMetadataGoesOnlyToThatServicesCalls) {
  Harness run;
  CompositeRequest request;
  request.service_metadata["demo.users.v1.UserService"] = {{"x-protogate-identity", "token"}};
  run.Start(R"({
    "user": {"method": "demo.users.v1.UserService/GetUser"},
    "orders": {"method": "demo.orders.v1.OrderService/ListOrders"}})",
            "", request);
  ASSERT_EQ(run.upstream.pending().size(), 2u);
  EXPECT_EQ(run.upstream.pending()[0].request.metadata.back().first, "x-protogate-identity");
  EXPECT_EQ(run.upstream.pending()[1].request.metadata.back().first, "x-protogate-request-start");
  EXPECT_EQ(run.plan->services(),
            std::vector<std::string>({"demo.orders.v1.OrderService", "demo.users.v1.UserService"}));
}

TEST(CompositeExecutionTest, DeadlinesAreTheCallsOrTheCompositesWhicheverIsFirst) {
  Harness run;
  CompositeRequest request;
  // Far enough ahead that a loaded machine never reaches it before the calls start.
  request.deadline = absl::Now() + absl::Seconds(60);
  run.Start(R"({
    "user": {"method": "demo.users.v1.UserService/GetUser", "timeout_ms": 10},
    "orders": {"method": "demo.orders.v1.OrderService/ListOrders", "timeout_ms": 600000}})",
            "", request);
  ASSERT_EQ(run.upstream.pending().size(), 2u);
  EXPECT_LT(run.upstream.pending()[0].request.deadline, request.deadline);
  EXPECT_EQ(run.upstream.pending()[1].request.deadline, request.deadline);
}

TEST(CompositeExecutionTest, NoCallStartsAfterTheCompositesDeadline) {
  Harness run;
  CompositeRequest request;
  request.deadline = absl::Now() - absl::Milliseconds(1);
  run.Start(R"({"user": {"method": "demo.users.v1.UserService/GetUser"}})", "", request);
  ASSERT_TRUE(run.response);
  EXPECT_TRUE(run.upstream.started().empty());
  EXPECT_EQ(run.response->http_status, 504);
  EXPECT_EQ(run.Body()["message"],
            "call \"user\" failed: DEADLINE_EXCEEDED: the composite's deadline passed before the "
            "call started");
}

TEST(CompositeExecutionTest, ABatchSendsTheWholeListInOneCall) {
  Harness run;
  run.Start(R"({
    "orders": {"method": "demo.orders.v1.OrderService/ListOrders",
               "request": {"user_id": "$path.user_id"}},
    "products": {"for_each": "$orders.orders[*].items[0].product_id",
                 "batch": {"method": "demo.catalog.v1.CatalogService/SearchProducts",
                           "request": {"tags": "$items", "page_size": 10},
                           "response": "products"}}})");
  run.upstream.Answer("orders", Ok(OrdersMessage({"p-1", "p-2"})));
  ASSERT_EQ(run.upstream.pending().size(), 1u);
  EXPECT_EQ(run.SentRequest(0), Json::parse(R"({"tags": ["p-1", "p-2"], "page_size": 10})"));
  demo::catalog::v1::SearchProductsResponse found;
  *found.add_products() = ProductMessage("p-1");
  *found.add_products() = ProductMessage("p-2");
  run.upstream.Answer("products", Ok(found));
  ASSERT_TRUE(run.response);
  EXPECT_EQ(run.Body()["products"][1]["productId"], "p-2");
}

TEST(CompositeExecutionTest, ABadQueryValueIsABadRequest) {
  Harness run;
  CompositeRequest request;
  request.query = {{"limit", "many"}};
  run.Start(kDashboardCalls, "", request);
  // orders is optional: its request could not be built, so it is reported.
  run.upstream.Answer("user", Ok(UserMessage()));
  ASSERT_TRUE(run.response);
  EXPECT_EQ(run.Body()["errors"][0]["call"], "orders");
  EXPECT_EQ(run.Body()["errors"][0]["code"], 3);
}

TEST(CompositeExecutionTest, AnInvalidJsonBodyIsRefusedBeforeAnyCall) {
  Harness run;
  CompositeRequest request;
  request.body = "{not json";
  run.Start(R"({"user": {"method": "demo.users.v1.UserService/GetUser",
                         "request": {"user_id": "$body.id"}}})",
            "", request);
  ASSERT_TRUE(run.response);
  EXPECT_EQ(run.response->http_status, 400);
  EXPECT_TRUE(run.upstream.started().empty());
}

TEST(CompositeExecutionTest, TheBodyIsStrictJson) {
  const char* kCalls = R"({"user": {"method": "demo.users.v1.UserService/GetUser",
                                    "request": {"user_id": "$body.id"}}})";
  struct Case {
    const char* body;
    const char* message;
  };
  const Case cases[] = {
      {R"({"id":"1","id":"2"})", R"(invalid JSON body at byte 10: key "id" given twice)"},
      {R"({"id":'1'})", "invalid JSON body at byte 6: single-quoted string"},
      {R"({"id":"1"} {})", "invalid JSON body at byte 11: data after the top-level value"},
  };
  for (const Case& c : cases) {
    Harness run;
    CompositeRequest request;
    request.body = c.body;
    run.Start(kCalls, "", request);
    ASSERT_TRUE(run.response) << c.body;
    EXPECT_EQ(run.response->http_status, 400) << c.body;
    EXPECT_EQ(run.Body()["code"], 3) << c.body;
    EXPECT_EQ(run.Body()["message"], c.message) << c.body;
    EXPECT_EQ(run.Body()["details"], Json::array()) << c.body;
    EXPECT_TRUE(run.upstream.started().empty()) << c.body;
  }
}

TEST(CompositeExecutionTest, TheBodyNestsAtMostMaxJsonDepth) {
  PlanEnvironment env = DemoEnvironment();
  env.max_json_depth = 2;
  Harness run;
  CompositeRequest request;
  request.body = R"({"id":[["1"]]})";
  run.Start(R"({"user": {"method": "demo.users.v1.UserService/GetUser",
                         "request": {"user_id": "$body.id"}}})",
            "", request, env);
  ASSERT_TRUE(run.response);
  EXPECT_EQ(run.Body()["message"], "invalid JSON body at byte 7: nesting deeper than 2");
}

// A client's selection: the call nothing kept reads is not made, each call
// made gets the mask of what is read of it (metadata, and the request's
// read_mask where it has one), and the answer holds only what was kept.
TEST(CompositeExecutionTest, ASelectionSkipsUnreadCallsAndMasksTheOthers) {
  auto plan = CompositePlan::Build(
      SpecFromJson("/v1/dashboard/{user_id}", kDashboardCalls,
                   R"({"user": "$user", "orders": "$orders.orders", "products": "$products"})"),
      DemoEnvironment());
  ASSERT_TRUE(plan.ok()) << plan.status();
  auto kept = ParseAnswerSelection("user.email,orders.orderId", **plan);
  ASSERT_TRUE(kept.ok()) << kept.status();
  FakeUpstream upstream;
  std::optional<Rendered> response;
  ExecuteComposite(
      *plan, {.bindings = {{{"user_id"}, "1"}}, .selection = SelectCalls(**plan, kept->get())},
      [&](CompositeResponse r) { response = Render(std::move(r)); }, upstream.Starter());
  ASSERT_EQ(upstream.started(), std::vector<std::string>({"user", "orders"}));
  auto mask_of = [](const FakeUpstream::Pending& pending) {
    for (const auto& [key, value] : pending.request.metadata) {
      if (key == "x-protogate-field-mask") return value;
    }
    return std::string("(none)");
  };
  EXPECT_EQ(mask_of(upstream.pending()[0]), "email");
  EXPECT_EQ(RequestJson((*plan)->calls()[0], upstream.pending()[0].request.request),
            Json::parse(R"({"user_id": "1", "read_mask": "email"})"));
  EXPECT_EQ(mask_of(upstream.pending()[1]), "orders.order_id");
  upstream.Answer("user", Ok(UserMessage()));
  upstream.Answer("orders", Ok(OrdersMessage({"p-1", "p-2"})));
  ASSERT_TRUE(response);
  EXPECT_EQ(
      response->body,
      R"({"user":{"email":"ada@example.com"},"orders":[{"orderId":"o-1"},{"orderId":"o-2"}]})");
  EXPECT_EQ(response->TimingsForLog().substr(response->TimingsForLog().rfind(',')),
            ",products:skipped");
}

// Without a selection only the part of a call's output the answer reads is
// asked for: the orders are read at `orders` alone. A call the answer never
// reads is made all the same, asked for nothing less than all.
TEST(CompositeExecutionTest, TheWholeAnswerMasksWhatItDoesNotRead) {
  Harness run;
  run.Start(kDashboardCalls, R"({"orders": "$orders.orders", "products": "$products"})");
  ASSERT_EQ(run.upstream.started(), std::vector<std::string>({"user", "orders"}));
  EXPECT_EQ(run.upstream.pending()[0].request.metadata.back().first, "x-protogate-request-start");
  EXPECT_EQ(run.upstream.pending()[1].request.metadata.back(),
            std::make_pair(std::string("x-protogate-field-mask"), std::string("orders")));
}

TEST(CompositeExecutionTest, TimingsForTheAccessLog) {
  CompositeResponse response;
  response.timings = {
      {.call = "user", .code = 0, .ran = true, .calls = 1, .duration = absl::Microseconds(1200)},
      {.call = "products", .code = 0, .ran = true, .calls = 3, .duration = absl::Milliseconds(3)},
      {.call = "recs", .code = 0, .ran = false, .calls = 0, .duration = absl::ZeroDuration()}};
  EXPECT_EQ(response.TimingsForLog(), "user:0:1.2ms,products:0:3ms:x3,recs:-");
}

// Requests are written from the outputs' wire bytes: messages, repeated
// messages, maps, enums and well-known types are copied as they came, and
// conversions (an int64 into a string field) give what the JSON form gave.
TEST(CompositeExecutionTest, RequestsCarryOutputValuesExactly) {
  Harness run;
  run.Start(R"({
    "user": {"method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$path.user_id"}},
    "orders": {"method": "demo.orders.v1.OrderService/ListOrders",
               "request": {"user_id": "$path.user_id", "page_size": 1}},
    "peers": {"method": "demo.users.v1.UserService/ListUsers",
              "request": {"roles": "$user.roles", "created_after": "$user.create_time",
                          "region": "$user.profile.region", "page_size": 5}},
    "again": {"method": "demo.orders.v1.OrderService/CreateOrder",
              "request": {"user_id": "$orders.orders[0].user_id",
                          "items": "$orders.orders[0].items",
                          "shipping_address": "$orders.orders[0].shipping_address",
                          "labels": "$orders.orders[0].labels",
                          "request_id": "$orders.orders[0].total_cents",
                          "note": "copy of \"o-1\""}}})");
  demo::users::v1::User user = UserMessage();
  user.add_roles(demo::users::v1::ROLE_ADMIN);
  user.add_roles(demo::users::v1::ROLE_CUSTOMER);
  user.mutable_create_time()->set_seconds(1706702400);
  user.mutable_create_time()->set_nanos(5000);
  run.upstream.Answer("user", Ok(user));
  // Fields go on the wire in template order.
  EXPECT_EQ(run.SentRequest(1), Json::parse(R"({"roles": ["ROLE_ADMIN", "ROLE_CUSTOMER"],
      "created_after": "2024-01-31T12:00:00.000005Z", "region": "EU", "page_size": 5})"));

  demo::orders::v1::ListOrdersResponse orders = OrdersMessage({"p-1"});
  auto* order = orders.mutable_orders(0);
  order->set_user_id("1");
  order->mutable_items(0)->set_quantity(-2);
  order->add_items()->set_product_id("p-\xc3\xa9");
  order->set_total_cents(-9007199254740993);
  order->mutable_shipping_address()->set_city("Oslo");
  (*order->mutable_labels())["channel"] = "web";
  (*order->mutable_labels())["empty"] = "";
  run.upstream.Answer("orders", Ok(orders));
  ASSERT_EQ(run.upstream.pending().back().call, "again");
  Json sent = run.SentRequest(run.upstream.pending().size() - 1);
  // A map's entries come in the output's order, which protobuf does not fix.
  EXPECT_EQ(nlohmann::json::parse(common::JsonText(sent["labels"])),
            nlohmann::json::parse(R"({"channel": "web", "empty": ""})"));
  sent.erase("labels");
  EXPECT_EQ(sent, Json::parse(R"({
    "user_id": "1",
    "items": [{"product_id": "p-1", "quantity": -2}, {"product_id": "p-\u00e9"}],
    "shipping_address": {"city": "Oslo"},
    "request_id": "-9007199254740993",
    "note": "copy of \"o-1\""})"));
}

// A literal the field cannot take is found when the plan is built, with the
// call named, not on every request.
TEST(CompositeExecutionTest, ALiteralTheFieldCannotTakeIsAConfigError) {
  auto built = CompositePlan::Build(SpecFromJson("/v1/dashboard/{user_id}", R"({
        "orders": {"method": "demo.orders.v1.OrderService/ListOrders",
                   "request": {"user_id": "$path.user_id", "page_size": "many"}}})",
                                                 ""),
                                    DemoEnvironment());
  ASSERT_FALSE(built.ok());
  EXPECT_TRUE(absl::StrContains(built.status().message(), "orders")) << built.status();
  EXPECT_TRUE(absl::StrContains(built.status().message(), "many")) << built.status();
}

}  // namespace
}  // namespace protogate::aggregate
