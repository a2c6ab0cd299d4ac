#include "auth/policy.h"

#include "gtest/gtest.h"

namespace protogate::auth {
namespace {

TEST(SelectorTest, WildcardsMatchAnyRun) {
  EXPECT_TRUE(SelectorMatches("demo.users.v1.UserService.*", "demo.users.v1.UserService.GetUser"));
  EXPECT_TRUE(SelectorMatches("*", "a.B.C"));
  EXPECT_TRUE(SelectorMatches("*.Get*", "demo.users.v1.UserService.GetUser"));
  EXPECT_TRUE(SelectorMatches("demo.*.CreateOrder", "demo.orders.v1.OrderService.CreateOrder"));
  EXPECT_TRUE(SelectorMatches("a.B.C", "a.B.C"));
  EXPECT_FALSE(SelectorMatches("a.B.C", "a.B.CD"));
  EXPECT_FALSE(SelectorMatches("demo.users.v1.UserService.*", "demo.users.v1.UserServiceX.Get"));
  EXPECT_FALSE(SelectorMatches("*.Delete*", "demo.users.v1.UserService.GetUser"));
  EXPECT_FALSE(SelectorMatches("", "a"));
  EXPECT_TRUE(SelectorMatches("**a**", "xxa"));
}

TEST(SelectorTest, PathologicalPatternsStayFast) {
  const std::string name(5000, 'a');
  EXPECT_FALSE(SelectorMatches("*a*a*a*a*a*a*a*a*a*a*b", name));
}

config::AuthConfig Config() {
  config::AuthConfig config;
  config.enabled = true;
  config.default_policy = "deny";
  config.policies = {
      {.selector = "demo.catalog.v1.CatalogService.*", .is_public = true},
      {.selector = "demo.orders.v1.OrderService.CreateOrder",
       .authenticators = {"jwt"},
       .scopes = {"orders:write"},
       .claims = {{"aud", "protogate"}}},
      {.selector = "demo.orders.v1.*"},
  };
  return config;
}

TEST(PolicySetTest, FirstMatchWinsAndDefaultsApply) {
  const PolicySet set = PolicySet::FromConfig(Config(), {"jwt", "api_key"});
  EXPECT_TRUE(set.Resolve("demo.catalog.v1.CatalogService.GetProduct").is_public());
  const Policy& create = set.Resolve("demo.orders.v1.OrderService.CreateOrder");
  EXPECT_EQ(create.kind, Policy::Kind::kAuthenticated);
  EXPECT_EQ(create.authenticators, std::vector<std::string>{"jwt"});
  const Policy& get = set.Resolve("demo.orders.v1.OrderService.GetOrder");
  EXPECT_EQ(get.selector, "demo.orders.v1.*");
  EXPECT_EQ(get.authenticators, (std::vector<std::string>{"jwt", "api_key"}));
  EXPECT_EQ(set.Resolve("demo.users.v1.UserService.GetUser").kind, Policy::Kind::kDeny);
}

TEST(PolicySetTest, DefaultPolicyChoices) {
  config::AuthConfig config;
  EXPECT_TRUE(PolicySet::FromConfig(config, {}).Resolve("a.B.C").is_public());  // auth off
  config.enabled = true;
  config.default_policy = "authenticated";
  EXPECT_EQ(PolicySet::FromConfig(config, {"jwt"}).Resolve("a.B.C").kind,
            Policy::Kind::kAuthenticated);
  config.default_policy = "public";
  EXPECT_TRUE(PolicySet::FromConfig(config, {"jwt"}).Resolve("a.B.C").is_public());
}

Identity Alice() {
  Identity identity{.subject = "alice", .scopes = {"orders:read", "orders:write"}};
  identity.claims = {{"aud", nlohmann::json::array({"x", "protogate"})},
                     {"tier", "gold"},
                     {"admin", true},
                     {"level", 3}};
  return identity;
}

TEST(AuthorizeTest, ScopesMustAllBePresent) {
  Policy policy{.kind = Policy::Kind::kAuthenticated, .scopes = {"orders:read", "orders:write"}};
  EXPECT_TRUE(Authorize(policy, Alice()).ok());
  policy.scopes.push_back("users:admin");
  EXPECT_EQ(Authorize(policy, Alice()).code(), absl::StatusCode::kPermissionDenied);
}

TEST(AuthorizeTest, ClaimsMatchStringsArraysAndScalars) {
  Policy policy{
      .kind = Policy::Kind::kAuthenticated,
      .claims = {{"aud", "protogate"}, {"tier", "gold"}, {"admin", "true"}, {"level", "3"}}};
  EXPECT_TRUE(Authorize(policy, Alice()).ok());
  policy.claims["tier"] = "silver";
  EXPECT_FALSE(Authorize(policy, Alice()).ok());
  policy.claims = {{"missing", "x"}};
  EXPECT_FALSE(Authorize(policy, Alice()).ok());
}

TEST(AuthorizeTest, DenyRefusesEveryone) {
  EXPECT_EQ(Authorize(Policy{.kind = Policy::Kind::kDeny}, Alice()).code(),
            absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace protogate::auth
