#include "demo_services/order_import.h"

#include <atomic>
#include <string>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace protogate::demo_services {

using demo::orders::v1::CreateOrderRequest;
using demo::orders::v1::ImportOrdersResponse;
using demo::orders::v1::Order;

namespace {

constexpr int kListedIds = 100;

// Reads from a thread of its own, one message at a time: the gate may wait,
// which a reaction on gRPC's threads must not.
class OrderImport final : public grpc::ServerReadReactor<CreateOrderRequest> {
 public:
  OrderImport(ImportOrdersResponse* response, PlaceOrder place, StreamGate* gate)
      : response_(response), place_(std::move(place)), gate_(gate) {
    gate_->CountStarted();
    // Detached: it ends by deleting the reactor, once gRPC is done with it.
    std::thread([this] { Run(); }).detach();
  }

  void OnReadDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    read_ok_ = ok;
    reading_ = false;
  }

  void OnCancel() override {
    cancelled_.store(true);
    gate_->CountCancelled();
  }

  void OnDone() override {
    absl::MutexLock lock(&mu_);
    done_ = true;
  }

 private:
  // As OrderWatch::End (order_watch.cc).
  void End(const grpc::Status& status) {
    Finish(status);
    mu_.LockWhen(absl::Condition(&done_));
    mu_.Unlock();
    delete this;
  }

  void Run() {
    for (int number = 1;; ++number) {
      if (!gate_->Take(cancelled_)) return End(Cancelled());
      if (!Read()) break;
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

  // Reads the next message into request_; false at the end of the stream.
  bool Read() {
    {
      absl::MutexLock lock(&mu_);
      reading_ = true;
    }
    StartRead(&request_);
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](bool* reading) { return !*reading; }, &reading_));
    return read_ok_;
  }

  static grpc::Status Cancelled() { return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"); }

  ImportOrdersResponse* const response_;
  const PlaceOrder place_;
  StreamGate* gate_;
  CreateOrderRequest request_;
  std::atomic<bool> cancelled_{false};
  absl::Mutex mu_;
  bool reading_ ABSL_GUARDED_BY(mu_) = false;
  bool read_ok_ ABSL_GUARDED_BY(mu_) = true;
  bool done_ ABSL_GUARDED_BY(mu_) = false;  // OnDone ran
};

}  // namespace

grpc::ServerReadReactor<CreateOrderRequest>* StartOrderImport(ImportOrdersResponse* response,
                                                              PlaceOrder place, StreamGate* gate) {
  return new OrderImport(response, std::move(place), gate);
}

}  // namespace protogate::demo_services
