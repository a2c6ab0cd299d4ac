#pragma once

// A composite route compiled against the descriptors and upstreams of one
// snapshot: which calls to make, what each needs from the HTTP request and
// from the other calls, and how to shape the answer. Everything that can be
// checked before a request runs is checked here.
//
// References (see reference.h) read from `$path.<variable>`, `$query.<name>`,
// `$body.<path>` (the JSON body, refused with 400 unless it passes
// transcode::CheckStrictJson, keys compared as written), `$auth.<claim>`
// (the authenticated caller, when auth provides it), `$<call>.<path>`
// (another call's output, printed as proto3 JSON), `$item` (one element of the call's `for_each`
// list) and
// `$items` (the whole list, in a batch request).
//
// Values: a call's output stays its wire bytes (value.h); references into it
// are looked up by field number (each field step carries its descriptor)
// and the answer is printed once, from the bytes (ValuePrinter, with the
// route's output options). Shapes that take the JSON-tree path instead
// (evaluation.h), for that value only: a level with `$drop`; a reference
// that goes on inside a Struct/Value/Any or a map; every call output when
// emit_default_values is set (defaults are only known as JSON).
//
// Response shape (`response:` in the config):
//   key: "$user"                  place a call's output under a key
//   key: "$orders.orders"         pick a field (the key renames it)
//   key: {a: "$x", b: literal}    nest; literals are copied
//   $merge: ["$user.profile"]     copy every field of these messages to this level
//   $drop: [email, orders[*].note] remove paths from what this level holds
// Without `response:`, every call's output is placed under the call's name.
// The top level is an object; "errors" is reserved for partial answers.
//
// Load-time errors (InvalidArgument) name the config position, the composite
// and the call or field: unknown service or method, unknown request field,
// type mismatch, unknown call or root, dependency cycle (naming it), path
// variable not in the template, merged keys that can collide, a service with
// no upstream, a streaming method.
//
// Example:
//   ASSIGN_OR_RETURN(auto plan, CompositePlan::Build(spec, environment));
//   ExecuteComposite(plan, request, done);   // composite_execution.h
//
// Immutable after Build; shared by every request of the route; safe from any
// thread.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "aggregate/composite_spec.h"
#include "aggregate/reference.h"
#include "aggregate/value_printer.h"
#include "aggregate/value_type.h"
#include "grpcpp/generic/generic_stub.h"
#include "routing/http_template.h"
#include "transcode/field_selection.h"
#include "transcode/json_printer.h"
#include "transcode/response_transcoder.h"
#include "transcode/strict_json.h"
#include "transcode/type_registry.h"

