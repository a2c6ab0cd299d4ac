#include "gateway/route_loader.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/api/annotations.pb.h"
#include "google/api/http.pb.h"

namespace protogate::gateway {
namespace {

using google::protobuf::MethodDescriptor;

std::string SourceOf(const MethodDescriptor& method) {
  google::protobuf::SourceLocation location;
  if (!method.GetSourceLocation(&location)) return method.file()->name();
  return absl::StrCat(method.file()->name(), ":", location.start_line + 1);
}

absl::StatusOr<RouteSpec> SpecFromRule(const google::api::HttpRule& rule,
                                       const MethodDescriptor& method) {
  RouteSpec spec;
  spec.method = &method;
  spec.body = rule.body();
  spec.response_body = rule.response_body();
  spec.source = SourceOf(method);
  switch (rule.pattern_case()) {
    case google::api::HttpRule::kGet:
      spec.http_method = "GET";
      spec.path_template = rule.get();
      break;
    case google::api::HttpRule::kPut:
      spec.http_method = "PUT";
      spec.path_template = rule.put();
      break;
    case google::api::HttpRule::kPost:
      spec.http_method = "POST";
      spec.path_template = rule.post();
      break;
    case google::api::HttpRule::kDelete:
      spec.http_method = "DELETE";
      spec.path_template = rule.delete_();
      break;
    case google::api::HttpRule::kPatch:
      spec.http_method = "PATCH";
      spec.path_template = rule.patch();
      break;
    case google::api::HttpRule::kCustom:
      spec.http_method = absl::AsciiStrToUpper(rule.custom().kind());
      spec.path_template = rule.custom().path();
      if (spec.http_method.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(spec.source, ": ", method.full_name(), ": custom HTTP rule has no kind"));
      }
      break;
    case google::api::HttpRule::PATTERN_NOT_SET:
      return absl::InvalidArgumentError(absl::StrCat(
          spec.source, ": ", method.full_name(),
          ": HTTP rule has no pattern (set one of get, put, post, delete, patch, custom)"));
  }
  return spec;
}

absl::Status AddMethodRoutes(const MethodDescriptor& method, std::vector<RouteSpec>& out) {
  if (!method.options().HasExtension(google::api::http)) return absl::OkStatus();
  const google::api::HttpRule& rule = method.options().GetExtension(google::api::http);
  auto primary = SpecFromRule(rule, method);
  if (!primary.ok()) return primary.status();
  out.push_back(*std::move(primary));
  for (const google::api::HttpRule& extra : rule.additional_bindings()) {
    if (!extra.additional_bindings().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(SourceOf(method), ": ", method.full_name(),
                                                     ": additional_bindings must not nest"));
    }
    auto spec = SpecFromRule(extra, method);
    if (!spec.ok()) return spec.status();
    out.push_back(*std::move(spec));
  }
  return absl::OkStatus();
}

}  // namespace

std::string RouteSpec::Describe() const {
  return absl::StrCat(method->full_name(), " (", http_method, " ", path_template, ") at ", source);
}

absl::StatusOr<std::vector<RouteSpec>> LoadRouteSpecs(const google::protobuf::DescriptorPool& pool,
                                                      const std::vector<std::string>& file_names) {
  std::vector<RouteSpec> specs;
  for (const std::string& name : file_names) {
    const google::protobuf::FileDescriptor* file = pool.FindFileByName(name);
    if (file == nullptr) continue;
    for (int s = 0; s < file->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        absl::Status status = AddMethodRoutes(*service->method(m), specs);
        if (!status.ok()) return status;
      }
    }
  }
  return specs;
}

}  // namespace protogate::gateway
