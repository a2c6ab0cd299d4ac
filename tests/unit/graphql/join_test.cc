// Join fields and selection pushdown, executed against scripted answers of
// the demo methods: which calls are made (deduplicated, batched, bounded,
// in order for mutations), what their requests hold, and where answers and
// errors land in the response.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "aggregate/value_printer.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "graphql/executor.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "support/demo_graphql.h"

namespace protogate::graphql {
namespace {

namespace gpb = google::protobuf;
using nlohmann::json;

const gpb::MethodDescriptor* Method(const std::string& service, const std::string& name) {
  const gpb::ServiceDescriptor* found = test::DemoRegistry()->pool().FindServiceByName(service);
  return found == nullptr ? nullptr : found->FindMethodByName(name);
}

const gpb::MethodDescriptor* GetUser() { return Method("demo.users.v1.UserService", "GetUser"); }
const gpb::MethodDescriptor* ListOrders() {
  return Method("demo.orders.v1.OrderService", "ListOrders");
}
const gpb::MethodDescriptor* BatchGetProducts() {
  return Method("demo.catalog.v1.CatalogService", "BatchGetProducts");
}

// LineItem.product's batch of the demo config, with another key.
JoinBatchSpec ProductBatch(std::string key) {
  return {.method = BatchGetProducts(),
          .request = {{"product_ids", "$keys"}},
          .key = std::move(key),
          .response = "products",
          .match = "product_id"};
}

// The demo config's joins.
std::vector<JoinSpec> DemoJoins() {
  return {
      {.type = "Order",
       .field = "user",
       .method = GetUser(),
       .request = {{"user_id", "$parent.user_id"}}},
      {.type = "User",
       .field = "orders",
       .method = ListOrders(),
       .request = {{"user_id", "$parent.user_id"}, {"page_size", "$args.first"}},
       .arguments = {{"first", "Int"}},
       .result = "orders"},
      {.type = "LineItem", .field = "product", .batch = ProductBatch("$parent.product_id")},
  };
}

absl::StatusOr<std::shared_ptr<const Schema>> BuildSchema(
    std::vector<JoinSpec> joins, std::vector<RootMethod> methods = test::DemoRootMethods()) {
  return Schema::Build(methods, joins, test::DemoRegistry().get());
}

// A message of `type` from text format, as a call answers it.
aggregate::Value Message(const gpb::Descriptor& type, const std::string& text) {
  static gpb::DynamicMessageFactory factory;
  std::unique_ptr<gpb::Message> message(factory.GetPrototype(&type)->New());
  EXPECT_TRUE(gpb::TextFormat::ParseFromString(text, message.get())) << text;
  return aggregate::Value::Message(
      std::make_shared<const std::string>(message->SerializeAsString()), type);
}

// The request of a call (wire bytes or proto3 JSON) as text format.
std::string RequestText(const Call& call) {
  static gpb::DynamicMessageFactory factory;
  std::unique_ptr<gpb::Message> message(factory.GetPrototype(call.method->input_type())->New());
  if (call.wire) {
    EXPECT_TRUE(message->ParseFromString(call.request));
  } else {
    EXPECT_TRUE(gpb::util::JsonStringToMessage(call.request, message.get()).ok()) << call.request;
  }
  return message->ShortDebugString();
}

// The first quoted value of a text-format request.
std::string FirstString(const std::string& request) {
  const size_t quote = request.find('"');
  if (quote == std::string::npos) return "";
  return request.substr(quote + 1, request.find('"', quote + 1) - quote - 1);
}

struct MadeCall {
  std::string method;   // "GetUser"
  std::string request;  // RequestText
};

// Answers each call from `answer` (by method name and request text), at once
// or, when `defer` is set, when the test calls AnswerAll().
class ScriptedServices {
 public:
  using Answer = std::function<CallReply(const std::string& method, const std::string& request)>;

  explicit ScriptedServices(Answer answer) : answer_(std::move(answer)) {}

