#pragma once

// Everything a request needs, built once from a config and its descriptor
// set and then never changed: descriptors, route table, per-route
// transcoders, handles on the upstream channels and the auth engine. A
// reload builds a new Snapshot and swaps it in; in-flight requests keep the
// one they started with (they hold a shared_ptr).
//
// Long-lived resources (channels, JWKS key sets and their refreshers, auth
// service channels) belong to the server's ServerResources
// (server_resources.h), which the build borrows them from: the last
// reference to a snapshot built with resources may drop on any thread.
//
// Example:
//   ASSIGN_OR_RETURN(auto snapshot, BuildSnapshot(config, /*previous=*/nullptr, metrics,
//                                                 {}, &resources));
//   RETURN_IF_ERROR(snapshot->Activate());   // then swap it in, resources.Commit()
//   auto match = snapshot->routes.Match("GET", "/v1/users/1");
//   const Route& route = snapshot->route(match->route_id);
//
// Immutable; safe to share between threads.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "aggregate/composite_plan.h"
#include "auth/auth_engine.h"
#include "config/gateway_config.h"
#include "gateway/gateway_metrics.h"
#include "routing/route_table.h"
#include "transcode/request_transcoder.h"
#include "transcode/response_transcoder.h"
#include "transcode/type_registry.h"
#include "upstream/channel_pool.h"
#include "views/client_documents.h"
#include "views/client_profiles.h"

namespace protogate::gateway {

class ServerResources;   // server_resources.h
struct GraphqlEndpoint;  // graphql_endpoint.h

// What a client's `fields` (query parameter or X-Fields header) narrows on a
// unary route, and where the gateway pushes the selection down.
struct PartialResponse {
  // The message `fields` selects from (the response, or its response_body
  // field); null: the route's answer cannot be narrowed.
  const google::protobuf::Descriptor* type = nullptr;
  // The request's google.protobuf.FieldMask the gateway fills (the
  // upstream's `read_mask`, "read_mask" by default); null: none.
  const google::protobuf::FieldDescriptor* read_mask = nullptr;
  std::string mask_prefix{};  // "profile." when response_body is "profile"
  // The `fields` query parameter is the gateway's (false when the request
  // message has a top-level field of that name: the parameter binds it).
  bool query_parameter = true;
};

struct Route {
  std::string
      description;      // for logs: "demo.users.v1.UserService.GetUser (GET /v1/users/{user_id})"
  std::string service;  // "demo.users.v1.UserService"
  std::string method_path;  // "/demo.users.v1.UserService/GetUser"
  std::chrono::milliseconds timeout{0};
  std::optional<transcode::RequestTranscoder> request;    // set unless composite
  std::optional<transcode::ResponseTranscoder> response;  // set unless composite
  std::shared_ptr<grpc::GenericStub> stub;
  PartialResponse partial{};             // composites: only query_parameter
  const auth::Policy* policy = nullptr;  // owned by Snapshot::auth; never null once built
  // What auth policies select the route by: the method's full name, or the
  // composite's name ("composite:/v1/dashboard/{user_id}" unless configured).
  std::string selector;
  // Set for a composite route: phase 6 runs this plan instead of one call.
  std::shared_ptr<const aggregate::CompositePlan> composite;
  // The series this route's requests update; never null once built.
  std::shared_ptr<RouteMetrics> metrics = nullptr;
  const google::protobuf::MethodDescriptor* method = nullptr;  // null for a composite
  // The method streams its answer: the call phase writes each message as it
  // comes (stream_phases.cc).
  bool server_streaming = false;
  // The method takes a stream: the request body is one message per JSON
  // object, each sent as it arrives (upload_phases.cc).
  bool client_streaming = false;
  // The method returns google.api.HttpBody (and the rule has no
  // response_body): its data is the answer's body, in its content type,
  // unary or streamed (transcode/http_body.h). Not for a WebSocket, whose
  // frames are JSON.
  bool raw_response = false;
};

struct Snapshot {
  // Outlives the routes' metrics, which point into it; shared by every
  // snapshot of one gateway.
  std::shared_ptr<GatewayMetrics> metrics;
  config::GatewayConfig config;
  std::shared_ptr<const transcode::TypeRegistry> registry;
  std::shared_ptr<const upstream::ChannelPool> channels;
  routing::RouteTable routes;
  std::vector<Route> route_list;                   // indexed by route id
  bool client_streaming = false;                   // some route takes a stream
  std::shared_ptr<const auth::AuthEngine> auth;    // never null
  std::shared_ptr<const GraphqlEndpoint> graphql;  // null unless `graphql:` is configured
  // Never null; empty without `clients:`.
  std::shared_ptr<const views::ClientProfiles> clients = std::make_shared<views::ClientProfiles>();
  std::shared_ptr<ClientMetrics> client_metrics;  // null without `clients:`
  // Each client's own OpenAPI; null unless `openapi:` is configured.
  std::shared_ptr<const views::ClientDocuments> documents;

  const Route& route(int id) const { return route_list[static_cast<size_t>(id)]; }

  // Commits a built snapshot that is about to serve: the side effects its
  // build held back (auth->Activate(): the published JWKS file, the JWKS
  // refreshers). The server calls it right before the swap; a failure
  // refuses the reload with nothing changed. Idempotent.
  absl::Status Activate() const { return auth->Activate(); }
};

// Reads the descriptor set named by `config` (or, with descriptor_source: reflection, fetches it
// from the upstreams, blocking up to each upstream's timeout), loads every google.api.http rule and
// builds the route table. Fails, naming the file and the route, on: an unreadable or invalid
// descriptor set, a failed fetch (naming the upstream and its address), a bad template,
// conflicting routes, a body/response_body naming no field, a routed service without an upstream,
// an upstream naming an unknown service, a client-streaming method, a path variable that binds no
// field of the request (transcode::CheckPathVariable, naming the route and the variable), upstream
// addresses no channel can be made of, an openapi.path some route or endpoint already answers.
// `previous` (may be null) lends its generated signing key. Every route gets its series from
// `metrics` (never null). `resources` (may be null) lends the channels and key sets, and
// `auth_options.resources` is set to it; without, the snapshot owns channels and key sets of its
// own, and its last reference must then drop where those may be released (not on a gRPC or
// refresher thread: tests, tools). Building has no effect outside the snapshot (no file written, no
// JWKS fetched, no thread started) until Activate().
absl::StatusOr<std::shared_ptr<const Snapshot>> BuildSnapshot(
    const config::GatewayConfig& config, const Snapshot* previous,
    std::shared_ptr<GatewayMetrics> metrics, auth::AuthEngine::Options auth_options = {},
    ServerResources* resources = nullptr);

}  // namespace protogate::gateway
