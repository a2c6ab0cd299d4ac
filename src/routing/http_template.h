#pragma once

// A parsed google.api.http path template.
//
// Grammar (google/api/http.proto):
//   Template = "/" Segments [ Verb ] ;
//   Segments = Segment { "/" Segment } ;
//   Segment  = "*" | "**" | LITERAL | Variable ;
//   Variable = "{" FieldPath [ "=" Segments ] "}" ;
//   FieldPath = IDENT { "." IDENT } ;
//   Verb     = ":" LITERAL ;
// `{var}` is shorthand for `{var=*}`. `**` may appear only as the last
// segment. Variables do not nest.
//
// Details this parser settles: "/" is the root (no segments); a trailing '/'
// is an error; the verb is the text after the last ':' of the last segment
// outside braces (other ':' are literal characters); literals and the verb
// are stored percent-decoded ("%2F" -> "/").
//
// Example:
//   auto t = HttpTemplate::Parse("/v1/{name=shelves/*/books/*}:publish");
//   t->segments()  -> "v1", "shelves", "*", "books", "*"
//   t->variables() -> {field_path: ["name"], start: 1, end: 5}
//   t->verb()      -> "publish"
//
// Immutable after Parse; safe to share between threads.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace protogate::routing {

struct TemplateSegment {
  enum class Kind { kLiteral, kSingleWildcard, kMultiWildcard };
  Kind kind = Kind::kLiteral;
  std::string literal;  // set when kind == kLiteral

  friend bool operator==(const TemplateSegment&, const TemplateSegment&) = default;
};

struct TemplateVariable {
  std::vector<std::string> field_path;  // "a.b.c" -> {"a", "b", "c"}
  int start_segment = 0;                // first segment index covered
  int end_segment = 0;                  // one past the last covered segment
  bool multi_segment = false;           // covers more than one segment or a `**`

  friend bool operator==(const TemplateVariable&, const TemplateVariable&) = default;
};

class HttpTemplate {
 public:
  // Parses `text`; an invalid template gives InvalidArgument naming the
  // position (a 0-based byte offset into `text`) and what was expected.
  static absl::StatusOr<HttpTemplate> Parse(absl::string_view text);

  const std::vector<TemplateSegment>& segments() const { return segments_; }
  const std::vector<TemplateVariable>& variables() const { return variables_; }
  const std::string& verb() const { return verb_; }  // empty when none

  // The template as written in canonical form, e.g. "/v1/{name=shelves/*}:get".
  std::string ToString() const;

 private:
  std::vector<TemplateSegment> segments_;
  std::vector<TemplateVariable> variables_;
  std::string verb_;
};

}  // namespace protogate::routing
