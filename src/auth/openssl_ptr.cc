#include "auth/openssl_ptr.h"

#include <openssl/err.h>

#include "absl/strings/str_cat.h"

namespace protogate::auth {

std::string DrainOpenSslErrors() {
  std::string text;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    absl::StrAppend(&text, text.empty() ? "" : "; ", buffer);
  }
  return text;
}

}  // namespace protogate::auth
