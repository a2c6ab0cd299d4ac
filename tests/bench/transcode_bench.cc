// Micro-benchmarks of the transcode stage on the demo protos: the request
// side of a GET with one path variable and of a POST with a ~1 KB JSON body,
// the response side of a small message and of a ~10 KB list (through the
// response transcoder, and through protobuf's printer alone for comparison),
// the strict JSON check of the POST body alone, and the POST body's
// conversion to wire bytes alone: by JsonToWire and by protobuf's converter.
// Depends on the transcode headers only.

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/json_util.h"
#include "transcode/json_to_wire.h"
#include "transcode/request_transcoder.h"
#include "transcode/response_transcoder.h"
#include "transcode/status_mapping.h"
#include "transcode/strict_json.h"

namespace protogate::transcode {
namespace {

namespace gpb = google::protobuf;

std::shared_ptr<const TypeRegistry> Registry() {
  static const std::shared_ptr<const TypeRegistry> registry = [] {
    std::ifstream in(PROTOGATE_DEMO_DESCRIPTORS, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    auto loaded = TypeRegistry::FromDescriptorSet(buffer.str());
    if (!loaded.ok()) std::abort();
    return *loaded;
  }();
  return registry;
}

const gpb::MethodDescriptor& Method(const char* name) {
  const gpb::MethodDescriptor* method = Registry()->FindMethod(name);
  if (method == nullptr) std::abort();
  return *method;
}

std::string Encode(const gpb::Descriptor& type, const std::string& json) {
  std::unique_ptr<gpb::Message> message(Registry()->Prototype(type)->New());
  if (!gpb::util::JsonStringToMessage(json, message.get()).ok()) std::abort();
  return message->SerializeAsString();
}

std::string CreateOrderJson() {
  std::string items;
  for (int i = 0; i < 8; ++i) {
    absl::StrAppend(&items, i > 0 ? "," : "", R"({"productId":"product-)", i, R"(","quantity":)",
                    i + 1, R"(,"unitPriceCents":"1999"})");
  }
  return absl::StrCat(R"({"userId":"user-12345","items":[)", items,
                      R"(],"shippingAddress":{"line1":"Karl Johans gate 1","line2":"Floor 3",)",
                      R"("city":"Oslo","postalCode":"0154","country":"NO"},)",
                      R"("note":"Please leave the parcel with the neighbour if nobody is home.",)",
                      R"("labels":{"channel":"web","campaign":"spring-sale","gift":"yes"},)",
                      R"("requestId":"3f8e7c1a-5b2d-4e6f-9a0b-1c2d3e4f5a6b"})");
}

std::string ListOrdersJson(int count) {
  std::string orders;
  for (int i = 0; i < count; ++i) {
    absl::StrAppend(&orders, i > 0 ? "," : "", R"({"orderId":"order-)", i,
                    R"(","userId":"user-12345","items":[{"productId":"product-1","quantity":2,)",
                    R"("unitPriceCents":"1999"}],"status":"ORDER_STATUS_SHIPPED",)",
                    R"("totalCents":"3998","createTime":"2024-01-31T12:00:00Z",)",
                    R"("shippingAddress":{"city":"Oslo","country":"NO"}})");
  }
  return absl::StrCat(R"({"orders":[)", orders, R"(],"totalSize":)", count, "}");
}

void BM_RequestGetOnePathVariable(benchmark::State& state) {
  auto transcoder = RequestTranscoder::Create(
      Registry(), *Method("demo.users.v1.UserService.GetUser").input_type(), "", {});
  const HttpRequestParts parts{.body = {}, .bindings = {{{"user_id"}, "12345"}}, .query = {}};
  for (auto _ : state) benchmark::DoNotOptimize(transcoder->Transcode(parts));
}
BENCHMARK(BM_RequestGetOnePathVariable);

void BM_RequestGetWithQuery(benchmark::State& state) {
  auto transcoder = RequestTranscoder::Create(
      Registry(), *Method("demo.orders.v1.OrderService.ListOrders").input_type(), "", {});
  for (auto _ : state) {
    auto query = ParseQueryString("page_size=50&status=ORDER_STATUS_SHIPPED");
    const HttpRequestParts parts{
        .body = {}, .bindings = {{{"user_id"}, "user-12345"}}, .query = *std::move(query)};
    benchmark::DoNotOptimize(transcoder->Transcode(parts));
  }
}
BENCHMARK(BM_RequestGetWithQuery);

void BM_RequestPostCreateOrder(benchmark::State& state) {
  auto transcoder = RequestTranscoder::Create(
      Registry(), *Method("demo.orders.v1.OrderService.CreateOrder").input_type(), "*", {});
  const std::string body = CreateOrderJson();
  const HttpRequestParts parts{.body = body, .bindings = {}, .query = {}};
  for (auto _ : state) benchmark::DoNotOptimize(transcoder->Transcode(parts));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.counters["body_bytes"] = static_cast<double>(body.size());
}
BENCHMARK(BM_RequestPostCreateOrder);

// The strict check alone, on the same body: its share of the POST above.
void BM_StrictJsonCreateOrder(benchmark::State& state) {
  const JsonBodyShape shape =
      JsonBodyShape::Message(*Method("demo.orders.v1.OrderService.CreateOrder").input_type());
  const std::string body = CreateOrderJson();
  for (auto _ : state) {
    benchmark::DoNotOptimize(CheckStrictJson(body, shape, kDefaultMaxJsonDepth));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_StrictJsonCreateOrder);

void BM_JsonToWireCreateOrder(benchmark::State& state) {
  auto writer =
      JsonToWire::ForMessage(*Method("demo.orders.v1.OrderService.CreateOrder").input_type(), {});
  const std::string body = CreateOrderJson();
  std::string wire;
  for (auto _ : state) {
    wire.clear();
    if (!writer->Append(body, &wire).ok()) state.SkipWithError("JsonToWire failed");
    benchmark::DoNotOptimize(wire.data());
  }
}
BENCHMARK(BM_JsonToWireCreateOrder);

// The converter the writer replaces, on the same body.
void BM_ProtobufJsonToBinaryCreateOrder(benchmark::State& state) {
  const std::string url =
      TypeRegistry::TypeUrl(*Method("demo.orders.v1.OrderService.CreateOrder").input_type());
  const std::string body = CreateOrderJson();
  std::string wire;
  for (auto _ : state) {
    wire.clear();
    gpb::io::ArrayInputStream in(body.data(), static_cast<int>(body.size()));
    gpb::io::StringOutputStream out(&wire);
    if (!gpb::util::JsonToBinaryStream(Registry()->resolver(), url, &in, &out, {}).ok()) {
      state.SkipWithError("JsonToBinaryStream failed");
    }
    benchmark::DoNotOptimize(wire.data());
  }
}
BENCHMARK(BM_ProtobufJsonToBinaryCreateOrder);

void BM_ResponseUser(benchmark::State& state) {
  const gpb::Descriptor& type = *Method("demo.users.v1.UserService.GetUser").output_type();
  auto transcoder = ResponseTranscoder::Create(Registry(), type, "", {});
  const std::string binary =
      Encode(type, R"({"userId":"12345","email":"ann@example.com","profile":{"displayName":"Ann",
                      "region":"eu"},"roles":["ROLE_CUSTOMER"],"createTime":"2024-01-31T12:00:00Z",
                      "totalSpentCents":"123456","verified":true})");
  for (auto _ : state) benchmark::DoNotOptimize(transcoder->Transcode(binary));
}
BENCHMARK(BM_ResponseUser);

void BM_ResponseListOrders100(benchmark::State& state) {
  const gpb::Descriptor& type = *Method("demo.orders.v1.OrderService.ListOrders").output_type();
  auto transcoder = ResponseTranscoder::Create(Registry(), type, "", {});
  const std::string binary = Encode(type, ListOrdersJson(100));
  for (auto _ : state) benchmark::DoNotOptimize(transcoder->Transcode(binary));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * binary.size()));
  state.counters["binary_bytes"] = static_cast<double>(binary.size());
}
BENCHMARK(BM_ResponseListOrders100);

