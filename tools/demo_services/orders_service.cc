#include "demo_services/orders_service.h"

#include <algorithm>
#include <array>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "demo_services/demo_products.h"
#include "demo_services/status_details.h"

namespace protogate::demo_services {
namespace {

using demo::orders::v1::CancelOrderRequest;
using demo::orders::v1::CreateOrderRequest;
using demo::orders::v1::GetOrderRequest;
using demo::orders::v1::LineItem;
using demo::orders::v1::ListOrdersRequest;
using demo::orders::v1::ListOrdersResponse;
using demo::orders::v1::Order;
using demo::orders::v1::OrderStatus;
using demo::orders::v1::PurgeOrderRequest;

constexpr int64_t kFirstGeneratedTime = 1717200000;  // 2024-06-01T00:00:00Z

struct City {
  const char* name;
  const char* country;
};
constexpr std::array<City, 4> kCities = {
    {{"London", "GB"}, {"Berlin", "DE"}, {"Lisbon", "PT"}, {"Toronto", "CA"}}};

grpc::Status NotFound(absl::string_view order_id) {
  return grpc::Status(grpc::StatusCode::NOT_FOUND, absl::StrCat("order ", order_id, " not found"));
}

OrderStatus GeneratedStatus(int k) {
  if (k % 10 == 0) return demo::orders::v1::ORDER_STATUS_CANCELLED;
  if (k % 3 == 0) return demo::orders::v1::ORDER_STATUS_SHIPPED;
  return demo::orders::v1::ORDER_STATUS_PLACED;
}

void AddItem(const DemoProduct& product, int quantity, Order* order) {
  LineItem* item = order->add_items();
  item->set_product_id(product.product_id);
  item->set_quantity(quantity);
  item->set_unit_price_cents(product.price_cents);
}

int64_t TotalCents(const Order& order) {
  int64_t total = 0;
  for (const LineItem& item : order.items()) total += item.quantity() * item.unit_price_cents();
  return total;
}

void SetTimestamp(absl::Time time, google::protobuf::Timestamp* out) {
  const absl::Duration since_epoch = time - absl::UnixEpoch();
  out->set_seconds(absl::ToInt64Seconds(since_epoch));
  out->set_nanos(
      static_cast<int32_t>(absl::ToInt64Nanoseconds(since_epoch - absl::Seconds(out->seconds()))));
}

// Splits a generated id "o-{user_id}-{k}"; false for any other id.
bool ParseGeneratedId(absl::string_view order_id, std::string* user_id, int* k) {
  if (!absl::ConsumePrefix(&order_id, "o-")) return false;
  const size_t dash = order_id.rfind('-');
  if (dash == absl::string_view::npos || dash == 0) return false;
  if (!absl::SimpleAtoi(order_id.substr(dash + 1), k)) return false;
  if (*k < 1 || *k > OrderService::kGeneratedOrdersPerUser) return false;
  *user_id = std::string(order_id.substr(0, dash));
  return true;
}

grpc::Status ValidateCreate(const CreateOrderRequest& request) {
  if (request.user_id().empty()) return InvalidField("user_id", "user_id is required");
  if (request.items().empty()) return InvalidField("items", "at least one item is required");
  for (int i = 0; i < request.items_size(); ++i) {
    const LineItem& item = request.items(i);
    if (item.product_id().empty()) {
      return InvalidField(absl::StrCat("items[", i, "].product_id"), "product_id is required");
    }
    if (item.quantity() <= 0) {
      return InvalidField(absl::StrCat("items[", i, "].quantity"), "quantity must be positive");
    }
    if (item.unit_price_cents() < 0) {
      return InvalidField(absl::StrCat("items[", i, "].unit_price_cents"),
                          "unit_price_cents must not be negative");
    }
  }
  return grpc::Status::OK;
}

Order MakeSeed(const char* id, const char* user_id, OrderStatus status,
               std::vector<std::pair<int, int>> items, int64_t create_seconds) {
  Order order;
  order.set_order_id(id);
  order.set_user_id(user_id);
  for (auto [product, quantity] : items) AddItem(kDemoProducts[product], quantity, &order);
  order.set_status(status);
  order.set_total_cents(TotalCents(order));
  order.mutable_create_time()->set_seconds(create_seconds);
  order.mutable_shipping_address()->set_line1("1 Analytical Engine Way");
  order.mutable_shipping_address()->set_city("London");
  order.mutable_shipping_address()->set_postal_code("N1 9GU");
  order.mutable_shipping_address()->set_country("GB");
  (*order.mutable_labels())["channel"] = "web";
  return order;
}

}  // namespace

OrderService::OrderService() {
  absl::MutexLock lock(&mu_);
  StoreLocked(MakeSeed("o-1", "1", demo::orders::v1::ORDER_STATUS_PLACED, {{0, 1}, {1, 2}},
                       1714521600));  // 2024-05-01
  StoreLocked(MakeSeed("o-2", "1", demo::orders::v1::ORDER_STATUS_SHIPPED, {{2, 1}}, 1714608000));
  StoreLocked(MakeSeed("o-3", "2", demo::orders::v1::ORDER_STATUS_CANCELLED, {{3, 1}}, 1714694400));
  next_id_ = 4;
}

grpc::ServerUnaryReactor* OrderService::Answer(const grpc::Status& status) {
  UnaryReactor* reactor = controls_.StartCall();
  reactor->Reply(status);
  return reactor;
}

grpc::ServerUnaryReactor* OrderService::ListOrders(grpc::CallbackServerContext* context,
                                                   const ListOrdersRequest* request,
                                                   ListOrdersResponse* response) {
  controls_.RecordMask(ReceivedMaskOf(*context, "ListOrders"));
  return Answer(DoListOrders(*request, response));
}

grpc::ServerUnaryReactor* OrderService::GetOrder(grpc::CallbackServerContext* context,
                                                 const GetOrderRequest* request, Order* response) {
  return Answer(DoGetOrder(*request, response));
}

grpc::ServerUnaryReactor* OrderService::CreateOrder(grpc::CallbackServerContext* context,
                                                    const CreateOrderRequest* request,
                                                    Order* response) {
  return Answer(DoCreateOrder(*request, response));
}

grpc::ServerUnaryReactor* OrderService::CancelOrder(grpc::CallbackServerContext* context,
                                                    const CancelOrderRequest* request,
                                                    Order* response) {
  return Answer(DoCancelOrder(*request, response));
}

grpc::ServerWriteReactor<demo::orders::v1::OrderEvent>* OrderService::WatchOrder(
    grpc::CallbackServerContext* context, const demo::orders::v1::WatchOrderRequest* request) {
  GetOrderRequest get;
  get.set_order_id(request->order_id());
  Order order;
  grpc::Status found = DoGetOrder(get, &order);
  if (!found.ok()) return RefuseOrderWatch(found);
  return StartOrderWatch(*request, order, &watch_gate_);
}

grpc::ServerReadReactor<CreateOrderRequest>* OrderService::ImportOrders(
    grpc::CallbackServerContext* context, demo::orders::v1::ImportOrdersResponse* response) {
  return StartOrderImport(
      response,
      [this](const CreateOrderRequest& request, Order* placed) {
        return DoCreateOrder(request, placed);
      },
      &import_gate_);
}

grpc::ServerBidiReactor<demo::orders::v1::ChatMessage, demo::orders::v1::ChatMessage>*
OrderService::ChatAboutOrder(grpc::CallbackServerContext* context) {
  return StartOrderChat(&chat_gate_);
}

grpc::ServerUnaryReactor* OrderService::GetOrderReceipt(grpc::CallbackServerContext* context,
                                                        const GetOrderRequest* request,
                                                        google::api::HttpBody* response) {
  Order order;
  grpc::Status found = DoGetOrder(*request, &order);
  if (found.ok()) *response = ReceiptOf(order);
  return Answer(found);
}

grpc::ServerWriteReactor<google::api::HttpBody>* OrderService::ExportOrders(
    grpc::CallbackServerContext* context, const ListOrdersRequest* request) {
  ListOrdersResponse orders;
  grpc::Status listed = DoListOrders(*request, &orders);
  if (!listed.ok()) return StartOrderExport({}, listed);
  std::vector<std::string> lines = CsvLinesOf(orders);
  if (request->user_id() == "broken") {
    lines.resize(1);
    return StartOrderExport(std::move(lines),
                            grpc::Status(grpc::StatusCode::DATA_LOSS, "the export broke halfway"));
  }
  return StartOrderExport(std::move(lines), grpc::Status::OK);
}

grpc::ServerUnaryReactor* OrderService::AttachDocument(
    grpc::CallbackServerContext* context, const demo::orders::v1::AttachDocumentRequest* request,
    demo::orders::v1::Attachment* response) {
  GetOrderRequest get;
  get.set_order_id(request->order_id());
  Order order;
  if (grpc::Status found = DoGetOrder(get, &order); !found.ok()) return Answer(found);
  if (request->document().data().empty()) {
    return Answer(InvalidField("document", "the document is empty"));
  }
  *response = AttachmentOf(*request);
  return Answer(grpc::Status::OK);
}

grpc::ServerUnaryReactor* OrderService::PurgeOrder(grpc::CallbackServerContext* context,
                                                   const PurgeOrderRequest* request,
                                                   google::protobuf::Empty* response) {
  if (request->order_id().empty()) return Answer(InvalidField("order_id", "order_id is required"));
  return Answer(grpc::Status::OK);
}

grpc::Status OrderService::DoListOrders(const ListOrdersRequest& request,
                                        ListOrdersResponse* response) const {
  if (request.user_id().empty()) return InvalidField("user_id", "user_id is required");
  if (request.page_size() < 0) return InvalidField("page_size", "page_size must not be negative");
  const int page_size =
      request.page_size() == 0 ? kDefaultPageSize : std::min(request.page_size(), kMaxPageSize);
  const bool any_status = request.status() == demo::orders::v1::ORDER_STATUS_UNSPECIFIED;
  int total = 0;

  absl::ReaderMutexLock lock(&mu_);
  if (auto it = stored_by_user_.find(request.user_id()); it != stored_by_user_.end()) {
    for (const std::string& id : it->second) {
      const Order& order = stored_.at(id);
      if (!any_status && order.status() != request.status()) continue;
      ++total;
      if (response->orders_size() < page_size) *response->add_orders() = order;
    }
  }
  const auto cancelled = cancelled_generated_.find(request.user_id());
  for (int k = 1; k <= kGeneratedOrdersPerUser; ++k) {
    // The status alone decides a match; the whole order is only built when it is sent.
    const bool was_cancelled =
        cancelled != cancelled_generated_.end() && cancelled->second.count(k) > 0;
    const OrderStatus status =
        was_cancelled ? demo::orders::v1::ORDER_STATUS_CANCELLED : GeneratedStatus(k);
    if (!any_status && status != request.status()) continue;
    ++total;
    if (response->orders_size() < page_size) {
      GenerateLocked(request.user_id(), k, response->add_orders());
    } else if (any_status) {
      total += kGeneratedOrdersPerUser - k;  // every remaining order matches
      break;
    }
  }
  response->set_total_size(total);
  return grpc::Status::OK;
}

grpc::Status OrderService::DoGetOrder(const GetOrderRequest& request, Order* response) const {
  if (request.order_id().empty()) return InvalidField("order_id", "order_id is required");
  absl::ReaderMutexLock lock(&mu_);
  if (!FindLocked(request.order_id(), response)) return NotFound(request.order_id());
  // Under /v1/users/{user_id}/orders/{order_id}, another user's order does not exist.
  if (!request.user_id().empty() && response->user_id() != request.user_id()) {
    response->Clear();
    return NotFound(request.order_id());
  }
  return grpc::Status::OK;
}

grpc::Status OrderService::DoCreateOrder(const CreateOrderRequest& request, Order* response) {
  if (grpc::Status status = ValidateCreate(request); !status.ok()) return status;
  absl::MutexLock lock(&mu_);
  if (!request.request_id().empty()) {
    if (auto it = order_by_request_id_.find(request.request_id());
        it != order_by_request_id_.end()) {
      *response = stored_.at(it->second);
      return grpc::Status::OK;
    }
  }
  response->set_order_id(absl::StrCat("o-", next_id_++));
  response->set_user_id(request.user_id());
  *response->mutable_items() = request.items();
  response->set_status(demo::orders::v1::ORDER_STATUS_PLACED);
  response->set_total_cents(TotalCents(*response));
  SetTimestamp(absl::Now(), response->mutable_create_time());
  if (request.has_shipping_address()) {
    *response->mutable_shipping_address() = request.shipping_address();
  }
  response->set_note(request.note());
  *response->mutable_labels() = request.labels();
  StoreLocked(*response);
  if (!request.request_id().empty()) {
    order_by_request_id_[request.request_id()] = response->order_id();
  }
  return grpc::Status::OK;
}

grpc::Status OrderService::DoCancelOrder(const CancelOrderRequest& request, Order* response) {
  absl::string_view id = request.name();
  if (!absl::ConsumePrefix(&id, "orders/") || id.empty()) {
    return InvalidField(
        "name", absl::StrCat("name \"", request.name(), "\" is not of the form orders/{order_id}"));
  }
  const std::string order_id(id);
  absl::MutexLock lock(&mu_);
  if (!FindLocked(order_id, response)) return NotFound(order_id);
  if (response->status() == demo::orders::v1::ORDER_STATUS_CANCELLED) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        absl::StrCat("order ", order_id, " is already cancelled"));
  }
  if (auto it = stored_.find(order_id); it != stored_.end()) {
    it->second.set_status(demo::orders::v1::ORDER_STATUS_CANCELLED);
    if (!request.reason().empty())
      (*it->second.mutable_labels())["cancel_reason"] = request.reason();
  } else {
    std::string user_id;
    int k = 0;
    ParseGeneratedId(order_id, &user_id, &k);
    cancelled_generated_[user_id].insert(k);
    if (!request.reason().empty()) cancel_reasons_[order_id] = request.reason();
  }
  FindLocked(order_id, response);
  return grpc::Status::OK;
}

