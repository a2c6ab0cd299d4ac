#pragma once

// The demo services as GraphQL root methods, for unit tests of the schema
// and the executor: every unary method of users, orders and catalog, those
// with a GET binding in the demo protos as queries.
//
// Header-only, like demo_registry.h.

#include <algorithm>
#include <string>
#include <vector>

#include "graphql/schema.h"
#include "gtest/gtest.h"
#include "support/demo_registry.h"

namespace protogate::test {

inline std::vector<graphql::RootMethod> DemoRootMethods() {
  const std::vector<std::string> gets = {
      "GetUser",  "ListUsers",  "GetUserProfile",   "WhoAmI",         "ListOrders", "GetOrder",
      "GetAsset", "GetProduct", "BatchGetProducts", "SearchProducts", "Echo"};
  std::vector<graphql::RootMethod> methods;
  const google::protobuf::DescriptorPool& pool = DemoRegistry()->pool();
  for (const char* name : {"demo.users.v1.UserService", "demo.orders.v1.OrderService",
                           "demo.catalog.v1.CatalogService"}) {
    const google::protobuf::ServiceDescriptor* service = pool.FindServiceByName(name);
    EXPECT_NE(service, nullptr) << name;
    if (service == nullptr) continue;
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* method = service->method(i);
      if (method->client_streaming() || method->server_streaming()) continue;
      const bool get = std::find(gets.begin(), gets.end(), method->name()) != gets.end();
      methods.push_back({.method = method, .has_get_binding = get});
    }
  }
  return methods;
}

}  // namespace protogate::test
