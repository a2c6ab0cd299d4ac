#include "routes/route_collector.h"

#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/api/annotations.pb.h"
#include "routing/http_template.h"
#include "routing/route_table.h"
#include "transcode/path_variable.h"

namespace protogate::routes {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::MethodDescriptor;

// The field number of google.api.http on MethodOptions; the source-info path
// of an option statement ends with it.
constexpr int kHttpOptionNumber = 72295728;

struct Problem {
  std::string message;
  std::string hint;
};

// Options parsed by another pool keep an extension it did not know as an
// unknown field; a parse with the generated pool recognises it.
std::optional<google::api::HttpRule> AnnotationOf(const MethodDescriptor& method) {
  google::protobuf::MethodOptions options;
  if (!options.ParseFromString(method.options().SerializeAsString())) return std::nullopt;
  if (!options.HasExtension(google::api::http)) return std::nullopt;
  return options.GetExtension(google::api::http);
}

std::string LocationOf(const MethodDescriptor& method, bool option) {
  std::vector<int> path = {
      google::protobuf::FileDescriptorProto::kServiceFieldNumber, method.service()->index(),
      google::protobuf::ServiceDescriptorProto::kMethodFieldNumber, method.index()};
  if (option) {
    path.push_back(google::protobuf::MethodDescriptorProto::kOptionsFieldNumber);
    path.push_back(kHttpOptionNumber);
  }
  google::protobuf::SourceLocation location;
  if (!method.file()->GetSourceLocation(path, &location) && !method.GetSourceLocation(&location)) {
    return method.file()->name();
  }
  return absl::StrCat(method.file()->name(), ":", location.start_line + 1, ":",
                      location.start_column + 1);
}

std::string FieldNames(const Descriptor& message) {
  std::vector<std::string> names;
  for (int i = 0; i < message.field_count(); ++i) names.push_back(message.field(i)->name());
  return names.empty() ? "(it has no fields)" : absl::StrJoin(names, ", ");
}

std::string Describe(const RouteEntry& route) {
  return absl::StrCat(route.http_method, " ", route.path_template, " (", route.method->full_name(),
                      ")");
}

std::string SuggestMethod(const google::protobuf::DescriptorPool& pool,
                          const std::vector<const google::protobuf::FileDescriptor*>& files,
                          absl::string_view selector) {
  absl::string_view simple = selector.substr(selector.rfind('.') + 1);
  for (const auto* file : files) {
    for (int s = 0; s < file->service_count(); ++s) {
      const MethodDescriptor* m = file->service(s)->FindMethodByName(std::string(simple));
      if (m != nullptr) return absl::StrCat("did you mean ", m->full_name(), "?");
    }
  }
  return "a selector is the method's full name: <package>.<Service>.<Method>";
}

// Checks the rule-file selectors and indexes the rules by method.
std::map<const MethodDescriptor*, const RuleFileEntry*> IndexRules(
    const CompiledProtos& protos, const std::vector<RuleFileEntry>& rules,
    Diagnostics& diagnostics) {
  std::map<const MethodDescriptor*, const RuleFileEntry*> by_method;
  std::set<const google::protobuf::FileDescriptor*> targets(protos.files().begin(),
                                                            protos.files().end());
  for (const RuleFileEntry& entry : rules) {
    const MethodDescriptor* method = protos.pool().FindMethodByName(entry.selector);
    if (method == nullptr) {
      diagnostics.push_back({entry.location,
                             absl::StrCat("selector ", entry.selector, " names no method"),
                             SuggestMethod(protos.pool(), protos.files(), entry.selector)});
      continue;
    }
    if (targets.count(method->file()) == 0) {
      diagnostics.push_back(
          {entry.location,
           absl::StrCat("selector ", entry.selector, " names a method of ", method->file()->name(),
                        ", which is only imported"),
           "routes come from the published protos: add its folder with --protos"});
      continue;
    }
    auto [it, inserted] = by_method.emplace(method, &entry);
    if (!inserted) {
      diagnostics.push_back({entry.location,
                             absl::StrCat("a second rule for ", entry.selector,
                                          " (the first is at ", it->second->location, ")"),
                             "keep one rule per method; put extra routes under "
                             "additional_bindings"});
    }
  }
  return by_method;
}

void AddBindings(const google::api::HttpRule& rule, const MethodDescriptor& method,
                 RouteOrigin origin, const std::string& source, RouteSet& out,
                 Diagnostics& diagnostics) {
  RouteEntry primary = EntryFromRule(rule);
  primary.method = &method;
  primary.origin = origin;
  primary.source = source;
  out.routes.push_back(primary);
  for (const google::api::HttpRule& extra : rule.additional_bindings()) {
    if (!extra.additional_bindings().empty()) {
      diagnostics.push_back({source, absl::StrCat(method.full_name(), ": additional_bindings nest"),
                             "list every extra binding directly under the rule's "
                             "additional_bindings"});
    }
    RouteEntry entry = EntryFromRule(extra);
    entry.method = &method;
    entry.origin = origin;
    entry.source = source;
    out.routes.push_back(std::move(entry));
  }
}

void CollectMethod(const MethodDescriptor& method, const RuleFileEntry* from_file,
                   bool default_routes, RouteSet& out, Diagnostics& diagnostics) {
  std::optional<google::api::HttpRule> annotation = AnnotationOf(method);
  if (annotation && from_file != nullptr) {
    diagnostics.push_back({from_file->location,
                           absl::StrCat(method.full_name(),
                                        " already has a google.api.http "
                                        "annotation at ",
                                        LocationOf(method, true)),
                           "keep one source of routes per method: drop this rule, or the "
                           "annotation"});
    return;
  }
  if (annotation) {
    AddBindings(*annotation, method, RouteOrigin::kAnnotation, LocationOf(method, true), out,
                diagnostics);
  } else if (from_file != nullptr) {
    AddBindings(from_file->rule, method, RouteOrigin::kRuleFile, from_file->location, out,
                diagnostics);
    out.injected[method.full_name()] = from_file->rule;
  } else if (default_routes) {
    google::api::HttpRule rule;
    rule.set_post(absl::StrCat("/", method.service()->full_name(), "/", method.name()));
    rule.set_body("*");
    AddBindings(rule, method, RouteOrigin::kDefault, LocationOf(method, false), out, diagnostics);
    out.injected[method.full_name()] = rule;
  }
}

std::optional<Problem> CheckTopLevelField(const Descriptor& message, absl::string_view key,
                                          const std::string& name) {
  if (message.FindFieldByName(name) != nullptr) return std::nullopt;
  return Problem{absl::StrCat(key, " \"", name, "\": ", message.full_name(), " has no such field"),
                 absl::StrCat("name a top-level field (", FieldNames(message), ")",
                              key == "body" ? ", or \"*\" for the whole message" : "")};
}

void CheckRoute(const RouteEntry& route, const routing::HttpTemplate& tmpl,
                Diagnostics& diagnostics) {
  auto report = [&](const Problem& p) {
    diagnostics.push_back({route.source, absl::StrCat(Describe(route), ": ", p.message), p.hint});
  };
  const Descriptor& input = *route.method->input_type();
  std::set<std::string> bound;
  for (const routing::TemplateVariable& variable : tmpl.variables()) {
    if (auto problem = transcode::CheckPathVariable(input, variable.field_path)) {
      report({problem->message, problem->hint});
    }
    const std::string joined = absl::StrJoin(variable.field_path, ".");
    if (!bound.insert(joined).second) {
      report({absl::StrCat("variable {", joined, "} is bound twice"),
              "bind each field once; rename one of the variables"});
    }
  }
  if (!route.body.empty() && route.body != "*") {
    if (auto problem = CheckTopLevelField(input, "body", route.body)) report(*problem);
  }
  if (!route.response_body.empty()) {
    if (auto problem = CheckTopLevelField(*route.method->output_type(), "response_body",
                                          route.response_body)) {
      report(*problem);
    }
  }
}

void CheckUpstreams(const std::vector<RouteEntry>& routes, const config::GatewayConfig& config,
                    Diagnostics& diagnostics) {
  std::set<std::string> services;
  for (const RouteEntry& route : routes) {
    const std::string& service = route.method->service()->full_name();
    if (!services.insert(service).second) continue;
    bool found = false;
    for (const auto& upstream : config.upstreams) found = found || upstream.service == service;
    if (found) continue;
    diagnostics.push_back(
        {route.source,
         absl::StrCat("service ", service, " has routes but no upstream in ",
                      config.source_path.empty() ? "the gateway config" : config.source_path),
         absl::StrCat("add under `upstreams:`  - service: ", service,
                      "\n                  addresses: [host:port]")});
  }
}

}  // namespace