  Caller caller() {
    return [this](Call call, std::function<void(CallReply)> done) {
      MadeCall made{call.method->name(), RequestText(call)};
      calls_.push_back(made);
      CallReply reply = answer_(made.method, made.request);
      if (!defer_) return done(std::move(reply));
      waiting_.push_back([done = std::move(done), reply = std::move(reply)] { done(reply); });
      max_in_flight_ = std::max(max_in_flight_, static_cast<int>(waiting_.size()));
    };
  }

  void set_defer(bool defer) { defer_ = defer; }
  // Answers what waits, one at a time, until nothing does.
  void AnswerAll() {
    while (!waiting_.empty()) {
      auto next = std::move(waiting_.front());
      waiting_.erase(waiting_.begin());
      next();
    }
  }

  const std::vector<MadeCall>& calls() const { return calls_; }
  int Count(const std::string& method) const {
    return static_cast<int>(std::count_if(calls_.begin(), calls_.end(),
                                          [&](const MadeCall& c) { return c.method == method; }));
  }
  int max_in_flight() const { return max_in_flight_; }

 private:
  Answer answer_;
  bool defer_ = false;
  std::vector<MadeCall> calls_;
  std::vector<std::function<void()>> waiting_;
  int max_in_flight_ = 0;
};

const gpb::Descriptor& Type(const std::string& name) {
  return *test::DemoRegistry()->pool().FindMessageTypeByName(name);
}

// The demo data: users 1..9 ("u<N>@example.com"), ListOrders by user,
// products p-1 and p-2 (p-3 and others unknown).
CallReply DemoAnswer(const std::string& method, const std::string& request) {
  if (method == "GetUser") {
    const std::string id = FirstString(request);
    if (id == "404") return {.status = absl::NotFoundError("user 404 not found")};
    return {.response = Message(Type("demo.users.v1.User"),
                                "user_id: \"" + id + "\" email: \"u" + id + "@example.com\"")};
  }
  if (method == "ListOrders") {
    return {.response = Message(Type("demo.orders.v1.ListOrdersResponse"),
                                R"(orders { order_id: "o-1" user_id: "1"
                                            items { product_id: "p-1" } items { product_id: "p-2" } }
                                   orders { order_id: "o-2" user_id: "2"
                                            items { product_id: "p-1" } items { product_id: "p-3" } }
                                   orders { order_id: "o-3" user_id: "1" })")};
  }
  if (method == "BatchGetProducts") {
    std::string products;
    for (const char* id : {"p-1", "p-2"}) {
      if (absl::StrContains(request, id)) {
        products += std::string("products { product_id: \"") + id + "\" title: \"T" + id + "\" } ";
      }
    }
    return {.response = Message(Type("demo.catalog.v1.BatchGetProductsResponse"), products)};
  }
  if (method == "CreateOrder") {
    return {.response = Message(Type("demo.orders.v1.Order"),
                                "order_id: \"o-9\" user_id: \"" + FirstString(request) + "\"")};
  }
  if (method == "SearchProducts") {
    return {.response = Message(Type("demo.catalog.v1.SearchProductsResponse"),
                                R"(products { product_id: "p-1" title: "T" })")};
  }
  return {.status = absl::UnimplementedError(method)};
}

struct Outcome {
  json body{};
  std::vector<Error> refused{};
};

Outcome Execute(const std::shared_ptr<const Schema>& schema, ScriptedServices& services,
                const std::string& query, ExecutionLimits limits = {}, json variables = {}) {
  static const auto values = std::make_shared<const aggregate::ValuePrinter>(
      test::DemoRegistry(), transcode::JsonOutputOptions{});
  GraphqlRequest request{.query = query};
  if (!variables.is_null()) request.variables = nlohmann::ordered_json::parse(variables.dump());
  Prepared prepared = Prepare(*schema, request, limits);
  if (!prepared.errors.empty()) return {.refused = prepared.errors};
  Outcome run;
  bool done = false;
  graphql::Execute(schema, values, std::move(prepared), limits, services.caller(),
                   [&](ExecutionResult result) {
                     run.body = json::parse(result.body);
                     done = true;
                   });
  services.AnswerAll();
  EXPECT_TRUE(done) << query;
  return run;
}

TEST(GraphqlJoinTest, JoinFieldsAreNullableFieldsWithTheirArguments) {
  auto schema = BuildSchema(DemoJoins());
  ASSERT_TRUE(schema.ok()) << schema.status();
  const std::string sdl = (*schema)->Sdl();
  EXPECT_TRUE(absl::StrContains(sdl, "  user: User\n")) << sdl;
  EXPECT_TRUE(absl::StrContains(sdl, "  orders(first: Int): [Order!]\n")) << sdl;
  EXPECT_TRUE(absl::StrContains(sdl, "  product: Product\n")) << sdl;
}

TEST(GraphqlJoinTest, EachDistinctParentKeyIsOneCall) {
  auto schema = BuildSchema(DemoJoins());
  ASSERT_TRUE(schema.ok()) << schema.status();
  ScriptedServices services(DemoAnswer);
  Outcome run = Execute(*schema, services,
                        "{ listOrders(userId: \"1\") { orders { orderId user { email } } } }");
  EXPECT_EQ(run.body, json::parse(R"({"data": {"listOrders": {"orders": [
      {"orderId": "o-1", "user": {"email": "u1@example.com"}},
      {"orderId": "o-2", "user": {"email": "u2@example.com"}},
      {"orderId": "o-3", "user": {"email": "u1@example.com"}}]}}})"))
      << run.body;
  EXPECT_EQ(services.Count("GetUser"), 2);  // users 1 and 2, once each
}

