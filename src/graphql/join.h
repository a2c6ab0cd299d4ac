#pragma once

// Join fields: fields the config adds to an object type of the schema and
// that another gRPC method resolves, with the composite routes' reference
// syntax (aggregate/reference.h) in the request template:
//
//   Order.user:                       # the field `user` on type Order
//     method: demo.users.v1.UserService/GetUser
//     request: {user_id: $parent.user_id}
//   User.orders:
//     method: demo.orders.v1.OrderService/ListOrders
//     request: {user_id: $parent.user_id, page_size: $args.first}
//     arguments: {first: Int}
//     result: orders                  # one field of the response: [Order!]
//   LineItem.product:                 # one call for all the parents' keys
//     batch:
//       method: demo.catalog.v1.CatalogService/BatchGetProducts
//       request: {product_ids: $keys}
//       key: $parent.product_id       # each parent's key
//       response: products            # the results, a repeated message field
//       match: product_id             # the result field that equals the key
//
// References: `$parent.<path>` (the message the field is on), `$args.<name>`
// (an argument the join declares), `$keys` (a batch request only: the
// distinct keys of every parent of one response). A join field is always
// nullable: its call can fail, and its error is a field error at its path.
// Its type is the method's response message, the `result` field of it, or
// (batched) the element type of the `response` list.
//
// Example:
//   ASSIGN_OR_RETURN(auto join, CompileJoin(spec, *order_type, arguments, registry));
//   join->request  // the template WriteRequest turns into GetUser's request bytes
//
// Compiled once per snapshot (the schema owns them); immutable; safe from
// any thread. The descriptors must outlive them.

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "aggregate/composite_plan.h"
#include "aggregate/reference.h"
#include "google/protobuf/descriptor.h"
#include "transcode/type_registry.h"

namespace protogate::graphql {

inline constexpr int kDefaultMaxBatchKeys = 100;

struct JoinBatchSpec {
  const google::protobuf::MethodDescriptor* method = nullptr;
  aggregate::Json request = aggregate::Json::object();  // "$keys": the distinct keys
  std::string key{};                                    // "$parent.product_id"
  std::string response{};               // the response's repeated message field holding the results
  std::string match{};                  // the field of each result that equals a key
  int max_keys = kDefaultMaxBatchKeys;  // keys per call; more keys make more calls
};

struct JoinSpec {
  std::string type{};   // "Order": the object type the field is added to
  std::string field{};  // "user"
  std::string where{};  // "gateway.yaml:240", for load errors
  std::string description{};
  const google::protobuf::MethodDescriptor* method = nullptr;    // one call per parent
  aggregate::Json request = aggregate::Json::object();           // "$parent.x", "$args.y"
  std::vector<std::pair<std::string, std::string>> arguments{};  // name, GraphQL input type
  std::string result{};                  // "": the whole response; else the response's field shown
  std::optional<JoinBatchSpec> batch{};  // instead of `method`
  // A client profile's schema may lack the type (no root field it may use
  // reaches it): the join is then left out rather than refused.
  bool skip_without_type = false;
  // Selection pushdown, as for root fields (RootMethod): the called
  // method's request FieldMask, and the response field it is relative to.
  const google::protobuf::FieldDescriptor* read_mask = nullptr;
  const google::protobuf::FieldDescriptor* read_mask_scope = nullptr;
};

struct Join {
  std::string name{};  // "Order.user", for messages and metrics
  // Unbatched: the method called once per distinct request.
  const google::protobuf::MethodDescriptor* method = nullptr;
  aggregate::ValueTemplate request{};                         // of method->input_type()
  const google::protobuf::FieldDescriptor* result = nullptr;  // nullptr: the whole response
  struct Batch {
    const google::protobuf::MethodDescriptor* method = nullptr;
    aggregate::ValueTemplate request{};                           // with the keys as `$keys`
    aggregate::SourceRef key{};                                   // from the parent
    const google::protobuf::FieldDescriptor* response = nullptr;  // repeated message field
    const google::protobuf::FieldDescriptor* match = nullptr;     // in each result
    int max_keys = kDefaultMaxBatchKeys;
  };
  std::optional<Batch> batch{};
  // The parent's fields the requests read ("user_id", "profile.region"), as
  // proto paths: a read mask of the parent must keep them.
  std::vector<std::string> parent_paths{};
  // Selection pushdown: the called request's FieldMask, filled with the
  // proto paths the field's selection reads, each after `mask_prefix` (the
  // response field holding what the field shows, "products."), plus the
  // batch's `match` field; null: none (the method has no mask, the request
  // template sets it, or the mask's scope is not what the field shows).
  const google::protobuf::FieldDescriptor* read_mask = nullptr;
  std::string mask_prefix{};

  const google::protobuf::MethodDescriptor& called() const {
    return batch ? *batch->method : *method;
  }
};

// The message a join's field shows: the response (or the batch's result
// element); `result` is set when one field of it is shown.
struct JoinTarget {
  const google::protobuf::Descriptor* message = nullptr;
  const google::protobuf::FieldDescriptor* result = nullptr;
};

// InvalidArgument "<where>: graphql.joins.<Type.field>: <problem>", the
// shape of every load error about a join.
absl::Status JoinError(const JoinSpec& spec, absl::string_view problem);

// Checks what needs no parent: the method, the `result`/`response`/`match`
// fields. InvalidArgument "<where>: graphql.joins.<Type.field>: <problem>".
absl::StatusOr<JoinTarget> JoinTargetOf(const JoinSpec& spec);

// Compiles `spec` for fields on `parent` whose declared arguments are
// `argument_names`. InvalidArgument as above: unknown request fields, a
// reference to a field `parent` does not have or to an undeclared
// argument, a type mismatch, a key that is not a scalar or differs in type
// from `match`.
absl::StatusOr<std::unique_ptr<Join>> CompileJoin(const JoinSpec& spec,
                                                  const google::protobuf::Descriptor& parent,
                                                  const std::vector<std::string>& argument_names,
                                                  const transcode::TypeRegistry& registry);

}  // namespace protogate::graphql
