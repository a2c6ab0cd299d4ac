#pragma once

// Bounded polling for what another thread (a service, the gateway's loop)
// does: true as soon as `done` holds, false once `limit` has passed. Never
// a fixed sleep standing in for an ordering.
//
// Example:
//   EXPECT_TRUE(Eventually([&] { return gate.cancelled() == 1; }));

#include <functional>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace protogate::test {

inline bool Eventually(const std::function<bool()>& done,
                       absl::Duration limit = absl::Seconds(20)) {
  const absl::Time until = absl::Now() + limit;
  while (!done()) {
    if (absl::Now() > until) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

}  // namespace protogate::test
