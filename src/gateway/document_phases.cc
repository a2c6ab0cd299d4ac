// The API document's branches of the phases (request_handler.h lists them
// all): at `openapi.path` the gateway answers the calling client's own
// OpenAPI (views/client_documents.h), made from the snapshot that serves the
// request, so it is always the API deployed. Route, authenticate (credentials,
// when given, must be good: they may choose the profile), respond (with an
// ETag, and 304 to a client whose copy is current); transcode and call have
// nothing to do.

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gateway/error_response.h"
#include "gateway/request_context.h"
#include "views/client_documents.h"

namespace protogate::gateway {

bool MatchDocument(const ContextPtr& ctx, Next* next) {
  const Snapshot& snapshot = *ctx->snapshot;
  if (snapshot.documents == nullptr || ctx->request.Path() != snapshot.config.openapi.path) {
    return false;
  }
  if (ctx->request.method != "GET" && ctx->request.method != "HEAD") {
    *next = Answer(*ctx,
                   MethodNotAllowedResponse(ctx->request.method, ctx->request.Path(), "GET, HEAD"));
    return true;
  }
  ctx->document = true;
  *next = Next::kContinue;
  return true;
}

// Anyone may read the document; a caller that presents credentials gets its
// own profile's, and credentials that do not hold are refused as on any
// route, rather than quietly answered with another client's API.
Next AuthenticateDocument(const ContextPtr& ctx) {
  return AuthenticateCaller(ctx, [](RequestContext& refused, const absl::Status& status) {
    return Answer(refused, AuthErrorResponse(status));
  });
}

namespace {

// RFC 9110 §13.1.2: If-None-Match holds "*" or a list of entity tags,
// compared weakly (W/"x" matches "x").
bool NoneMatch(absl::string_view header, absl::string_view etag) {
  for (absl::string_view tag : absl::StrSplit(header, ',')) {
    tag = absl::StripAsciiWhitespace(tag);
    absl::ConsumePrefix(&tag, "W/");
    if (tag == "*" || tag == etag) return false;
  }
  return true;
}

}  // namespace

Next RespondDocument(const ContextPtr& ctx) {
  const Snapshot& snapshot = *ctx->snapshot;
  const views::ClientDocuments::Rendered& document =
      snapshot.documents->For(ctx->client, ctx->client_verified);
  const absl::string_view if_none_match = ctx->request.Header("if-none-match");
  http::Response response;
  if (!if_none_match.empty() && !NoneMatch(if_none_match, document.etag)) {
    response.status = 304;  // the client's copy is current
  } else {
    response = JsonResponse(200, document.json);
  }
  response.headers.emplace_back("ETag", document.etag);
  // The document changes with every reload, and with client profiles it
  // depends on who asks: no shared cache may keep one caller's for another.
  response.headers.emplace_back("Cache-Control",
                                snapshot.clients->empty() ? "no-cache" : "private, no-cache");
  return Answer(*ctx, std::move(response));
}

}  // namespace protogate::gateway
