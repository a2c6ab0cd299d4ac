#pragma once

// The GraphQL endpoint of one snapshot (config `graphql:`): the schema
// derived from the descriptors and the config (graphql_schema.h, the code
// protogate-routes writes gen/schema.graphql with), and for each root field
// what its call needs: the method's channel, timeout, auth policy and the
// request writer from proto3 JSON to wire. Built with the snapshot, so the
// schema reloads with every route map.
//
// Exposed: every unary method of every service that has an upstream, unless
// `graphql.methods` hides it; a Query when it has a GET binding or
// `idempotency_level = NO_SIDE_EFFECTS`, else a Mutation (the config may
// say otherwise, and rename it). Streaming methods are not exposed yet.
//
// Example:
//   ASSIGN_OR_RETURN(auto endpoint, BuildGraphqlEndpoint(*snapshot, get_methods));
//   const GraphqlMethod& call = endpoint->methods.at(field.method);
//
// Immutable; safe to share between threads.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "aggregate/value_printer.h"
#include "gateway/snapshot.h"
#include "graphql/executor.h"
#include "graphql/schema.h"
#include "transcode/request_transcoder.h"

namespace protogate::gateway {

struct GraphqlMethod {
  std::string service;      // "demo.users.v1.UserService"
  std::string method_path;  // "/demo.users.v1.UserService/GetUser"
  std::chrono::milliseconds timeout{0};
  std::shared_ptr<grpc::GenericStub> stub{};
  const auth::Policy* policy = nullptr;                   // owned by the snapshot's auth engine
  std::optional<transcode::RequestTranscoder> request{};  // the whole body is the message
  size_t metrics_index = 0;                               // in route.metrics->calls
};

// What one kind of caller sees of the endpoint: the schema (with client
// profiles, only the root and join fields its profile may use), the
// documents validated against it, and its limits (introspection may differ
// by profile).
struct GraphqlView {
  std::shared_ptr<const graphql::Schema> schema;
  // Documents parsed and validated against `schema`, shared by the loops.
  std::shared_ptr<graphql::DocumentCache> documents;
  graphql::ExecutionLimits limits;
  // graphql.trusted_documents (the profile's own, or the endpoint's):
  // SHA-256 (lower-case hex) -> document; null: any document runs.
  std::shared_ptr<const absl::flat_hash_map<std::string, std::string>> trusted;
};

struct GraphqlEndpoint {
  GraphqlView whole;  // every root field: what callers see without client profiles
  std::shared_ptr<const aggregate::ValuePrinter> values;  // the services' answers as JSON
  // Every method `whole` calls; a profile's view calls some of them.
  absl::flat_hash_map<const google::protobuf::MethodDescriptor*, GraphqlMethod> methods;
  std::chrono::milliseconds timeout{0};  // the whole request's budget
  // With client profiles, by profile and whether it was recognised by the
  // caller's identity (views::ClientProfiles::Allows): null where the
  // profile may use no root field (the endpoint is not there for it).
  std::vector<std::shared_ptr<const GraphqlView>> views;
  // What the pipeline's route-level parts see: metrics (one call series per
  // root field), the access log's route, a public policy (each root field
  // has its own).
  Route route;

  // The caller's view (views::kUnrecognised: the default profile's); null
  // when the endpoint does not exist for it.
  const GraphqlView* ViewFor(int profile, bool verified) const;
};

// The document a request runs: its query, or the trusted document its
// documentId names. With trusted documents only those run: an unknown
// documentId is InvalidArgument (400), a query that is none of them
// PermissionDenied (403). Without them a request must carry its query.
absl::Status ResolveDocument(const GraphqlView& view, graphql::GraphqlRequest& request);

// `get_methods`: the methods with a GET binding. InvalidArgument naming
// the config line for a `graphql.methods` entry that names no exposed
// method, and the schema's own errors (two root fields of one name, ...),
// also those of a client profile's schema (naming the profile).
absl::StatusOr<std::shared_ptr<const GraphqlEndpoint>> BuildGraphqlEndpoint(
    const Snapshot& snapshot,
    const absl::flat_hash_set<const google::protobuf::MethodDescriptor*>& get_methods);

}  // namespace protogate::gateway