TEST(GraphqlJoinTest, ABatchedJoinAsksForEveryDistinctKeyInOneCall) {
  auto schema = BuildSchema(DemoJoins());
  ASSERT_TRUE(schema.ok()) << schema.status();
  ScriptedServices services(DemoAnswer);
  Outcome run = Execute(*schema, services,
                        "{ listOrders { orders { items { productId product { title } } } } }");
  ASSERT_EQ(services.Count("BatchGetProducts"), 1);
  EXPECT_EQ(services.calls().back().request,
            R"(product_ids: "p-1" product_ids: "p-2" product_ids: "p-3")");
  const json& orders = run.body["data"]["listOrders"]["orders"];
  EXPECT_EQ(orders[0]["items"][1]["product"], json({{"title", "Tp-2"}})) << run.body;
  EXPECT_EQ(orders[1]["items"][0]["product"], json({{"title", "Tp-1"}}));
  EXPECT_TRUE(orders[1]["items"][1]["product"].is_null());  // p-3: none, and no error
  EXPECT_FALSE(run.body.contains("errors")) << run.body;
}

TEST(GraphqlJoinTest, BatchesAreSplitAtMaxKeys) {
  std::vector<JoinSpec> joins = DemoJoins();
  joins[2].batch->max_keys = 2;
  auto schema = BuildSchema(joins);
  ASSERT_TRUE(schema.ok()) << schema.status();
  ScriptedServices services(DemoAnswer);
  Execute(*schema, services, "{ listOrders { orders { items { product { title } } } } }");
  EXPECT_EQ(services.Count("BatchGetProducts"), 2);
}

