#include "demo_services/order_import.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "demo_services/threaded_reactor.h"

namespace protogate::demo_services {

using demo::orders::v1::CreateOrderRequest;
using demo::orders::v1::ImportOrdersResponse;
using demo::orders::v1::Order;

namespace {

constexpr int kListedIds = 100;

// Each message waits for the gate before it is read.
class OrderImport final : public ThreadedReactor<grpc::ServerReadReactor<CreateOrderRequest>> {
 public:
  OrderImport(ImportOrdersResponse* response, PlaceOrder place, StreamGate* gate)
      : ThreadedReactor(gate), response_(response), place_(std::move(place)) {
    Begin();
  }

  void OnReadDone(bool ok) override { Completed(&reading_, ok); }

 private:
  void Run() override {
    for (int number = 1;; ++number) {
      if (!gate_->Take(cancelled_)) return End(Cancelled());
      if (!Await(&reading_, [this] { StartRead(&request_); })) break;
      gate_->CountSent();  // received, for an import
      Order placed;
      const grpc::Status status = place_(request_, &placed);
      if (!status.ok()) {
        return End(grpc::Status(status.error_code(),
                                absl::StrCat("order ", number, ": ", status.error_message()),
                                status.error_details()));
      }
      response_->set_imported(response_->imported() + 1);
      response_->set_total_cents(response_->total_cents() + placed.total_cents());
      if (response_->order_ids_size() < kListedIds) response_->add_order_ids(placed.order_id());
    }
    End(cancelled_.load() ? Cancelled() : grpc::Status::OK);
  }

  ImportOrdersResponse* const response_;
  const PlaceOrder place_;
  CreateOrderRequest request_;
};

}  // namespace

grpc::ServerReadReactor<CreateOrderRequest>* StartOrderImport(ImportOrdersResponse* response,
                                                              PlaceOrder place, StreamGate* gate) {
  return new OrderImport(response, std::move(place), gate);
}

}  // namespace protogate::demo_services
