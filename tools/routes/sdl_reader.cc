#include "routes/sdl_reader.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "graphql/lexer.h"

namespace protogate::routes {
namespace {

using graphql::Lexer;
using graphql::Token;
using graphql::TokenKind;
using graphql::TypeRef;

// Lists in types and values nest at most this deep, so no file can exhaust
// the stack.
constexpr int kMaxDepth = 64;

class SdlParser {
 public:
  explicit SdlParser(absl::string_view text) : lexer_(text) {}

  absl::StatusOr<SdlSchema> Read() {
    RETURN_IF_ERROR(Advance());
    SdlSchema schema;
    while (!Is(TokenKind::kEof)) RETURN_IF_ERROR(Definition(schema));
    if (has_schema_block_) return schema;
    for (const auto& [operation, type] : {std::pair{"query", "Query"},
                                          {"mutation", "Mutation"},
                                          {"subscription", "Subscription"}}) {
      if (schema.types.contains(type)) schema.roots[operation] = type;
    }
    return schema;
  }

 private:
  bool Is(TokenKind kind) const { return token_.kind == kind; }
  bool IsName(absl::string_view name) const { return Is(TokenKind::kName) && token_.value == name; }
  absl::Status Advance() { return lexer_.Next(&token_); }

  absl::Status Error(absl::string_view message) const {
    return graphql::SyntaxError(token_.location, message);
  }
  absl::Status Expect(TokenKind kind, absl::string_view what) {
    if (!Is(kind)) {
      return Error(absl::StrCat("Expected ", what, ", found ", graphql::DescribeToken(token_)));
    }
    return Advance();
  }
  absl::Status ExpectName(std::string* name) {
    if (!Is(TokenKind::kName)) {
      return Error(absl::StrCat("Expected Name, found ", graphql::DescribeToken(token_)));
    }
    *name = std::move(token_.value);
    return Advance();
  }
  absl::Status ExpectKeyword(absl::string_view keyword) {
    if (!IsName(keyword)) {
      return Error(
          absl::StrCat("Expected \"", keyword, "\", found ", graphql::DescribeToken(token_)));
    }
    return Advance();
  }
  absl::Status SkipDescription() {
    if (Is(TokenKind::kString) || Is(TokenKind::kBlockString)) return Advance();
    return absl::OkStatus();
  }

  absl::Status Definition(SdlSchema& schema) {
    RETURN_IF_ERROR(SkipDescription());
    if (IsName("extend")) return Error("type extensions are not read; write whole definitions");
    if (IsName("schema")) return SchemaBlock(schema);
    if (IsName("directive")) return DirectiveDefinition(schema);
    SdlType type;
    if (IsName("scalar")) {
      type.kind = SdlType::Kind::kScalar;
    } else if (IsName("type")) {
      type.kind = SdlType::Kind::kObject;
    } else if (IsName("interface")) {
      type.kind = SdlType::Kind::kInterface;
    } else if (IsName("union")) {
      type.kind = SdlType::Kind::kUnion;
    } else if (IsName("enum")) {
      type.kind = SdlType::Kind::kEnum;
    } else if (IsName("input")) {
      type.kind = SdlType::Kind::kInputObject;
    } else {
      return Error(absl::StrCat("Unexpected ", graphql::DescribeToken(token_)));
    }
    RETURN_IF_ERROR(Advance());
    const graphql::Location where = token_.location;
    RETURN_IF_ERROR(ExpectName(&type.name));
    RETURN_IF_ERROR(TypeBody(type));
    if (schema.types.contains(type.name)) {
      return graphql::SyntaxError(where, absl::StrCat(type.name, " is defined twice"));
    }
    std::string name = type.name;
    schema.types.emplace(std::move(name), std::move(type));
    return absl::OkStatus();
  }

  absl::Status TypeBody(SdlType& type) {
    switch (type.kind) {
      case SdlType::Kind::kScalar:
        return Directives(nullptr);
      case SdlType::Kind::kObject:
      case SdlType::Kind::kInterface:
        RETURN_IF_ERROR(Interfaces(type.interfaces));
        RETURN_IF_ERROR(Directives(nullptr));
        return Fields(type.fields);
      case SdlType::Kind::kUnion:
        RETURN_IF_ERROR(Directives(nullptr));
        return UnionMembers(type.members);
      case SdlType::Kind::kEnum:
        RETURN_IF_ERROR(Directives(nullptr));
        return EnumValues(type.members);
      case SdlType::Kind::kInputObject:
        RETURN_IF_ERROR(Directives(&type.one_of));
        if (!Is(TokenKind::kBraceL)) return absl::OkStatus();
        return InputValues(TokenKind::kBraceL, TokenKind::kBraceR, "\"}\"", type.input_fields);
    }
    return absl::OkStatus();
  }

