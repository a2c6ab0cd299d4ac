#pragma once

// Owning handles for OpenSSL objects, and the one place that turns OpenSSL's
// error queue into text for logs.
//
// A key (EVP_PKEY) is shared: a key set hands the same key to every request
// that verifies with it. OpenSSL 3 keys are safe to use for verification
// from several threads at once as long as nobody modifies them, and nothing
// here does after construction.

#include <openssl/bn.h>
#include <openssl/evp.h>

#include <memory>
#include <string>

namespace protogate::auth {

struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct EvpPkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
struct EvpMdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct BignumFree {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};

using PkeyPtr = std::shared_ptr<EVP_PKEY>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, EvpPkeyCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree>;
using BignumPtr = std::unique_ptr<BIGNUM, BignumFree>;

// Takes ownership of `key` (may be null: gives null).
inline PkeyPtr AdoptPkey(EVP_PKEY* key) { return PkeyPtr(key, EvpPkeyFree()); }

// Drains the calling thread's OpenSSL error queue into one line ("" if empty).
std::string DrainOpenSslErrors();

}  // namespace protogate::auth
