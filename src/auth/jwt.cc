#include "auth/jwt.h"

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include <cmath>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "auth/base64url.h"
#include "common/json_text.h"
#include "common/status_macros.h"

namespace protogate::auth {
namespace {

using nlohmann::json;

struct AlgorithmInfo {
  JwsAlgorithm alg;
  absl::string_view name;
};
constexpr AlgorithmInfo kAlgorithms[] = {
    {JwsAlgorithm::kRs256, "RS256"}, {JwsAlgorithm::kRs384, "RS384"},
    {JwsAlgorithm::kRs512, "RS512"}, {JwsAlgorithm::kPs256, "PS256"},
    {JwsAlgorithm::kPs384, "PS384"}, {JwsAlgorithm::kPs512, "PS512"},
    {JwsAlgorithm::kEs256, "ES256"}, {JwsAlgorithm::kEs384, "ES384"},
    {JwsAlgorithm::kEdDsa, "EdDSA"}, {JwsAlgorithm::kHs256, "HS256"},
    {JwsAlgorithm::kHs384, "HS384"}, {JwsAlgorithm::kHs512, "HS512"}};

struct EcdsaSigFree {
  void operator()(ECDSA_SIG* sig) const { ECDSA_SIG_free(sig); }
};
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, EcdsaSigFree>;

absl::Status Refused(absl::string_view why) { return absl::UnauthenticatedError(why); }

const EVP_MD* DigestOf(JwsAlgorithm alg) {
  switch (alg) {
    case JwsAlgorithm::kRs256:
    case JwsAlgorithm::kPs256:
    case JwsAlgorithm::kEs256:
    case JwsAlgorithm::kHs256:
      return EVP_sha256();
    case JwsAlgorithm::kRs384:
    case JwsAlgorithm::kPs384:
    case JwsAlgorithm::kEs384:
    case JwsAlgorithm::kHs384:
      return EVP_sha384();
    case JwsAlgorithm::kRs512:
    case JwsAlgorithm::kPs512:
    case JwsAlgorithm::kHs512:
      return EVP_sha512();
    case JwsAlgorithm::kEdDsa:
      return nullptr;  // Ed25519 hashes internally
  }
  return nullptr;
}

bool IsPss(JwsAlgorithm alg) {
  return alg == JwsAlgorithm::kPs256 || alg == JwsAlgorithm::kPs384 || alg == JwsAlgorithm::kPs512;
}

bool IsEcdsa(JwsAlgorithm alg) {
  return alg == JwsAlgorithm::kEs256 || alg == JwsAlgorithm::kEs384;
}

size_t EcCoordinateBytes(JwsAlgorithm alg) { return alg == JwsAlgorithm::kEs256 ? 32 : 48; }

// nlohmann keeps the last of repeated members; a token whose signed header
// or payload says two things at once is refused instead.
absl::StatusOr<json> ParseJsonObject(absl::string_view text, absl::string_view part) {
  std::vector<std::set<std::string>> open_objects;
  bool duplicate = false;
  json::parser_callback_t track = [&](int /*depth*/, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) open_objects.emplace_back();
    if (event == json::parse_event_t::object_end && !open_objects.empty()) open_objects.pop_back();
    if (event == json::parse_event_t::key && !open_objects.empty() &&
        !open_objects.back().insert(parsed.get<std::string>()).second) {
      duplicate = true;
    }
    return true;
  };
  json doc = json::parse(text.begin(), text.end(), track, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return absl::InvalidArgumentError(absl::StrCat(part, " is not JSON"));
  if (!doc.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(part, " is not a JSON object"));
  }
  if (duplicate) return absl::InvalidArgumentError(absl::StrCat(part, " repeats a member"));
  return doc;
}

absl::StatusOr<json> DecodeJsonPart(absl::string_view encoded, absl::string_view part) {
  std::optional<std::string> bytes = Base64UrlDecode(encoded);
  if (!bytes) return absl::InvalidArgumentError(absl::StrCat(part, " is not base64url"));
  return ParseJsonObject(*bytes, part);
}

absl::Status ReadHeader(Jwt& jwt) {
  auto alg = jwt.header.find("alg");
  if (alg == jwt.header.end() || !alg->is_string()) {
    return absl::InvalidArgumentError("header has no \"alg\"");
  }
  std::optional<JwsAlgorithm> parsed = ParseJwsAlgorithm(alg->get_ref<const std::string&>());
  if (!parsed) {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported alg ", common::JsonText(*alg), " (\"none\" is never accepted)"));
  }
  jwt.alg = *parsed;
  if (jwt.header.contains("crit")) {
    return absl::InvalidArgumentError("critical header extensions are not supported");
  }
  if (auto kid = jwt.header.find("kid"); kid != jwt.header.end()) {
    if (!kid->is_string()) return absl::InvalidArgumentError("\"kid\" is not a string");
    jwt.kid = kid->get<std::string>();
  }
  return absl::OkStatus();
}

