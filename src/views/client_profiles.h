#pragma once

// Client profiles (`clients:` in the config, config/clients_config.h), built
// against a snapshot's routes: who a caller is, which routes it may use, and
// the response view it gets on each. The pipeline recognises a caller by its
// request before routing (a header, the Host, a path prefix: all forgeable)
// and by its authenticated client id after authentication, which wins.
//
// Routes a profile may not use answer as if they did not exist. A caller
// recognised only by something it can forge gets at most the routes the
// default profile allows, unless its profile sets widen_unverified.
//
// Example:
//   ASSIGN_OR_RETURN(auto profiles, ClientProfiles::Build(config.clients, "gateway.yaml", routes));
//   ClientProfiles::Recognition seen = profiles.RecogniseRequest(header, host, path);
//   if (!profiles.Allows(seen.profile, /*verified=*/false, route_id)) { /* 404 */ }
//   auto view = profiles.View(seen.profile, route_id);  // null: the whole answer
//
// Immutable once built; safe to share between threads.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "aggregate/answer_selection.h"
#include "config/clients_config.h"
#include "transcode/field_renames.h"
#include "transcode/field_selection.h"
#include "transcode/response_transcoder.h"

namespace protogate::views {

// What Build needs to know of each route, by route id.
struct RouteFacts {
  std::string selector;  // what `routes:` selects it by (method full name or composite name)
  // The message a view selects from; null: no view can apply (composites,
  // non-message response bodies).
  const google::protobuf::Descriptor* view_type = nullptr;
  // The method's request; null for composites.
  const google::protobuf::Descriptor* request_type = nullptr;
  // How the route prints its answer, for a profile's renames to print
  // through; null where nothing prints here (the CLI).
  const transcode::ResponseTranscoder* response = nullptr;
  bool composite = false;
  // A composite's plan, for a view of its answer; null where plans are not
  // built (the CLI: the gateway checks those views when it loads).
  const aggregate::CompositePlan* plan = nullptr;
};

// AIP-157: the value a profile gives the request's `view` enum field.
struct RequestView {
  int field_number = 0;  // 0: none
  int value = 0;
};

inline constexpr int kUnrecognised = -1;

class ClientProfiles {
 public:
  ClientProfiles() = default;  // no profiles: every caller sees everything

  // Fails, naming `source` and the line, on a route selector that selects no
  // route, a view of a method or composite that has no route here or whose
  // answer cannot be narrowed (a composite's `view` or `rename`), a view path that does not fit the
  // method's answer, a `view` value for a request without a `view` enum field or that names none of
  // its values, a rename that does not fit the answer (field_renames.h) or
  // renames a field the view leaves out.
  static absl::StatusOr<std::shared_ptr<const ClientProfiles>> Build(
      const config::ClientsConfig& config, absl::string_view source,
      const std::vector<RouteFacts>& routes);

  struct Recognition {
    int profile = kUnrecognised;
    size_t prefix_length = 0;  // the path prefix to strip (0: none)
  };
  // By the request alone: a header value, then the Host (without port), then
  // a path prefix; the prefix, when some profile's matches, is stripped
  // whichever profile is chosen.
  Recognition RecogniseRequest(absl::FunctionRef<absl::string_view(absl::string_view)> header,
                               absl::string_view host, absl::string_view path) const;
  // By an authenticated client id; kUnrecognised when no profile claims it.
  int RecogniseClientId(absl::string_view client_id) const;

  struct Caller {
    int profile = kUnrecognised;
    bool verified = false;  // recognised by its identity
  };
  // The caller once authenticated: the profile claiming its client id, else
  // the one its request was recognised as (`request_profile`).
  Caller Resolve(int request_profile, absl::string_view client_id) const;

  // Whether `profile` (kUnrecognised: the default profile) may use the route.
  // `verified`: the profile was recognised by the authenticated identity.
  bool Allows(int profile, bool verified, int route_id) const;
  // The same for a method by its full name, routed or not (what a GraphQL
  // root or join field calls): the profile's `routes:` selectors decide.
  bool AllowsMethod(int profile, bool verified, absl::string_view method) const;
  // Whether the profile's callers may introspect the GraphQL schema; unset:
  // as the endpoint says.
  std::optional<bool> GraphqlIntrospection(int profile) const;
  // The profile's own trusted GraphQL documents file; "": the endpoint's.
  const std::string& GraphqlTrustedDocuments(int profile) const;
  // Whether some caller recognised as `profile` by its request could use the
  // route once its identity is known (its identity may name another profile).
  bool MayAllowAfterAuthentication(int profile, int route_id) const;

  // The profile's view of the route; null: the whole answer.
  std::shared_ptr<const transcode::FieldSelection> View(int profile, int route_id) const;
  // The profile's view of a composite route's answer, and how the composite
  // runs for it when the caller narrows nothing further; null: the whole
  // answer.
  std::shared_ptr<const aggregate::AnswerSelection> AnswerView(int profile, int route_id) const;
  std::shared_ptr<const aggregate::SelectedPlan> AnswerPlan(int profile, int route_id) const;
  // The profile's new member names on the route; null: none.
  std::shared_ptr<const transcode::FieldRenames> Renames(int profile, int route_id) const;
  // What prints the route's answer for the profile, when it renames; null:
  // the route's own transcoder.
  const transcode::ResponseTranscoder* Response(int profile, int route_id) const;
  // The `view` enum value the profile sets on the route's request unless the
  // caller sets it; field_number 0: none.
  RequestView ViewEnum(int profile, int route_id) const;
  // "default" for kUnrecognised.
  const std::string& Name(int profile) const;
  // The profile named `name` as its usual caller is seen: verified when the
  // profile is recognised by client ids. "default" is always known (the
  // profile of that name, or kUnrecognised); nullopt for any other unknown.
  std::optional<Caller> Named(absl::string_view name) const;
  bool empty() const { return profiles_.empty(); }
  int size() const { return static_cast<int>(profiles_.size()); }  // profiles are 0..size()-1

 private:
  struct Profile {
    config::ClientProfileConfig config;
    std::vector<bool> routes;                                                     // by route id
    std::vector<std::shared_ptr<const transcode::FieldSelection>> views;          // by route id
    std::vector<RequestView> view_enums;                                          // by route id
    std::vector<std::shared_ptr<const transcode::FieldRenames>> renames;          // by route id
    std::vector<std::shared_ptr<const transcode::ResponseTranscoder>> responses;  // by route id
    std::vector<std::shared_ptr<const aggregate::AnswerSelection>> answer_views;  // by route id
    std::vector<std::shared_ptr<const aggregate::SelectedPlan>> answer_plans;     // by route id
  };
  static absl::Status BuildAnswerView(const config::ClientViewConfig& view, const RouteFacts& route,
                                      absl::string_view source, const std::string& name,
                                      Profile& profile, size_t route_id);
  const Profile* Default() const;
  const Profile* Of(int profile) const;  // kUnrecognised: the default profile, if any
  bool RouteAllowed(const Profile* profile, int route_id) const;
  static bool SelectorAllowed(const Profile* profile, absl::string_view selector);
  // The profile's entry for the route in one of its by-route tables; null
  // when there is no such profile or route.
  template <typename T>
  const T* PerRoute(int profile, int route_id, std::vector<T> Profile::*table) const;

  std::vector<Profile> profiles_;
  int default_ = kUnrecognised;  // the profile named "default", if any
};

}  // namespace protogate::views
