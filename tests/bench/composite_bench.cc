// Micro-benchmark of a composite plan without the network: the benchmark's
// composite (a user, their orders and a product, three independent calls)
// run by ExecuteComposite with a starter that answers each call inline with
// canned wire bytes. What it measures is the gateway's own work per
// composite: writing the three requests, taking the outputs in, and printing
// the ~2 KB answer. A second case picks fields and merges a message, and a
// third fans out over the orders' products.
//
//   build/release/tests/bench/composite_bench --benchmark_filter=Composite

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "aggregate/composite_execution.h"
#include "benchmark/benchmark.h"
#include "google/protobuf/util/json_util.h"

namespace protogate::aggregate {
namespace {

namespace gpb = google::protobuf;

std::shared_ptr<const transcode::TypeRegistry> Registry() {
  static const std::shared_ptr<const transcode::TypeRegistry> registry = [] {
    std::ifstream in(PROTOGATE_DEMO_DESCRIPTORS, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    auto loaded = transcode::TypeRegistry::FromDescriptorSet(buffer.str());
    if (!loaded.ok()) std::abort();
    return *loaded;
  }();
  return registry;
}

std::string Encode(const std::string& type, const std::string& json) {
  const gpb::Descriptor* descriptor = Registry()->FindMessage(type);
  if (descriptor == nullptr) std::abort();
  std::unique_ptr<gpb::Message> message(Registry()->Prototype(*descriptor)->New());
  if (!gpb::util::JsonStringToMessage(json, message.get()).ok()) std::abort();
  return message->SerializeAsString();
}

std::string UserBytes() {
  return Encode("demo.users.v1.User",
                R"({"userId":"1","email":"ada@example.com","profile":{"displayName":"Ada )"
                R"(Lovelace","region":"EU","avatarUrl":"https://cdn.example.com/a/1.png"},)"
                R"("roles":["ROLE_CUSTOMER"],"createTime":"2024-01-31T12:00:00Z",)"
                R"("totalSpentCents":"123456","verified":true})");
}

std::string OrdersBytes() {
  std::string orders;
  for (int i = 0; i < 5; ++i) {
    absl::StrAppend(&orders, i > 0 ? "," : "", R"({"orderId":"order-)", i,
                    R"(","userId":"1","items":[{"productId":"p-)", i,
                    R"(","quantity":2,"unitPriceCents":"1999"}],"status":"ORDER_STATUS_SHIPPED",)",
                    R"("totalCents":"3998","createTime":"2024-01-31T12:00:00Z",)",
                    R"("shippingAddress":{"line1":"Karl Johans gate 1","city":"Oslo",)",
                    R"("postalCode":"0154","country":"NO"},"labels":{"channel":"web"}})");
  }
  return Encode("demo.orders.v1.ListOrdersResponse",
                absl::StrCat(R"({"orders":[)", orders, R"(],"totalSize":5})"));
}

std::string ProductBytes() {
  return Encode("demo.catalog.v1.Product",
                R"({"productId":"p-1","title":"The Analytical Engine","category":"CATEGORY_BOOKS",)"
                R"("priceCents":"4999","tags":["history","computing"],)"
                R"("attributes":{"pages":320,"cover":"hard"},"inStock":true,"rating":4.5})");
}

std::shared_ptr<const CompositePlan> Plan(const std::string& calls_yaml_json,
                                          const std::string& response = "") {
  CompositeSpec spec;
  spec.where = "bench.yaml:1:1";
  spec.http_method = "GET";
  spec.path_template = "/v1/bench/composite/{user_id}";
  const Json calls = Json::parse(calls_yaml_json);
  for (auto it = calls.begin(); it != calls.end(); ++it) {
    CallSpec call;
    call.name = it.key();
    call.method = (*it)["method"];
    call.request = (*it)["request"];
    call.for_each = it->value("for_each", "");
    spec.calls.push_back(std::move(call));
  }
  if (!response.empty()) spec.response = Json::parse(response);
  PlanEnvironment env;
  env.registry = Registry();
  for (const char* service : {"demo.users.v1.UserService", "demo.orders.v1.OrderService",
                              "demo.catalog.v1.CatalogService"}) {
    env.upstreams[service] = UpstreamInfo{};
  }
  auto plan = CompositePlan::Build(spec, env);
  if (!plan.ok()) std::abort();
  return *plan;
}

constexpr char kBenchCalls[] = R"({
  "user": {"method": "demo.users.v1.UserService/GetUser", "request": {"user_id": "$path.user_id"}},
  "orders": {"method": "demo.orders.v1.OrderService/ListOrders",
             "request": {"user_id": "$path.user_id", "page_size": 5}},
  "product": {"method": "demo.catalog.v1.CatalogService/GetProduct",
              "request": {"product_id": "p-1"}}})";

// Runs the plan once per iteration, every call answered inline.
void Run(benchmark::State& state, const std::shared_ptr<const CompositePlan>& plan) {
  const std::string user = UserBytes();
  const std::string orders = OrdersBytes();
  const std::string product = ProductBytes();
  CallStarter starter = [&](const PlanCall& call, upstream::UnaryCallRequest,
                            std::function<void(upstream::UnaryCallResult)> done) {
    upstream::UnaryCallResult result;
    result.response = call.name == "user" ? user : call.name == "orders" ? orders : product;
    done(std::move(result));
  };
  size_t bytes = 0;
  for (auto _ : state) {
    CompositeRequest request{.bindings = {{{"user_id"}, "1"}}};
    ExecuteComposite(
        plan, std::move(request),
        [&](CompositeResponse response) {
          if (!response.status.ok()) std::abort();
          bytes = response.body.size();
          benchmark::DoNotOptimize(response.body);
        },
        starter);
  }
  state.counters["answer_bytes"] = static_cast<double>(bytes);
}

void BM_CompositeEveryOutputWhole(benchmark::State& state) { Run(state, Plan(kBenchCalls)); }
BENCHMARK(BM_CompositeEveryOutputWhole);

void BM_CompositePicksAndMerges(benchmark::State& state) {
  Run(state, Plan(kBenchCalls, R"({"$merge": ["$user.profile"], "email": "$user.email",
                                   "orders": "$orders.orders[*].order_id",
                                   "first": "$orders.orders[0].shipping_address",
                                   "product": {"title": "$product.title", "tags": "$product.tags"},
                                   "source": "bench"})"));
}
BENCHMARK(BM_CompositePicksAndMerges);

void BM_CompositeFanOut(benchmark::State& state) {
  Run(state, Plan(R"({
    "orders": {"method": "demo.orders.v1.OrderService/ListOrders",
               "request": {"user_id": "$path.user_id", "page_size": 5}},
    "product": {"method": "demo.catalog.v1.CatalogService/GetProduct",
                "for_each": "$orders.orders[*].items[0].product_id",
                "request": {"product_id": "$item"}}})"));
}
BENCHMARK(BM_CompositeFanOut);

}  // namespace
}  // namespace protogate::aggregate

BENCHMARK_MAIN();
