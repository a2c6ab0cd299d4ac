#include "routes/client_api.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "aggregate/composite_spec.h"
#include "common/status_macros.h"
#include "views/client_documents.h"

namespace protogate::routes {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

// The message a view of the route's answer selects from, as the gateway's
// ResponseTranscoder::selectable_type() has it.
const Descriptor* ViewType(const RouteEntry& route) {
  const Descriptor* output = route.method->output_type();
  if (route.response_body.empty()) return output;
  const FieldDescriptor* field = output->FindFieldByName(route.response_body);
  if (field == nullptr || field->is_repeated()) return nullptr;
  return field->message_type();
}

// The proto routes by their index, then the composites (no OpenAPI here, but
// profiles may select them).
std::vector<views::RouteFacts> FactsOf(const config::GatewayConfig& config,
                                       const std::vector<RouteEntry>& routes) {
  std::vector<views::RouteFacts> facts;
  for (const RouteEntry& route : routes) {
    facts.push_back({.selector = route.method->full_name(),
                     .view_type = ViewType(route),
                     .request_type = route.method->input_type()});
  }
  for (const config::CompositeRouteConfig& composite : config.composites) {
    aggregate::CompositeSpec spec;
    spec.name = composite.name;
    spec.path_template = composite.path;
    facts.push_back({.selector = spec.SelectorName(), .view_type = nullptr, .composite = true});
  }
  return facts;
}

}  // namespace

std::vector<docs::OpenApiRoute> DocumentedRoutes(const std::vector<RouteEntry>& routes) {
  std::vector<docs::OpenApiRoute> documented;
  for (const RouteEntry& route : routes) documented.push_back(docs::DocumentedRoute(route));
  return documented;
}

absl::StatusOr<std::shared_ptr<const views::ClientProfiles>> ClientProfilesOf(
    const config::GatewayConfig& config, const std::vector<RouteEntry>& routes) {
  return views::ClientProfiles::Build(config.clients, config.source_path, FactsOf(config, routes));
}

absl::StatusOr<std::vector<docs::OpenApiRoute>> ClientRoutes(
    const config::GatewayConfig& config, absl::string_view client,
    const std::vector<RouteEntry>& routes) {
  ASSIGN_OR_RETURN(std::shared_ptr<const views::ClientProfiles> profiles,
                   ClientProfilesOf(config, routes));
  std::optional<views::ClientProfiles::Caller> caller = profiles->Named(client);
  if (!caller) {
    std::vector<std::string> names = {"default"};
    for (int i = 0; i < profiles->size(); ++i) {
      if (profiles->Name(i) != "default") names.push_back(profiles->Name(i));
    }
    return absl::InvalidArgumentError(
        absl::StrCat("--client=", client, ": ", config.source_path,
                     " has no such client profile (profiles: ", absl::StrJoin(names, ", "), ")"));
  }
  return views::RoutesFor(*profiles, *caller, DocumentedRoutes(routes));
}

}  // namespace protogate::routes
