#include "auth/identity.h"

#include "absl/strings/str_join.h"

namespace protogate::auth {

void FillDefaultClaims(Identity& identity) {
  if (!identity.claims.empty()) return;
  identity.claims = {{"sub", identity.subject},
                     {"client_id", identity.client_id},
                     {"scope", absl::StrJoin(identity.scopes, " ")}};
  if (!identity.issuer.empty()) identity.claims["iss"] = identity.issuer;
}

}  // namespace protogate::auth
