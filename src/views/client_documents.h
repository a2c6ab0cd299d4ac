#pragma once

// Each client profile's own OpenAPI: only the routes the profile may use,
// each answer narrowed to its view (docs/openapi.h renders it). The gateway
// serves the calling client's document; `protogate-routes --client=NAME`
// writes one.
//
// A document depends on the profile and on how the caller was recognised (a
// caller recognised only by what it could forge may be capped by the default
// profile's routes), so there are two per profile. They are rendered on first
// request and kept for the snapshot's life. With profiles, the title names
// the profile: "shop API (mobile)".
//
// Example:
//   ClientDocuments documents(profiles, std::move(routes), {.title = "shop API"});
//   const std::string& json = documents.For(ctx.client, ctx.client_verified).json;
//
// Thread-safe: For may be called from any thread.

#include <memory>
#include <string>
#include <vector>

#include "absl/base/call_once.h"
#include "docs/openapi.h"
#include "views/client_profiles.h"

namespace protogate::views {

// The routes `caller` may use, each with the caller's view. `routes[i]`
// documents route id i; route ids past its end (composites) have no document.
std::vector<docs::OpenApiRoute> RoutesFor(const ClientProfiles& profiles,
                                          const ClientProfiles::Caller& caller,
                                          const std::vector<docs::OpenApiRoute>& routes);

class ClientDocuments {
 public:
  ClientDocuments(std::shared_ptr<const ClientProfiles> profiles,
                  std::vector<docs::OpenApiRoute> routes, docs::OpenApiOptions options);

  struct Rendered {
    std::string json;
    std::string etag;  // a strong entity tag of `json`: its SHA-256, quoted
  };
  // `profile` as ClientProfiles numbers them (kUnrecognised: the default).
  const Rendered& For(int profile, bool verified) const;

 private:
  struct Document {
    absl::once_flag once;
    Rendered rendered;
  };

  std::shared_ptr<const ClientProfiles> profiles_;
  std::vector<docs::OpenApiRoute> routes_;
  docs::OpenApiOptions options_;
  std::unique_ptr<Document[]> documents_;  // (profile + 1) * 2 + verified
};

}  // namespace protogate::views
