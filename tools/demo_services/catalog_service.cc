#include "demo_services/catalog_service.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "demo_services/demo_products.h"
#include "demo_services/status_details.h"
#include "google/protobuf/util/field_mask_util.h"

namespace protogate::demo_services {
namespace {

using demo::catalog::v1::Asset;
using demo::catalog::v1::BatchGetProductsRequest;
using demo::catalog::v1::BatchGetProductsResponse;
using demo::catalog::v1::EchoRequest;
using demo::catalog::v1::EchoResponse;
using demo::catalog::v1::FailRequest;
using demo::catalog::v1::FailResponse;
using demo::catalog::v1::GetAssetRequest;
using demo::catalog::v1::GetProductRequest;
using demo::catalog::v1::Product;
using demo::catalog::v1::SearchProductsRequest;
using demo::catalog::v1::SearchProductsResponse;
using demo::catalog::v1::SetAttributesRequest;
using demo::catalog::v1::SleepRequest;
using demo::catalog::v1::SleepResponse;
using google::protobuf::Struct;
using google::protobuf::Value;
using google::protobuf::util::FieldMaskUtil;

struct ProductExtras {
  std::vector<const char*> tags;
  bool in_stock;
  double rating;
  Struct attributes;
};

Value StringValue(const char* s) {
  Value value;
  value.set_string_value(s);
  return value;
}

Value NumberValue(double d) {
  Value value;
  value.set_number_value(d);
  return value;
}

Value BoolValue(bool b) {
  Value value;
  value.set_bool_value(b);
  return value;
}

Struct MakeStruct(std::vector<std::pair<const char*, Value>> fields) {
  Struct result;
  for (auto& [key, value] : fields) (*result.mutable_fields())[key] = std::move(value);
  return result;
}

// Extras for kDemoProducts, in the same order.
std::vector<ProductExtras> SeedExtras() {
  return {
      {{"book", "cpp", "classic"},
       true,
       4.7,
       MakeStruct({{"color", StringValue("red")},
                   {"pages", NumberValue(1376)},
                   {"publisher", StringValue("Addison-Wesley")},
                   {"hardcover", BoolValue(true)}})},
      {{"game", "strategy", "automation"},
       true,
       4.9,
       MakeStruct({{"color", StringValue("orange")},
                   {"platform", StringValue("pc")},
                   {"multiplayer", BoolValue(true)}})},
      {{"tool", "workshop"},
       false,
       4.2,
       MakeStruct({{"color", StringValue("red")},
                   {"range_nm", StringValue("20-100")},
                   {"drive", StringValue("1/2 inch")}})},
      {{"book", "cpp"},
       true,
       4.6,
       MakeStruct({{"color", StringValue("blue")},
                   {"pages", NumberValue(334)},
                   {"publisher", StringValue("O'Reilly")}})},
  };
}

// A Struct value as a query string would spell it.
std::string ValueAsString(const Value& value) {
  switch (value.kind_case()) {
    case Value::kStringValue:
      return value.string_value();
    case Value::kNumberValue:
      return absl::StrCat(value.number_value());
    case Value::kBoolValue:
      return value.bool_value() ? "true" : "false";
    case Value::kNullValue:
      return "null";
    default:
      return "";
  }
}

bool ContainsIgnoreCase(absl::string_view haystack, absl::string_view needle) {
  return absl::StrContains(absl::AsciiStrToLower(haystack), absl::AsciiStrToLower(needle));
}

bool MatchesText(const Product& product, const std::string& q) {
  if (q.empty()) return true;
  if (ContainsIgnoreCase(product.title(), q)) return true;
  return std::any_of(product.tags().begin(), product.tags().end(),
                     [&](const std::string& tag) { return ContainsIgnoreCase(tag, q); });
}

bool Matches(const Product& product, const SearchProductsRequest& request) {
  if (!MatchesText(product, request.q())) return false;
  for (const std::string& tag : request.tags()) {
    if (std::find(product.tags().begin(), product.tags().end(), tag) == product.tags().end()) {
      return false;
    }
  }
  if (request.category() != demo::catalog::v1::CATEGORY_UNSPECIFIED &&
      product.category() != request.category()) {
    return false;
  }
  if (product.price_cents() < request.price().min_cents()) return false;
  if (request.price().max_cents() > 0 && product.price_cents() > request.price().max_cents()) {
    return false;
  }
  if (request.has_in_stock() && product.in_stock().value() != request.in_stock().value()) {
    return false;
  }
  for (const auto& [key, wanted] : request.attributes()) {
    auto it = product.attributes().fields().find(key);
    if (it == product.attributes().fields().end() || ValueAsString(it->second) != wanted) {
      return false;
    }
  }
  return true;
}

std::string ContentTypeOf(absl::string_view path) {
  if (absl::EndsWith(path, ".png")) return "image/png";
  if (absl::EndsWith(path, ".json")) return "application/json";
  if (absl::EndsWith(path, ".txt")) return "text/plain";
  return "application/octet-stream";
}

// Some bytes for an asset; PNGs get non-UTF-8 bytes so that transcoding must base64 them.
std::string ContentOf(absl::string_view path, absl::string_view content_type) {
  if (content_type == "image/png") return std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  if (content_type == "application/json") return absl::StrCat("{\"path\":\"", path, "\"}");
  return absl::StrCat("contents of ", path, "\n");
}

void FillEchoMetadata(const grpc::CallbackServerContext& context, EchoResponse* response) {
  auto& metadata = *response->mutable_metadata();
  for (const auto& [key_ref, value_ref] : context.client_metadata()) {
    const absl::string_view key(key_ref.data(), key_ref.size());
    if (absl::StartsWith(key, ":") || absl::StartsWith(key, "grpc-")) continue;
    std::string value(value_ref.data(), value_ref.size());
    // gRPC hands over -bin values decoded; a JSON string needs them as text again.
    if (absl::EndsWith(key, "-bin")) value = absl::Base64Escape(value);
    std::string& entry = metadata[std::string(key)];
    entry = entry.empty() ? std::move(value) : absl::StrCat(entry, ",", value);
  }
}

grpc::Status FailStatus(const FailRequest& request) {
  if (request.code() < 0 || request.code() > grpc::StatusCode::UNAUTHENTICATED) {
    return InvalidField(
        "code", absl::StrCat("code ", request.code(), " is not a gRPC status code (0..16)"));
  }
  if (request.code() == 0) return grpc::Status::OK;
  std::vector<FieldViolation> violations;
  if (!request.bad_field().empty()) {
    violations.push_back({request.bad_field(),
                          absl::StrCat("field ", request.bad_field(), " was rejected on request")});
  }
  return StatusWithDetails(static_cast<grpc::StatusCode>(request.code()), request.message(),
                           violations);
}

}  // namespace

CatalogService::CatalogService() {
  const std::vector<ProductExtras> extras = SeedExtras();
  absl::MutexLock lock(&mu_);
  for (size_t i = 0; i < kDemoProducts.size(); ++i) {
    const DemoProduct& seed = kDemoProducts[i];
    Product& product = products_[seed.product_id];
    product.set_product_id(seed.product_id);
    product.set_title(seed.title);
    product.set_category(static_cast<demo::catalog::v1::Category>(seed.category));
    product.set_price_cents(seed.price_cents);
    for (const char* tag : extras[i].tags) product.add_tags(tag);
    *product.mutable_attributes() = extras[i].attributes;
    product.mutable_in_stock()->set_value(extras[i].in_stock);
    product.set_rating(extras[i].rating);
  }
}

grpc::ServerUnaryReactor* CatalogService::Answer(const grpc::Status& status) {
  UnaryReactor* reactor = controls_.StartCall();
  reactor->Reply(status);
  return reactor;
}

grpc::ServerUnaryReactor* CatalogService::GetProduct(grpc::CallbackServerContext* context,
                                                     const GetProductRequest* request,
                                                     Product* response) {
  controls_.RecordMask(ReceivedMaskOf(*context, "GetProduct"));
  return Answer(DoGetProduct(*request, response));
}

grpc::ServerUnaryReactor* CatalogService::BatchGetProducts(grpc::CallbackServerContext* context,
                                                           const BatchGetProductsRequest* request,
                                                           BatchGetProductsResponse* response) {
  if (request->product_ids_size() > 1000) {
    return Answer(InvalidField("product_ids", "at most 1000 product_ids"));
  }
  absl::ReaderMutexLock lock(&mu_);
  for (const std::string& id : request->product_ids()) {
    auto it = products_.find(id);
    if (it != products_.end()) *response->add_products() = it->second;
  }
  return Answer(grpc::Status::OK);
}

grpc::ServerUnaryReactor* CatalogService::SearchProducts(grpc::CallbackServerContext* context,
                                                         const SearchProductsRequest* request,
                                                         SearchProductsResponse* response) {
  return Answer(DoSearchProducts(*request, response));
}

grpc::ServerUnaryReactor* CatalogService::SetAttributes(grpc::CallbackServerContext* context,
                                                        const SetAttributesRequest* request,
                                                        Product* response) {
  return Answer(DoSetAttributes(*request, response));
}

grpc::ServerUnaryReactor* CatalogService::GetAsset(grpc::CallbackServerContext* context,
                                                   const GetAssetRequest* request,
                                                   Asset* response) {
  if (request->path().empty()) return Answer(InvalidField("path", "path is required"));
  if (absl::StartsWith(request->path(), "missing/")) {
    return Answer(grpc::Status(grpc::StatusCode::NOT_FOUND,
                               absl::StrCat("asset ", request->path(), " not found")));
  }
  response->set_path(request->path());
  response->set_content_type(ContentTypeOf(request->path()));
  response->set_content(ContentOf(request->path(), response->content_type()));
  return Answer(grpc::Status::OK);
}

grpc::ServerUnaryReactor* CatalogService::Echo(grpc::CallbackServerContext* context,
                                               const EchoRequest* request, EchoResponse* response) {
  *response->mutable_request() = *request;
  FillEchoMetadata(*context, response);
  context->AddInitialMetadata("x-echo-initial", "yes");
  context->AddTrailingMetadata("x-echo-trailer", "done");
  return Answer(grpc::Status::OK);
}

grpc::ServerUnaryReactor* CatalogService::Fail(grpc::CallbackServerContext* context,
                                               const FailRequest* request, FailResponse* response) {
  return Answer(FailStatus(*request));
}

grpc::ServerUnaryReactor* CatalogService::Sleep(grpc::CallbackServerContext* context,
                                                const SleepRequest* request,
                                                SleepResponse* response) {
  if (request->millis() < 0 || request->millis() > kMaxSleepMillis) {
    return Answer(
        InvalidField("millis", absl::StrCat("millis must be in [0, ", kMaxSleepMillis, "]")));
  }
  const absl::Duration delay = absl::Milliseconds(request->millis());
  response->mutable_slept()->set_seconds(request->millis() / 1000);
  response->mutable_slept()->set_nanos((request->millis() % 1000) * 1000000);
  UnaryReactor* reactor = controls_.StartCall();
  reactor->Reply(grpc::Status::OK, delay);
  return reactor;
}

grpc::Status CatalogService::DoGetProduct(const GetProductRequest& request,
                                          Product* response) const {
  if (request.product_id().empty()) return InvalidField("product_id", "product_id is required");
  absl::ReaderMutexLock lock(&mu_);
  auto it = products_.find(request.product_id());
  if (it == products_.end()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("product ", request.product_id(), " not found"));
  }
  *response = it->second;
  return grpc::Status::OK;
}

