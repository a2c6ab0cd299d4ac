#include "routing/http_template.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "routing/percent_encoding.h"

namespace protogate::routing {
namespace {

bool IsIdentStart(char c) { return absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_'; }

bool IsIdentChar(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string Quote(char c) {
  return absl::StrCat("'", absl::CHexEscape(absl::string_view(&c, 1)), "'");
}

struct ParsedTemplate {
  std::vector<TemplateSegment> segments;
  std::vector<TemplateVariable> variables;
  std::string verb;
};

// Recursive descent over `text`; positions in errors are byte offsets into
// the whole template. The verb is split off first because ':' is also a
// legal literal character and only the trailing one is a verb.
class TemplateParser {
 public:
  explicit TemplateParser(absl::string_view text) : text_(text), body_end_(text.size()) {}

  absl::StatusOr<ParsedTemplate> Parse() {
    if (text_.empty()) return Error(0, "the template is empty");
    if (text_[0] != '/') return Error(0, "expected '/' at the start");
    if (text_ == "/") return std::move(parsed_);  // The root: no segments.
    if (absl::Status s = SplitVerb(); !s.ok()) return s;
    pos_ = 1;
    if (absl::Status s = ParseSegments(/*in_variable=*/false); !s.ok()) return s;
    return std::move(parsed_);
  }

 private:
  absl::Status Error(size_t pos, absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid path template \"", absl::CHexEscape(text_), "\": ", what, " at position ", pos));
  }

  bool AtEnd() const { return pos_ >= body_end_; }
  char Peek() const { return text_[pos_]; }

  // The verb starts at the last ':' outside braces with no '/', '{' or '}'
  // after it.
  absl::Status SplitVerb() {
    size_t colon = absl::string_view::npos;
    int depth = 0;
    for (size_t i = 0; i < text_.size(); ++i) {
      const char c = text_[i];
      if (c == '{') {
        ++depth;
        colon = absl::string_view::npos;
      } else if (c == '}') {
        if (depth > 0) --depth;
        colon = absl::string_view::npos;
      } else if (c == '/') {
        if (depth == 0) colon = absl::string_view::npos;
      } else if (c == ':' && depth == 0) {
        colon = i;
      }
    }
    if (colon == absl::string_view::npos) return absl::OkStatus();
    if (colon + 1 == text_.size()) return Error(colon + 1, "expected a verb after ':'");
    if (colon == 1 || text_[colon - 1] == '/') {
      return Error(colon, "expected a segment before the verb");
    }
    absl::StatusOr<std::string> verb = DecodeLiteral(colon + 1, text_.size());
    if (!verb.ok()) return verb.status();
    parsed_.verb = *std::move(verb);
    body_end_ = colon;
    return absl::OkStatus();
  }

  // Segments = Segment { "/" Segment }; stops before a '}' in a variable.
  absl::Status ParseSegments(bool in_variable) {
    while (true) {
      if (absl::Status s = ParseSegment(in_variable); !s.ok()) return s;
      if (AtEnd()) return absl::OkStatus();
      const char c = Peek();
      if (c == '}') {
        return in_variable ? absl::OkStatus() : Error(pos_, "unbalanced '}'");
      }
      if (c != '/') return Error(pos_, absl::StrCat("expected '/' instead of ", Quote(c)));
      ++pos_;
      if (AtEnd() && !in_variable) return Error(pos_ - 1, "a trailing '/' is not allowed");
    }
  }

  absl::Status ParseSegment(bool in_variable) {
    if (AtEnd()) {
      return in_variable ? Error(pos_, "expected a segment or '}'")
                         : Error(pos_, "expected a segment");
    }
    if (multi_wildcard_pos_ != absl::string_view::npos) {
      return Error(multi_wildcard_pos_, "'**' is only allowed as the last segment");
    }
    switch (Peek()) {
      case '/':
        return Error(pos_, "empty segment");
      case '}':
        return in_variable ? Error(pos_, "expected a segment after '=' or '/'")
                           : Error(pos_, "unbalanced '}'");
      case '{':
        return in_variable ? Error(pos_, "nested variables are not allowed") : ParseVariable();
      case '*':
        return ParseWildcard(in_variable);
      default:
        return ParseLiteral(in_variable);
    }
  }

  absl::Status ParseWildcard(bool in_variable) {
    const size_t start = pos_;
    ++pos_;
    TemplateSegment segment{TemplateSegment::Kind::kSingleWildcard, ""};
    if (!AtEnd() && Peek() == '*') {
      ++pos_;
      segment.kind = TemplateSegment::Kind::kMultiWildcard;
      multi_wildcard_pos_ = start;
    }
    if (!AtEnd() && Peek() != '/' && !(in_variable && Peek() == '}')) {
      return Error(pos_, "'*' and '**' must be whole segments");
    }
    parsed_.segments.push_back(std::move(segment));
    return absl::OkStatus();
  }

  absl::Status ParseLiteral(bool in_variable) {
    const size_t start = pos_;
    while (!AtEnd() && Peek() != '/' && Peek() != '{' && Peek() != '}') ++pos_;
    absl::StatusOr<std::string> literal = DecodeLiteral(start, pos_);
    if (!literal.ok()) return literal.status();
    if (!AtEnd() && Peek() == '{') {
      return in_variable ? Error(pos_, "nested variables are not allowed")
                         : Error(pos_, "a variable must be a whole segment");
    }
    parsed_.segments.push_back({TemplateSegment::Kind::kLiteral, *std::move(literal)});
    return absl::OkStatus();
  }

  // Validates text_[begin, end) as LITERAL characters and decodes escapes.
  absl::StatusOr<std::string> DecodeLiteral(size_t begin, size_t end) const {
    for (size_t i = begin; i < end; ++i) {
      const char c = text_[i];
      if (c == '%') {
        if (i + 2 >= end || !IsHexDigit(text_[i + 1]) || !IsHexDigit(text_[i + 2])) {
          return Error(i, "invalid percent-encoding");
        }
        i += 2;
      } else if (c == '*') {
        return Error(i, "'*' is only allowed as a whole segment");
      } else if (!IsPathChar(c)) {
        return Error(i, absl::StrCat("invalid character ", Quote(c)));
      }
    }
    std::string decoded;
    AppendPercentDecoded(text_.substr(begin, end - begin), &decoded);
    return decoded;
  }

  // Variable = "{" FieldPath [ "=" Segments ] "}".
  absl::Status ParseVariable() {
    const size_t open = pos_;
    ++pos_;
    TemplateVariable variable;
    absl::StatusOr<std::vector<std::string>> field_path = ParseFieldPath();
    if (!field_path.ok()) return field_path.status();
    variable.field_path = *std::move(field_path);
    for (const TemplateVariable& other : parsed_.variables) {
      if (other.field_path == variable.field_path) {
        return Error(open + 1, absl::StrCat("field path '", absl::StrJoin(variable.field_path, "."),
                                            "' is bound twice"));
      }
    }
    variable.start_segment = static_cast<int>(parsed_.segments.size());
    if (AtEnd()) return Error(open, "unbalanced '{': missing '}'");
    if (Peek() == '=') {
      ++pos_;
      if (absl::Status s = ParseSegments(/*in_variable=*/true); !s.ok()) return s;
    } else if (Peek() == '}') {
      parsed_.segments.push_back({TemplateSegment::Kind::kSingleWildcard, ""});
    } else {
      return Error(pos_, absl::StrCat("invalid character ", Quote(Peek()),
                                      " in field path; expected '.', '=' or '}'"));
    }
    if (AtEnd()) return Error(open, "unbalanced '{': missing '}'");
    ++pos_;  // '}'
    variable.end_segment = static_cast<int>(parsed_.segments.size());
    variable.multi_segment = variable.end_segment - variable.start_segment > 1 ||
                             parsed_.segments.back().kind == TemplateSegment::Kind::kMultiWildcard;
    parsed_.variables.push_back(std::move(variable));
    return absl::OkStatus();
  }

  // FieldPath = IDENT { "." IDENT }, IDENT = [A-Za-z_][A-Za-z0-9_]*.
  absl::StatusOr<std::vector<std::string>> ParseFieldPath() {
    std::vector<std::string> field_path;
    while (true) {
      if (AtEnd() || !IsIdentStart(Peek())) return Error(pos_, "expected a field name");
      const size_t start = pos_;
      while (!AtEnd() && IsIdentChar(Peek())) ++pos_;
      field_path.emplace_back(text_.substr(start, pos_ - start));
      if (AtEnd() || Peek() != '.') return field_path;
      ++pos_;
    }
  }

  absl::string_view text_;
  size_t body_end_;  // where the verb's ':' is, or text_.size()
  size_t pos_ = 0;
  size_t multi_wildcard_pos_ = absl::string_view::npos;
  ParsedTemplate parsed_;
};

}  // namespace

absl::StatusOr<HttpTemplate> HttpTemplate::Parse(absl::string_view text) {
  absl::StatusOr<ParsedTemplate> parsed = TemplateParser(text).Parse();
  if (!parsed.ok()) return parsed.status();
  HttpTemplate result;
  result.segments_ = std::move(parsed->segments);
  result.variables_ = std::move(parsed->variables);
  result.verb_ = std::move(parsed->verb);
  return result;
}

std::string HttpTemplate::ToString() const {
  if (segments_.empty()) return "/";
  std::string out;
  auto next_variable = variables_.begin();
  int variable_end = -1;  // one past the last segment of the open variable
  const int last = static_cast<int>(segments_.size()) - 1;
  for (int i = 0; i <= last; ++i) {
    out.push_back('/');
    if (next_variable != variables_.end() && next_variable->start_segment == i) {
      absl::StrAppend(&out, "{", absl::StrJoin(next_variable->field_path, "."));
      variable_end = next_variable->end_segment;
      ++next_variable;
      // `{var=*}` is written in its short form `{var}`.
      if (variable_end == i + 1 && segments_[i].kind == TemplateSegment::Kind::kSingleWildcard) {
        out.push_back('}');
        continue;
      }
      out.push_back('=');
    }
    const TemplateSegment& segment = segments_[i];
    switch (segment.kind) {
      case TemplateSegment::Kind::kLiteral:
        // Outside a variable, a ':' in the last segment would read back as the verb.
        out += EncodeLiteral(segment.literal, i == last && variable_end <= i);
        break;
      case TemplateSegment::Kind::kSingleWildcard:
        out.push_back('*');
        break;
      case TemplateSegment::Kind::kMultiWildcard:
        out += "**";
        break;
    }
    if (variable_end == i + 1) out.push_back('}');
  }
  if (!verb_.empty()) absl::StrAppend(&out, ":", EncodeLiteral(verb_, /*encode_colon=*/true));
  return out;
}

}  // namespace protogate::routing