namespace protogate::aggregate {

inline constexpr int kDefaultConcurrency = 4;
inline constexpr int kMaxConcurrency = 64;
inline constexpr size_t kMaxFanOut = 1000;  // for_each items per request

// Where the calls of a service go, as the snapshot knows it.
struct UpstreamInfo {
  std::shared_ptr<grpc::GenericStub> stub;  // may be null in tests that make no real calls
  std::chrono::milliseconds timeout{5000};
  std::map<std::string, std::chrono::milliseconds> method_timeouts;  // by simple method name
  // The request field (a google.protobuf.FieldMask) that gets the mask of
  // what the composite reads of a call's output; "": none.
  std::string read_mask = "read_mask";
};

struct PlanEnvironment {
  std::shared_ptr<const transcode::TypeRegistry> registry;
  transcode::JsonOutputOptions output;
  std::map<std::string, UpstreamInfo, std::less<>> upstreams;  // by full service name
  int max_json_depth = transcode::kDefaultMaxJsonDepth;        // of the request body
};

// A reference bound to where its value comes from.
struct SourceRef {
  enum class Root { kPath, kQuery, kBody, kAuth, kItem, kItems, kCall };
  Root root = Root::kPath;
  int call = -1;                // kCall: index into CompositePlan::calls()
  std::string key;              // kPath / kQuery: the variable or parameter name
  bool all_values = false;      // kQuery: every value (a repeated field), not the first
  std::vector<PathStep> steps;  // JSON keys, for the other roots
  ValueType type;
  std::string text;  // as written
  // What is kept of the message(s) the reference finds (a client's
  // selection, set on the narrowed answer of answer_selection.h); null: all.
  std::shared_ptr<const transcode::FieldSelection> selection{};
};

struct TemplateField;

// A request template or a response shape, compiled.
struct ValueTemplate {
  enum class Kind { kLiteral, kReference, kObject, kList };
  Kind kind = Kind::kLiteral;
  Json literal;
  std::string literal_text;  // response templates: the literal as JSON text
  std::string literal_wire;  // request templates: the literal's field bytes
  SourceRef ref;
  std::vector<TemplateField> fields;         // kObject, in order
  std::vector<SourceRef> merges;             // kObject
  std::vector<std::vector<PathStep>> drops;  // kObject
  std::vector<ValueTemplate> items;          // kList
  // Request templates: the field filled, so a value can be converted to its
  // JSON form (42 into a string field becomes "42").
  const google::protobuf::FieldDescriptor* target = nullptr;
};

// A named struct rather than std::pair: libstdc++'s completeness checks on
// pair<string, ValueTemplate> fail under clang while ValueTemplate is being
// defined.
struct TemplateField {
  std::string first;
  ValueTemplate second;
  std::string key_text = {};  // response templates: `"first":`
};

struct PlanCall {
  size_t index = 0;  // its place in CompositePlan::calls(), config order
  std::string name;
  std::string where;
  std::string service;      // "pkg.Service"
  std::string method_path;  // "/pkg.Service/Method" (the batch method when batched)
  std::shared_ptr<grpc::GenericStub> stub;
  std::chrono::milliseconds timeout{0};
  const google::protobuf::Descriptor* request_type = nullptr;
  std::string request_type_url;
  std::string response_type_url;
  const google::protobuf::Descriptor* response_type = nullptr;
  ValueTemplate request;
  bool required = true;
  std::optional<Json> fallback;
  std::optional<SourceRef> for_each;
  bool distinct = false;
  int concurrency = kDefaultConcurrency;
  bool batched = false;
  std::vector<PathStep> batch_response;  // where the batch response holds the results
  std::vector<int> dependencies;         // calls whose output the request needs, sorted
  ValueType output;                      // what `$<name>` is
  // The request's google.protobuf.FieldMask that gets the mask of what is
  // read of the output (the upstream's `read_mask`); null: none, or the
  // request template sets it.
  const google::protobuf::FieldDescriptor* read_mask = nullptr;
};

struct SelectedPlan;  // answer_selection.h

// Every reference in a template, its merges included.
void ForEachReference(const ValueTemplate& tmpl, absl::FunctionRef<void(const SourceRef&)> visit);

class CompositePlan {
 public:
  static absl::StatusOr<std::shared_ptr<const CompositePlan>> Build(const CompositeSpec& spec,
                                                                    const PlanEnvironment& env);

  const std::string& name() const { return name_; }  // the policy selector name
  // "composite dashboard (GET /v1/dashboard/{user_id}) at gateway.yaml:40:5"
  const std::string& description() const { return description_; }
  const std::string& http_method() const { return http_method_; }
  const routing::HttpTemplate& path_template() const { return template_; }
  std::chrono::milliseconds timeout() const { return timeout_; }
  const std::vector<PlanCall>& calls() const { return calls_; }
  const ValueTemplate& response() const { return response_; }
  const transcode::TypeRegistry& registry() const { return *registry_; }
  const transcode::JsonOutputOptions& output_options() const { return output_; }
  // Prints the values of this plan's requests (prepared for every call's
  // output type).
  const ValuePrinter& printer() const { return *printer_; }
  bool uses_body() const { return uses_body_; }
  int max_json_depth() const { return max_json_depth_; }
  // The services the calls go to, sorted, each once.
  std::vector<std::string> services() const;
  // Whether a request template, for_each or the answer reads the query
  // parameter `name` ($query.<name>).
  bool ReadsQuery(absl::string_view name) const;
  // How the whole answer runs: every call made, each with the mask of what
  // the answer and the other calls read of it.
  const std::shared_ptr<const SelectedPlan>& whole() const { return whole_; }

 private:
  friend class PlanBuilder;
  CompositePlan() = default;

  std::string name_;
  std::string description_;
  std::string http_method_;
  routing::HttpTemplate template_;
  std::chrono::milliseconds timeout_{0};
  std::vector<PlanCall> calls_;
  ValueTemplate response_;
  std::shared_ptr<const transcode::TypeRegistry> registry_;
  transcode::JsonOutputOptions output_;
  std::shared_ptr<ValuePrinter> printer_;
  std::shared_ptr<const SelectedPlan> whole_;
  bool uses_body_ = false;
  int max_json_depth_ = transcode::kDefaultMaxJsonDepth;
};

}  // namespace protogate::aggregate
