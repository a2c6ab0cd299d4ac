#pragma once

#include <grpcpp/alarm.h>
#include <grpcpp/grpcpp.h>

#include <atomic>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "demo_services/call_recorder.h"

namespace protogate::demo_services {

// The reactor every demo method answers through. It counts the call in a
// CallRecorder from creation until its answer is handed to gRPC, and can hold the
// answer back for a while without blocking any thread: a delayed answer waits on a
// grpc::Alarm, and the call's cancellation (client cancel, deadline, server
// shutdown) cancels the alarm so the call ends at once with CANCELLED.
//
// Example (inside a CallbackService method):
//   auto* reactor = UnaryReactor::Create(&recorder_, response_delay());
//   response->set_name("x");
//   reactor->Reply(grpc::Status::OK);
//   return reactor;
//
// Ownership: gRPC owns the reactor once the method returns it; it deletes itself
// in OnDone(). The recorder is not owned and must outlive every call.
// Threading: Reply() may be called from any thread, exactly once per call; fill in
// the response message before calling it, and touch nothing of the call after.
class UnaryReactor : public grpc::ServerUnaryReactor {
 public:
  // `base_delay` holds back every answer of this call (a service-wide injected
  // latency); zero answers immediately.
  static UnaryReactor* Create(CallRecorder* recorder, absl::Duration base_delay);

  // Answers with `status` after base_delay + `extra_delay`.
  void Reply(const grpc::Status& status, absl::Duration extra_delay = absl::ZeroDuration());

 private:
  UnaryReactor(CallRecorder* recorder, absl::Duration base_delay);
  ~UnaryReactor() override = default;

  void OnCancel() override;
  void OnDone() override;
  void OnAlarm(bool fired);
  void FinishCounted(const grpc::Status& status);

  CallRecorder* const recorder_;
  const absl::Duration base_delay_;
  grpc::Alarm alarm_;

  // mu_ orders "alarm set" against "call cancelled"; OnAlarm() never takes it.
  absl::Mutex mu_;
  bool alarm_set_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<bool> cancelled_{false};
  grpc::Status pending_;  // written before the alarm is set, read by OnAlarm()
};

}  // namespace protogate::demo_services
