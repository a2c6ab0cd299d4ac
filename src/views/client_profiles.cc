#include "views/client_profiles.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "auth/policy.h"
#include "common/status_macros.h"

namespace protogate::views {
namespace {

absl::Status LoadError(absl::string_view source, int line, const std::string& profile,
                       absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat(source, ":", line, ": clients: profile ", profile, ": ", problem));
}

bool Contains(const std::vector<std::string>& values, absl::string_view value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// "api.example.com:8443" → "api.example.com", "[::1]:80" → "[::1]", lowercased.
std::string HostName(absl::string_view host) {
  const size_t colon = host.rfind(':');
  if (colon != absl::string_view::npos && host.find(']', colon) == absl::string_view::npos) {
    host = host.substr(0, colon);
  }
  return absl::AsciiStrToLower(host);
}

bool HasPathPrefix(absl::string_view path, absl::string_view prefix) {
  return !prefix.empty() && absl::StartsWith(path, prefix) &&
         (path.size() == prefix.size() || path[prefix.size()] == '/');
}

// AIP-157's `view` field of `request`, and the value `text` names: the value
// itself ("USER_VIEW_BASIC") or its last part after the enum's prefix
// ("BASIC").
absl::StatusOr<RequestView> ResolveViewEnum(const google::protobuf::Descriptor* request,
                                            absl::string_view method, absl::string_view text) {
  const google::protobuf::FieldDescriptor* field =
      request == nullptr ? nullptr : request->FindFieldByName("view");
  if (field == nullptr || field->type() != google::protobuf::FieldDescriptor::TYPE_ENUM ||
      field->is_repeated()) {
    return absl::InvalidArgumentError(
        absl::StrCat("views: ", method, ": view ", text, ": ",
                     request == nullptr ? "a composite has no request message"
                                        : absl::StrCat("its request ", request->full_name(),
                                                       " has no `view` enum field (AIP-157)")));
  }
  const google::protobuf::EnumDescriptor& type = *field->enum_type();
  std::vector<std::string> names;
  for (int i = 0; i < type.value_count(); ++i) {
    const google::protobuf::EnumValueDescriptor& value = *type.value(i);
    if (value.name() == text || absl::EndsWith(value.name(), absl::StrCat("_", text))) {
      return RequestView{.field_number = field->number(), .value = value.number()};
    }
    names.push_back(value.name());
  }
  return absl::InvalidArgumentError(absl::StrCat("views: ", method, ": view ", text, " is not a ",
                                                 type.full_name(), " value (",
                                                 absl::StrJoin(names, ", "), ")"));
}

// The first renamed field the view leaves out; null when all are in it.
const google::protobuf::FieldDescriptor* OutsideView(const transcode::FieldRenames& renames,
                                                     const transcode::FieldSelection& view) {
  for (const transcode::FieldRenames::Entry& entry : renames.entries) {
    const transcode::FieldSelection::Member* member = view.Find(entry.field->number());
    if (member == nullptr) return entry.field;
    if (entry.sub && member->sub) {
      if (auto* outside = OutsideView(*entry.sub, *member->sub)) return outside;
    }
  }
  return nullptr;
}

struct RenamedView {
  std::shared_ptr<const transcode::FieldRenames> renames;
  std::shared_ptr<const transcode::ResponseTranscoder> response;  // null where nothing prints
};

// A view's renames, checked against its fields, and the route's transcoder
// printing under the new names.
absl::StatusOr<RenamedView> BuildRenames(const config::ClientViewConfig& view,
                                         const RouteFacts& route,
                                         const transcode::FieldSelection* fields,
                                         absl::string_view source, const std::string& profile) {
  std::vector<transcode::FieldRename> wanted;
  for (const auto& rename : view.renames) wanted.push_back({rename.path, rename.name});
  auto parsed = transcode::ParseFieldRenames(wanted, *route.view_type);
  if (!parsed.ok()) {
    // The message starts "rename <path>:"; its line is that rename's.
    int line = view.renames.front().line;
    for (const auto& rename : view.renames) {
      if (absl::StartsWith(parsed.status().message(), absl::StrCat("rename ", rename.path, ":"))) {
        line = rename.line;
      }
    }
    return LoadError(source, line, profile,
                     absl::StrCat("views: ", view.method, ": ", parsed.status().message()));
  }
  if (fields != nullptr) {
    if (const auto* outside = OutsideView(**parsed, *fields)) {
      return LoadError(source, view.renames.front().line, profile,
                       absl::StrCat("views: ", view.method, ": rename: ", outside->full_name(),
                                    " is not among the view's fields"));
    }
  }
  RenamedView built{.renames = *parsed, .response = nullptr};
  if (route.response == nullptr) return built;
  auto renamed = route.response->Renamed(built.renames);
  if (!renamed.ok()) {
    return LoadError(source, view.line, profile,
                     absl::StrCat("views: ", view.method, ": ", renamed.status().message()));
  }
  built.response = std::make_shared<const transcode::ResponseTranscoder>(*std::move(renamed));
  return built;
}

}  // namespace

// A composite's view: its `fields` over the answer as the composite shapes
// it (renames and AIP-157 views are the unary routes'; a composite names its
// keys in its own `response:`).
absl::Status ClientProfiles::BuildAnswerView(const config::ClientViewConfig& view,
                                             const RouteFacts& route, absl::string_view source,
                                             const std::string& name, Profile& profile,
                                             size_t route_id) {
  if (!view.view_enum.empty()) {
    return LoadError(source, view.view_line, name,
                     absl::StrCat("views: ", view.method,
                                  " is a composite: its calls' requests set their own view"));
  }
  if (!view.renames.empty()) {
    return LoadError(source, view.renames.front().line, name,
                     absl::StrCat("views: ", view.method,
                                  " is a composite: its keys are named in its `response:` (give "
                                  "the profile a composite of its own to name them otherwise)"));
  }
  if (view.fields.empty() || route.plan == nullptr) return absl::OkStatus();
  auto selection = aggregate::ParseAnswerSelection(absl::StrJoin(view.fields, ","), *route.plan);
  if (!selection.ok()) {
    return LoadError(source, view.line, name,
                     absl::StrCat("views: ", view.method, ": ", selection.status().message()));
  }
  profile.answer_plans[route_id] = aggregate::SelectCalls(*route.plan, selection->get());
  profile.answer_views[route_id] = *std::move(selection);
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const ClientProfiles>> ClientProfiles::Build(
    const config::ClientsConfig& config, absl::string_view source,
    const std::vector<RouteFacts>& routes) {
  auto built = std::make_shared<ClientProfiles>();
  for (const config::ClientProfileConfig& profile_config : config.profiles) {
    Profile profile{
        .config = profile_config,
        .routes = std::vector<bool>(routes.size(), profile_config.all_routes),
        .views = std::vector<std::shared_ptr<const transcode::FieldSelection>>(routes.size()),
        .view_enums = std::vector<RequestView>(routes.size()),
        .renames = std::vector<std::shared_ptr<const transcode::FieldRenames>>(routes.size()),
        .responses =
            std::vector<std::shared_ptr<const transcode::ResponseTranscoder>>(routes.size()),
        .answer_views =
            std::vector<std::shared_ptr<const aggregate::AnswerSelection>>(routes.size()),
        .answer_plans = std::vector<std::shared_ptr<const aggregate::SelectedPlan>>(routes.size())};
    const std::string& name = profile_config.name;
    for (size_t s = 0; s < profile_config.routes.size(); ++s) {
      const std::string& selector = profile_config.routes[s];
      bool selected = false;
      for (size_t r = 0; r < routes.size(); ++r) {
        if (!auth::SelectorMatches(selector, routes[r].selector)) continue;
        profile.routes[r] = true;
        selected = true;
      }
      if (!selected) {
        return LoadError(source, profile_config.route_lines[s], name,
                         absl::StrCat("route selector \"", selector, "\" selects no route"));
      }
    }
    for (const config::ClientViewConfig& view : profile_config.views) {
      bool found = false;
      for (size_t r = 0; r < routes.size(); ++r) {
        if (routes[r].selector != view.method) continue;
        found = true;
        if (routes[r].composite) {
          RETURN_IF_ERROR(BuildAnswerView(view, routes[r], source, name, profile, r));
          continue;
        }
        if (!view.view_enum.empty()) {
          auto chosen = ResolveViewEnum(routes[r].request_type, view.method, view.view_enum);
          if (!chosen.ok())
            return LoadError(source, view.view_line, name, chosen.status().message());
          profile.view_enums[r] = *chosen;
        }
        if (view.fields.empty() && view.renames.empty()) continue;  // the whole answer
        if (routes[r].view_type == nullptr) {
          return LoadError(source, view.line, name,
                           absl::StrCat("views: ", view.method,
                                        " answers no message (a composite, or a scalar, "
                                        "repeated or map response_body): it cannot be narrowed"));
        }
        if (!view.fields.empty()) {
          auto selection =
              transcode::ParseFieldSelection(absl::StrJoin(view.fields, ","), *routes[r].view_type);
          if (!selection.ok()) {
            return LoadError(
                source, view.line, name,
                absl::StrCat("views: ", view.method, ": ", selection.status().message()));
          }
          profile.views[r] = *std::move(selection);
        }
        if (!view.renames.empty()) {
          auto renamed = BuildRenames(view, routes[r], profile.views[r].get(), source, name);
          if (!renamed.ok()) return renamed.status();
          profile.renames[r] = std::move(renamed->renames);
          profile.responses[r] = std::move(renamed->response);
        }
      }
      if (!found) {
        return LoadError(source, view.line, name,
                         absl::StrCat("views: ", view.method, " has no route"));
      }
    }
    if (name == config::kDefaultProfile) {
      built->default_ = static_cast<int>(built->profiles_.size());
    }
    built->profiles_.push_back(std::move(profile));
  }
  return built;
}

ClientProfiles::Recognition ClientProfiles::RecogniseRequest(
    absl::FunctionRef<absl::string_view(absl::string_view)> header, absl::string_view host,
    absl::string_view path) const {
  Recognition seen;
  for (size_t i = 0; i < profiles_.size(); ++i) {
    const config::ClientProfileConfig& p = profiles_[i].config;
    if (HasPathPrefix(path, p.path_prefix)) seen.prefix_length = p.path_prefix.size();
  }
  auto first = [&](auto recognises) {
    for (size_t i = 0; i < profiles_.size(); ++i) {
      if (recognises(profiles_[i].config)) return static_cast<int>(i);
    }
    return kUnrecognised;
  };
  seen.profile = first([&](const config::ClientProfileConfig& p) {
    return !p.header.empty() && Contains(p.header_values, header(p.header));
  });
  if (seen.profile != kUnrecognised) return seen;
  const std::string host_name = HostName(host);
  seen.profile =
      first([&](const config::ClientProfileConfig& p) { return Contains(p.hosts, host_name); });
  if (seen.profile != kUnrecognised) return seen;
  seen.profile = first(
      [&](const config::ClientProfileConfig& p) { return HasPathPrefix(path, p.path_prefix); });
  return seen;
}

int ClientProfiles::RecogniseClientId(absl::string_view client_id) const {
  if (client_id.empty()) return kUnrecognised;
  for (size_t i = 0; i < profiles_.size(); ++i) {
    if (Contains(profiles_[i].config.client_ids, client_id)) return static_cast<int>(i);
  }
  return kUnrecognised;
}

ClientProfiles::Caller ClientProfiles::Resolve(int request_profile,
                                               absl::string_view client_id) const {
  const int by_identity = RecogniseClientId(client_id);
  if (by_identity == kUnrecognised) return {.profile = request_profile};
  return {.profile = by_identity, .verified = true};
}

const ClientProfiles::Profile* ClientProfiles::Default() const {
  return default_ == kUnrecognised ? nullptr : &profiles_[static_cast<size_t>(default_)];
}

// No default profile: unrecognised callers may use every route.
bool ClientProfiles::RouteAllowed(const Profile* profile, int route_id) const {
  if (profile == nullptr) return true;
  const size_t r = static_cast<size_t>(route_id);
  return r < profile->routes.size() && profile->routes[r];
}

bool ClientProfiles::Allows(int profile, bool verified, int route_id) const {
  const bool by_default = RouteAllowed(Default(), route_id);
  if (profile == kUnrecognised) return by_default;
  const Profile& p = profiles_[static_cast<size_t>(profile)];
  if (!RouteAllowed(&p, route_id)) return false;
  return verified || p.config.widen_unverified || by_default;
}

bool ClientProfiles::SelectorAllowed(const Profile* profile, absl::string_view selector) {
  if (profile == nullptr || profile->config.all_routes) return true;
  for (const std::string& pattern : profile->config.routes) {
    if (auth::SelectorMatches(pattern, selector)) return true;
  }
  return false;
}

bool ClientProfiles::AllowsMethod(int profile, bool verified, absl::string_view method) const {
  const bool by_default = SelectorAllowed(Default(), method);
  if (profile == kUnrecognised) return by_default;
  const Profile& p = profiles_[static_cast<size_t>(profile)];
  if (!SelectorAllowed(&p, method)) return false;
  return verified || p.config.widen_unverified || by_default;
}

std::optional<bool> ClientProfiles::GraphqlIntrospection(int profile) const {
  const Profile* p = Of(profile);
  return p != nullptr ? p->config.graphql_introspection : std::nullopt;
}

const std::string& ClientProfiles::GraphqlTrustedDocuments(int profile) const {
  static const std::string kNone;
  const Profile* p = Of(profile);
  return p != nullptr ? p->config.graphql_trusted_documents : kNone;
}

bool ClientProfiles::MayAllowAfterAuthentication(int profile, int route_id) const {
  if (Allows(profile, /*verified=*/false, route_id)) return true;
  for (size_t i = 0; i < profiles_.size(); ++i) {
    if (!profiles_[i].config.client_ids.empty() &&
        Allows(static_cast<int>(i), /*verified=*/true, route_id)) {
      return true;
    }
  }
  return false;
}

const ClientProfiles::Profile* ClientProfiles::Of(int profile) const {
  return profile == kUnrecognised ? Default() : &profiles_[static_cast<size_t>(profile)];
}

template <typename T>
const T* ClientProfiles::PerRoute(int profile, int route_id, std::vector<T> Profile::*table) const {
  const Profile* p = Of(profile);
  const size_t r = static_cast<size_t>(route_id);
  return p != nullptr && r < (p->*table).size() ? &(p->*table)[r] : nullptr;
}

std::shared_ptr<const aggregate::AnswerSelection> ClientProfiles::AnswerView(int profile,
                                                                             int route_id) const {
  const auto* view = PerRoute(profile, route_id, &Profile::answer_views);
  return view != nullptr ? *view : nullptr;
}

std::shared_ptr<const aggregate::SelectedPlan> ClientProfiles::AnswerPlan(int profile,
                                                                          int route_id) const {
  const auto* plan = PerRoute(profile, route_id, &Profile::answer_plans);
  return plan != nullptr ? *plan : nullptr;
}

std::shared_ptr<const transcode::FieldSelection> ClientProfiles::View(int profile,
                                                                      int route_id) const {
  const auto* view = PerRoute(profile, route_id, &Profile::views);
  return view != nullptr ? *view : nullptr;
}

std::shared_ptr<const transcode::FieldRenames> ClientProfiles::Renames(int profile,
                                                                       int route_id) const {
  const auto* renames = PerRoute(profile, route_id, &Profile::renames);
  return renames != nullptr ? *renames : nullptr;
}

const transcode::ResponseTranscoder* ClientProfiles::Response(int profile, int route_id) const {
  const auto* response = PerRoute(profile, route_id, &Profile::responses);
  return response != nullptr ? response->get() : nullptr;
}

RequestView ClientProfiles::ViewEnum(int profile, int route_id) const {
  const RequestView* view = PerRoute(profile, route_id, &Profile::view_enums);
  return view != nullptr ? *view : RequestView{};
}

std::optional<ClientProfiles::Caller> ClientProfiles::Named(absl::string_view name) const {
  for (size_t i = 0; i < profiles_.size(); ++i) {
    if (profiles_[i].config.name == name) {
      return Caller{.profile = static_cast<int>(i),
                    .verified = !profiles_[i].config.client_ids.empty()};
    }
  }
  if (name == config::kDefaultProfile) return Caller{};
  return std::nullopt;
}

const std::string& ClientProfiles::Name(int profile) const {
  static const std::string kDefault(config::kDefaultProfile);
  if (profile == kUnrecognised) return kDefault;
  return profiles_[static_cast<size_t>(profile)].config.name;
}

}  // namespace protogate::views