grpc::Status CatalogService::DoSearchProducts(const SearchProductsRequest& request,
                                              SearchProductsResponse* response) const {
  if (request.page_size() < 0) return InvalidField("page_size", "page_size must not be negative");
  const bool trim = request.has_fields() && !request.fields().paths().empty();
  if (trim && !FieldMaskUtil::IsValidFieldMask<Product>(request.fields())) {
    return InvalidField("fields",
                        absl::StrCat("fields \"", FieldMaskUtil::ToString(request.fields()),
                                     "\" names a field Product does not have"));
  }
  *response->mutable_query() = request;
  absl::ReaderMutexLock lock(&mu_);
  for (const auto& [id, product] : products_) {
    if (request.page_size() > 0 && response->products_size() == request.page_size()) break;
    if (!Matches(product, request)) continue;
    Product* out = response->add_products();
    *out = product;
    if (trim) FieldMaskUtil::TrimMessage(request.fields(), out);
  }
  return grpc::Status::OK;
}

grpc::Status CatalogService::DoSetAttributes(const SetAttributesRequest& request,
                                             Product* response) {
  if (request.product_id().empty()) return InvalidField("product_id", "product_id is required");
  absl::MutexLock lock(&mu_);
  auto it = products_.find(request.product_id());
  if (it == products_.end()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("product ", request.product_id(), " not found"));
  }
  *it->second.mutable_attributes() = request.attributes();
  *response = it->second;
  return grpc::Status::OK;
}

}  // namespace protogate::demo_services