TEST(GraphqlJoinTest, JoinsUnderJoinsUseArgumentsAndAFailedCallIsAFieldError) {
  auto schema = BuildSchema(DemoJoins());
  ASSERT_TRUE(schema.ok()) << schema.status();
  ScriptedServices services([](const std::string& method, const std::string& request) {
    if (method == "ListOrders") {
      return CallReply{.response = Message(Type("demo.orders.v1.ListOrdersResponse"),
                                           R"(orders { order_id: "o-1" user_id: "404" }
                                              orders { order_id: "o-2" user_id: "5" })")};
    }
    return DemoAnswer(method, request);
  });
  Outcome run = Execute(*schema, services, R"({ getUser(userId: "5") {
      email orders(first: 2) { orderId user { email } } } })");
  ASSERT_EQ(services.calls().size(), 4u);
  EXPECT_EQ(services.calls()[1].method, "ListOrders");
  EXPECT_EQ(services.calls()[1].request, R"(user_id: "5" page_size: 2)");
  EXPECT_EQ(run.body["data"], json::parse(R"({"getUser": {"email": "u5@example.com", "orders": [
      {"orderId": "o-1", "user": null}, {"orderId": "o-2", "user": {"email": "u5@example.com"}}]}})"))
      << run.body;
  ASSERT_EQ(run.body["errors"].size(), 1u) << run.body;
  const json& error = run.body["errors"][0];
  EXPECT_EQ(error["message"], "user 404 not found");
  EXPECT_EQ(error["path"], json::parse(R"(["getUser", "orders", 0, "user"])"));
  EXPECT_EQ(error["extensions"]["code"], "NOT_FOUND");
  EXPECT_EQ(error["extensions"]["grpcStatus"], 5);
}

TEST(GraphqlJoinTest, JoinCallsInFlightStayUnderTheConcurrencyLimit) {
  auto schema = BuildSchema(DemoJoins());
  ASSERT_TRUE(schema.ok()) << schema.status();
  ScriptedServices services([](const std::string& method, const std::string& request) {
    if (method == "ListOrders") {
      std::string orders;
      for (int i = 1; i <= 9; ++i) {
        orders += "orders { user_id: \"" + std::to_string(i) + "\" } ";
      }
      return CallReply{.response = Message(Type("demo.orders.v1.ListOrdersResponse"), orders)};
    }
    return DemoAnswer(method, request);
  });
  services.set_defer(true);
  Outcome run = Execute(*schema, services, "{ listOrders { orders { user { email } } } }",
                        {.join_concurrency = 3});
  EXPECT_EQ(services.Count("GetUser"), 9);
  EXPECT_EQ(services.max_in_flight(), 3);
  EXPECT_EQ(run.body["data"]["listOrders"]["orders"][8]["user"]["email"], "u9@example.com")
      << run.body;
}

TEST(GraphqlJoinTest, CallsPastMaxCallsAreNotMadeAndSaySo) {
  auto schema = BuildSchema(DemoJoins());
  ASSERT_TRUE(schema.ok()) << schema.status();
  ScriptedServices services(DemoAnswer);
  Outcome run =
      Execute(*schema, services, "{ listOrders { orders { user { email } } } }", {.max_calls = 2});
  EXPECT_EQ(services.calls().size(), 2u);  // ListOrders and the first GetUser
  const json& orders = run.body["data"]["listOrders"]["orders"];
  EXPECT_EQ(orders[0]["user"]["email"], "u1@example.com") << run.body;
  EXPECT_TRUE(orders[1]["user"].is_null());
  ASSERT_EQ(run.body["errors"].size(), 1u) << run.body;
  EXPECT_EQ(run.body["errors"][0]["extensions"]["code"], "RESOURCE_EXHAUSTED");
  EXPECT_EQ(run.body["errors"][0]["path"], json::parse(R"(["listOrders", "orders", 1, "user"])"));
}

TEST(GraphqlJoinTest, AnOperationThatNeedsTooManyCallsIsRefusedBeforeAnyCall) {
  auto schema = BuildSchema(DemoJoins());
  ASSERT_TRUE(schema.ok()) << schema.status();
  ScriptedServices services(DemoAnswer);
  Outcome run = Execute(*schema, services, R"({ a: listOrders { orders { user { email } } }
      b: listOrders { orders { user { orders { user { email } } } } } })",
                        {.max_calls = 4});
  ASSERT_EQ(run.refused.size(), 1u);
  EXPECT_TRUE(absl::StrContains(run.refused[0].message, "needs more than 4 internal calls"))
      << run.refused[0].message;
  EXPECT_TRUE(services.calls().empty());
}

