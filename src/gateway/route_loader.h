#pragma once

// Reads the google.api.http rules of every method in a descriptor pool and
// turns them into route specifications: one per binding, additional
// bindings included.
//
// Example:
//   rpc GetOrder(...) { option (google.api.http) = { get: "/v1/orders/{order_id}"
//                       additional_bindings { get: "/v1/users/{user_id}/orders/{order_id}" } }; }
//   -> two RouteSpecs, both for demo.orders.v1.OrderService.GetOrder.
//
// Pure; safe from any thread.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"

namespace protogate::gateway {

struct RouteSpec {
  std::string http_method;  // "GET", …, or a custom kind as written ("PURGE")
  std::string path_template;
  std::string body;           // "", "*" or a field name
  std::string response_body;  // "" or a field name
  const google::protobuf::MethodDescriptor* method = nullptr;
  std::string source;  // "demo/users/v1/users.proto:14" when source info is present

  // "demo.users.v1.UserService.GetUser (GET /v1/users/{user_id}) at users.proto:14"
  std::string Describe() const;
};

// All routes of all services in `pool`, in file and method order.
// InvalidArgument for a rule with no pattern, a nested additional binding,
// or an empty custom kind — naming the method.
absl::StatusOr<std::vector<RouteSpec>> LoadRouteSpecs(const google::protobuf::DescriptorPool& pool,
                                                      const std::vector<std::string>& file_names);

}  // namespace protogate::gateway