bool OrderService::FindLocked(const std::string& order_id, Order* order) const {
  if (auto it = stored_.find(order_id); it != stored_.end()) {
    *order = it->second;
    return true;
  }
  std::string user_id;
  int k = 0;
  if (!ParseGeneratedId(order_id, &user_id, &k)) return false;
  order->Clear();
  GenerateLocked(user_id, k, order);
  return true;
}

void OrderService::GenerateLocked(const std::string& user_id, int k, Order* order) const {
  order->set_order_id(absl::StrCat("o-", user_id, "-", k));
  order->set_user_id(user_id);
  AddItem(kDemoProducts[k % kDemoProducts.size()], 1 + k % 3, order);
  AddItem(kDemoProducts[(k + 1) % kDemoProducts.size()], 1 + (k + 1) % 2, order);
  order->set_status(GeneratedStatus(k));
  order->set_total_cents(TotalCents(*order));
  order->mutable_create_time()->set_seconds(kFirstGeneratedTime + int64_t{k} * 3600);
  const City& city = kCities[k % kCities.size()];
  auto* address = order->mutable_shipping_address();
  address->set_line1(absl::StrCat(k, " Main Street"));
  if (k % 4 == 0) address->set_line2(absl::StrCat("Apartment ", k % 50));
  address->set_city(city.name);
  address->set_postal_code(absl::StrFormat("%05d", 10000 + k));
  address->set_country(city.country);
  if (k % 7 == 0) order->set_note("Leave at the door");
  auto& labels = *order->mutable_labels();
  labels["channel"] = k % 2 == 0 ? "web" : "app";
  labels["priority"] = k % 5 == 0 ? "high" : "normal";

  const auto cancelled = cancelled_generated_.find(user_id);
  if (cancelled != cancelled_generated_.end() && cancelled->second.count(k) > 0) {
    order->set_status(demo::orders::v1::ORDER_STATUS_CANCELLED);
    const std::string& id = order->order_id();
    if (auto reason = cancel_reasons_.find(id); reason != cancel_reasons_.end()) {
      labels["cancel_reason"] = reason->second;
    }
  }
}

void OrderService::StoreLocked(const Order& order) {
  stored_[order.order_id()] = order;
  stored_by_user_[order.user_id()].push_back(order.order_id());
}

}  // namespace protogate::demo_services