  absl::Status SchemaBlock(SdlSchema& schema) {
    has_schema_block_ = true;
    RETURN_IF_ERROR(Advance());
    RETURN_IF_ERROR(Directives(nullptr));
    RETURN_IF_ERROR(Expect(TokenKind::kBraceL, "\"{\""));
    while (!Is(TokenKind::kBraceR)) {
      std::string operation, type;
      RETURN_IF_ERROR(ExpectName(&operation));
      RETURN_IF_ERROR(Expect(TokenKind::kColon, "\":\""));
      RETURN_IF_ERROR(ExpectName(&type));
      schema.roots[operation] = type;
    }
    return Advance();
  }

  absl::Status DirectiveDefinition(SdlSchema& schema) {
    RETURN_IF_ERROR(Advance());
    RETURN_IF_ERROR(Expect(TokenKind::kAt, "\"@\""));
    SdlDirective directive;
    RETURN_IF_ERROR(ExpectName(&directive.name));
    if (Is(TokenKind::kParenL)) {
      RETURN_IF_ERROR(
          InputValues(TokenKind::kParenL, TokenKind::kParenR, "\")\"", directive.arguments));
    }
    if (IsName("repeatable")) {
      directive.repeatable = true;
      RETURN_IF_ERROR(Advance());
    }
    RETURN_IF_ERROR(ExpectKeyword("on"));
    RETURN_IF_ERROR(SeparatedNames(TokenKind::kPipe, directive.locations));
    std::string name = directive.name;
    schema.directives[name] = std::move(directive);
    return absl::OkStatus();
  }

  // `A | B | C` (or with `&`), a leading separator allowed.
  absl::Status SeparatedNames(TokenKind separator, std::vector<std::string>& names) {
    if (Is(separator)) RETURN_IF_ERROR(Advance());
    RETURN_IF_ERROR(ExpectName(&names.emplace_back()));
    while (Is(separator)) {
      RETURN_IF_ERROR(Advance());
      RETURN_IF_ERROR(ExpectName(&names.emplace_back()));
    }
    return absl::OkStatus();
  }

  absl::Status Interfaces(std::vector<std::string>& interfaces) {
    if (!IsName("implements")) return absl::OkStatus();
    RETURN_IF_ERROR(Advance());
    return SeparatedNames(TokenKind::kAmp, interfaces);
  }

  absl::Status UnionMembers(std::vector<std::string>& members) {
    if (!Is(TokenKind::kEquals)) return absl::OkStatus();
    RETURN_IF_ERROR(Advance());
    return SeparatedNames(TokenKind::kPipe, members);
  }

  absl::Status EnumValues(std::vector<std::string>& values) {
    if (!Is(TokenKind::kBraceL)) return absl::OkStatus();
    RETURN_IF_ERROR(Advance());
    while (!Is(TokenKind::kBraceR)) {
      RETURN_IF_ERROR(SkipDescription());
      RETURN_IF_ERROR(ExpectName(&values.emplace_back()));
      RETURN_IF_ERROR(Directives(nullptr));
    }
    return Advance();
  }

  absl::Status Fields(std::vector<SdlField>& fields) {
    if (!Is(TokenKind::kBraceL)) return absl::OkStatus();
    RETURN_IF_ERROR(Advance());
    while (!Is(TokenKind::kBraceR)) {
      RETURN_IF_ERROR(SkipDescription());
      SdlField& field = fields.emplace_back();
      RETURN_IF_ERROR(ExpectName(&field.name));
      if (Is(TokenKind::kParenL)) {
        RETURN_IF_ERROR(
            InputValues(TokenKind::kParenL, TokenKind::kParenR, "\")\"", field.arguments));
      }
      RETURN_IF_ERROR(Expect(TokenKind::kColon, "\":\""));
      RETURN_IF_ERROR(Type(field.type, 0));
      RETURN_IF_ERROR(Directives(nullptr));
    }
    return Advance();
  }

  // `( a: T = v ... )` or `{ a: T ... }`.
  absl::Status InputValues(TokenKind open, TokenKind close, absl::string_view close_text,
                           std::vector<SdlInputValue>& values) {
    RETURN_IF_ERROR(Expect(open, "a list"));
    while (!Is(close)) {
      if (Is(TokenKind::kEof)) {
        return Error(absl::StrCat("Expected ", close_text, ", found <EOF>"));
      }
      RETURN_IF_ERROR(SkipDescription());
      SdlInputValue& value = values.emplace_back();
      RETURN_IF_ERROR(ExpectName(&value.name));
      RETURN_IF_ERROR(Expect(TokenKind::kColon, "\":\""));
      RETURN_IF_ERROR(Type(value.type, 0));
      if (Is(TokenKind::kEquals)) {
        RETURN_IF_ERROR(Advance());
        RETURN_IF_ERROR(Value(value.default_value.emplace(), 0));
      }
      RETURN_IF_ERROR(Directives(nullptr));
    }
    return Advance();
  }