// JOSE carries ECDSA signatures as r || s, fixed width; OpenSSL wants DER.
absl::StatusOr<std::string> JoseToDer(absl::string_view signature, size_t coordinate_bytes) {
  if (signature.size() != 2 * coordinate_bytes) {
    return Refused("ECDSA signature has the wrong length");
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(signature.data());
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes, static_cast<int>(coordinate_bytes), nullptr);
  BIGNUM* s = BN_bin2bn(bytes + coordinate_bytes, static_cast<int>(coordinate_bytes), nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return absl::InternalError("out of memory");
  }
  unsigned char* der = nullptr;
  int length = i2d_ECDSA_SIG(sig.get(), &der);
  if (length <= 0) return absl::InternalError("cannot encode an ECDSA signature");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  return out;
}

absl::StatusOr<std::string> DerToJose(absl::string_view der, size_t coordinate_bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return absl::InternalError("OpenSSL produced an unreadable ECDSA signature");
  std::string out(2 * coordinate_bytes, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), bytes, static_cast<int>(coordinate_bytes)) < 0 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), bytes + coordinate_bytes,
                   static_cast<int>(coordinate_bytes)) < 0) {
    return absl::InternalError("ECDSA signature does not fit");
  }
  return out;
}

absl::Status SetPssPadding(EVP_PKEY_CTX* ctx, JwsAlgorithm alg) {
  if (!IsPss(alg)) return absl::OkStatus();
  if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) <= 0 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, DigestOf(alg)) <= 0) {
    return absl::InternalError(absl::StrCat("cannot set up RSA-PSS: ", DrainOpenSslErrors()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> HmacOf(JwsAlgorithm alg, absl::string_view secret,
                                   absl::string_view input) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(DigestOf(alg), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
           &length) == nullptr) {
    return absl::InternalError(absl::StrCat("HMAC failed: ", DrainOpenSslErrors()));
  }
  return std::string(reinterpret_cast<char*>(mac), length);
}

absl::StatusOr<std::string> SignWithKey(absl::string_view input, JwsAlgorithm alg, EVP_PKEY* key) {
  MdCtxPtr md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!md || EVP_DigestSignInit(md.get(), &pctx, DigestOf(alg), nullptr, key) <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("cannot sign: ", DrainOpenSslErrors()));
  }
  RETURN_IF_ERROR(SetPssPadding(pctx, alg));
  size_t length = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  if (EVP_DigestSign(md.get(), nullptr, &length, data, input.size()) <= 0) {
    return absl::InternalError(absl::StrCat("cannot sign: ", DrainOpenSslErrors()));
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, data,
                     input.size()) <= 0) {
    return absl::InternalError(absl::StrCat("cannot sign: ", DrainOpenSslErrors()));
  }
  signature.resize(length);
  if (IsEcdsa(alg)) return DerToJose(signature, EcCoordinateBytes(alg));
  return signature;
}

// A NumericDate; fractions are allowed by RFC 7519, huge values are not.
std::optional<absl::Time> TimeClaim(const json& payload, const char* name, bool* present) {
  auto it = payload.find(name);
  *present = it != payload.end();
  if (!*present || !it->is_number()) return std::nullopt;
  const double seconds = it->get<double>();
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 1e11) return std::nullopt;
  return absl::FromUnixSeconds(static_cast<int64_t>(seconds));
}

