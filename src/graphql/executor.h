#pragma once

// Runs a GraphQL request against the schema (GraphQL spec, October 2021,
// §6): Prepare parses, validates and bounds the document, picks the
// operation and coerces its variables, all before any call; Execute turns
// each root field into one call of its gRPC method and writes the response
// ({"errors": [...], "data": {...}}, §7) from the services' answers.
//
// - Query root fields are all in flight at once; mutation root fields run
//   one after another, in document order (§6.2.2), each with its join
//   fields (join_calls.h) answered before the next one starts.
// - Join fields: their calls start as soon as the answer holding their
//   parent has arrived (deduplicated, batched, bounded: join_calls.h).
// - Selection pushdown: a root field whose method has a read mask
//   (RootMethod::read_mask) sends the proto paths of what the selection
//   reads, join fields' keys included.
// - Before any call, an operation that needs more than max_calls calls
//   (each root and join field counted once) is refused.
// - A failed call is a field error at its path, with the gRPC status in
//   extensions: {"code": "NOT_FOUND", "grpcStatus": 5, "details": [...]}
//   (details as the REST error model renders them); the field is null and
//   the other fields still answer.
// - __typename is answered everywhere, __schema and __type (introspection)
//   from the schema itself, without a call.
// - The response's keys follow the selection (response keys, in order).
//
// Example:
//   Prepared prepared = Prepare(*schema, request, limits);
//   if (!prepared.errors.empty()) return Render(prepared);   // 400 / 422
//   Execute(schema, values, std::move(prepared), limits, caller,
//           [](ExecutionResult result) { ... result.body ... });
//
// Threading: an execution runs on one thread at a time, the one that calls
// Execute and then those the caller calls `done` on (the gateway: the
// request's event loop). `done` runs exactly once.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "aggregate/value.h"
#include "aggregate/value_printer.h"
#include "graphql/call.h"
#include "graphql/document.h"
#include "graphql/document_cache.h"
#include "graphql/error.h"
#include "graphql/over_http.h"
#include "graphql/schema.h"

namespace protogate::graphql {

struct ExecutionLimits {
  int max_tokens = 20000;
  int max_depth = 15;        // nested selection sets, fragments expanded
  int max_aliases = 30;      // aliased fields in the whole document
  int max_root_fields = 20;  // root fields of the operation, fragments expanded
  bool introspection = true;
  int max_calls = 50;        // internal calls per request, root and join fields
  int join_concurrency = 8;  // join calls in flight at once
};

// A request ready to run, or why it cannot (then `errors` is not empty and
// `failure` says which status it gets: over_http.h StatusFor).
struct Prepared {
  std::shared_ptr<const Document> document{};
  const Operation* operation = nullptr;                                 // in `document`
  nlohmann::ordered_json variables = nlohmann::ordered_json::object();  // coerced
  std::vector<Error> errors{};
  Failure failure = Failure::kNone;
  int join_fields = 0;  // join fields the operation selects (fragments expanded)
};

// `cache` (may be null) holds documents already parsed and validated
// against `schema`; Prepare adds those that validate.
Prepared Prepare(const Schema& schema, const GraphqlRequest& request, const ExecutionLimits& limits,
                 DocumentCache* cache = nullptr);

struct ExecutionResult {
  std::string body;  // the response, {"errors":[...],"data":{...}}
  int calls = 0;     // calls made
  int failed_calls = 0;
};

void Execute(std::shared_ptr<const Schema> schema,
             std::shared_ptr<const aggregate::ValuePrinter> values, Prepared prepared,
             const ExecutionLimits& limits, Caller caller,
             std::function<void(ExecutionResult)> done);

// The response of a request that did not run: {"errors":[...]}.
std::string ErrorsBody(const std::vector<Error>& errors);

}  // namespace protogate::graphql
