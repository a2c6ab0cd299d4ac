#include "demo_services/unary_reactor.h"

namespace protogate::demo_services {

UnaryReactor* UnaryReactor::Create(CallRecorder* recorder, absl::Duration base_delay) {
  return new UnaryReactor(recorder, base_delay);
}

UnaryReactor::UnaryReactor(CallRecorder* recorder, absl::Duration base_delay)
    : recorder_(recorder), base_delay_(base_delay) {
  recorder_->Enter();
}

void UnaryReactor::Reply(const grpc::Status& status, absl::Duration extra_delay) {
  const absl::Duration delay = base_delay_ + extra_delay;
  if (delay <= absl::ZeroDuration()) {
    FinishCounted(status);
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    if (!cancelled_.load()) {
      pending_ = status;
      alarm_set_ = true;
      alarm_.Set(absl::ToChronoTime(absl::Now() + delay), [this](bool fired) { OnAlarm(fired); });
      return;
    }
  }
  // Cancelled before the answer was ready: nothing will cancel an alarm any more.
  FinishCounted(grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled"));
}

void UnaryReactor::OnCancel() {
  bool cancel_alarm = false;
  {
    absl::MutexLock lock(&mu_);
    cancelled_.store(true);
    cancel_alarm = alarm_set_;
  }
  // Outside the lock: Cancel() may run the alarm's callback before it returns.
  if (cancel_alarm) alarm_.Cancel();
}

void UnaryReactor::OnAlarm(bool fired) {
  const grpc::Status status = fired && !cancelled_.load()
                                  ? pending_
                                  : grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled");
  // Finish may lead to OnDone (and our deletion) on another thread: it comes last.
  FinishCounted(status);
}

void UnaryReactor::FinishCounted(const grpc::Status& status) {
  // Counted out here rather than in OnDone: under load OnDone trails the answer by
  // long enough that a client's next call would look like an overlapping one.
  recorder_->Exit();
  Finish(status);
}

void UnaryReactor::OnDone() { delete this; }

}  // namespace protogate::demo_services