absl::Status CheckAudience(const json& payload, const std::vector<std::string>& audiences) {
  auto aud = payload.find("aud");
  if (aud == payload.end()) return Refused("no \"aud\" claim");
  auto accepted = [&](const json& value) {
    if (!value.is_string()) return false;
    for (const std::string& audience : audiences) {
      if (value.get_ref<const std::string&>() == audience) return true;
    }
    return false;
  };
  if (aud->is_string()) return accepted(*aud) ? absl::OkStatus() : Refused("wrong audience");
  if (aud->is_array()) {
    for (const json& value : *aud) {
      if (accepted(value)) return absl::OkStatus();
    }
    return Refused("wrong audience");
  }
  return Refused("\"aud\" is neither a string nor an array");
}

absl::Status CheckTimes(const json& payload, const ClaimChecks& checks) {
  bool present = false;
  std::optional<absl::Time> exp = TimeClaim(payload, "exp", &present);
  if (!exp) return Refused(present ? "\"exp\" is not a valid time" : "no \"exp\" claim");
  if (checks.now >= *exp + checks.clock_skew) return Refused("expired");
  std::optional<absl::Time> nbf = TimeClaim(payload, "nbf", &present);
  if (present && !nbf) return Refused("\"nbf\" is not a valid time");
  if (nbf && checks.now + checks.clock_skew < *nbf) return Refused("not valid yet (nbf)");
  std::optional<absl::Time> iat = TimeClaim(payload, "iat", &present);
  if (present && !iat) return Refused("\"iat\" is not a valid time");
  if (iat && checks.now + checks.clock_skew < *iat) return Refused("issued in the future (iat)");
  return absl::OkStatus();
}

}  // namespace

std::optional<JwsAlgorithm> ParseJwsAlgorithm(absl::string_view name) {
  for (const AlgorithmInfo& info : kAlgorithms) {
    if (info.name == name) return info.alg;
  }
  return std::nullopt;
}

absl::string_view JwsAlgorithmName(JwsAlgorithm alg) {
  for (const AlgorithmInfo& info : kAlgorithms) {
    if (info.alg == alg) return info.name;
  }
  return "?";
}

bool IsHmac(JwsAlgorithm alg) {
  return alg == JwsAlgorithm::kHs256 || alg == JwsAlgorithm::kHs384 || alg == JwsAlgorithm::kHs512;
}

absl::StatusOr<Jwt> ParseJwt(absl::string_view token, size_t max_bytes) {
  if (token.empty()) return absl::InvalidArgumentError("empty token");
  if (token.size() > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("token of ", token.size(), " bytes (limit ", max_bytes, ")"));
  }
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected 3 dot-separated parts, got ", parts.size()));
  }
  Jwt jwt;
  ASSIGN_OR_RETURN(jwt.header, DecodeJsonPart(parts[0], "header"));
  ASSIGN_OR_RETURN(jwt.payload, DecodeJsonPart(parts[1], "payload"));
  RETURN_IF_ERROR(ReadHeader(jwt));
  std::optional<std::string> signature = Base64UrlDecode(parts[2]);
  if (!signature || signature->empty()) {
    return absl::InvalidArgumentError("signature is missing or not base64url");
  }
  jwt.signature = *std::move(signature);
  jwt.signing_input = absl::StrCat(parts[0], ".", parts[1]);
  return jwt;
}

bool KeyFitsAlgorithm(const Jwk& key, JwsAlgorithm alg) {
  if (!key.alg.empty() && key.alg != JwsAlgorithmName(alg)) return false;
  switch (alg) {
    case JwsAlgorithm::kRs256:
    case JwsAlgorithm::kRs384:
    case JwsAlgorithm::kRs512:
    case JwsAlgorithm::kPs256:
    case JwsAlgorithm::kPs384:
    case JwsAlgorithm::kPs512:
      return key.type == KeyType::kRsa && EVP_PKEY_get_base_id(key.key.get()) == EVP_PKEY_RSA;
    case JwsAlgorithm::kEs256:
      return key.type == KeyType::kEcP256 && EVP_PKEY_get_base_id(key.key.get()) == EVP_PKEY_EC;
    case JwsAlgorithm::kEs384:
      return key.type == KeyType::kEcP384 && EVP_PKEY_get_base_id(key.key.get()) == EVP_PKEY_EC;
    case JwsAlgorithm::kEdDsa:
      return key.type == KeyType::kEd25519 &&
             EVP_PKEY_get_base_id(key.key.get()) == EVP_PKEY_ED25519;
    case JwsAlgorithm::kHs256:
    case JwsAlgorithm::kHs384:
    case JwsAlgorithm::kHs512:
      return false;
  }
  return false;
}