RouteEntry EntryFromRule(const google::api::HttpRule& rule) {
  RouteEntry entry;
  entry.body = rule.body();
  entry.response_body = rule.response_body();
  switch (rule.pattern_case()) {
    case google::api::HttpRule::kGet:
      entry.http_method = "GET";
      entry.path_template = rule.get();
      break;
    case google::api::HttpRule::kPut:
      entry.http_method = "PUT";
      entry.path_template = rule.put();
      break;
    case google::api::HttpRule::kPost:
      entry.http_method = "POST";
      entry.path_template = rule.post();
      break;
    case google::api::HttpRule::kDelete:
      entry.http_method = "DELETE";
      entry.path_template = rule.delete_();
      break;
    case google::api::HttpRule::kPatch:
      entry.http_method = "PATCH";
      entry.path_template = rule.patch();
      break;
    case google::api::HttpRule::kCustom:
      entry.http_method = absl::AsciiStrToUpper(rule.custom().kind());
      entry.path_template = rule.custom().path();
      break;
    case google::api::HttpRule::PATTERN_NOT_SET:
      break;
  }
  return entry;
}

RouteSet CollectRoutes(const CompiledProtos& protos, const CollectOptions& options,
                       Diagnostics& diagnostics) {
  RouteSet out;
  auto rules = IndexRules(protos, options.rules, diagnostics);
  for (const google::protobuf::FileDescriptor* file : protos.files()) {
    for (int s = 0; s < file->service_count(); ++s) {
      for (int m = 0; m < file->service(s)->method_count(); ++m) {
        const MethodDescriptor* method = file->service(s)->method(m);
        auto rule = rules.find(method);
        CollectMethod(*method, rule == rules.end() ? nullptr : rule->second, options.default_routes,
                      out, diagnostics);
      }
    }
  }
  return out;
}

