#include "graphql/lexer.h"

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

}  // namespace

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

absl::Status CheckSourceUtf8(absl::string_view source) {
  for (size_t pos = 0; pos < source.size();) {
    const size_t length = Utf8SequenceLength(source, pos);
    if (length == 0) return SyntaxError({1, 1}, absl::StrCat("Invalid UTF-8 at byte ", pos));
    pos += length;
  }
  return absl::OkStatus();
}

absl::Status Lexer::Next(Token* token) {
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

void Lexer::SkipIgnored() {
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

void Lexer::NewLine() {
  ++line_;
  column_pos_ = pos_;
  column_ = 1;
}

Location Lexer::LocationAt(size_t pos) {
  for (; column_pos_ < pos; ++column_pos_) {
    if ((static_cast<unsigned char>(source_[column_pos_]) & 0xC0) != 0x80) ++column_;
  }
  return {line_, column_};
}

absl::Status Lexer::ErrorAt(size_t pos, absl::string_view message) {
  return SyntaxError(LocationAt(pos), message);
}

absl::Status Lexer::ReadNumber(Token* token) {
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

absl::Status Lexer::TakeSourceChar(std::string* out) {
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

absl::Status Lexer::ReadString(Token* token) {
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

absl::Status Lexer::ReadEscape(std::string* out) {
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

absl::Status Lexer::InvalidUnicodeEscape(size_t start, size_t length) {
  const size_t shown = std::min(std::max<size_t>(length, 2), source_.size() - start);
  return ErrorAt(start, absl::StrCat("Invalid Unicode escape sequence: \"",
                                     source_.substr(start, shown), "\""));
}

bool Lexer::ReadUnicodeEscape(size_t start, uint32_t* code, size_t* length) {
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

absl::Status Lexer::ReadBlockString(Token* token) {
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

}  // namespace protogate::graphql
