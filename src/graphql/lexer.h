#pragma once

// The lexical grammar of GraphQL (spec October 2021, §2, with the September
// 2025 `\u{...}` escapes), shared by the executable-document parser
// (parser.h) and protogate-routes' SDL reader: ignored tokens (whitespace,
// line terminators, comments, commas, a leading BOM), punctuators, names,
// Int and Float values (no leading zeros, no name directly after a number),
// strings with every escape (surrogate pairs joined, lone surrogates
// refused) and block strings (indentation removed as §2.9.4 says).
//
// Errors are InvalidArgument "Syntax Error: <graphql-js's words>." with the
// location as a payload (ErrorLocation reads it back).
//
// Example:
//   RETURN_IF_ERROR(CheckSourceUtf8(source));
//   Lexer lexer(source);
//   Token token;
//   do { RETURN_IF_ERROR(lexer.Next(&token)); } while (token.kind != TokenKind::kEof);
//
// A Lexer is single-threaded; the functions are pure.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "graphql/document.h"

namespace protogate::graphql {

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

// How graphql-js names a token in its messages: "\"}\"", "Name \"id\"", "<EOF>".
std::string DescribeToken(const Token& token);

// InvalidArgument "Syntax Error: <message>." located at `location`.
absl::Status SyntaxError(Location location, absl::string_view message);

// Where a syntax error is, if `status` is one.
std::optional<Location> ErrorLocation(const absl::Status& status);

// The lexer reads UTF-8 only: a syntax error at 1:1 naming the first bad byte.
absl::Status CheckSourceUtf8(absl::string_view source);

class Lexer {
 public:
  explicit Lexer(absl::string_view source) : source_(source) {}

  absl::Status Next(Token* token);

 private:
  void SkipIgnored();
  void NewLine();

  // Columns are code points from the line's start, counted once as the
  // lexer moves forward (tokens come in order).
  Location LocationAt(size_t pos);
  absl::Status ErrorAt(size_t pos, absl::string_view message);
  absl::Status ReadNumber(Token* token);

  // A character of a string's source, or an error: no control characters
  // but tab, and valid UTF-8 only.
  absl::Status TakeSourceChar(std::string* out);
  absl::Status ReadString(Token* token);

  // pos_ at '\\'.
  absl::Status ReadEscape(std::string* out);
  absl::Status InvalidUnicodeEscape(size_t start, size_t length);

  // `\uXXXX` or `\u{X...}` at `start`: its code point and length. On
  // failure `length` is how much of it was read.
  bool ReadUnicodeEscape(size_t start, uint32_t* code, size_t* length);
  absl::Status ReadBlockString(Token* token);
  absl::string_view source_;
  size_t pos_ = 0;
  int line_ = 1;
  size_t column_pos_ = 0;  // LocationAt has counted columns up to here
  int column_ = 1;
};

}  // namespace protogate::graphql
