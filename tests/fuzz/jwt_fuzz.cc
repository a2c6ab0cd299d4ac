// Fuzzes the JWT and JWKS parsers and signature verification on arbitrary
// bytes. Nothing may crash, leak or hang, and nothing the fuzzer writes may
// verify: the keys are generated at start-up, so no input can carry a valid
// signature. Canonical base64url must round-trip exactly.

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "auth/base64url.h"
#include "auth/jwks.h"
#include "auth/jwt.h"

namespace {

using protogate::auth::Jwk;
using protogate::auth::KeyType;

void Check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

const std::vector<Jwk>& Keys() {
  static const auto* keys = [] {
    auto* out = new std::vector<Jwk>;
    out->push_back({"rsa", "", KeyType::kRsa, protogate::auth::AdoptPkey(EVP_RSA_gen(2048))});
    out->push_back({"p256", "", KeyType::kEcP256, protogate::auth::AdoptPkey(EVP_EC_gen("P-256"))});
    out->push_back({"p384", "", KeyType::kEcP384, protogate::auth::AdoptPkey(EVP_EC_gen("P-384"))});
    out->push_back({"ed", "", KeyType::kEd25519,
                    protogate::auth::AdoptPkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"))});
    return out;
  }();
  return *keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);

  auto jwt = protogate::auth::ParseJwt(input, 8192);
  if (jwt.ok()) {
    Check(jwt->header.is_object() && jwt->payload.is_object(), "parsed parts are objects");
    Check(!jwt->signature.empty(), "parsed signature is non-empty");
    for (const Jwk& key : Keys()) {
      Check(!protogate::auth::VerifySignature(*jwt, key).ok(), "a fuzzed token verified");
    }
    Check(!protogate::auth::VerifyHmac(*jwt, "").ok(), "an empty secret verified");
    (void)protogate::auth::CheckClaims(*jwt, {.issuer = "i",
                                              .audiences = {"a"},
                                              .now = absl::FromUnixSeconds(1'800'000'000),
                                              .clock_skew = absl::Seconds(30)});
  }

  (void)protogate::auth::KeySet::Parse(input);

  if (auto decoded = protogate::auth::Base64UrlDecode(input)) {
    Check(protogate::auth::Base64UrlEncode(*decoded) == input, "base64url round trip");
  }
  return 0;
}
