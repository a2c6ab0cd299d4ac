#include "auth/token_cache.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace protogate::auth {

std::string DigestOf(absl::string_view credential) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  EVP_Digest(credential.data(), credential.size(), digest, nullptr, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(digest), sizeof(digest));
}

}  // namespace protogate::auth
