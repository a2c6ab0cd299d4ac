#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "demo/orders/v1/orders.grpc.pb.h"
#include "demo_services/order_chat.h"
#include "demo_services/order_documents.h"
#include "demo_services/order_import.h"
#include "demo_services/order_watch.h"
#include "demo_services/service_controls.h"

namespace protogate::demo_services {

// demo.orders.v1.OrderService. Every user has kGeneratedOrdersPerUser made-up
// orders "o-{user_id}-{k}" (k = 1…1000), generated deterministically so that a
// benchmark's ListOrders(page_size=100) is the same ~10 KB every time: two line items
// of catalog products, a shipping address, labels {channel, priority}, status
// CANCELLED when k % 10 == 0, SHIPPED when k % 3 == 0, PLACED otherwise.
// Stored orders come on top: seeds "o-1" (user 1, PLACED), "o-2" (user 1, SHIPPED),
// "o-3" (user 2, CANCELLED), and created ones "o-4", "o-5", ….
//
// ListOrders: user_id required; page_size defaults to 10 and is capped at 1000; the
// user's stored orders first (oldest first), then the generated ones; `status`
// filters; total_size counts every match. CreateOrder: user_id and ≥ 1 item with a
// product_id and a positive quantity, else INVALID_ARGUMENT (with a BadRequest
// detail); total_cents = Σ quantity × unit_price_cents; status PLACED; a repeated
// request_id returns the order it created before. CancelOrder("orders/{id}"):
// CANCELLED (reason kept in labels["cancel_reason"]), FAILED_PRECONDITION when
// already cancelled, NOT_FOUND when unknown. PurgeOrder: Empty (nothing is cached).
// WatchOrder: NOT_FOUND for an unknown order, else a stream (order_watch.h).
// ImportOrders: each order of the stream placed as CreateOrder places it
// (order_import.h). ChatAboutOrder: support answers each message
// (order_chat.h). GetOrderReceipt, ExportOrders and AttachDocument speak
// google.api.HttpBody (order_documents.h): a receipt for GetOrder's order,
// ListOrders' answer as CSV lines, and the size and checksum of the bytes
// attached (NOT_FOUND for an unknown order, INVALID_ARGUMENT for an empty
// document).
//
// Thread-safe; no method blocks. Must outlive the grpc::Server it is registered with.
class OrderService final : public demo::orders::v1::OrderService::CallbackService {
 public:
  static constexpr int kGeneratedOrdersPerUser = 1000;
  static constexpr int kDefaultPageSize = 10;
  static constexpr int kMaxPageSize = 1000;

  OrderService();

  ServiceControls& controls() { return controls_; }
  const ServiceControls& controls() const { return controls_; }
  StreamGate& watch_gate() { return watch_gate_; }
  StreamGate& import_gate() { return import_gate_; }
  StreamGate& chat_gate() { return chat_gate_; }

  grpc::ServerUnaryReactor* ListOrders(grpc::CallbackServerContext* context,
                                       const demo::orders::v1::ListOrdersRequest* request,
                                       demo::orders::v1::ListOrdersResponse* response) override;
  grpc::ServerUnaryReactor* GetOrder(grpc::CallbackServerContext* context,
                                     const demo::orders::v1::GetOrderRequest* request,
                                     demo::orders::v1::Order* response) override;
  grpc::ServerUnaryReactor* CreateOrder(grpc::CallbackServerContext* context,
                                        const demo::orders::v1::CreateOrderRequest* request,
                                        demo::orders::v1::Order* response) override;
  grpc::ServerUnaryReactor* CancelOrder(grpc::CallbackServerContext* context,
                                        const demo::orders::v1::CancelOrderRequest* request,
                                        demo::orders::v1::Order* response) override;
  grpc::ServerWriteReactor<demo::orders::v1::OrderEvent>* WatchOrder(
      grpc::CallbackServerContext* context,
      const demo::orders::v1::WatchOrderRequest* request) override;
  grpc::ServerReadReactor<demo::orders::v1::CreateOrderRequest>* ImportOrders(
      grpc::CallbackServerContext* context,
      demo::orders::v1::ImportOrdersResponse* response) override;
  grpc::ServerBidiReactor<demo::orders::v1::ChatMessage, demo::orders::v1::ChatMessage>*
  ChatAboutOrder(grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* GetOrderReceipt(grpc::CallbackServerContext* context,
                                            const demo::orders::v1::GetOrderRequest* request,
                                            google::api::HttpBody* response) override;
  grpc::ServerWriteReactor<google::api::HttpBody>* ExportOrders(
      grpc::CallbackServerContext* context,
      const demo::orders::v1::ListOrdersRequest* request) override;
  grpc::ServerUnaryReactor* AttachDocument(grpc::CallbackServerContext* context,
                                           const demo::orders::v1::AttachDocumentRequest* request,
                                           demo::orders::v1::Attachment* response) override;
  grpc::ServerUnaryReactor* PurgeOrder(grpc::CallbackServerContext* context,
                                       const demo::orders::v1::PurgeOrderRequest* request,
                                       google::protobuf::Empty* response) override;

 private:
  grpc::ServerUnaryReactor* Answer(const grpc::Status& status);

  grpc::Status DoListOrders(const demo::orders::v1::ListOrdersRequest& request,
                            demo::orders::v1::ListOrdersResponse* response) const;
  grpc::Status DoGetOrder(const demo::orders::v1::GetOrderRequest& request,
                          demo::orders::v1::Order* response) const;
  grpc::Status DoCreateOrder(const demo::orders::v1::CreateOrderRequest& request,
                             demo::orders::v1::Order* response);
  grpc::Status DoCancelOrder(const demo::orders::v1::CancelOrderRequest& request,
                             demo::orders::v1::Order* response);

  // Finds a stored or generated order; false when `order_id` names neither.
  bool FindLocked(const std::string& order_id, demo::orders::v1::Order* order) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Generated order k of `user_id`, with its cancellation applied.
  void GenerateLocked(const std::string& user_id, int k, demo::orders::v1::Order* order) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void StoreLocked(const demo::orders::v1::Order& order) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  ServiceControls controls_;
  StreamGate watch_gate_;
  StreamGate import_gate_;
  StreamGate chat_gate_;
  mutable absl::Mutex mu_;
  std::map<std::string, demo::orders::v1::Order> stored_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::vector<std::string>> stored_by_user_ ABSL_GUARDED_BY(mu_);
  // Generated orders that were cancelled, as {user_id → k}, and the reasons given.
  std::map<std::string, std::set<int>> cancelled_generated_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> cancel_reasons_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> order_by_request_id_ ABSL_GUARDED_BY(mu_);
  int64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace protogate::demo_services