absl::Status VerifySignature(const Jwt& jwt, const Jwk& key) {
  if (!KeyFitsAlgorithm(key, jwt.alg)) {
    return Refused(absl::StrCat("key \"", key.kid, "\" cannot verify ", JwsAlgorithmName(jwt.alg)));
  }
  std::string signature = jwt.signature;
  if (IsEcdsa(jwt.alg)) {
    ASSIGN_OR_RETURN(signature, JoseToDer(jwt.signature, EcCoordinateBytes(jwt.alg)));
  }
  MdCtxPtr md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!md ||
      EVP_DigestVerifyInit(md.get(), &pctx, DigestOf(jwt.alg), nullptr, key.key.get()) <= 0) {
    return absl::InternalError(absl::StrCat("cannot verify: ", DrainOpenSslErrors()));
  }
  RETURN_IF_ERROR(SetPssPadding(pctx, jwt.alg));
  const int verified = EVP_DigestVerify(
      md.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
      reinterpret_cast<const unsigned char*>(jwt.signing_input.data()), jwt.signing_input.size());
  if (verified != 1) {
    DrainOpenSslErrors();  // a bad signature leaves errors queued on this thread
    return Refused("signature mismatch");
  }
  return absl::OkStatus();
}

absl::Status VerifyHmac(const Jwt& jwt, absl::string_view secret) {
  if (!IsHmac(jwt.alg)) return Refused("not an HMAC token");
  if (secret.empty()) return Refused("no HMAC secret configured");
  ASSIGN_OR_RETURN(std::string expected, HmacOf(jwt.alg, secret, jwt.signing_input));
  if (expected.size() != jwt.signature.size() ||
      CRYPTO_memcmp(expected.data(), jwt.signature.data(), expected.size()) != 0) {
    return Refused("signature mismatch");
  }
  return absl::OkStatus();
}

std::optional<absl::Time> ExpiresAt(const Jwt& jwt) {
  bool present = false;
  return TimeClaim(jwt.payload, "exp", &present);
}

absl::Status CheckClaims(const Jwt& jwt, const ClaimChecks& checks) {
  auto iss = jwt.payload.find("iss");
  if (iss == jwt.payload.end() || !iss->is_string() ||
      iss->get_ref<const std::string&>() != checks.issuer) {
    return Refused("wrong issuer");
  }
  RETURN_IF_ERROR(CheckAudience(jwt.payload, checks.audiences));
  return CheckTimes(jwt.payload, checks);
}

absl::StatusOr<std::string> SignJwt(const json& header, const json& payload, JwsAlgorithm alg,
                                    EVP_PKEY* private_key, absl::string_view secret) {
  const std::string input = absl::StrCat(Base64UrlEncode(common::JsonText(header)), ".",
                                         Base64UrlEncode(common::JsonText(payload)));
  std::string signature;
  if (IsHmac(alg)) {
    ASSIGN_OR_RETURN(signature, HmacOf(alg, secret, input));
  } else {
    if (private_key == nullptr) return absl::InvalidArgumentError("no private key");
    ASSIGN_OR_RETURN(signature, SignWithKey(input, alg, private_key));
  }
  return absl::StrCat(input, ".", Base64UrlEncode(signature));
}

absl::StatusOr<std::string> SignEs256(const json& header, const json& payload,
                                      EVP_PKEY* private_key) {
  return SignJwt(header, payload, JwsAlgorithm::kEs256, private_key);
}

}  // namespace protogate::auth
