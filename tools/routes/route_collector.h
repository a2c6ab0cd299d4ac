#pragma once

// Gathers the routes of the compiled protos from their three sources, checks
// them, and writes the non-annotation rules back into the descriptor set so
// that the gateway needs nothing else:
//
//   1. google.api.http annotations on the methods;
//   2. an HTTP-rule file (rule_file.h), for methods without an annotation;
//   3. the opt-in default mapping: POST /<package>.<Service>/<Method>, body "*",
//      for methods that still have no rule.
//
// A method with both an annotation and a rule-file rule is an error (one
// source of truth per method), as is a rule whose selector names no method.
//
// Validation (ValidateRoutes), each problem with the rule's file:line:col and
// a hint: a bad template; a variable that binds no field (missing, repeated,
// map, or a message other than Timestamp, Duration, FieldMask and the
// wrappers: transcode::CheckPathVariable, the rule the gateway loads by); a
// field bound twice; body / response_body naming no
// top-level field; routes that would match the same requests (named both);
// streaming methods; and, with a config, a routed service without upstream.
//
// Pure functions over the descriptors; thread-compatible.

#include <map>
#include <string>
#include <vector>

#include "config/gateway_config.h"
#include "google/api/http.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "routes/diagnostic.h"
#include "routes/proto_compiler.h"
#include "routes/rule_file.h"

namespace protogate::routes {

enum class RouteOrigin { kAnnotation, kRuleFile, kDefault };

struct RouteEntry {
  std::string http_method;    // "GET", or a custom kind upper-cased
  std::string path_template;  // as written
  std::string body;           // "", "*" or a top-level field
  std::string response_body;  // "" or a top-level field
  const google::protobuf::MethodDescriptor* method = nullptr;
  RouteOrigin origin = RouteOrigin::kAnnotation;
  std::string source;  // "demo/users/v1/users.proto:15:5" or "rules.yaml:4:7"
};

struct RouteSet {
  std::vector<RouteEntry> routes;  // file, service, method, binding order
  // Rules to write into the descriptor set, by method full name.
  std::map<std::string, google::api::HttpRule> injected;
};

struct CollectOptions {
  std::vector<RuleFileEntry> rules;
  bool default_routes = false;
};

RouteSet CollectRoutes(const CompiledProtos& protos, const CollectOptions& options,
                       Diagnostics& diagnostics);

// `config` may be null (no upstream check).
void ValidateRoutes(const std::vector<RouteEntry>& routes, const config::GatewayConfig* config,
                    Diagnostics& diagnostics);

// Sets the google.api.http option of every method in `injected`.
void InjectRules(const std::map<std::string, google::api::HttpRule>& injected,
                 google::protobuf::FileDescriptorSet& set);

// "GET", "/v1/…", body, response_body of one binding (no nested bindings).
RouteEntry EntryFromRule(const google::api::HttpRule& rule);

}  // namespace protogate::routes
