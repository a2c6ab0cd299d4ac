#include "auth/token_stamper.h"

#include <openssl/pem.h>
#include <openssl/rand.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "auth/files.h"
#include "auth/jwks.h"
#include "auth/jwt.h"
#include "common/status_macros.h"
#include "observability/logger.h"

namespace protogate::auth {
namespace {

// A minted token is handed out for ttl / kReusedFor after it was signed.
constexpr int kReusedFor = 4;

// Everything a token says about its caller and service, each part
// length-prefixed so that no two callers share a key.
std::string CallerKey(const Identity& identity, absl::string_view audience) {
  std::string key;
  auto add = [&key](absl::string_view part) { absl::StrAppend(&key, part.size(), ":", part); };
  add(audience);
  add(identity.subject);
  add(identity.client_id);
  add(identity.authenticator);
  add(identity.issuer);
  for (const std::string& scope : identity.scopes) add(scope);
  return key;
}

absl::StatusOr<std::string> RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    return absl::InternalError(absl::StrCat("no random bytes: ", DrainOpenSslErrors()));
  }
  return absl::BytesToHexString(raw);
}

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};

absl::StatusOr<PkeyPtr> LoadOrReuseKey(const config::StampingConfig& config,
                                       const TokenStamper* previous, bool* generated) {
  *generated = config.signing_key_file.empty();
  if (!*generated) {
    ASSIGN_OR_RETURN(std::string pem, ReadKeyFile(config.signing_key_file, "signing key"));
    auto key = EcP256KeyFromPem(pem);
    if (!key.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(config.signing_key_file, ": ", key.status().message()));
    }
    return key;
  }
  if (previous != nullptr && previous->generated_key()) return PkeyPtr();  // reuse it
  PG_LOG(kWarn,
         "auth.stamping.signing_key_file is not set: signing internal tokens with a key "
         "generated in memory (services must fetch the gateway's JWKS again after a "
         "restart)");
  return GenerateEcP256Key();
}

}  // namespace

absl::StatusOr<PkeyPtr> GenerateEcP256Key() {
  EVP_PKEY* raw = EVP_EC_gen("P-256");
  if (raw == nullptr) {
    return absl::InternalError(absl::StrCat("cannot generate a key: ", DrainOpenSslErrors()));
  }
  return AdoptPkey(raw);
}

absl::StatusOr<PkeyPtr> EcP256KeyFromPem(absl::string_view pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return absl::InternalError("out of memory");
  PkeyPtr key = AdoptPkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a PEM private key: ", DrainOpenSslErrors()));
  }
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_EC || EVP_PKEY_get_bits(key.get()) != 256) {
    return absl::InvalidArgumentError("the signing key must be an EC P-256 key (ES256)");
  }
  return key;
}

absl::StatusOr<std::unique_ptr<TokenStamper>> TokenStamper::Create(
    const config::StampingConfig& config, const TokenStamper* previous, Clock clock) {
  std::unique_ptr<TokenStamper> stamper(new TokenStamper(config, std::move(clock)));
  ASSIGN_OR_RETURN(stamper->key_, LoadOrReuseKey(config, previous, &stamper->generated_));
  if (!stamper->key_) stamper->key_ = previous->key_;  // reused generated key
  ASSIGN_OR_RETURN(stamper->kid_, EcKeyThumbprint(stamper->key_.get()));
  ASSIGN_OR_RETURN(std::string jwk, PublicJwkOfEcKey(stamper->key_.get(), stamper->kid_));
  stamper->jwks_json_ = absl::StrCat(R"({"keys":[)", jwk, "]}");
  return stamper;
}

absl::StatusOr<std::string> TokenStamper::Mint(const Identity& identity,
                                               absl::string_view audience) const {
  const std::string key = CallerKey(identity, audience);
  if (std::optional<std::string> token = minted_.Get(key)) return *std::move(token);
  const absl::Time now = clock_();
  ASSIGN_OR_RETURN(std::string token, Sign(identity, audience, now));
  minted_.Put(key, token, now + absl::FromChrono(config_.ttl) / kReusedFor);
  return token;
}

absl::StatusOr<std::string> TokenStamper::Sign(const Identity& identity, absl::string_view audience,
                                               absl::Time now) const {
  const int64_t iat = absl::ToUnixSeconds(now);
  const int64_t ttl = std::chrono::duration_cast<std::chrono::seconds>(config_.ttl).count();
  ASSIGN_OR_RETURN(std::string jti, RandomHex(16));
  nlohmann::json header = {{"alg", "ES256"}, {"typ", "JWT"}, {"kid", kid_}};
  nlohmann::json payload = {{"iss", kStampIssuer},
                            {"sub", identity.subject},
                            {"client_id", identity.client_id},
                            {"scope", absl::StrJoin(identity.scopes, " ")},
                            {"amr", identity.authenticator},
                            {"idp", identity.issuer},
                            {"aud", std::string(audience)},
                            {"jti", std::move(jti)},
                            {"iat", iat},
                            {"exp", iat + ttl}};
  return SignEs256(header, payload, key_.get());
}

}  // namespace protogate::auth
