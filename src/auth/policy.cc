#include "auth/policy.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/json_text.h"

namespace protogate::auth {
namespace {

Policy::Kind DefaultKind(const config::AuthConfig& config) {
  if (!config.enabled || config.default_policy == "public") return Policy::Kind::kPublic;
  if (config.default_policy == "authenticated") return Policy::Kind::kAuthenticated;
  return Policy::Kind::kDeny;
}

bool ClaimMatches(const nlohmann::json& claim, const std::string& wanted) {
  if (claim.is_string()) return claim.get_ref<const std::string&>() == wanted;
  if (claim.is_array()) {
    return std::any_of(claim.begin(), claim.end(),
                       [&](const nlohmann::json& item) { return ClaimMatches(item, wanted); });
  }
  if (claim.is_number() || claim.is_boolean()) return common::JsonText(claim) == wanted;
  return false;
}

}  // namespace

// Iterative glob with single-star backtracking: linear in practice, and no
// recursion for a fuzzer or a hostile config to exhaust.
bool SelectorMatches(absl::string_view selector, absl::string_view name) {
  size_t s = 0, n = 0;
  size_t star = absl::string_view::npos, resume = 0;
  while (n < name.size()) {
    if (s < selector.size() && selector[s] == '*') {
      star = s++;
      resume = n;
    } else if (s < selector.size() && selector[s] == name[n]) {
      ++s;
      ++n;
    } else if (star != absl::string_view::npos) {
      s = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (s < selector.size() && selector[s] == '*') ++s;
  return s == selector.size();
}

PolicySet PolicySet::FromConfig(const config::AuthConfig& config,
                                const std::vector<std::string>& configured) {
  PolicySet set;
  set.default_.kind = DefaultKind(config);
  set.default_.authenticators = configured;
  for (const config::AuthPolicyConfig& entry : config.policies) {
    Policy policy;
    policy.kind = entry.is_public ? Policy::Kind::kPublic : Policy::Kind::kAuthenticated;
    policy.selector = entry.selector;
    policy.authenticators = entry.authenticators.empty() ? configured : entry.authenticators;
    policy.scopes = entry.scopes;
    policy.claims = entry.claims;
    set.policies_.push_back(std::move(policy));
  }
  return set;
}

const Policy& PolicySet::Resolve(absl::string_view method_full_name) const {
  for (const Policy& policy : policies_) {
    if (SelectorMatches(policy.selector, method_full_name)) return policy;
  }
  return default_;
}

absl::Status Authorize(const Policy& policy, const Identity& identity) {
  if (policy.kind == Policy::Kind::kDeny) {
    return absl::PermissionDeniedError("no policy allows this method (default_policy: deny)");
  }
  for (const std::string& scope : policy.scopes) {
    if (std::find(identity.scopes.begin(), identity.scopes.end(), scope) == identity.scopes.end()) {
      return absl::PermissionDeniedError(absl::StrCat("missing scope ", scope));
    }
  }
  for (const auto& [name, wanted] : policy.claims) {
    auto claim = identity.claims.find(name);
    if (claim == identity.claims.end() || !ClaimMatches(*claim, wanted)) {
      return absl::PermissionDeniedError(absl::StrCat("claim ", name, " is not ", wanted));
    }
  }
  return absl::OkStatus();
}

}  // namespace protogate::auth
