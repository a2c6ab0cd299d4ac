#include "graphql/parser.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/utf8.h"

namespace protogate::graphql {
namespace {

constexpr char kLocationPayload[] = "type.protogate.dev/graphql.Location";

enum class TokenKind {
  kEof,
  kBang,
  kDollar,
  kAmp,
  kParenL,
  kParenR,
  kSpread,
  kColon,
  kEquals,
  kAt,
  kBracketL,
  kBracketR,
  kBraceL,
  kPipe,
  kBraceR,
  kName,
  kInt,
  kFloat,
  kString,
  kBlockString,
};

struct Token {
  TokenKind kind = TokenKind::kEof;
  Location location;
  std::string value;  // names and numbers as written; strings decoded
};

bool IsNameStart(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsNameContinue(char c) { return IsNameStart(c) || IsDigit(c); }

// How graphql-js names a character in its messages.
std::string DescribeChar(absl::string_view source, size_t pos) {
  if (pos >= source.size()) return "<EOF>";
  const unsigned char c = static_cast<unsigned char>(source[pos]);
  if (c >= 0x20 && c < 0x7F)
    return c == '"' ? R"("\"")" : absl::StrCat("\"", std::string(1, c), "\"");
  if (c < 0x80) return absl::StrFormat("U+%04X", c);
  // A non-ASCII character: name its code point (the source is valid UTF-8).
  uint32_t code = 0;
  int length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
  code = c & (0xFF >> (length + 1));
  for (int i = 1; i < length && pos + i < source.size(); ++i) {
    code = (code << 6) | (static_cast<unsigned char>(source[pos + i]) & 0x3F);
  }
  return absl::StrFormat("U+%04X", code);
}

std::string DescribeToken(const Token& token) {
  switch (token.kind) {
    case TokenKind::kEof:
      return "<EOF>";
    case TokenKind::kBang:
      return "\"!\"";
    case TokenKind::kDollar:
      return "\"$\"";
    case TokenKind::kAmp:
      return "\"&\"";
    case TokenKind::kParenL:
      return "\"(\"";
    case TokenKind::kParenR:
      return "\")\"";
    case TokenKind::kSpread:
      return "\"...\"";
    case TokenKind::kColon:
      return "\":\"";
    case TokenKind::kEquals:
      return "\"=\"";
    case TokenKind::kAt:
      return "\"@\"";
    case TokenKind::kBracketL:
      return "\"[\"";
    case TokenKind::kBracketR:
      return "\"]\"";
    case TokenKind::kBraceL:
      return "\"{\"";
    case TokenKind::kPipe:
      return "\"|\"";
    case TokenKind::kBraceR:
      return "\"}\"";
    case TokenKind::kName:
      return absl::StrCat("Name \"", token.value, "\"");
    case TokenKind::kInt:
      return absl::StrCat("Int \"", token.value, "\"");
    case TokenKind::kFloat:
      return absl::StrCat("Float \"", token.value, "\"");
    case TokenKind::kString:
      return "String";
    case TokenKind::kBlockString:
      return "BlockString";
  }
  return "token";
}

absl::Status SyntaxError(Location location, absl::string_view message) {
  absl::Status status = absl::InvalidArgumentError(absl::StrCat("Syntax Error: ", message, "."));
  status.SetPayload(kLocationPayload,
                    absl::Cord(absl::StrCat(location.line, ":", location.column)));
  return status;
}

size_t Utf8SequenceLength(absl::string_view s, size_t pos) {
  return common::Utf8SequenceLength(reinterpret_cast<const unsigned char*>(s.data()) + pos,
                                    s.size() - pos);
}

using common::AppendUtf8;

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// §2.9.4 BlockStringValue: common indentation and blank first and last
// lines removed, lines joined with "\n".
std::string BlockStringValue(absl::string_view raw) {
  std::vector<absl::string_view> lines;
  for (size_t start = 0, i = 0;; ++i) {
    if (i == raw.size()) {
      lines.push_back(raw.substr(start));
      break;
    }
    if (raw[i] == '\n' || raw[i] == '\r') {
      lines.push_back(raw.substr(start, i - start));
      if (raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') ++i;
      start = i + 1;
    }
  }
  auto indent_of = [](absl::string_view line) {
    size_t n = 0;
    while (n < line.size() && (line[n] == ' ' || line[n] == '\t')) ++n;
    return n;
  };
  size_t common = absl::string_view::npos;
  for (size_t i = 1; i < lines.size(); ++i) {
    const size_t indent = indent_of(lines[i]);
    if (indent < lines[i].size() && indent < common) common = indent;
  }
  if (common != absl::string_view::npos) {
    for (size_t i = 1; i < lines.size(); ++i) {
      lines[i].remove_prefix(std::min(common, lines[i].size()));
    }
  }
  size_t first = 0;
  size_t last = lines.size();
  while (first < last && indent_of(lines[first]) == lines[first].size()) ++first;
  while (last > first && indent_of(lines[last - 1]) == lines[last - 1].size()) --last;
  std::string out;
  for (size_t i = first; i < last; ++i) {
    if (i > first) out.push_back('\n');
    out.append(lines[i].data(), lines[i].size());
  }
  return out;
}

class Lexer {
 public:
  explicit Lexer(absl::string_view source) : source_(source) {}

  absl::Status Next(Token* token) {
    SkipIgnored();
    token->location = LocationAt(pos_);
    token->value.clear();
    if (pos_ >= source_.size()) {
      token->kind = TokenKind::kEof;
      return absl::OkStatus();
    }
    const char c = source_[pos_];
    auto punctuator = [&](TokenKind kind) {
      token->kind = kind;
      ++pos_;
      return absl::OkStatus();
    };
    switch (c) {
      case '!':
        return punctuator(TokenKind::kBang);
      case '$':
        return punctuator(TokenKind::kDollar);
      case '&':
        return punctuator(TokenKind::kAmp);
      case '(':
        return punctuator(TokenKind::kParenL);
      case ')':
        return punctuator(TokenKind::kParenR);
      case ':':
        return punctuator(TokenKind::kColon);
      case '=':
        return punctuator(TokenKind::kEquals);
      case '@':
        return punctuator(TokenKind::kAt);
      case '[':
        return punctuator(TokenKind::kBracketL);
      case ']':
        return punctuator(TokenKind::kBracketR);
      case '{':
        return punctuator(TokenKind::kBraceL);
      case '|':
        return punctuator(TokenKind::kPipe);
      case '}':
        return punctuator(TokenKind::kBraceR);
      case '.':
        if (source_.substr(pos_, 3) == "...") {
          token->kind = TokenKind::kSpread;
          pos_ += 3;
          return absl::OkStatus();
        }
        break;
      case '"':
        if (source_.substr(pos_, 3) == "\"\"\"") return ReadBlockString(token);
        return ReadString(token);
      default:
        break;
    }
    if (IsNameStart(c)) {
      const size_t start = pos_;
      while (pos_ < source_.size() && IsNameContinue(source_[pos_])) ++pos_;
      token->kind = TokenKind::kName;
      token->value.assign(source_.data() + start, pos_ - start);
      return absl::OkStatus();
    }
    if (c == '-' || IsDigit(c)) return ReadNumber(token);
    return SyntaxError(token->location,
                       absl::StrCat("Unexpected character: ", DescribeChar(source_, pos_)));
  }

 private:
  void SkipIgnored() {
    while (pos_ < source_.size()) {
      const char c = source_[pos_];
      if (c == ' ' || c == '\t' || c == ',') {
        ++pos_;
      } else if (c == '\n' || c == '\r') {
        ++pos_;
        if (c == '\r' && pos_ < source_.size() && source_[pos_] == '\n') ++pos_;
        NewLine();
      } else if (source_.substr(pos_, 3) == "\xEF\xBB\xBF") {  // U+FEFF, ignored anywhere
        pos_ += 3;
      } else if (c == '#') {
        while (pos_ < source_.size() && source_[pos_] != '\n' && source_[pos_] != '\r') ++pos_;
      } else {
        return;
      }
    }
  }

  void NewLine() {
    ++line_;
    column_pos_ = pos_;
    column_ = 1;
  }

  // Columns are code points from the line's start, counted once as the
  // lexer moves forward (tokens come in order).
  Location LocationAt(size_t pos) {
    for (; column_pos_ < pos; ++column_pos_) {
      if ((static_cast<unsigned char>(source_[column_pos_]) & 0xC0) != 0x80) ++column_;
    }
    return {line_, column_};
  }

  absl::Status ErrorAt(size_t pos, absl::string_view message) {
    return SyntaxError(LocationAt(pos), message);
  }

  absl::Status ReadNumber(Token* token) {
    const size_t start = pos_;
    bool is_float = false;
    auto peek = [&] { return pos_ < source_.size() ? source_[pos_] : '\0'; };
    auto expected_digit = [&] {
      return ErrorAt(pos_, absl::StrCat("Invalid number, expected digit but got: ",
                                        DescribeChar(source_, pos_)));
    };
    auto read_digits = [&]() -> bool {
      if (!IsDigit(peek())) return false;
      while (IsDigit(peek())) ++pos_;
      return true;
    };
    if (peek() == '-') ++pos_;
    if (peek() == '0') {
      ++pos_;
      if (IsDigit(peek())) {
        return ErrorAt(pos_, absl::StrCat("Invalid number, unexpected digit after 0: ",
                                          DescribeChar(source_, pos_)));
      }
    } else if (!read_digits()) {
      return expected_digit();
    }
    if (peek() == '.') {
      is_float = true;
      ++pos_;
      if (!read_digits()) return expected_digit();
    }
    if (peek() == 'e' || peek() == 'E') {
      is_float = true;
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (!read_digits()) return expected_digit();
    }
    if (peek() == '.' || IsNameStart(peek())) return expected_digit();
    token->kind = is_float ? TokenKind::kFloat : TokenKind::kInt;
    token->value.assign(source_.data() + start, pos_ - start);
    return absl::OkStatus();
  }

  // A character of a string's source, or an error: no control characters
  // but tab, and valid UTF-8 only.
  absl::Status TakeSourceChar(std::string* out) {
    const unsigned char c = static_cast<unsigned char>(source_[pos_]);
    if (c < 0x20 && c != '\t') {
      return ErrorAt(pos_, absl::StrFormat("Invalid character within String: U+%04X", c));
    }
    const size_t length = Utf8SequenceLength(source_, pos_);
    if (length == 0) return ErrorAt(pos_, "Invalid UTF-8 within String");
    out->append(source_.data() + pos_, length);
    pos_ += length;
    return absl::OkStatus();
  }

  absl::Status ReadString(Token* token) {
    const size_t start = pos_++;
    std::string& out = token->value;
    while (pos_ < source_.size()) {
      const char c = source_[pos_];
      if (c == '"') {
        ++pos_;
        token->kind = TokenKind::kString;
        return absl::OkStatus();
      }
      if (c == '\n' || c == '\r') break;
      if (c != '\\') {
        if (absl::Status s = TakeSourceChar(&out); !s.ok()) return s;
        continue;
      }
      if (absl::Status s = ReadEscape(&out); !s.ok()) return s;
    }
    return ErrorAt(start, "Unterminated string");
  }

  // pos_ at '\\'.
  absl::Status ReadEscape(std::string* out) {
    const size_t start = pos_;
    const char e = pos_ + 1 < source_.size() ? source_[pos_ + 1] : '\0';
    const char* simple = nullptr;
    switch (e) {
      case '"':
        simple = "\"";
        break;
      case '\\':
        simple = "\\";
        break;
      case '/':
        simple = "/";
        break;
      case 'b':
        simple = "\b";
        break;
      case 'f':
        simple = "\f";
        break;
      case 'n':
        simple = "\n";
        break;
      case 'r':
        simple = "\r";
        break;
      case 't':
        simple = "\t";
        break;
      default:
        break;
    }
    if (simple != nullptr) {
      out->append(simple);
      pos_ += 2;
      return absl::OkStatus();
    }
    if (e != 'u') {
      return ErrorAt(start, absl::StrCat("Invalid character escape sequence: \"",
                                         source_.substr(start, e == '\0' ? 1 : 2), "\""));
    }
    uint32_t code;
    size_t length;
    if (!ReadUnicodeEscape(start, &code, &length)) return InvalidUnicodeEscape(start, length);
    if (code >= 0xD800 && code <= 0xDBFF) {
      // A leading surrogate needs its trailing half in the next escape.
      uint32_t low;
      size_t low_length;
      if (source_.substr(start + length, 2) == "\\u" &&
          ReadUnicodeEscape(start + length, &low, &low_length) && low >= 0xDC00 && low <= 0xDFFF) {
        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
        length += low_length;
      } else {
        return InvalidUnicodeEscape(start, length);
      }
    } else if (code >= 0xDC00 && code <= 0xDFFF) {
      return InvalidUnicodeEscape(start, length);
    }
    AppendUtf8(code, out);
    pos_ = start + length;
    return absl::OkStatus();
  }

  absl::Status InvalidUnicodeEscape(size_t start, size_t length) {
    const size_t shown = std::min(std::max<size_t>(length, 2), source_.size() - start);
    return ErrorAt(start, absl::StrCat("Invalid Unicode escape sequence: \"",
                                       source_.substr(start, shown), "\""));
  }

  // `\uXXXX` or `\u{X...}` at `start`: its code point and length. On
  // failure `length` is how much of it was read.
  bool ReadUnicodeEscape(size_t start, uint32_t* code, size_t* length) {
    size_t i = start + 2;
    *code = 0;
    if (i < source_.size() && source_[i] == '{') {
      ++i;
      size_t digits = 0;
      while (i < source_.size() && HexDigit(source_[i]) >= 0) {
        *code = (*code << 4) | static_cast<uint32_t>(HexDigit(source_[i]));
        ++i;
        if (++digits > 6 || *code > 0x10FFFF) {
          *length = i - start;
          return false;
        }
      }
      const bool closed = i < source_.size() && source_[i] == '}' && digits > 0;
      *length = i - start + (closed ? 1 : 0);
      return closed;
    }
    for (int n = 0; n < 4; ++n, ++i) {
      const int digit = i < source_.size() ? HexDigit(source_[i]) : -1;
      if (digit < 0) {
        *length = i - start + (i < source_.size() ? 1 : 0);
        return false;
      }
      *code = (*code << 4) | static_cast<uint32_t>(digit);
    }
    *length = 6;
    return true;
  }

  absl::Status ReadBlockString(Token* token) {
    const size_t start = pos_;
    pos_ += 3;
    std::string raw;
    while (pos_ < source_.size()) {
      if (source_.substr(pos_, 3) == "\"\"\"") {
        pos_ += 3;
        token->kind = TokenKind::kBlockString;
        token->value = BlockStringValue(raw);
        return absl::OkStatus();
      }
      if (source_.substr(pos_, 4) == "\\\"\"\"") {
        raw.append("\"\"\"");
        pos_ += 4;
        continue;
      }
      const char c = source_[pos_];
      if (c == '\n' || c == '\r') {
        raw.push_back(c);
        ++pos_;
        if (c == '\r' && pos_ < source_.size() && source_[pos_] == '\n') {
          raw.push_back('\n');
          ++pos_;
        }
        NewLine();
        continue;
      }
      if (absl::Status s = TakeSourceChar(&raw); !s.ok()) return s;
    }
    return ErrorAt(start, "Unterminated string");
  }

  absl::string_view source_;
  size_t pos_ = 0;
  int line_ = 1;
  size_t column_pos_ = 0;  // LocationAt has counted columns up to here
  int column_ = 1;
};

class Parser {
 public:
  Parser(absl::string_view source, const ParseLimits& limits) : lexer_(source), limits_(limits) {}

  absl::StatusOr<Document> ParseDocument() {
    if (absl::Status s = Advance(); !s.ok()) return s;
    Document document;
    if (Is(TokenKind::kEof)) return Unexpected();
    while (!Is(TokenKind::kEof)) {
      absl::Status s = ParseDefinition(&document);
      if (!s.ok()) return s;
    }
    return document;
  }

 private:
  bool Is(TokenKind kind) const { return token_.kind == kind; }
  bool IsName(absl::string_view name) const { return Is(TokenKind::kName) && token_.value == name; }

  absl::Status Advance() {
    if (++tokens_ > limits_.max_tokens) {
      return SyntaxError(token_.location, absl::StrCat("Document contains more than ",
                                                       limits_.max_tokens, " tokens"));
    }
    return lexer_.Next(&token_);
  }

  absl::Status Unexpected() {
    return SyntaxError(token_.location, absl::StrCat("Unexpected ", DescribeToken(token_)));
  }

  absl::Status Expect(TokenKind kind, absl::string_view what) {
    if (!Is(kind)) {
      return SyntaxError(token_.location,
                         absl::StrCat("Expected ", what, ", found ", DescribeToken(token_)));
    }
    return Advance();
  }

  absl::Status ExpectName(std::string* name) {
    if (!Is(TokenKind::kName)) {
      return SyntaxError(token_.location,
                         absl::StrCat("Expected Name, found ", DescribeToken(token_)));
    }
    *name = std::move(token_.value);
    return Advance();
  }

  // Nesting is bounded so no document can exhaust the stack.
  absl::Status Enter() {
    if (++depth_ > limits_.max_depth) {
      return SyntaxError(token_.location,
                         absl::StrCat("Document nesting deeper than ", limits_.max_depth));
    }
    return absl::OkStatus();
  }
  void Leave() { --depth_; }

  absl::Status ParseDefinition(Document* document) {
    if (Is(TokenKind::kBraceL)) {
      Operation& operation = document->operations.emplace_back();
      operation.location = token_.location;
      return ParseSelectionSet(&operation.selections);
    }
    if (IsName("query") || IsName("mutation") || IsName("subscription")) {
      return ParseOperation(&document->operations.emplace_back());
    }
    if (IsName("fragment")) return ParseFragment(&document->fragments.emplace_back());
    return Unexpected();
  }

  absl::Status ParseOperation(Operation* operation) {
    operation->location = token_.location;
    operation->type = token_.value == "query"      ? Operation::Type::kQuery
                      : token_.value == "mutation" ? Operation::Type::kMutation
                                                   : Operation::Type::kSubscription;
    if (absl::Status s = Advance(); !s.ok()) return s;
    if (Is(TokenKind::kName)) {
      if (absl::Status s = ExpectName(&operation->name); !s.ok()) return s;
    }
    if (Is(TokenKind::kParenL)) {
      if (absl::Status s = ParseVariableDefinitions(&operation->variables); !s.ok()) return s;
    }
    if (absl::Status s = ParseDirectives(/*constant=*/false, &operation->directives); !s.ok()) {
      return s;
    }
    return ParseSelectionSet(&operation->selections);
  }

  absl::Status ParseVariableDefinitions(std::vector<VariableDefinition>* out) {
    if (absl::Status s = Advance(); !s.ok()) return s;  // '('
    do {
      VariableDefinition& variable = out->emplace_back();
      variable.location = token_.location;
      if (absl::Status s = Expect(TokenKind::kDollar, "\"$\""); !s.ok()) return s;
      if (absl::Status s = ExpectName(&variable.name); !s.ok()) return s;
      if (absl::Status s = Expect(TokenKind::kColon, "\":\""); !s.ok()) return s;
      if (absl::Status s = ParseType(&variable.type); !s.ok()) return s;
      if (Is(TokenKind::kEquals)) {
        if (absl::Status s = Advance(); !s.ok()) return s;
        variable.default_value.emplace();
        if (absl::Status s = ParseValue(/*constant=*/true, &*variable.default_value); !s.ok()) {
          return s;
        }
      }
      if (absl::Status s = ParseDirectives(/*constant=*/true, &variable.directives); !s.ok()) {
        return s;
      }
    } while (!Is(TokenKind::kParenR));
    return Advance();
  }

  absl::Status ParseType(TypeRef* type) {
    if (absl::Status s = Enter(); !s.ok()) return s;
    type->location = token_.location;
    if (Is(TokenKind::kBracketL)) {
      if (absl::Status s = Advance(); !s.ok()) return s;
      type->kind = TypeRef::Kind::kList;
      if (absl::Status s = ParseType(&type->of.emplace_back()); !s.ok()) return s;
      if (absl::Status s = Expect(TokenKind::kBracketR, "\"]\""); !s.ok()) return s;
    } else {
      type->kind = TypeRef::Kind::kNamed;
      if (absl::Status s = ExpectName(&type->name); !s.ok()) return s;
    }
    if (Is(TokenKind::kBang)) {
      TypeRef inner = std::move(*type);
      *type = TypeRef();
      type->kind = TypeRef::Kind::kNonNull;
      type->location = inner.location;
      type->of.push_back(std::move(inner));
      if (absl::Status s = Advance(); !s.ok()) return s;
    }
    Leave();
    return absl::OkStatus();
  }

  absl::Status ParseFragment(Fragment* fragment) {
    fragment->location = token_.location;
    if (absl::Status s = Advance(); !s.ok()) return s;  // 'fragment'
    if (IsName("on")) return Unexpected();
    if (absl::Status s = ExpectName(&fragment->name); !s.ok()) return s;
    if (!IsName("on")) {
      return SyntaxError(token_.location,
                         absl::StrCat("Expected \"on\", found ", DescribeToken(token_)));
    }
    if (absl::Status s = Advance(); !s.ok()) return s;
    if (absl::Status s = ExpectName(&fragment->type_condition); !s.ok()) return s;
    if (absl::Status s = ParseDirectives(/*constant=*/false, &fragment->directives); !s.ok()) {
      return s;
    }
    return ParseSelectionSet(&fragment->selections);
  }

  absl::Status ParseSelectionSet(std::vector<Selection>* out) {
    if (absl::Status s = Enter(); !s.ok()) return s;
    if (absl::Status s = Expect(TokenKind::kBraceL, "\"{\""); !s.ok()) return s;
    do {
      if (absl::Status s = ParseSelection(&out->emplace_back()); !s.ok()) return s;
    } while (!Is(TokenKind::kBraceR));
    Leave();
    return Advance();
  }

  absl::Status ParseSelection(Selection* selection) {
    selection->location = token_.location;
    if (Is(TokenKind::kSpread)) {
      if (absl::Status s = Advance(); !s.ok()) return s;
      if (Is(TokenKind::kName) && !IsName("on")) {
        selection->kind = Selection::Kind::kFragmentSpread;
        if (absl::Status s = ExpectName(&selection->name); !s.ok()) return s;
        return ParseDirectives(/*constant=*/false, &selection->directives);
      }
      selection->kind = Selection::Kind::kInlineFragment;
      if (IsName("on")) {
        if (absl::Status s = Advance(); !s.ok()) return s;
        if (absl::Status s = ExpectName(&selection->type_condition); !s.ok()) return s;
      }
      if (absl::Status s = ParseDirectives(/*constant=*/false, &selection->directives); !s.ok()) {
        return s;
      }
      return ParseSelectionSet(&selection->selections);
    }
    selection->kind = Selection::Kind::kField;
    if (absl::Status s = ExpectName(&selection->name); !s.ok()) return s;
    if (Is(TokenKind::kColon)) {
      if (absl::Status s = Advance(); !s.ok()) return s;
      selection->alias = std::move(selection->name);
      if (absl::Status s = ExpectName(&selection->name); !s.ok()) return s;
    }
    if (Is(TokenKind::kParenL)) {
      if (absl::Status s = ParseArguments(/*constant=*/false, &selection->arguments); !s.ok()) {
        return s;
      }
    }
    if (absl::Status s = ParseDirectives(/*constant=*/false, &selection->directives); !s.ok()) {
      return s;
    }
    if (Is(TokenKind::kBraceL)) return ParseSelectionSet(&selection->selections);
    return absl::OkStatus();
  }

  absl::Status ParseArguments(bool constant, std::vector<Argument>* out) {
    if (absl::Status s = Advance(); !s.ok()) return s;  // '('
    do {
      Argument& argument = out->emplace_back();
      argument.location = token_.location;
      if (absl::Status s = ExpectName(&argument.name); !s.ok()) return s;
      if (absl::Status s = Expect(TokenKind::kColon, "\":\""); !s.ok()) return s;
      if (absl::Status s = ParseValue(constant, &argument.value); !s.ok()) return s;
    } while (!Is(TokenKind::kParenR));
    return Advance();
  }

  absl::Status ParseDirectives(bool constant, std::vector<Directive>* out) {
    while (Is(TokenKind::kAt)) {
      Directive& directive = out->emplace_back();
      directive.location = token_.location;
      if (absl::Status s = Advance(); !s.ok()) return s;
      if (absl::Status s = ExpectName(&directive.name); !s.ok()) return s;
      if (Is(TokenKind::kParenL)) {
        if (absl::Status s = ParseArguments(constant, &directive.arguments); !s.ok()) return s;
      }
    }
    return absl::OkStatus();
  }

  absl::Status ParseValue(bool constant, Value* value) {
    value->location = token_.location;
    switch (token_.kind) {
      case TokenKind::kBracketL:
        return ParseList(constant, value);
      case TokenKind::kBraceL:
        return ParseObject(constant, value);
      case TokenKind::kInt:
      case TokenKind::kFloat:
        value->kind = Is(TokenKind::kInt) ? Value::Kind::kInt : Value::Kind::kFloat;
        value->text = std::move(token_.value);
        return Advance();
      case TokenKind::kString:
      case TokenKind::kBlockString:
        value->kind = Value::Kind::kString;
        value->text = std::move(token_.value);
        return Advance();
      case TokenKind::kName:
        if (token_.value == "true" || token_.value == "false") {
          value->kind = Value::Kind::kBoolean;
          value->boolean = token_.value == "true";
        } else if (token_.value == "null") {
          value->kind = Value::Kind::kNull;
        } else {
          value->kind = Value::Kind::kEnum;
          value->text = std::move(token_.value);
        }
        return Advance();
      case TokenKind::kDollar: {
        const Location at = token_.location;
        if (absl::Status s = Advance(); !s.ok()) return s;
        if (constant) {
          return SyntaxError(
              at, absl::StrCat("Unexpected variable \"$", Is(TokenKind::kName) ? token_.value : "",
                               "\" in constant value"));
        }
        value->kind = Value::Kind::kVariable;
        return ExpectName(&value->text);
      }
      default:
        return Unexpected();
    }
  }

  absl::Status ParseList(bool constant, Value* value) {
    if (absl::Status s = Enter(); !s.ok()) return s;
    value->kind = Value::Kind::kList;
    if (absl::Status s = Advance(); !s.ok()) return s;  // '['
    while (!Is(TokenKind::kBracketR)) {
      if (absl::Status s = ParseValue(constant, &value->list.emplace_back()); !s.ok()) return s;
    }
    Leave();
    return Advance();
  }

  absl::Status ParseObject(bool constant, Value* value) {
    if (absl::Status s = Enter(); !s.ok()) return s;
    value->kind = Value::Kind::kObject;
    if (absl::Status s = Advance(); !s.ok()) return s;  // '{'
    while (!Is(TokenKind::kBraceR)) {
      ObjectField& field = value->fields.emplace_back();
      field.location = token_.location;
      if (absl::Status s = ExpectName(&field.name); !s.ok()) return s;
      if (absl::Status s = Expect(TokenKind::kColon, "\":\""); !s.ok()) return s;
      if (absl::Status s = ParseValue(constant, &field.value); !s.ok()) return s;
    }
    Leave();
    return Advance();
  }

  Lexer lexer_;
  const ParseLimits limits_;
  Token token_;
  size_t tokens_ = 0;
  int depth_ = 0;
};

}  // namespace

absl::StatusOr<Document> Parse(absl::string_view source, const ParseLimits& limits) {
  for (size_t pos = 0; pos < source.size();) {
    const size_t length = Utf8SequenceLength(source, pos);
    if (length == 0) {
      return SyntaxError({1, 1}, absl::StrCat("Invalid UTF-8 at byte ", pos));
    }
    pos += length;
  }
  return Parser(source, limits).ParseDocument();
}

std::optional<Location> ErrorLocation(const absl::Status& status) {
  auto payload = status.GetPayload(kLocationPayload);
  if (!payload.has_value()) return std::nullopt;
  std::pair<std::string, std::string> parts =
      absl::StrSplit(std::string(*payload), absl::MaxSplits(':', 1));
  Location location;
  if (!absl::SimpleAtoi(parts.first, &location.line) ||
      !absl::SimpleAtoi(parts.second, &location.column)) {
    return std::nullopt;
  }
  return location;
}

}  // namespace protogate::graphql
