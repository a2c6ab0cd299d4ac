#include "views/client_documents.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "auth/token_cache.h"

namespace protogate::views {

std::vector<docs::OpenApiRoute> RoutesFor(const ClientProfiles& profiles,
                                          const ClientProfiles::Caller& caller,
                                          const std::vector<docs::OpenApiRoute>& routes) {
  std::vector<docs::OpenApiRoute> allowed;
  for (size_t i = 0; i < routes.size(); ++i) {
    const int id = static_cast<int>(i);
    if (!profiles.Allows(caller.profile, caller.verified, id)) continue;
    allowed.push_back(routes[i]);
    allowed.back().view = profiles.View(caller.profile, id);
    allowed.back().renames = profiles.Renames(caller.profile, id);
  }
  return allowed;
}

ClientDocuments::ClientDocuments(std::shared_ptr<const ClientProfiles> profiles,
                                 std::vector<docs::OpenApiRoute> routes,
                                 docs::OpenApiOptions options)
    : profiles_(std::move(profiles)),
      routes_(std::move(routes)),
      options_(std::move(options)),
      documents_(new Document[static_cast<size_t>(profiles_->size() + 1) * 2]) {}

const ClientDocuments::Rendered& ClientDocuments::For(int profile, bool verified) const {
  if (profile < kUnrecognised || profile >= profiles_->size()) profile = kUnrecognised;
  Document& document = documents_[static_cast<size_t>(profile + 1) * 2 + (verified ? 1 : 0)];
  absl::call_once(document.once, [&] {
    const ClientProfiles::Caller caller{.profile = profile, .verified = verified};
    docs::OpenApiOptions options = options_;
    // As `protogate-routes --client=NAME` names it.
    if (!profiles_->empty()) absl::StrAppend(&options.title, " (", profiles_->Name(profile), ")");
    Rendered& rendered = document.rendered;
    rendered.json = docs::RenderOpenApi(RoutesFor(*profiles_, caller, routes_), options);
    rendered.etag = absl::StrCat("\"", absl::BytesToHexString(auth::DigestOf(rendered.json)), "\"");
  });
  return document.rendered;
}

}  // namespace protogate::views