TEST(GraphqlJoinTest, EachMutationFieldFinishesItsJoinsBeforeTheNextStarts) {
  auto schema = BuildSchema(DemoJoins());
  ASSERT_TRUE(schema.ok()) << schema.status();
  ScriptedServices services(DemoAnswer);
  services.set_defer(true);
  Outcome run = Execute(*schema, services, R"(mutation {
      a: createOrder(userId: "7") { orderId user { email } }
      b: createOrder(userId: "8") { user { userId } } })");
  std::vector<std::string> order;
  for (const MadeCall& call : services.calls()) order.push_back(call.method);
  EXPECT_EQ(order, std::vector<std::string>({"CreateOrder", "GetUser", "CreateOrder", "GetUser"}));
  EXPECT_EQ(run.body["data"]["a"]["user"]["email"], "u7@example.com") << run.body;
  EXPECT_EQ(run.body["data"]["b"]["user"]["userId"], "8");
}

TEST(GraphqlJoinTest, TheReadMaskCarriesTheSelectionAndTheJoinKeys) {
  std::vector<RootMethod> methods = test::DemoRootMethods();
  const gpb::MethodDescriptor* search = Method("demo.catalog.v1.CatalogService", "SearchProducts");
  const gpb::Descriptor& request = *search->input_type();
  for (RootMethod& method : methods) {
    if (method.method == search) method.read_mask = request.FindFieldByName("fields");
  }
  std::vector<JoinSpec> joins = DemoJoins();
  joins.push_back({.type = "Product",
                   .field = "owner",
                   .method = GetUser(),
                   .request = {{"user_id", "$parent.product_id"}}});
  auto schema = BuildSchema(joins, methods);
  ASSERT_TRUE(schema.ok()) << schema.status();
  // The mask is the gateway's to fill: no argument.
  const SchemaField* root = (*schema)->FindField(*(*schema)->query(), "searchProducts");
  ASSERT_NE(root, nullptr);
  for (const InputValue& argument : root->arguments) EXPECT_NE(argument.name, "fields");
  ScriptedServices services(DemoAnswer);
  Execute(*schema, services,
          "{ searchProducts(q: \"x\") { products { title tags owner { email } } query { q } } }");
  ASSERT_EQ(services.calls().size(), 2u);  // and the owner's GetUser
  EXPECT_EQ(services.calls()[0].request,
            R"(q: "x" fields { paths: "products.title" paths: "products.tags" )"
            R"(paths: "products.product_id" paths: "query.q" })");

  for (RootMethod& method : methods) {
    if (method.method == search) {
      method.read_mask_scope = search->output_type()->FindFieldByName("products");
    }
  }
  schema = BuildSchema(joins, methods);
  ASSERT_TRUE(schema.ok()) << schema.status();
  ScriptedServices scoped(DemoAnswer);
  Execute(*schema, scoped, "{ searchProducts { query { q } products { rating title } } }");
  EXPECT_EQ(scoped.calls()[0].request, R"(fields { paths: "rating" paths: "title" })");
}

