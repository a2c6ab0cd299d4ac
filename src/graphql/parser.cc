#include "graphql/parser.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace protogate::graphql {
namespace {

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
  if (absl::Status utf8 = CheckSourceUtf8(source); !utf8.ok()) return utf8;
  return Parser(source, limits).ParseDocument();
}

}  // namespace protogate::graphql