void ValidateRoutes(const std::vector<RouteEntry>& routes, const config::GatewayConfig* config,
                    Diagnostics& diagnostics) {
  routing::RouteTable::Builder builder;
  for (size_t i = 0; i < routes.size(); ++i) {
    const RouteEntry& route = routes[i];
    if (route.http_method.empty()) {
      diagnostics.push_back({route.source,
                             absl::StrCat(route.method->full_name(), ": HTTP rule has no pattern"),
                             "set one of get, put, post, delete, patch or custom {kind, path}"});
      continue;
    }
    auto tmpl = routing::HttpTemplate::Parse(route.path_template);
    if (!tmpl.ok()) {
      diagnostics.push_back(
          {route.source,
           absl::StrCat(Describe(route), ": bad path template: ", tmpl.status().message()),
           tmpl.status().message().find("bound twice") != absl::string_view::npos
               ? "bind each field once; rename one of the variables"
               : "templates look like /v1/users/{user_id} or "
                 "/v1/{name=shelves/*}:publish (google/api/http.proto)"});
      continue;
    }
    CheckRoute(route, *tmpl, diagnostics);
    absl::Status added = builder.Add(route.http_method, *tmpl, static_cast<int>(i),
                                     absl::StrCat(Describe(route), " at ", route.source));
    if (!added.ok()) {
      diagnostics.push_back({route.source, std::string(added.message()),
                             "two routes would match the same requests: change the path or "
                             "the HTTP method of one"});
    }
  }
  if (config != nullptr) CheckUpstreams(routes, *config, diagnostics);
}

void InjectRules(const std::map<std::string, google::api::HttpRule>& injected,
                 google::protobuf::FileDescriptorSet& set) {
  for (google::protobuf::FileDescriptorProto& file : *set.mutable_file()) {
    const std::string prefix = file.package().empty() ? "" : absl::StrCat(file.package(), ".");
    for (google::protobuf::ServiceDescriptorProto& service : *file.mutable_service()) {
      for (google::protobuf::MethodDescriptorProto& method : *service.mutable_method()) {
        auto it = injected.find(absl::StrCat(prefix, service.name(), ".", method.name()));
        if (it == injected.end()) continue;
        *method.mutable_options()->MutableExtension(google::api::http) = it->second;
      }
    }
  }
}

}  // namespace protogate::routes
