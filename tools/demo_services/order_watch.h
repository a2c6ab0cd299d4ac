#pragma once

// demo.orders.v1.OrderService.WatchOrder: a server stream of made-up order
// events, and what tests steer and observe of it (StreamGate).

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <functional>

#include "absl/synchronization/mutex.h"
#include "demo/orders/v1/orders.pb.h"

namespace protogate::demo_services {

// Steers and counts every stream of one streaming method of a service. With
// the gate closed, each WatchOrder event waits for a permit (Allow) before
// it is sent, so a test can prove an event reached its client before the
// next one exists (ImportOrders: before each message is read).
//
// Thread-safe; must outlive the service's server.
class StreamGate {
 public:
  void Close();
  void Open();
  void Allow(int events);
  // Waits for a permit (true) or until `cancelled` is set (false).
  bool Take(const std::atomic<bool>& cancelled);

  // Under mu_, as the destructor is: gRPC's threads count (OnCancel) in an
  // order with the gate's end that only libgrpc's own, uninstrumented code
  // ensures; the mutex shows it to TSan.
  ~StreamGate() { absl::MutexLock lock(&mu_); }
  void CountSent() { Count(sent_); }
  void CountCancelled() { Count(cancelled_); }
  void CountStarted() { Count(started_); }
  // Events the service has handed to gRPC (written; for an import, messages
  // read), streams cancelled by their client, streams started.
  int64_t sent() const { return sent_.load(std::memory_order_relaxed); }
  int64_t cancelled() const { return cancelled_.load(std::memory_order_relaxed); }
  int64_t started() const { return started_.load(std::memory_order_relaxed); }

 private:
  void Count(std::atomic<int64_t>& counter) {
    absl::MutexLock lock(&mu_);
    counter.fetch_add(1, std::memory_order_relaxed);
  }

  absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  int64_t permits_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<int64_t> sent_{0};
  std::atomic<int64_t> cancelled_{0};
  std::atomic<int64_t> started_{0};
};

// The stream of one WatchOrder call: `first` is the order as it is now
// (its status opens the stream), then events until max_events, paced by
// interval_ms and the gate; fail_after ends it with ABORTED. Each event is
// written only after the previous one was taken by gRPC (flow control
// reaches the service). Deletes itself when done.
grpc::ServerWriteReactor<demo::orders::v1::OrderEvent>* StartOrderWatch(
    const demo::orders::v1::WatchOrderRequest& request, const demo::orders::v1::Order& first,
    StreamGate* gate);

// A WatchOrder call that ends with `status` before any event.
grpc::ServerWriteReactor<demo::orders::v1::OrderEvent>* RefuseOrderWatch(
    const grpc::Status& status);

}  // namespace protogate::demo_services