// A join's own call gets the mask of what its field's selection reads:
// relative to the field the join shows (`result`), or to the method's
// scope when that is the field shown; none when the template sets it.
TEST(GraphqlJoinTest, AJoinsCallCarriesItsSelectionAsTheReadMask) {
  const gpb::MethodDescriptor* search = Method("demo.catalog.v1.CatalogService", "SearchProducts");
  std::vector<JoinSpec> joins = DemoJoins();
  joins[0].read_mask = GetUser()->input_type()->FindFieldByName("read_mask");
  joins.push_back({.type = "LineItem",
                   .field = "similar",
                   .method = search,
                   .request = {{"q", "$parent.product_id"}},
                   .result = "products",
                   .read_mask = search->input_type()->FindFieldByName("fields")});
  const std::string query =
      "{ listOrders { orders { user { email profile { region } } "
      "items { similar { title } } } } }";
  auto requests = [&](const std::vector<JoinSpec>& specs) {
    auto schema = BuildSchema(specs);
    EXPECT_TRUE(schema.ok()) << schema.status();
    ScriptedServices services(DemoAnswer);
    Execute(*schema, services, query);
    std::map<std::string, std::string> last;  // by method
    for (const MadeCall& call : services.calls()) last[call.method] = call.request;
    return last;
  };
  auto made = requests(joins);
  EXPECT_EQ(made["GetUser"].substr(made["GetUser"].find("read_mask")),
            R"(read_mask { paths: "email" paths: "profile.region" })");
  EXPECT_EQ(made["SearchProducts"].substr(made["SearchProducts"].find("fields")),
            R"(fields { paths: "products.title" })");

  joins.back().read_mask_scope = search->output_type()->FindFieldByName("products");
  made = requests(joins);
  EXPECT_EQ(made["SearchProducts"].substr(made["SearchProducts"].find("fields")),
            R"(fields { paths: "title" })");

  joins.back().request["fields"] = "tags";  // the config's own mask stays
  made = requests(joins);
  EXPECT_EQ(made["SearchProducts"].substr(made["SearchProducts"].find("fields")),
            R"(fields { paths: "tags" })");
}

TEST(GraphqlJoinTest, LoadErrorsNameTheJoinAndTheProblem) {
  auto error_of = [](std::function<void(JoinSpec&)> change) {
    std::vector<JoinSpec> joins = DemoJoins();
    joins[0].where = "gateway.yaml:9:5";
    change(joins[0]);
    auto schema = BuildSchema(joins);
    return schema.ok() ? std::string("ok") : std::string(schema.status().message());
  };
  auto expect = [&](std::function<void(JoinSpec&)> change, const std::string& wanted) {
    const std::string error = error_of(change);
    EXPECT_TRUE(absl::StrContains(error, wanted)) << error;
    EXPECT_TRUE(absl::StartsWith(error, "gateway.yaml:9:5: graphql.joins.")) << error;
  };
  expect([](JoinSpec& j) { j.type = "Nope"; }, "\"Nope\" is no object type of the schema");
  expect([](JoinSpec& j) { j.field = "userId"; }, "Order already has a field userId");
  expect(
      [](JoinSpec& j) {
        j.request = {{"user_id", "$parent.nope"}};
      },
      "request.user_id: $parent.nope: no field \"nope\" in demo.orders.v1.Order");
  expect(
      [](JoinSpec& j) {
        j.request = {{"nope", "$parent.user_id"}};
      },
      "no field \"nope\" in demo.users.v1.GetUserRequest");
  expect(
      [](JoinSpec& j) {
        j.request = {{"user_id", "$args.id"}};
      },
      "expected $args.<name> of a declared argument (none declared)");
  expect([](JoinSpec& j) { j.request = {{"user_id", "$keys"}}; }, "unknown root");
  expect([](JoinSpec& j) { j.request = {{"user_id", "$parent.items"}}; }, "type mismatch");
  expect([](JoinSpec& j) { j.result = "nope"; }, "result: no field \"nope\" in demo.users.v1.User");
  expect([](JoinSpec& j) { j.arguments = {{"first", "Order"}}; }, "is no input type of the schema");
  expect([](JoinSpec& j) { j.batch = ProductBatch("$parent.user_id"); },
         "either method (one call per parent) or batch");
  expect(
      [](JoinSpec& j) {
        j.method = nullptr;
        j.batch = ProductBatch("$parent.total_cents");
      },
      "batch.key: $parent.total_cents is an int64 but batch.match");
}

}  // namespace
}  // namespace protogate::graphql