  absl::Status Type(TypeRef& type, int depth) {
    if (depth > kMaxDepth) return Error("Type nesting too deep");
    type.location = token_.location;
    if (Is(TokenKind::kBracketL)) {
      RETURN_IF_ERROR(Advance());
      type.kind = TypeRef::Kind::kList;
      RETURN_IF_ERROR(Type(type.of.emplace_back(), depth + 1));
      RETURN_IF_ERROR(Expect(TokenKind::kBracketR, "\"]\""));
    } else {
      type.kind = TypeRef::Kind::kNamed;
      RETURN_IF_ERROR(ExpectName(&type.name));
    }
    if (!Is(TokenKind::kBang)) return absl::OkStatus();
    TypeRef inner = std::move(type);
    type = TypeRef{.kind = TypeRef::Kind::kNonNull, .location = inner.location};
    type.of.push_back(std::move(inner));
    return Advance();
  }

  // `@name(arg: value ...)` repeated; `one_of` (if given) is set by @oneOf.
  absl::Status Directives(bool* one_of) {
    while (Is(TokenKind::kAt)) {
      RETURN_IF_ERROR(Advance());
      std::string name;
      RETURN_IF_ERROR(ExpectName(&name));
      if (one_of != nullptr && name == "oneOf") *one_of = true;
      if (!Is(TokenKind::kParenL)) continue;
      RETURN_IF_ERROR(Advance());
      while (!Is(TokenKind::kParenR)) {
        std::string argument, ignored;
        RETURN_IF_ERROR(ExpectName(&argument));
        RETURN_IF_ERROR(Expect(TokenKind::kColon, "\":\""));
        RETURN_IF_ERROR(Value(ignored, 0));
      }
      RETURN_IF_ERROR(Advance());
    }
    return absl::OkStatus();
  }

  // A constant value, appended to `text` in canonical form.
  absl::Status Value(std::string& text, int depth) {
    if (depth > kMaxDepth) return Error("Value nesting too deep");
    switch (token_.kind) {
      case TokenKind::kInt:
      case TokenKind::kFloat:
      case TokenKind::kName:
        text += token_.value;
        return Advance();
      case TokenKind::kString:
      case TokenKind::kBlockString:
        absl::StrAppend(&text, "\"", absl::CEscape(token_.value), "\"");
        return Advance();
      case TokenKind::kBracketL:
        return Aggregate(TokenKind::kBracketR, "[", "]", /*object=*/false, text, depth);
      case TokenKind::kBraceL:
        return Aggregate(TokenKind::kBraceR, "{", "}", /*object=*/true, text, depth);
      default:
        return Error(absl::StrCat("Unexpected ", graphql::DescribeToken(token_)));
    }
  }

  absl::Status Aggregate(TokenKind close, absl::string_view open_text, absl::string_view close_text,
                         bool object, std::string& text, int depth) {
    RETURN_IF_ERROR(Advance());
    absl::StrAppend(&text, open_text);
    for (bool first = true; !Is(close); first = false) {
      if (!first) text += ", ";
      if (object) {
        std::string name;
        RETURN_IF_ERROR(ExpectName(&name));
        RETURN_IF_ERROR(Expect(TokenKind::kColon, "\":\""));
        absl::StrAppend(&text, name, ": ");
      }
      RETURN_IF_ERROR(Value(text, depth + 1));
    }
    absl::StrAppend(&text, close_text);
    return Advance();
  }

  Lexer lexer_;
  Token token_;
  bool has_schema_block_ = false;
};

}  // namespace

absl::string_view KindKeyword(SdlType::Kind kind) {
  switch (kind) {
    case SdlType::Kind::kScalar:
      return "scalar";
    case SdlType::Kind::kObject:
      return "type";
    case SdlType::Kind::kInterface:
      return "interface";
    case SdlType::Kind::kUnion:
      return "union";
    case SdlType::Kind::kEnum:
      return "enum";
    case SdlType::Kind::kInputObject:
      return "input";
  }
  return "type";
}

absl::StatusOr<SdlSchema> ReadSdl(absl::string_view text, absl::string_view source_name) {
  absl::Status utf8 = graphql::CheckSourceUtf8(text);
  absl::StatusOr<SdlSchema> schema = utf8.ok() ? SdlParser(text).Read() : utf8;
  if (schema.ok()) return schema;
  const absl::Status& error = schema.status();
  std::optional<graphql::Location> where = graphql::ErrorLocation(error);
  return absl::InvalidArgumentError(
      where ? absl::StrCat(source_name, ":", where->line, ":", where->column, ": ", error.message())
            : absl::StrCat(source_name, ": ", error.message()));
}

}  // namespace protogate::routes
