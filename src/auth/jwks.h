#pragma once

// JSON Web Key Sets (RFC 7517) → OpenSSL public keys.
//
// Understood keys: kty "RSA" (n, e; at least 2048 bits), kty "EC" (crv P-256
// or P-384, x, y; the point must be on the curve), kty "OKP" (crv Ed25519, x).
// Keys whose "use" is not "sig", of another kty (e.g. "oct": a JWKS never
// carries HMAC secrets for us) or of another curve are skipped, not errors,
// since real key sets mix key kinds; a malformed key of a known kind is an
// error, and so is a set with no usable key.
//
// Example:
//   ASSIGN_OR_RETURN(KeySet keys, KeySet::Parse(json_text));
//   const Jwk* key = keys.Find("2024-05");   // nullptr: unknown kid
//
// Immutable after Parse; safe to share between threads.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "auth/openssl_ptr.h"

namespace protogate::auth {

enum class KeyType { kRsa, kEcP256, kEcP384, kEd25519 };

struct Jwk {
  std::string kid{};  // may be empty
  std::string alg{};  // the key's declared "alg"; empty when absent
  KeyType type = KeyType::kRsa;
  PkeyPtr key{};
};

class KeySet {
 public:
  KeySet() = default;

  // InvalidArgument naming the offending key ("keys[2]: ...").
  static absl::StatusOr<KeySet> Parse(absl::string_view json_text);

  // The key with this kid, or nullptr.
  const Jwk* Find(absl::string_view kid) const;
  const std::vector<Jwk>& keys() const { return keys_; }
  bool empty() const { return keys_.empty(); }

 private:
  std::vector<Jwk> keys_{};
};

// The public JWK of an EC P-256 key as a JSON object text with kty, crv, x,
// y, use "sig", alg "ES256" and `kid`.
absl::StatusOr<std::string> PublicJwkOfEcKey(EVP_PKEY* key, absl::string_view kid);

// The public JWK of an RSA key (at least 2048 bits, as Parse requires) as a
// JSON object text with kty, n, e, use "sig", alg "RS256" and `kid`.
absl::StatusOr<std::string> PublicJwkOfRsaKey(EVP_PKEY* key, absl::string_view kid);

// RFC 7638 thumbprint (SHA-256, base64url) of an EC P-256 public key.
absl::StatusOr<std::string> EcKeyThumbprint(EVP_PKEY* key);

}  // namespace protogate::auth
