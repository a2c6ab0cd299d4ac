#pragma once

// Who may call which gRPC method: the `auth.policies` of the config resolved
// per route (by the method's full name, "demo.users.v1.UserService.GetUser").
//
// Selectors are method full names where '*' matches any run of characters
// (dots included): "demo.users.v1.UserService.*", "*.Get*", "*". Policies
// are tried in file order and the first match wins; a method no policy
// selects gets the default policy (public, deny or authenticated).
//
// Example:
//   PolicySet policies = PolicySet::FromConfig(config.auth);
//   const Policy& policy = policies.Resolve("demo.orders.v1.OrderService.CreateOrder");
//   RETURN_IF_ERROR(Authorize(policy, identity));   // PermissionDenied: 403
//
// Immutable; thread-safe. A Policy reference stays valid as long as its
// PolicySet (routes hold pointers into the snapshot's set).

#include <deque>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "auth/identity.h"
#include "config/auth_config.h"

namespace protogate::auth {

struct Policy {
  enum class Kind { kPublic, kDeny, kAuthenticated };
  Kind kind = Kind::kPublic;
  std::string selector{};  // "" for the default policy
  // Authenticators allowed to establish the identity, in preference order.
  std::vector<std::string> authenticators{};
  std::vector<std::string> scopes{};            // all required
  std::map<std::string, std::string> claims{};  // all required

  bool is_public() const { return kind == Kind::kPublic; }
};

bool SelectorMatches(absl::string_view selector, absl::string_view method_full_name);

class PolicySet {
 public:
  // `configured` lists the authenticators the config has ("jwt", "api_key",
  // "external"); a policy that names none gets all of them.
  static PolicySet FromConfig(const config::AuthConfig& config,
                              const std::vector<std::string>& configured);

  const Policy& Resolve(absl::string_view method_full_name) const;

 private:
  std::deque<Policy> policies_;  // stable addresses
  Policy default_;
};

// OK when `identity` holds every scope and claim the policy requires;
// PermissionDenied (reason for logs) otherwise. A claim requirement is met
// by an equal string claim, or an array claim containing the value; a
// number or bool claim compares by its JSON text ("true", "42").
absl::Status Authorize(const Policy& policy, const Identity& identity);

}  // namespace protogate::auth
