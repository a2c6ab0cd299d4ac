#pragma once

// Reads an HTTP-rule file: routes for protos that carry no google.api.http
// annotations, in the style of grpc-gateway's gRPC API configuration (the
// `http:` section of a google.api.Service YAML). Same semantics as the
// annotation.
//
// Example (rules.yaml):
//   type: google.api.Service
//   config_version: 3
//   http:
//     rules:
//       - selector: demo.users.v1.UserService.GetUser
//         get: /v1/users/{user_id}
//         additional_bindings:
//           - get: /v1/accounts/{user_id}
//       - selector: demo.users.v1.UserService.CreateUser
//         post: /v1/users
//         body: user
//
// Unknown keys are errors; every error is "<file>:<line>:<col>: <field>: <problem>".
// Pure apart from LoadRuleFile's read; thread-safe.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/api/http.pb.h"

namespace protogate::routes {

struct RuleFileEntry {
  std::string selector;        // "pkg.Service.Method"
  google::api::HttpRule rule;  // selector unset; additional_bindings included
  std::string location;        // "rules.yaml:4:9", the rule's position
};

absl::StatusOr<std::vector<RuleFileEntry>> ParseRuleFile(absl::string_view yaml_text,
                                                         absl::string_view source_name);

// NotFound when the file cannot be read.
absl::StatusOr<std::vector<RuleFileEntry>> LoadRuleFile(const std::string& path);

}  // namespace protogate::routes
