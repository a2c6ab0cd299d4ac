// The API document's branches of the phases (request_handler.h lists them
// all): at `openapi.path` the gateway answers the calling client's own
// OpenAPI (views/client_documents.h), made from the snapshot that serves the
// request, so it is always the API deployed. Route, authenticate (credentials,
// when given, must be good: they may choose the profile), respond; transcode
// and call have nothing to do.

#include <utility>

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

Next RespondDocument(const ContextPtr& ctx) {
  const Snapshot& snapshot = *ctx->snapshot;
  http::Response response =
      JsonResponse(200, snapshot.documents->For(ctx->client, ctx->client_verified));
  // The document changes with every reload, and with client profiles it
  // depends on who asks: no shared cache may keep one caller's for another.
  response.headers.emplace_back("Cache-Control",
                                snapshot.clients->empty() ? "no-cache" : "private, no-cache");
  return Answer(*ctx, std::move(response));
}

}  // namespace protogate::gateway
