#pragma once

// API keys: generation, salted hashing and constant-time verification.
//
// A key is "<id>.<secret>", the secret being 32 random bytes in base64url:
// the id lets the gateway find the one stored hash to compare with (no scan
// over every key), and tells operators whose key leaked. Only the hash is
// stored: "sha256:<salt-hex>:<hex of SHA-256(salt || key)>", 16 random bytes
// of salt per key.
//
// Example:
//   std::string key = NewApiKey("partner-acme");   // show once, never store
//   std::string stored = HashApiKey(key);           // goes into the config
//   ApiKeyMatches(key, stored);                     // true
//
// Pure functions (randomness from OpenSSL's RAND_bytes); thread-safe.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace protogate::auth {

absl::StatusOr<std::string> NewApiKey(absl::string_view id);

// With a fresh random salt.
absl::StatusOr<std::string> HashApiKey(absl::string_view key);

// With a given salt (raw bytes), for tests.
std::string HashApiKeyWithSalt(absl::string_view key, absl::string_view salt);

// False for a malformed `stored` hash too. The digest comparison takes the
// same time wherever the first difference is (CRYPTO_memcmp).
bool ApiKeyMatches(absl::string_view key, absl::string_view stored);

// The id part of a key ("partner-acme" of "partner-acme.Zx…"); empty when
// the key has no '.'.
absl::string_view ApiKeyId(absl::string_view key);

}  // namespace protogate::auth