// protobuf's own printer on the same bytes: what the response transcoder
// costs when its fast printer declines (and what it cost before it had one).
void ProtobufPrint(benchmark::State& state, const gpb::Descriptor& type,
                   const std::string& binary) {
  gpb::util::JsonPrintOptions options;
  const std::string url = TypeRegistry::TypeUrl(type);
  for (auto _ : state) {
    std::string json;
    auto status =
        gpb::util::BinaryToJsonString(Registry()->resolver(), url, binary, &json, options);
    benchmark::DoNotOptimize(json);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * binary.size()));
}

void BM_ResponseUserProtobufPrinter(benchmark::State& state) {
  const gpb::Descriptor& type = *Method("demo.users.v1.UserService.GetUser").output_type();
  ProtobufPrint(
      state, type,
      Encode(type, R"({"userId":"12345","email":"ann@example.com","profile":{"displayName":"Ann",
                      "region":"eu"},"roles":["ROLE_CUSTOMER"],"createTime":"2024-01-31T12:00:00Z",
                      "totalSpentCents":"123456","verified":true})"));
}
BENCHMARK(BM_ResponseUserProtobufPrinter);

void BM_ResponseListOrders100ProtobufPrinter(benchmark::State& state) {
  const gpb::Descriptor& type = *Method("demo.orders.v1.OrderService.ListOrders").output_type();
  ProtobufPrint(state, type, Encode(type, ListOrdersJson(100)));
}
BENCHMARK(BM_ResponseListOrders100ProtobufPrinter);

void BM_ErrorBody(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        ErrorBody(3, R"(invalid value "abc" for path parameter "user_id": expected int32)"));
  }
}
BENCHMARK(BM_ErrorBody);

}  // namespace
}  // namespace protogate::transcode

BENCHMARK_MAIN();
