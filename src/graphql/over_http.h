#pragma once

// GraphQL over HTTP (the GraphQL-over-HTTP draft of the GraphQL
// Foundation): what a request to the endpoint carries, which media type the
// answer takes, and which HTTP status a GraphQL response gets.
//
// - POST with `Content-Type: application/json` (charset utf-8 or none), a
//   JSON object {query, operationName, variables, extensions}; `query` a
//   string, the others optional or null; other members are refused.
//   Instead of `query`, a trusted document may be named by `documentId`
//   ("sha256:<hex>", the trusted documents convention) or by
//   extensions.persistedQuery.sha256Hash (Apollo's persisted queries); the
//   endpoint looks it up (graphql.trusted_documents).
// - GET with the same members as query parameters, `variables` and
//   `extensions` JSON-encoded. GET never runs a mutation (the executor's
//   caller answers 405 with `Allow: POST`).
// - Accept: `application/graphql-response+json` when the client lists it
//   (with a q above 0), else `application/json` (also for a missing Accept,
//   `*/*` or `application/*`); nothing acceptable is 406.
// - Status: with application/graphql-response+json, 200 when the response
//   has data, 400 when the document does not parse, 422 when it does not
//   validate, names no operation or its variables do not coerce. With
//   application/json every well-formed GraphQL response is 200. A request
//   that is not one (bad JSON, no query) is 400 either way.
//
// Example:
//   ASSIGN_OR_RETURN(MediaType type, Negotiate(request.Header("accept")));
//   ASSIGN_OR_RETURN(GraphqlRequest r, ReadPost(request.Header("content-type"), request.body));
//   int status = StatusFor(type, Failure::kValidation);   // 422 or 200
//
// Pure; safe from any thread.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace protogate::graphql {

struct GraphqlRequest {
  std::string query{};           // "" when only document_id is given
  std::string document_id{};     // the SHA-256 (lower-case hex) a request names, or ""
  std::string operation_name{};  // "" when none
  nlohmann::ordered_json variables = nlohmann::ordered_json::object();
  nlohmann::ordered_json extensions = nlohmann::ordered_json::object();
};

enum class MediaType { kGraphqlResponse, kJson };

inline constexpr char kGraphqlResponseType[] = "application/graphql-response+json";

// The answer's Content-Type value ("...; charset=utf-8").
std::string ContentTypeOf(MediaType type);

// FailedPrecondition (rendered 406) when the client accepts neither.
absl::StatusOr<MediaType> Negotiate(absl::string_view accept);

// InvalidArgument (400) for a body that is no GraphQL request;
// Unimplemented (415) for a content type other than JSON.
absl::StatusOr<GraphqlRequest> ReadPost(absl::string_view content_type, absl::string_view body);

// `raw_query` is the undecoded query string. InvalidArgument (400).
absl::StatusOr<GraphqlRequest> ReadGet(absl::string_view raw_query);

// Why a GraphQL response has no data.
enum class Failure { kNone, kSyntax, kValidation };

int StatusFor(MediaType type, Failure failure);

}  // namespace protogate::graphql
