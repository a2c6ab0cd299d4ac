#include "demo_services/order_chat.h"

#include <atomic>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace protogate::demo_services {

using demo::orders::v1::ChatMessage;

namespace {

// Reads and writes from a thread of its own, one message at a time (as the
// import and the watch do): the gate may wait.
class OrderChat final : public grpc::ServerBidiReactor<ChatMessage, ChatMessage> {
 public:
  explicit OrderChat(StreamGate* gate) : gate_(gate) {
    gate_->CountStarted();
    std::thread([this] { Run(); }).detach();
  }

  void OnReadDone(bool ok) override { Done(&reading_, ok); }
  void OnWriteDone(bool ok) override { Done(&writing_, ok); }

  void OnCancel() override {
    cancelled_.store(true);
    gate_->CountCancelled();
  }

  void OnDone() override {
    absl::MutexLock lock(&mu_);
    done_ = true;
  }

 private:
  void Done(bool* pending, bool ok) {
    absl::MutexLock lock(&mu_);
    last_ok_ = ok;
    *pending = false;
  }

  // As OrderWatch::End (order_watch.cc).
  void End(const grpc::Status& status) {
    Finish(status);
    mu_.LockWhen(absl::Condition(&done_));
    mu_.Unlock();
    delete this;
  }

  void Run() {
    for (int sequence = 1;; ++sequence) {
      if (!gate_->Take(cancelled_)) return End(Cancelled());
      if (!Wait(&reading_, [this] { StartRead(&in_); })) break;
      if (in_.text() == "fail") {
        return End(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                                absl::StrCat("chat failed at message ", sequence)));
      }
      out_.set_order_id(in_.order_id());
      out_.set_text(absl::StrCat("re: ", in_.text()));
      out_.set_from("support");
      out_.set_sequence(sequence);
      if (!Wait(&writing_, [this] { StartWrite(&out_); })) return End(Cancelled());
      gate_->CountSent();
    }
    End(cancelled_.load() ? Cancelled() : grpc::Status::OK);
  }

  // Starts one operation and waits for its end; its `ok`.
  template <typename Start>
  bool Wait(bool* pending, Start start) {
    {
      absl::MutexLock lock(&mu_);
      *pending = true;
    }
    start();
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](bool* p) { return !*p; }, pending));
    return last_ok_;
  }

  static grpc::Status Cancelled() { return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"); }

  StreamGate* gate_;
  ChatMessage in_;
  ChatMessage out_;
  std::atomic<bool> cancelled_{false};
  absl::Mutex mu_;
  bool reading_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool last_ok_ ABSL_GUARDED_BY(mu_) = true;
  bool done_ ABSL_GUARDED_BY(mu_) = false;  // OnDone ran
};

}  // namespace

grpc::ServerBidiReactor<ChatMessage, ChatMessage>* StartOrderChat(StreamGate* gate) {
  return new OrderChat(gate);
}

}  // namespace protogate::demo_services
