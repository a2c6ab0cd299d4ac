// Makes Debian's Abseil synchronization visible to ThreadSanitizer.
//
// libabsl_synchronization is not built with -fsanitize=thread, so TSan sees
// neither the lock nor the unlock of an absl::Mutex (ours, and gRPC's, which
// locks through the same library): every access guarded by one would be
// reported as a race. This library defines the same symbols, and every
// target of a TSan build links it ahead of Abseil (CMakeLists.txt), so that
// the dynamic linker binds every caller, gRPC included, to it: each function
// forwards to the real one (dlsym RTLD_NEXT) and tells TSan of the
// happens-before edge it makes, as Abseil's own annotations would in an
// instrumented build: release before unlocking (or waiting, or notifying),
// acquire after locking (or waking, or being notified).
//
// Reader locks are modelled as exclusive ones (a reader's release orders it
// before the next locker), which can hide a race between two readers, of
// which there are none: a race needs a write.
//
// Waiters' conditions are evaluated through a wrapper that holds the mutex
// for TSan, and gRPC's completion-queue hand-off is told the same way (at
// the end of this file).
//
// Built only with PROTOGATE_TSAN; never part of a release build.

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

#include "absl/synchronization/barrier.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "grpc/grpc.h"

extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);

namespace {

template <typename Fn>
Fn Real(const char* mangled) {
  void* real = dlsym(RTLD_NEXT, mangled);
  if (real == nullptr) {
    std::fprintf(stderr, "tsan absl_sync: %s not found: %s\n", mangled, dlerror());
    std::abort();
  }
  return reinterpret_cast<Fn>(real);
}

void Acquire(const void* addr) { __tsan_acquire(const_cast<void*>(addr)); }
void Release(const void* addr) { __tsan_release(const_cast<void*>(addr)); }

// A waiter's condition is evaluated under its mutex, but not only by the
// waiter: the thread that unlocks evaluates the conditions of those waiting
// (in Mutex::Unlock, after the release above has been told). Evaluating
// through this wrapper tells TSan that the evaluation holds the mutex,
// whichever thread runs it, as Abseil's own annotations do.
struct AnnotatedCondition {
  const absl::Condition* cond;
  const absl::Mutex* mu;

  static bool Eval(AnnotatedCondition* self) {
    Acquire(self->mu);
    const bool met = self->cond->Eval();
    Release(self->mu);
    return met;
  }
};

}  // namespace

// Declares `annotated`, the condition `cond` of mutex `mu` evaluated through
// AnnotatedCondition; it lives as long as the waiting call.
#define ABSL_SYNC_ANNOTATED(cond, mu)                \
  AnnotatedCondition annotated_state{&(cond), (mu)}; \
  const Condition annotated(&AnnotatedCondition::Eval, &annotated_state)

// The mangled names are those of Debian 12's Abseil 20220623 (inline
// namespace debian3); a missing one aborts at its first use, by name.
#define ABSL_SYNC_REAL(type, mangled) static const auto real = Real<type>(mangled)

