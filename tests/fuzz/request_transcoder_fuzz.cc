// libFuzzer target for the request transcoder (and, on what it produces, the
// response transcoder). Input: one selector byte, then NUL-separated parts:
//   body \0 raw query string \0 path value \0 path value ...
// The selector picks the method, its body rule and options. The invariants:
// nothing crashes, and a successful transcode is a message of the request
// type that the response side can print back.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "transcode/request_transcoder.h"
#include "transcode/response_transcoder.h"
#include "transcode/status_mapping.h"

namespace protogate::transcode {
namespace {

struct Route {
  const char* method;
  const char* body;
  std::vector<std::vector<std::string>> variables;  // field paths of the path variables
};

const Route kRoutes[] = {
    {"demo.orders.v1.OrderService.CreateOrder", "*", {}},
    {"demo.users.v1.UserService.CreateUser", "user", {}},
    {"demo.users.v1.UserService.UpdateUser", "user", {{"user", "user_id"}}},
    {"demo.catalog.v1.CatalogService.SearchProducts", "", {}},
    {"demo.catalog.v1.CatalogService.Echo", "", {{"scalars", "string_value"}}},
    {"demo.catalog.v1.CatalogService.Echo",
     "*",
     {{"scalars", "int32_value"}, {"scalars", "enum_value"}, {"scalars", "bool_value"}}},
    {"demo.catalog.v1.CatalogService.SetAttributes", "attributes", {{"product_id"}}},
    {"demo.orders.v1.OrderService.CreateOrder", "items", {}},
    {"demo.users.v1.UserService.GetUser", "", {{"user_id"}}},
    {"demo.catalog.v1.CatalogService.Echo", "", {{"well_known", "timestamp"}}},
};
constexpr size_t kRouteCount = sizeof(kRoutes) / sizeof(kRoutes[0]);

struct Transcoders {
  std::vector<RequestTranscoder> requests;  // kRouteCount x 4 option combinations
  std::vector<ResponseTranscoder> responses;
  std::vector<const google::protobuf::Descriptor*> types;
  std::shared_ptr<const TypeRegistry> registry;
};

const Transcoders& Load() {
  static const Transcoders* const transcoders = [] {
    std::ifstream in(PROTOGATE_DEMO_DESCRIPTORS, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    auto registry = TypeRegistry::FromDescriptorSet(buffer.str());
    if (!registry.ok()) std::abort();
    auto* loaded = new Transcoders();
    loaded->registry = *registry;
    for (const Route& route : kRoutes) {
      const auto* method = (*registry)->FindMethod(route.method);
      if (method == nullptr) std::abort();
      loaded->types.push_back(method->input_type());
      for (int options = 0; options < 4; ++options) {
        auto request =
            RequestTranscoder::Create(*registry, *method->input_type(), route.body,
                                      {.reject_unknown_query_parameters = (options & 1) != 0,
                                       .ignore_unknown_json_fields = (options & 2) != 0});
        if (!request.ok()) std::abort();
        loaded->requests.push_back(*std::move(request));
      }
      auto response = ResponseTranscoder::Create(*registry, *method->input_type(), "",
                                                 {.emit_default_values = true});
      if (!response.ok()) std::abort();
      loaded->responses.push_back(*std::move(response));
    }
    return loaded;
  }();
  return *transcoders;
}

}  // namespace
}  // namespace protogate::transcode

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace protogate::transcode;
  const Transcoders& t = Load();
  if (size == 0) return 0;
  const size_t route = data[0] % kRouteCount;
  const size_t options = (data[0] / kRouteCount) % 4;
  const absl::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<absl::string_view> parts = absl::StrSplit(input, absl::ByChar('\0'));

  HttpRequestParts request;
  request.body = parts[0];
  if (parts.size() > 1) {
    auto query = ParseQueryString(parts[1]);
    if (query.ok()) request.query = *std::move(query);
  }
  const auto& variables = kRoutes[route].variables;
  for (size_t i = 0; i < variables.size(); ++i) {
    const size_t part = 2 + i;
    request.bindings.push_back(
        {variables[i], part < parts.size() ? std::string(parts[part]) : std::string("1")});
  }

  auto bytes = t.requests[route * 4 + options].Transcode(request);
  if (bytes.ok()) {
    // What the transcoder produced must parse as the request type...
    std::unique_ptr<google::protobuf::Message> message(
        t.registry->Prototype(*t.types[route])->New());
    if (!message->ParseFromString(*bytes)) __builtin_trap();
    // ...and print back.
    auto json = t.responses[route].Transcode(*bytes);
    if (!json.ok()) __builtin_trap();
  } else {
    // Every refusal must render as a valid error body.
    ErrorBody(HttpStatusFromGrpcCode(static_cast<int>(bytes.status().code())),
              bytes.status().message());
  }
  // The raw body as upstream bytes: malformed responses must be refused
  // cleanly, and status details decoded without crashing.
  (void)t.responses[route].Transcode(request.body);
  (void)DetailsJsonFromStatusBytes(request.body, t.registry.get());
  return 0;
}
