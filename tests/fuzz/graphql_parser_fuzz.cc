// libFuzzer target: the GraphQL document parser on arbitrary bytes, with
// small limits so deep and long inputs reach them. The invariants: no crash,
// no hang; every refusal is a syntax error with a location inside the input.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "graphql/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace protogate::graphql;
  const absl::string_view source(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<Document> document = Parse(source, {.max_tokens = 2000, .max_depth = 32});
  if (document.ok()) return 0;
  const std::optional<Location> where = ErrorLocation(document.status());
  if (!where.has_value() || where->line < 1 || where->column < 1 ||
      static_cast<size_t>(where->line) > size + 1 ||
      !absl::StartsWith(document.status().message(), "Syntax Error: ")) {
    std::abort();
  }
  return 0;
}
