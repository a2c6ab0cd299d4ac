#include "demo_services/order_chat.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "demo_services/threaded_reactor.h"

namespace protogate::demo_services {

using demo::orders::v1::ChatMessage;

namespace {

// Each message read is answered before the next one is read.
class OrderChat final : public ThreadedReactor<grpc::ServerBidiReactor<ChatMessage, ChatMessage>> {
 public:
  explicit OrderChat(StreamGate* gate) : ThreadedReactor(gate) { Begin(); }

  void OnReadDone(bool ok) override { Completed(&reading_, ok); }
  void OnWriteDone(bool ok) override { Completed(&writing_, ok); }

 private:
  void Run() override {
    for (int sequence = 1;; ++sequence) {
      if (!gate_->Take(cancelled_)) return End(Cancelled());
      if (!Await(&reading_, [this] { StartRead(&in_); })) break;
      if (in_.text() == "fail") {
        return End(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                                absl::StrCat("chat failed at message ", sequence)));
      }
      out_.set_order_id(in_.order_id());
      out_.set_text(absl::StrCat("re: ", in_.text()));
      out_.set_from("support");
      out_.set_sequence(sequence);
      if (!Await(&writing_, [this] { StartWrite(&out_); })) return End(Cancelled());
      gate_->CountSent();
    }
    End(cancelled_.load() ? Cancelled() : grpc::Status::OK);
  }

  ChatMessage in_;
  ChatMessage out_;
};

}  // namespace

grpc::ServerBidiReactor<ChatMessage, ChatMessage>* StartOrderChat(StreamGate* gate) {
  return new OrderChat(gate);
}

}  // namespace protogate::demo_services
