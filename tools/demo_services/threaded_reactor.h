#pragma once

// What the demo's streaming reactors share: each runs its call from a thread
// of its own (a gate or a pause may wait, which a reaction on gRPC's threads
// must not), waits for each operation it starts, and deletes itself once
// gRPC is done with it. Counted by its StreamGate (order_watch.h).
//
// A reactor derives from ThreadedReactor<grpc::Server…Reactor<…>>, calls
// Begin() at the end of its constructor, does its work in Run(), reports its
// operations' ends with Completed(&reading_ or &writing_, ok), and ends with
// End(status).

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "demo_services/order_watch.h"

namespace protogate::demo_services {

template <typename Reactor>
class ThreadedReactor : public Reactor {
 public:
  // Under cancel_mu_: gRPC orders OnCancel before OnDone in its own
  // (uninstrumented) code; the mutex, which End takes before it deletes,
  // shows that order to TSan. (Not mu_: End waits on a condition of it.)
  void OnCancel() override {
    absl::MutexLock lock(&cancel_mu_);
    cancelled_.store(true);
    gate_->CountCancelled();
  }

  void OnDone() override {
    absl::MutexLock lock(&mu_);
    done_ = true;
  }

 protected:
  explicit ThreadedReactor(StreamGate* gate) : gate_(gate) { gate_->CountStarted(); }

  // Detached: it ends by deleting the reactor (End).
  void Begin() {
    std::thread([this] { Run(); }).detach();
  }
  virtual void Run() = 0;

  // Finishes the call and deletes the reactor after OnDone: on this thread,
  // which last touched it (gRPC's own hand-off is invisible to TSan).
  void End(const grpc::Status& status) {
    this->Finish(status);
    mu_.LockWhen(absl::Condition(&done_));
    mu_.Unlock();
    cancel_mu_.Lock();
    cancel_mu_.Unlock();
    delete this;
  }

  // Starts one operation (`start`) and waits for its end (Completed with
  // `pending`); its `ok`.
  template <typename Start>
  bool Await(bool* pending, Start start) {
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

  void Completed(bool* pending, bool ok) {
    absl::MutexLock lock(&mu_);
    last_ok_ = ok;
    *pending = false;
  }

  static grpc::Status Cancelled() { return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"); }

  StreamGate* const gate_;
  std::atomic<bool> cancelled_{false};
  absl::Mutex mu_;
  absl::Mutex cancel_mu_;
  bool reading_ = false;  // under mu_
  bool writing_ = false;  // under mu_

 private:
  bool last_ok_ = true;  // under mu_
  bool done_ = false;    // under mu_: OnDone ran
};

}  // namespace protogate::demo_services
