#include "auth/api_key.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "auth/base64url.h"

namespace protogate::auth {
namespace {

constexpr size_t kSecretBytes = 32;
constexpr size_t kSaltBytes = 16;

absl::StatusOr<std::string> RandomBytes(size_t count) {
  std::string bytes(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) != 1) {
    return absl::InternalError("the random number generator failed");
  }
  return bytes;
}

std::string Sha256(absl::string_view salt, absl::string_view key) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  std::string input = absl::StrCat(salt, key);
  EVP_Digest(input.data(), input.size(), digest, nullptr, EVP_sha256(), nullptr);
  OPENSSL_cleanse(input.data(), input.size());
  return std::string(reinterpret_cast<char*>(digest), sizeof(digest));
}

}  // namespace

absl::StatusOr<std::string> NewApiKey(absl::string_view id) {
  auto secret = RandomBytes(kSecretBytes);
  if (!secret.ok()) return secret.status();
  return absl::StrCat(id, ".", Base64UrlEncode(*secret));
}

absl::StatusOr<std::string> HashApiKey(absl::string_view key) {
  auto salt = RandomBytes(kSaltBytes);
  if (!salt.ok()) return salt.status();
  return HashApiKeyWithSalt(key, *salt);
}

std::string HashApiKeyWithSalt(absl::string_view key, absl::string_view salt) {
  return absl::StrCat("sha256:", absl::BytesToHexString(salt), ":",
                      absl::BytesToHexString(Sha256(salt, key)));
}

bool ApiKeyMatches(absl::string_view key, absl::string_view stored) {
  if (!absl::ConsumePrefix(&stored, "sha256:")) return false;
  const size_t colon = stored.find(':');
  if (colon == absl::string_view::npos) return false;
  const std::string salt = absl::HexStringToBytes(stored.substr(0, colon));
  const std::string expected = absl::HexStringToBytes(stored.substr(colon + 1));
  if (salt.empty() || expected.size() != SHA256_DIGEST_LENGTH) return false;
  const std::string actual = Sha256(salt, key);
  return CRYPTO_memcmp(actual.data(), expected.data(), expected.size()) == 0;
}

absl::string_view ApiKeyId(absl::string_view key) {
  const size_t dot = key.rfind('.');
  return dot == absl::string_view::npos ? absl::string_view() : key.substr(0, dot);
}

}  // namespace protogate::auth
