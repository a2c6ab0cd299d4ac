#include "demo_services/order_watch.h"

#include <algorithm>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "demo_services/threaded_reactor.h"
#include "google/protobuf/util/time_util.h"

namespace protogate::demo_services {

using demo::orders::v1::Order;
using demo::orders::v1::OrderEvent;
using demo::orders::v1::OrderStatus;
using demo::orders::v1::WatchOrderRequest;

void StreamGate::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  permits_ = 0;
}

void StreamGate::Open() {
  absl::MutexLock lock(&mu_);
  closed_ = false;
}

void StreamGate::Allow(int events) {
  absl::MutexLock lock(&mu_);
  permits_ += events;
}

bool StreamGate::Take(const std::atomic<bool>& cancelled) {
  absl::MutexLock lock(&mu_);
  auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !closed_ || permits_ > 0 || cancelled.load();
  };
  // The cancellation flag is not under mu_: look again now and then.
  while (!ready()) mu_.AwaitWithTimeout(absl::Condition(&ready), absl::Milliseconds(20));
  if (cancelled.load()) return false;
  if (closed_) --permits_;
  return true;
}

namespace {

constexpr int kDefaultEvents = 3;
constexpr int kMaxEvents = 100000;
constexpr int kMaxIntervalMs = 60000;
constexpr int kMaxPadding = 1 << 20;

// The made-up life of an order after its current status.
OrderStatus StatusAt(OrderStatus first, int sequence) {
  if (sequence == 1 || first == demo::orders::v1::ORDER_STATUS_CANCELLED) return first;
  return demo::orders::v1::ORDER_STATUS_SHIPPED;
}

// Each event waits for its pause and the gate, and is written only once
// gRPC has taken the one before.
class OrderWatch final : public ThreadedReactor<grpc::ServerWriteReactor<OrderEvent>> {
 public:
  OrderWatch(const WatchOrderRequest& request, const Order& first, StreamGate* gate)
      : ThreadedReactor(gate), request_(request), first_(first) {
    Begin();
  }

  void OnWriteDone(bool ok) override { Completed(&writing_, ok); }

 private:
  void Run() override {
    const int asked = request_.max_events();
    const int events = asked > 0 ? std::min(asked, kMaxEvents) : asked < 0 ? 0 : kDefaultEvents;
    const absl::Duration interval =
        absl::Milliseconds(std::clamp(request_.interval_ms(), 0, kMaxIntervalMs));
    const std::string padding(std::clamp(request_.padding_bytes(), 0, kMaxPadding), '.');
    for (int sequence = 1; sequence <= events; ++sequence) {
      if (sequence > 1 && !Pause(interval)) return End(Cancelled());
      if (!gate_->Take(cancelled_)) return End(Cancelled());
      event_.set_sequence(sequence);
      event_.set_order_id(first_.order_id());
      event_.set_status(StatusAt(first_.status(), sequence));
      *event_.mutable_event_time() = google::protobuf::util::TimeUtil::MillisecondsToTimestamp(
          absl::ToUnixMillis(absl::Now()));
      event_.set_note(sequence == 1 ? "current status" : "checkpoint " + std::to_string(sequence));
      event_.mutable_note()->append(padding);
      if (!Await(&writing_, [this] { StartWrite(&event_); })) return End(Cancelled());
      gate_->CountSent();
      if (sequence == request_.fail_after()) {
        return End(grpc::Status(grpc::StatusCode::ABORTED,
                                "watch failed after " + std::to_string(sequence) + " events"));
      }
    }
    End(grpc::Status::OK);
  }

  // Waits out `interval`; false when the call was cancelled meanwhile.
  bool Pause(absl::Duration interval) {
    const absl::Time until = absl::Now() + interval;
    while (absl::Now() < until) {
      if (cancelled_.load()) return false;
      absl::SleepFor(std::min(until - absl::Now(), absl::Milliseconds(20)));
    }
    return !cancelled_.load();
  }

  const WatchOrderRequest request_;
  const Order first_;
  OrderEvent event_;
};

class RefusedWatch final : public grpc::ServerWriteReactor<OrderEvent> {
 public:
  explicit RefusedWatch(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerWriteReactor<OrderEvent>* RefuseOrderWatch(const grpc::Status& status) {
  return new RefusedWatch(status);
}

grpc::ServerWriteReactor<OrderEvent>* StartOrderWatch(const WatchOrderRequest& request,
                                                      const Order& first, StreamGate* gate) {
  return new OrderWatch(request, first, gate);
}

}  // namespace protogate::demo_services
