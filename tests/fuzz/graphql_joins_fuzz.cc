// libFuzzer target: GraphQL documents against the demo schema with the demo
// config's join fields (per-parent, with arguments, batched), executed with
// scripted answers that hold parents for every join (orders with users and
// items, users, products) and fail every third call. The invariants: no
// crash, no hang, no call past max_calls; an executed request answers one
// JSON object with "data".

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "aggregate/value_printer.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/text_format.h"
#include "graphql/executor.h"
#include "nlohmann/json.hpp"
#include "transcode/type_registry.h"

namespace {

using namespace protogate;
namespace gpb = google::protobuf;

constexpr int kMaxCalls = 40;

std::shared_ptr<const transcode::TypeRegistry> Registry() {
  static const auto* const registry = [] {
    std::ifstream in(PROTOGATE_DEMO_DESCRIPTORS, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    auto loaded = transcode::TypeRegistry::FromDescriptorSet(bytes.str());
    if (!loaded.ok()) std::abort();
    return new std::shared_ptr<const transcode::TypeRegistry>(*loaded);
  }();
  return *registry;
}

const gpb::MethodDescriptor* Method(const char* service, const char* name) {
  const gpb::ServiceDescriptor* found = Registry()->pool().FindServiceByName(service);
  const gpb::MethodDescriptor* method = found ? found->FindMethodByName(name) : nullptr;
  if (method == nullptr) std::abort();
  return method;
}

std::shared_ptr<const graphql::Schema> DemoSchema() {
  static const auto* const schema = [] {
    std::vector<graphql::RootMethod> methods;
    for (const char* name : {"demo.users.v1.UserService", "demo.orders.v1.OrderService",
                             "demo.catalog.v1.CatalogService"}) {
      const gpb::ServiceDescriptor* service = Registry()->pool().FindServiceByName(name);
      for (int i = 0; i < service->method_count(); ++i) {
        // Streaming methods are no root fields (as the gateway's schema skips them).
        const auto* method = service->method(i);
        if (method->server_streaming() || method->client_streaming()) continue;
        methods.push_back({.method = service->method(i),
                           .has_get_binding = service->method(i)->name().rfind("Get", 0) == 0 ||
                                              service->method(i)->name().rfind("List", 0) == 0});
      }
    }
    const gpb::MethodDescriptor* search =
        Method("demo.catalog.v1.CatalogService", "SearchProducts");
    for (graphql::RootMethod& method : methods) {
      if (method.method == search) {
        method.read_mask = search->input_type()->FindFieldByName("fields");
        method.read_mask_scope = search->output_type()->FindFieldByName("products");
      }
    }
    std::vector<graphql::JoinSpec> joins = {
        {.type = "Order",
         .field = "user",
         .method = Method("demo.users.v1.UserService", "GetUser"),
         .request = {{"user_id", "$parent.user_id"}}},
        {.type = "User",
         .field = "orders",
         .method = Method("demo.orders.v1.OrderService", "ListOrders"),
         .request = {{"user_id", "$parent.user_id"}, {"page_size", "$args.first"}},
         .arguments = {{"first", "Int"}},
         .result = "orders"},
        {.type = "LineItem",
         .field = "product",
         .batch = graphql::JoinBatchSpec{
             .method = Method("demo.catalog.v1.CatalogService", "BatchGetProducts"),
             .request = {{"product_ids", "$keys"}},
             .key = "$parent.product_id",
             .response = "products",
             .match = "product_id",
             .max_keys = 2}}};
    auto built = graphql::Schema::Build(methods, joins, Registry().get());
    if (!built.ok()) std::abort();
    return new std::shared_ptr<const graphql::Schema>(*built);
  }();
  return *schema;
}

// A scripted answer of `type`: parents for every join.
aggregate::Value Answer(const gpb::Descriptor& type) {
  static gpb::DynamicMessageFactory factory;
  std::string text;
  const std::string& name = type.full_name();
  if (name == "demo.orders.v1.ListOrdersResponse") {
    text =
        R"(orders { order_id: "o-1" user_id: "1" items { product_id: "p-1" } items { product_id: "p-2" } }
              orders { order_id: "o-2" user_id: "2" items { product_id: "p-1" } })";
  } else if (name == "demo.orders.v1.Order") {
    text = R"(order_id: "o-1" user_id: "1" items { product_id: "p-3" })";
  } else if (name == "demo.users.v1.User") {
    text = R"(user_id: "1" email: "a@example.com")";
  } else if (name == "demo.catalog.v1.BatchGetProductsResponse") {
    text = R"(products { product_id: "p-1" title: "one" } products { product_id: "p-2" })";
  }
  std::unique_ptr<gpb::Message> message(factory.GetPrototype(&type)->New());
  if (!gpb::TextFormat::ParseFromString(text, message.get())) std::abort();
  return aggregate::Value::Message(
      std::make_shared<const std::string>(message->SerializeAsString()), type);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  graphql::GraphqlRequest request{.query = std::string(reinterpret_cast<const char*>(data), size)};
  const graphql::ExecutionLimits limits{
      .max_tokens = 2000, .max_calls = kMaxCalls, .join_concurrency = 3};
  graphql::Prepared prepared = graphql::Prepare(*DemoSchema(), request, limits);
  if (!prepared.errors.empty()) return 0;
  static const auto values =
      std::make_shared<const aggregate::ValuePrinter>(Registry(), transcode::JsonOutputOptions{});
  int calls = 0;
  std::string body;
  graphql::Execute(
      DemoSchema(), values, std::move(prepared), limits,
      [&calls](graphql::Call call, std::function<void(graphql::CallReply)> done) {
        if (++calls > kMaxCalls) std::abort();
        graphql::CallReply reply;
        if (calls % 3 == 0) {
          reply.status = absl::UnavailableError("scripted");
        } else {
          reply.response = Answer(*call.method->output_type());
        }
        done(std::move(reply));
      },
      [&body](graphql::ExecutionResult result) { body = std::move(result.body); });
  const nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("data")) std::abort();
  return 0;
}
