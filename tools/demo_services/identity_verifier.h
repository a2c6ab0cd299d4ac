#pragma once

#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "auth/clock.h"
#include "auth/jwks.h"

namespace protogate::demo_services {

// The metadata key under which the gateway stamps its identity token.
inline constexpr absl::string_view kIdentityMetadataKey = "x-protogate-identity";

// The claims of an identity token that verified.
struct VerifiedIdentity {
  std::string subject;              // "sub"
  std::string client_id;            // "client_id"
  std::vector<std::string> scopes;  // "scope", split on spaces
  std::string audience;             // "aud": the service that verified it
  std::string issuer;               // "iss": always "protogate"
  std::string token_id;             // "jti": the token's own id (reused across calls)
};

// What an internal service does with the gateway's identity token: checks it
// came from the gateway (ES256 signature by a key of the gateway's JWKS,
// iss "protogate"), for this service (aud = the service's full name) and is
// still valid (exp, nbf, iat with a small clock skew). A service trusts the
// identity only through this check, never a header a client could have set.
//
// The gateway's keys come from one source:
//   - a JWKS file (SetJwksFile), the file the gateway writes via
//     auth.stamping.jwks_out. It may not exist yet (the services start
//     before the gateway): it is read on the first token, and again whenever
//     it changes (checked with stat() per verification) or a token names a
//     kid the loaded set lacks (at most once per second);
//   - a JWKS text (SetJwks), e.g. fetched from
//     /.well-known/protogate/jwks.json; fixed until replaced.
// With neither, every token is refused.
//
// Example:
//   IdentityVerifier verifier;
//   verifier.SetJwksFile("build/demo/gateway-jwks.json");
//   absl::StatusOr<VerifiedIdentity> who =
//       verifier.Verify(*context, "demo.users.v1.UserService");
//   if (!who.ok()) return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, ...);
//
// Failures are Unauthenticated with a reason meant for the caller of a demo
// (e.g. "token signed by an unknown key (kid \"x\")").
//
// Thread-safe: Verify may run concurrently on gRPC's threads. Reading the
// JWKS file is small blocking I/O on the calling thread, once per change of
// the file; acceptable for a demo service, not for the gateway's loops.
class IdentityVerifier {
 public:
  explicit IdentityVerifier(auth::Clock clock = auth::SystemClock());

  IdentityVerifier(const IdentityVerifier&) = delete;
  IdentityVerifier& operator=(const IdentityVerifier&) = delete;

  // Reads keys from `path` from now on (loaded lazily); empty: no source.
  void SetJwksFile(std::string path);
  // Uses these keys from now on; InvalidArgument (and no change) when
  // `jwks_json` is not a usable JWKS.
  absl::Status SetJwks(absl::string_view jwks_json);

  // Verifies the token of the call's metadata (exactly one
  // x-protogate-identity entry) for `audience`.
  absl::StatusOr<VerifiedIdentity> Verify(const grpc::ServerContextBase& context,
                                          absl::string_view audience);
  // Verifies one token; an empty token is "no identity token".
  absl::StatusOr<VerifiedIdentity> VerifyToken(absl::string_view token, absl::string_view audience);

 private:
  // Identifies a version of the JWKS file (the gateway replaces it by rename).
  struct FileVersion {
    bool exists = false;
    ino_t inode = 0;
    off_t size = 0;
    int64_t mtime_ns = 0;
    bool operator==(const FileVersion&) const = default;
  };

  // The current keys, re-reading the file when it changed (or, with
  // `kid_miss`, when it may have changed unseen); an error says why there
  // are none.
  absl::StatusOr<std::shared_ptr<const auth::KeySet>> Keys(bool kid_miss);
  absl::Status LoadFileLocked(const FileVersion& version) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const auth::Clock clock_;
  absl::Mutex mu_;
  std::string jwks_file_ ABSL_GUARDED_BY(mu_);
  FileVersion loaded_version_ ABSL_GUARDED_BY(mu_);
  absl::Time last_forced_load_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::shared_ptr<const auth::KeySet> keys_ ABSL_GUARDED_BY(mu_);
  absl::Status load_error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace protogate::demo_services