namespace absl {

void Mutex::Lock() {
  ABSL_SYNC_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex4LockEv");
  real(this);
  Acquire(this);
}

void Mutex::ReaderLock() {
  ABSL_SYNC_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex10ReaderLockEv");
  real(this);
  Acquire(this);
}

bool Mutex::TryLock() {
  ABSL_SYNC_REAL(bool (*)(Mutex*), "_ZN4absl7debian35Mutex7TryLockEv");
  const bool locked = real(this);
  if (locked) Acquire(this);
  return locked;
}

bool Mutex::ReaderTryLock() {
  ABSL_SYNC_REAL(bool (*)(Mutex*), "_ZN4absl7debian35Mutex13ReaderTryLockEv");
  const bool locked = real(this);
  if (locked) Acquire(this);
  return locked;
}

void Mutex::Unlock() {
  ABSL_SYNC_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex6UnlockEv");
  Release(this);
  real(this);
}

void Mutex::ReaderUnlock() {
  ABSL_SYNC_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex12ReaderUnlockEv");
  Release(this);
  real(this);
}

void Mutex::LockWhen(const Condition& cond) {
  ABSL_SYNC_REAL(void (*)(Mutex*, const Condition&),
                 "_ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE");
  ABSL_SYNC_ANNOTATED(cond, this);
  real(this, annotated);
  Acquire(this);
}

void Mutex::ReaderLockWhen(const Condition& cond) {
  ABSL_SYNC_REAL(void (*)(Mutex*, const Condition&),
                 "_ZN4absl7debian35Mutex14ReaderLockWhenERKNS0_9ConditionE");
  ABSL_SYNC_ANNOTATED(cond, this);
  real(this, annotated);
  Acquire(this);
}

bool Mutex::LockWhenWithTimeout(const Condition& cond, absl::Duration timeout) {
  ABSL_SYNC_REAL(bool (*)(Mutex*, const Condition&, absl::Duration),
                 "_ZN4absl7debian35Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  ABSL_SYNC_ANNOTATED(cond, this);
  const bool met = real(this, annotated, timeout);
  Acquire(this);  // held on return either way
  return met;
}

bool Mutex::ReaderLockWhenWithTimeout(const Condition& cond, absl::Duration timeout) {
  ABSL_SYNC_REAL(
      bool (*)(Mutex*, const Condition&, absl::Duration),
      "_ZN4absl7debian35Mutex25ReaderLockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  ABSL_SYNC_ANNOTATED(cond, this);
  const bool met = real(this, annotated, timeout);
  Acquire(this);
  return met;
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, absl::Time deadline) {
  ABSL_SYNC_REAL(bool (*)(Mutex*, const Condition&, absl::Time),
                 "_ZN4absl7debian35Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  ABSL_SYNC_ANNOTATED(cond, this);
  const bool met = real(this, annotated, deadline);
  Acquire(this);
  return met;
}

bool Mutex::ReaderLockWhenWithDeadline(const Condition& cond, absl::Time deadline) {
  ABSL_SYNC_REAL(bool (*)(Mutex*, const Condition&, absl::Time),
                 "_ZN4absl7debian35Mutex26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  ABSL_SYNC_ANNOTATED(cond, this);
  const bool met = real(this, annotated, deadline);
  Acquire(this);
  return met;
}

// Waiting lets go of the mutex and takes it back.
void Mutex::Await(const Condition& cond) {
  ABSL_SYNC_REAL(void (*)(Mutex*, const Condition&),
                 "_ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE");
  Release(this);
  ABSL_SYNC_ANNOTATED(cond, this);
  real(this, annotated);
  Acquire(this);
}

bool Mutex::AwaitWithTimeout(const Condition& cond, absl::Duration timeout) {
  ABSL_SYNC_REAL(bool (*)(Mutex*, const Condition&, absl::Duration),
                 "_ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  Release(this);
  ABSL_SYNC_ANNOTATED(cond, this);
  const bool met = real(this, annotated, timeout);
  Acquire(this);
  return met;
}

bool Mutex::AwaitWithDeadline(const Condition& cond, absl::Time deadline) {
  ABSL_SYNC_REAL(bool (*)(Mutex*, const Condition&, absl::Time),
                 "_ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  Release(this);
  ABSL_SYNC_ANNOTATED(cond, this);
  const bool met = real(this, annotated, deadline);
  Acquire(this);
  return met;
}

void CondVar::Wait(Mutex* mu) {
  ABSL_SYNC_REAL(void (*)(CondVar*, Mutex*), "_ZN4absl7debian37CondVar4WaitEPNS0_5MutexE");
  Release(mu);
  real(this, mu);
  Acquire(mu);
}

bool CondVar::WaitWithTimeout(Mutex* mu, absl::Duration timeout) {
  ABSL_SYNC_REAL(bool (*)(CondVar*, Mutex*, absl::Duration),
                 "_ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  Release(mu);
  const bool timed_out = real(this, mu, timeout);
  Acquire(mu);
  return timed_out;
}

bool CondVar::WaitWithDeadline(Mutex* mu, absl::Time deadline) {
  ABSL_SYNC_REAL(bool (*)(CondVar*, Mutex*, absl::Time),
                 "_ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  Release(mu);
  const bool timed_out = real(this, mu, deadline);
  Acquire(mu);
  return timed_out;
}

void ReleasableMutexLock::Release() {
  ABSL_SYNC_REAL(void (*)(ReleasableMutexLock*), "_ZN4absl7debian319ReleasableMutexLock7ReleaseEv");
  // The lock's only member is the mutex it holds; Release() clears it.
  ::Release(*reinterpret_cast<Mutex* const*>(this));
  real(this);
}

void Notification::Notify() {
  ABSL_SYNC_REAL(void (*)(Notification*), "_ZN4absl7debian312Notification6NotifyEv");
  ::Release(this);
  real(this);
}

void Notification::WaitForNotification() const {
  ABSL_SYNC_REAL(void (*)(const Notification*),
                 "_ZNK4absl7debian312Notification19WaitForNotificationEv");
  real(this);
  Acquire(this);
}

bool Notification::WaitForNotificationWithTimeout(absl::Duration timeout) const {
  ABSL_SYNC_REAL(bool (*)(const Notification*, absl::Duration),
                 "_ZNK4absl7debian312Notification30WaitForNotificationWithTimeoutENS0_8DurationE");
  const bool notified = real(this, timeout);
  if (notified) Acquire(this);
  return notified;
}

bool Notification::WaitForNotificationWithDeadline(absl::Time deadline) const {
  ABSL_SYNC_REAL(bool (*)(const Notification*, absl::Time),
                 "_ZNK4absl7debian312Notification31WaitForNotificationWithDeadlineENS0_4TimeE");
  const bool notified = real(this, deadline);
  if (notified) Acquire(this);
  return notified;
}

bool BlockingCounter::DecrementCount() {
  ABSL_SYNC_REAL(bool (*)(BlockingCounter*), "_ZN4absl7debian315BlockingCounter14DecrementCountEv");
  ::Release(this);
  return real(this);
}

void BlockingCounter::Wait() {
  ABSL_SYNC_REAL(void (*)(BlockingCounter*), "_ZN4absl7debian315BlockingCounter4WaitEv");
  real(this);
  Acquire(this);
}

bool Barrier::Block() {
  ABSL_SYNC_REAL(bool (*)(Barrier*), "_ZN4absl7debian37Barrier5BlockEv");
  ::Release(this);
  const bool last = real(this);
  Acquire(this);
  return last;
}

}  // namespace absl

// gRPC's completion queues hand a batch from the thread that starts it to
// the one that takes its completion through gRPC core's own atomics, which
// TSan cannot see either: everything before grpc_call_start_batch(tag)
// happens before the completion of that tag is returned by
// grpc_completion_queue_next/pluck. libgrpc++ calls these through the dynamic
// linker, so the same interposition tells TSan of that edge. (Callback-API
// completions run inside libgrpc, where nothing can be interposed; see
// tests/tsan.supp.)
extern "C" grpc_call_error grpc_call_start_batch(grpc_call* call, const grpc_op* ops, size_t nops,
                                                 void* tag, void* reserved) {
  ABSL_SYNC_REAL(grpc_call_error(*)(grpc_call*, const grpc_op*, size_t, void*, void*),
                 "grpc_call_start_batch");
  Release(tag);
  return real(call, ops, nops, tag, reserved);
}

extern "C" grpc_event grpc_completion_queue_next(grpc_completion_queue* cq, gpr_timespec deadline,
                                                 void* reserved) {
  ABSL_SYNC_REAL(grpc_event(*)(grpc_completion_queue*, gpr_timespec, void*),
                 "grpc_completion_queue_next");
  const grpc_event event = real(cq, deadline, reserved);
  if (event.type == GRPC_OP_COMPLETE) Acquire(event.tag);
  return event;
}

extern "C" grpc_event grpc_completion_queue_pluck(grpc_completion_queue* cq, void* tag,
                                                  gpr_timespec deadline, void* reserved) {
  ABSL_SYNC_REAL(grpc_event(*)(grpc_completion_queue*, void*, gpr_timespec, void*),
                 "grpc_completion_queue_pluck");
  const grpc_event event = real(cq, tag, deadline, reserved);
  if (event.type == GRPC_OP_COMPLETE) Acquire(event.tag);
  return event;
}
