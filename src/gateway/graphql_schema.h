#pragma once

// The GraphQL schema that a gateway config gives over a descriptor set:
// every unary method of every service under `upstreams:` (graphql.methods
// hides, renames or reclassifies one), the read masks it fills, and the
// join fields of graphql.joins. The gateway builds its endpoint from it, and
// protogate-routes writes it as SDL (gen/schema.graphql), so the schema a
// reviewer reads is the one clients get.
//
// Example:
//   ASSIGN_OR_RETURN(auto schema, BuildGraphqlSchema(config, *registry, get_methods));
//   std::string sdl = schema->Sdl();
//
// Pure; thread-compatible. The schema points into `registry`'s descriptors.

#include <functional>
#include <memory>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "config/gateway_config.h"
#include "google/protobuf/descriptor.h"
#include "graphql/schema.h"
#include "transcode/type_registry.h"

namespace protogate::gateway {

// `get_methods`: the methods with a GET binding (Query fields). InvalidArgument
// with the config's file:line for a `graphql.methods` or `graphql.joins`
// entry that does not fit the protos, and the schema's own errors (two root
// fields of one name, ...).
absl::StatusOr<std::shared_ptr<const graphql::Schema>> BuildGraphqlSchema(
    const config::GatewayConfig& config, const transcode::TypeRegistry& registry,
    const absl::flat_hash_set<const google::protobuf::MethodDescriptor*>& get_methods);

// The methods a client profile may call (views::ClientProfiles::AllowsMethod).
using MethodFilter = std::function<bool(const google::protobuf::MethodDescriptor&)>;

// The schema as one kind of caller sees it: only the root fields and join
// fields whose methods `allowed` keeps (joins on types no kept root field
// reaches are left out). NotFound when it keeps no Query root field (GraphQL needs one): the
// endpoint does not exist for that caller.
absl::StatusOr<std::shared_ptr<const graphql::Schema>> BuildGraphqlSchema(
    const config::GatewayConfig& config, const transcode::TypeRegistry& registry,
    const absl::flat_hash_set<const google::protobuf::MethodDescriptor*>& get_methods,
    const MethodFilter& allowed);

}  // namespace protogate::gateway
