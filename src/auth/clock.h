#pragma once

// The time source of auth (token lifetimes, cache expiry, refetch limits),
// injected so that tests control time instead of sleeping.

#include <functional>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace protogate::auth {

using Clock = std::function<absl::Time()>;

inline Clock SystemClock() {
  return [] { return absl::Now(); };
}

}  // namespace protogate::auth
