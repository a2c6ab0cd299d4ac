#pragma once

// Builds the binary protobuf request of one route from the parts of an HTTP
// request: path-variable bindings, query parameters and the JSON body, per
// google.api.http and the proto3 JSON mapping.
//
// - body "*": the whole JSON body is the request message; query parameters
//   are not mapped (they are ignored, or refused when strict).
// - body "<field>": the JSON body is that field's value; query parameters
//   fill every other field not bound by the path.
// - no body: a non-empty body is refused; query parameters fill every
//   field not bound by the path.
// - google.api.HttpBody (the request type with body "*", or the body
//   field's type): the body's bytes as they are, with the request's
//   Content-Type (transcode/http_body.h); not JSON, not checked.
// Query parameters: "a.b=1" nested fields (JSON or proto names), repeated
// fields by repetition ("t=a&t=b"), enums by name or number, bools,
// Timestamp / Duration / FieldMask / wrappers in their JSON string forms,
// and scalar-valued maps as "m[key]=value". Message-typed fields other than
// the well-known types are not mappable from a query.
// Path variables override the same field in the body.
//
// The JSON body is checked by CheckStrictJson first: RFC 8259 exactly, each
// field at most once (by either of its names), at most `max_json_depth`
// deep. It is then written straight to wire bytes by JsonToWire, which
// accepts what protobuf's JSON parser accepts; types the writer does not
// cover (reaching Any, Struct, Value or ListValue) go through protobuf's
// converter. An empty body (whitespace only) or `null` is the empty message
// (for a message field: that field set, empty).
//
// Errors are InvalidArgument with a message naming the parameter or the JSON
// position or the field path, e.g. `invalid value "abc" for path parameter
// "user_id": expected int32`, `invalid JSON body at byte 11: single-quoted
// string`, `invalid JSON body: items[1].quantity: invalid value 1.5 for int32`.
//
// Example:
//   auto t = RequestTranscoder::Create(registry, *method->input_type(), "user", options);
//   auto bytes = t->Transcode({.body = R"({"email":"a@b"})",
//                              .bindings = {{{"user", "user_id"}, "42"}},
//                              .query = {{"validate_only", "true"}}});
//
// Immutable after Create; Transcode is safe from any thread.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "routing/route_table.h"
#include "transcode/strict_json.h"
#include "transcode/type_registry.h"

namespace protogate::transcode {

struct RequestOptions {
  // Answer 400 on a query parameter that names no field, instead of ignoring it.
  bool reject_unknown_query_parameters = false;
  // Ignore unknown fields in the JSON body instead of answering 400.
  bool ignore_unknown_json_fields = false;
  // Arrays and objects open at once in the JSON body (see CheckStrictJson).
  int max_json_depth = kDefaultMaxJsonDepth;
};

// The member initializers let callers name only some members
// ({.body = ...}) under GCC's -Wextra -Werror.
struct HttpRequestParts {
  absl::string_view body{};
  // The request's Content-Type: what an HttpBody body is said to be.
  absl::string_view content_type{};
  std::vector<routing::VariableBinding> bindings{};
  // Decoded name/value pairs in request order (see ParseQueryString).
  std::vector<std::pair<std::string, std::string>> query{};
};

class RequestTranscoder {
 public:
  // `body_field` is "", "*" or a top-level field name. Fails with
  // InvalidArgument when body_field names no field of `request_type`.
  static absl::StatusOr<RequestTranscoder> Create(std::shared_ptr<const TypeRegistry> registry,
                                                  const google::protobuf::Descriptor& request_type,
                                                  absl::string_view body_field,
                                                  const RequestOptions& options);

  // The serialized request message.
  absl::StatusOr<std::string> Transcode(const HttpRequestParts& parts) const;

 private:
  struct Impl;
  explicit RequestTranscoder(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

// Splits a raw query string ("a=1&b=x%20y&c") into decoded pairs; '+' means
// space. InvalidArgument on a malformed percent escape.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseQueryString(
    absl::string_view raw);

}  // namespace protogate::transcode
