#include "graphql/input_values.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/json_text.h"
#include "graphql/parser.h"

namespace protogate::graphql {
namespace {

constexpr int64_t kMinInt32 = std::numeric_limits<int32_t>::min();
constexpr int64_t kMaxInt32 = std::numeric_limits<int32_t>::max();
constexpr int64_t kMaxUInt32 = std::numeric_limits<uint32_t>::max();
// Doubles hold every integer up to here exactly; beyond it a JSON number
// nlohmann read as a double may already have been rounded.
constexpr double kMaxExactDouble = 9007199254740992.0;  // 2^53

// A decimal integer as GraphQL and proto3 JSON write it: `-?[0-9]+`.
bool IsDecimal(absl::string_view text, bool allow_sign) {
  if (allow_sign && !text.empty() && text.front() == '-') text.remove_prefix(1);
  return !text.empty() && std::all_of(text.begin(), text.end(), absl::ascii_isdigit);
}

bool Int64Text(absl::string_view text) {
  int64_t n = 0;
  return IsDecimal(text, true) && absl::SimpleAtoi(text, &n);
}

bool UInt64Text(absl::string_view text) {
  uint64_t n = 0;
  return IsDecimal(text, false) && absl::SimpleAtoi(text, &n);
}

bool Base64Char(char c) {
  return absl::ascii_isalnum(c) || c == '+' || c == '/' || c == '-' || c == '_';
}

// Standard or URL-safe base64, padding optional (what protobuf's JSON
// parser accepts for bytes).
bool IsBase64(absl::string_view text) {
  size_t padding = 0;
  while (!text.empty() && text.back() == '=' && padding < 2) {
    text.remove_suffix(1);
    ++padding;
  }
  if (!std::all_of(text.begin(), text.end(), Base64Char)) return false;
  if (text.size() % 4 == 1) return false;
  return padding == 0 || (text.size() + padding) % 4 == 0;
}

bool IsStringScalar(absl::string_view scalar) {
  return scalar == "String" || scalar == "Timestamp" || scalar == "Duration" ||
         scalar == "FieldMask";
}

std::string OutOfRange(absl::string_view scalar) {
  if (scalar == "Int") return "non 32-bit signed integer";
  if (scalar == "UInt32") return "non 32-bit unsigned integer";
  if (scalar == "Int64") return "non 64-bit signed integer";
  return "non 64-bit unsigned integer";
}

std::optional<std::string> IntegerTextProblem(absl::string_view scalar, absl::string_view text) {
  bool fits = false;
  if (scalar == "Int64") {
    fits = Int64Text(text);
  } else if (scalar == "UInt64") {
    fits = UInt64Text(text);
  } else {
    int64_t n = 0;
    const int64_t low = scalar == "Int" ? kMinInt32 : 0;
    const int64_t high = scalar == "Int" ? kMaxInt32 : kMaxUInt32;
    fits = absl::SimpleAtoi(text, &n) && n >= low && n <= high;
  }
  if (fits) return std::nullopt;
  return absl::StrCat(scalar, " cannot represent ", OutOfRange(scalar), " value: ", text);
}

bool IsIntegerScalar(absl::string_view scalar) {
  return scalar == "Int" || scalar == "UInt32" || scalar == "Int64" || scalar == "UInt64";
}

std::string NonStringProblem(absl::string_view scalar, const std::string& shown) {
  return absl::StrCat(scalar, " cannot represent a non string value: ", shown);
}

// What graphql-js's inspect() prints for a JSON value.
std::string Inspect(const Json& value) {
  if (value.is_array()) {
    std::vector<std::string> items;
    for (const Json& item : value) items.push_back(Inspect(item));
    return absl::StrCat("[", absl::StrJoin(items, ", "), "]");
  }
  if (value.is_object()) {
    if (value.empty()) return "{}";
    std::vector<std::string> items;
    for (const auto& [key, item] : value.items()) {
      items.push_back(absl::StrCat(key, ": ", Inspect(item)));
    }
    return absl::StrCat("{ ", absl::StrJoin(items, ", "), " }");
  }
  return common::JsonText(value);
}

// The JSON number as an exact integer's decimal text; nullopt when it is not
// an integer or may have been rounded.
std::optional<std::string> ExactInteger(const Json& value) {
  if (value.is_number_unsigned()) return absl::StrCat(value.get<uint64_t>());
  if (value.is_number_integer()) return absl::StrCat(value.get<int64_t>());
  if (!value.is_number_float()) return std::nullopt;
  const double d = value.get<double>();
  if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) > kMaxExactDouble) {
    return std::nullopt;
  }
  return absl::StrCat(static_cast<int64_t>(d));
}

// Optimal string alignment distance on lowercased text, nullopt above
// `threshold` (graphql-js's LexicalDistance).
std::optional<int> LexicalDistance(absl::string_view input, absl::string_view option,
                                   int threshold) {
  if (input == option) return 0;
  std::string a = absl::AsciiStrToLower(option);
  std::string b = absl::AsciiStrToLower(input);
  if (a == b) return 1;
  if (a.size() < b.size()) std::swap(a, b);
  if (static_cast<int>(a.size() - b.size()) > threshold) return std::nullopt;
  std::vector<std::vector<int>> rows(3, std::vector<int>(b.size() + 1));
  for (size_t j = 0; j <= b.size(); ++j) rows[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    std::vector<int>& up = rows[(i - 1) % 3];
    std::vector<int>& row = rows[i % 3];
    int smallest = row[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      int cell = std::min({up[j] + 1, row[j - 1] + 1, up[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        cell = std::min(cell, rows[(i - 2) % 3][j - 2] + 1);
      }
      smallest = std::min(smallest, cell);
      row[j] = cell;
    }
    if (smallest > threshold) return std::nullopt;
  }
  const int distance = rows[a.size() % 3][b.size()];
  return distance <= threshold ? std::optional<int>(distance) : std::nullopt;
}

// A default value's GraphQL literal text as a Value (the schema writes
// them, so they parse).
Value DefaultLiteral(const std::string& text) {
  auto document = Parse(absl::StrCat("{ f(a: ", text, ") }"), ParseLimits{});
  if (!document.ok() || document->operations.empty()) return Value{};
  return document->operations[0].selections[0].arguments[0].value;
}

}  // namespace

std::vector<std::string> SuggestionList(absl::string_view input,
                                        const std::vector<std::string>& options) {
  const int threshold = static_cast<int>(input.size() * 0.4) + 1;
  std::vector<std::pair<int, std::string>> found;
  for (const std::string& option : options) {
    if (auto distance = LexicalDistance(input, option, threshold)) {
      found.emplace_back(*distance, option);
    }
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  std::vector<std::string> out;
  for (auto& [distance, option] : found) out.push_back(std::move(option));
  return out;
}

std::string DidYouMean(const std::vector<std::string>& suggestions, absl::string_view what) {
  if (suggestions.empty()) return "";
  std::string message = absl::StrCat(" Did you mean ", what, what.empty() ? "" : " ");
  std::vector<std::string> quoted;
  for (size_t i = 0; i < suggestions.size() && i < 5; ++i) {
    quoted.push_back(absl::StrCat("\"", suggestions[i], "\""));
  }
  if (quoted.size() == 1) return absl::StrCat(message, quoted[0], "?");
  if (quoted.size() == 2) return absl::StrCat(message, quoted[0], " or ", quoted[1], "?");
  const std::string last = quoted.back();
  quoted.pop_back();
  return absl::StrCat(message, absl::StrJoin(quoted, ", "), ", or ", last, "?");
}

std::string PrintValue(const Value& value) {
  switch (value.kind) {
    case Value::Kind::kVariable:
      return absl::StrCat("$", value.text);
    case Value::Kind::kInt:
    case Value::Kind::kFloat:
    case Value::Kind::kEnum:
      return value.text;
    case Value::Kind::kString:
      return common::JsonQuoted(value.text);
    case Value::Kind::kBoolean:
      return value.boolean ? "true" : "false";
    case Value::Kind::kNull:
      return "null";
    case Value::Kind::kList: {
      std::vector<std::string> items;
      for (const Value& item : value.list) items.push_back(PrintValue(item));
      return absl::StrCat("[", absl::StrJoin(items, ", "), "]");
    }
    case Value::Kind::kObject: {
      std::vector<std::string> items;
      for (const ObjectField& field : value.fields) {
        items.push_back(absl::StrCat(field.name, ": ", PrintValue(field.value)));
      }
      return absl::StrCat("{", absl::StrJoin(items, ", "), "}");
    }
  }
  return "";
}

std::optional<std::string> ScalarLiteralProblem(absl::string_view scalar, const Value& value) {
  using Kind = Value::Kind;
  const std::string shown = PrintValue(value);
  if (IsIntegerScalar(scalar)) {
    if (value.kind == Kind::kInt) return IntegerTextProblem(scalar, value.text);
    if (value.kind == Kind::kString && (scalar == "Int64" || scalar == "UInt64")) {
      return IntegerTextProblem(scalar, value.text);
    }
    return absl::StrCat(scalar, " cannot represent non-integer value: ", shown);
  }
  if (scalar == "Float") {
    if (value.kind == Kind::kInt || value.kind == Kind::kFloat) return std::nullopt;
    return absl::StrCat("Float cannot represent non numeric value: ", shown);
  }
  if (scalar == "Boolean") {
    if (value.kind == Kind::kBoolean) return std::nullopt;
    return absl::StrCat("Boolean cannot represent a non boolean value: ", shown);
  }
  if (scalar == "ID") {
    if (value.kind == Kind::kString || value.kind == Kind::kInt) return std::nullopt;
    return absl::StrCat("ID cannot represent a non-string and non-integer value: ", shown);
  }
  if (IsStringScalar(scalar)) {
    if (value.kind == Kind::kString) return std::nullopt;
    return NonStringProblem(scalar, shown);
  }
  if (scalar == "Bytes") {
    if (value.kind == Kind::kString && IsBase64(value.text)) return std::nullopt;
    return absl::StrCat("Bytes cannot represent a non base64 value: ", shown);
  }
  if (scalar == "Empty") {
    if (value.kind == Kind::kObject && value.fields.empty()) return std::nullopt;
    return absl::StrCat("Empty cannot represent a non-empty value: ", shown);
  }
  return std::nullopt;  // JSON: any literal
}

std::optional<std::string> ScalarJsonProblem(absl::string_view scalar, const Json& value) {
  const std::string shown = Inspect(value);
  if (IsIntegerScalar(scalar)) {
    if (value.is_string() && (scalar == "Int64" || scalar == "UInt64")) {
      return IntegerTextProblem(scalar, value.get<std::string>());
    }
    if (value.is_number()) {
      std::optional<std::string> exact = ExactInteger(value);
      if (exact) return IntegerTextProblem(scalar, *exact);
      const bool integral =
          value.is_number_float() && std::trunc(value.get<double>()) == value.get<double>();
      if (integral)
        return absl::StrCat(scalar, " cannot represent ", OutOfRange(scalar), " value: ", shown);
    }
    return absl::StrCat(scalar, " cannot represent non-integer value: ", shown);
  }
  if (scalar == "Float") {
    if (value.is_number()) return std::nullopt;
    return absl::StrCat("Float cannot represent non numeric value: ", shown);
  }
  if (scalar == "Boolean") {
    if (value.is_boolean()) return std::nullopt;
    return absl::StrCat("Boolean cannot represent a non boolean value: ", shown);
  }
  if (scalar == "ID") {
    if (value.is_string() || ExactInteger(value)) return std::nullopt;
    return absl::StrCat("ID cannot represent value: ", shown);
  }
  if (IsStringScalar(scalar)) {
    if (value.is_string()) return std::nullopt;
    return NonStringProblem(scalar, shown);
  }
  if (scalar == "Bytes") {
    if (value.is_string() && IsBase64(value.get<std::string>())) return std::nullopt;
    return absl::StrCat("Bytes cannot represent a non base64 value: ", shown);
  }
  if (scalar == "Empty") {
    if (value.is_object() && value.empty()) return std::nullopt;
    return absl::StrCat("Empty cannot represent a non-empty value: ", shown);
  }
  return std::nullopt;  // JSON: anything
}

std::optional<OneofClash> FindOneofClash(const SchemaType& type,
                                         const std::vector<std::string>& given) {
  if (type.one_of) return std::nullopt;
  std::vector<const InputValue*> set;
  for (const std::string& name : given) {
    for (const InputValue& field : type.input_fields) {
      if (field.name == name && field.field != nullptr) set.push_back(&field);
    }
  }
  for (size_t i = 0; i < set.size(); ++i) {
    const google::protobuf::OneofDescriptor* oneof = set[i]->field->real_containing_oneof();
    if (oneof == nullptr) continue;
    for (size_t j = i + 1; j < set.size(); ++j) {
      if (set[j]->field->real_containing_oneof() == oneof) {
        return OneofClash{.first = set[i]->name, .second = set[j]->name, .oneof = oneof->name()};
      }
    }
  }
  return std::nullopt;
}

std::vector<std::string> FieldNames(const SchemaType& type) {
  std::vector<std::string> names;
  for (const InputValue& field : type.input_fields) names.push_back(field.name);
  return names;
}

std::string EnumSuggestion(const SchemaType& type, absl::string_view shown) {
  std::vector<std::string> names;
  for (const EnumValue& value : type.enum_values) names.push_back(value.name);
  return DidYouMean(SuggestionList(shown, names), "the enum value");
}

std::string OneofClashMessage(const SchemaType& type, const OneofClash& clash) {
  return absl::StrCat("Fields \"", clash.first, "\" and \"", clash.second, "\" of \"", type.name,
                      "\" are members of the oneof \"", clash.oneof, "\": set at most one.");
}

namespace {

using Path = std::vector<PathElement>;

// One problem coercing a variable's value: where in the value, the value
// there, and why.
struct CoercionProblem {
  Path path{};
  Json value{};
  std::string message{};
};

// CoerceInputValue (graphql-js's coerceInputValue) of a JSON value: the
// coerced value (64-bit integers as decimal strings), problems appended.
class JsonCoercer {
 public:
  explicit JsonCoercer(const Schema& schema) : schema_(schema) {}

  Json Coerce(const TypeRef& type, const Json& value, Path& path) {
    if (type.kind == TypeRef::Kind::kNonNull) {
      if (value.is_null()) {
        Problem(
            path, value,
            absl::StrCat("Expected non-nullable type \"", TypeText(type), "\" not to be null."));
        return value;
      }
      return Coerce(type.of[0], value, path);
    }
    if (value.is_null()) return value;
    if (type.kind == TypeRef::Kind::kList) return CoerceList(type.of[0], value, path);
    const SchemaType* named = schema_.FindType(type.name);
    if (named == nullptr) return value;
    switch (named->kind) {
      case SchemaType::Kind::kInputObject:
        return CoerceObject(*named, value, path);
      case SchemaType::Kind::kEnum:
        return CoerceEnum(*named, value, path);
      default:
        return CoerceScalar(named->name, value, path);
    }
  }

  std::vector<CoercionProblem>& problems() { return problems_; }

 private:
  void Problem(const Path& path, const Json& value, std::string message) {
    problems_.push_back({.path = path, .value = value, .message = std::move(message)});
  }

  Json CoerceList(const TypeRef& item, const Json& value, Path& path) {
    if (!value.is_array()) return Json::array({Coerce(item, value, path)});
    Json out = Json::array();
    for (size_t i = 0; i < value.size(); ++i) {
      path.push_back(static_cast<int>(i));
      out.push_back(Coerce(item, value[i], path));
      path.pop_back();
    }
    return out;
  }

  Json CoerceObject(const SchemaType& type, const Json& value, Path& path) {
    if (!value.is_object()) {
      Problem(path, value, absl::StrCat("Expected type \"", type.name, "\" to be an object."));
      return value;
    }
    Json out = Json::object();
    for (const InputValue& field : type.input_fields) {
      auto it = value.find(field.name);
      if (it == value.end()) {
        if (field.type.kind == TypeRef::Kind::kNonNull && !field.default_value) {
          Problem(path, value,
                  absl::StrCat("Field \"", field.name, "\" of required type \"",
                               TypeText(field.type), "\" was not provided."));
        }
        continue;
      }
      path.push_back(field.name);
      out[field.name] = Coerce(field.type, *it, path);
      path.pop_back();
    }
    for (const auto& [key, item] : value.items()) {
      if (!out.contains(key)) {
        Problem(path, value,
                absl::StrCat("Field \"", key, "\" is not defined by type \"", type.name, "\".",
                             DidYouMean(SuggestionList(key, FieldNames(type)))));
      }
    }
    CheckOneOf(type, value, out, path);
    return out;
  }

  void CheckOneOf(const SchemaType& type, const Json& value, const Json& out, Path& path) {
    if (type.one_of) {
      if (out.size() != 1) {
        Problem(
            path, value,
            absl::StrCat("Exactly one key must be specified for OneOf type \"", type.name, "\"."));
      } else if (out.begin().value().is_null()) {
        path.push_back(out.begin().key());
        Problem(path, nullptr, absl::StrCat("Field \"", out.begin().key(), "\" must be non-null."));
        path.pop_back();
      }
      return;
    }
    std::vector<std::string> given;
    for (const auto& [key, item] : out.items()) {
      if (!item.is_null()) given.push_back(key);
    }
    if (auto clash = FindOneofClash(type, given)) {
      Problem(path, value, OneofClashMessage(type, *clash));
    }
  }

  Json CoerceEnum(const SchemaType& type, const Json& value, Path& path) {
    if (!value.is_string()) {
      Problem(path, value,
              absl::StrCat("Enum \"", type.name, "\" cannot represent non-string value: ",
                           Inspect(value), ".", EnumSuggestion(type, Inspect(value))));
      return value;
    }
    const std::string& name = value.get_ref<const std::string&>();
    for (const EnumValue& known : type.enum_values) {
      if (known.name == name) return value;
    }
    Problem(path, value,
            absl::StrCat("Value \"", name, "\" does not exist in \"", type.name, "\" enum.",
                         EnumSuggestion(type, name)));
    return value;
  }

  Json CoerceScalar(const std::string& scalar, const Json& value, Path& path) {
    if (auto problem = ScalarJsonProblem(scalar, value)) {
      Problem(path, value, *std::move(problem));
      return value;
    }
    if (scalar == "Int64" || scalar == "UInt64") {
      return value.is_string() ? value : Json(*ExactInteger(value));
    }
    if (scalar == "Int" || scalar == "UInt32" || scalar == "ID") {
      if (value.is_number_float()) return Json(static_cast<int64_t>(value.get<double>()));
      if (scalar == "ID" && value.is_number()) return Json(*ExactInteger(value));
    }
    return value;
  }

  const Schema& schema_;
  std::vector<CoercionProblem> problems_;
};

std::string PathText(const std::string& variable, const Path& path) {
  std::string out = variable;
  for (const PathElement& element : path) {
    if (const auto* key = std::get_if<std::string>(&element)) {
      absl::StrAppend(&out, ".", *key);
    } else {
      absl::StrAppend(&out, "[", std::get<int>(element), "]");
    }
  }
  return out;
}

Json LiteralJson(const Value& value, const Json& variables);

// A literal as a JSON value, variables substituted (an absent one is left
// out of objects and lists); integers as JSON integers where they fit.
std::optional<Json> LiteralOrVariable(const Value& value, const Json& variables) {
  if (value.kind != Value::Kind::kVariable) return LiteralJson(value, variables);
  auto it = variables.find(value.text);
  if (it == variables.end()) return std::nullopt;
  return *it;
}

Json LiteralJson(const Value& value, const Json& variables) {
  switch (value.kind) {
    case Value::Kind::kInt: {
      int64_t i = 0;
      uint64_t u = 0;
      if (absl::SimpleAtoi(value.text, &i)) return Json(i);
      if (absl::SimpleAtoi(value.text, &u)) return Json(u);
      return Json(value.text);  // refused by validation; kept exact
    }
    case Value::Kind::kFloat: {
      double d = 0;
      return absl::SimpleAtod(value.text, &d) ? Json(d) : Json(value.text);
    }
    case Value::Kind::kString:
    case Value::Kind::kEnum:
      return Json(value.text);
    case Value::Kind::kBoolean:
      return Json(value.boolean);
    case Value::Kind::kList: {
      Json out = Json::array();
      for (const Value& item : value.list) {
        if (auto json = LiteralOrVariable(item, variables)) out.push_back(*std::move(json));
      }
      return out;
    }
    case Value::Kind::kObject: {
      Json out = Json::object();
      for (const ObjectField& field : value.fields) {
        if (auto json = LiteralOrVariable(field.value, variables)) {
          out[field.name] = *std::move(json);
        }
      }
      return out;
    }
    case Value::Kind::kVariable:
    case Value::Kind::kNull:
      break;
  }
  return nullptr;
}

}  // namespace

CoercedVariables CoerceVariables(const Schema& schema, const Operation& operation,
                                 const Json& given) {
  CoercedVariables out;
  const Json none = Json::object();
  const Json& values = given.is_object() ? given : none;
  for (const VariableDefinition& definition : operation.variables) {
    const std::string type_text = TypeText(definition.type);
    const std::string& name = definition.name;
    auto it = values.find(name);
    auto fail = [&](std::string message) {
      out.errors.push_back({.message = std::move(message), .locations = {definition.location}});
    };
    if (it == values.end()) {
      if (definition.default_value) {
        JsonCoercer coercer(schema);
        Path path;
        out.values[name] =
            coercer.Coerce(definition.type, LiteralJson(*definition.default_value, none), path);
      } else if (definition.type.kind == TypeRef::Kind::kNonNull) {
        fail(absl::StrCat("Variable \"$", name, "\" of required type \"", type_text,
                          "\" was not provided."));
      }
      continue;
    }
    if (it->is_null() && definition.type.kind == TypeRef::Kind::kNonNull) {
      fail(absl::StrCat("Variable \"$", name, "\" of non-null type \"", type_text,
                        "\" must not be null."));
      continue;
    }
    JsonCoercer coercer(schema);
    Path path;
    Json coerced = coercer.Coerce(definition.type, *it, path);
    for (const CoercionProblem& problem : coercer.problems()) {
      std::string at =
          problem.path.empty() ? "" : absl::StrCat(" at \"", PathText(name, problem.path), "\"");
      fail(absl::StrCat("Variable \"$", name, "\" got invalid value ", Inspect(problem.value), at,
                        "; ", problem.message));
    }
    if (coercer.problems().empty()) out.values[name] = std::move(coerced);
  }
  return out;
}

namespace {

// Coerced GraphQL input (JSON) → proto3 JSON for the message field `input`
// describes.
class RequestWriter {
 public:
  explicit RequestWriter(const Schema& schema) : schema_(schema) {}

  // nullopt: leave the field out (null).
  absl::StatusOr<std::optional<Json>> Field(const InputValue& input, const Json& value) {
    if (value.is_null()) return std::optional<Json>();
    if (input.field != nullptr && input.field->is_map()) return Map(input, value);
    return Typed(input.type, value);
  }

 private:
  absl::StatusOr<std::optional<Json>> Typed(const TypeRef& type, const Json& value) {
    if (value.is_null()) return std::optional<Json>();
    if (type.kind == TypeRef::Kind::kNonNull) return Typed(type.of[0], value);
    if (type.kind == TypeRef::Kind::kList) {
      Json out = Json::array();
      const Json items = value.is_array() ? value : Json::array({value});
      for (const Json& item : items) {
        absl::StatusOr<std::optional<Json>> json = Typed(type.of[0], item);
        if (!json.ok()) return json.status();
        if (*json) out.push_back(**std::move(json));
      }
      return std::optional<Json>(std::move(out));
    }
    const SchemaType* named = schema_.FindType(type.name);
    if (named != nullptr && named->kind == SchemaType::Kind::kInputObject) {
      return Object(*named, value);
    }
    return std::optional<Json>(Leaf(type.name, value));
  }

  static Json Leaf(const std::string& scalar, const Json& value) {
    if ((scalar == "Int64" || scalar == "UInt64") && value.is_number()) {
      return Json(ExactInteger(value).value_or(common::JsonText(value)));
    }
    if (scalar == "Empty") return Json::object();
    return value;
  }

  absl::StatusOr<std::optional<Json>> Object(const SchemaType& type, const Json& value) {
    Json out = Json::object();
    for (const InputValue& field : type.input_fields) {
      auto it = value.find(field.name);
      if (it == value.end()) continue;
      absl::StatusOr<std::optional<Json>> json = Field(field, *it);
      if (!json.ok()) return json.status();
      if (*json) out[field.name] = **std::move(json);
    }
    return std::optional<Json>(std::move(out));
  }

  // A map field: GraphQL's list of {key, value} entries, proto3 JSON's object.
  absl::StatusOr<std::optional<Json>> Map(const InputValue& input, const Json& value) {
    TypeRef entry = input.type;
    while (entry.kind != TypeRef::Kind::kNamed) entry = entry.of[0];
    const SchemaType* type = schema_.FindType(entry.name);
    const InputValue* value_field = nullptr;
    if (type != nullptr) {
      for (const InputValue& field : type->input_fields) {
        if (field.name == "value") value_field = &field;
      }
    }
    Json out = Json::object();
    const Json items = value.is_array() ? value : Json::array({value});
    for (const Json& item : items) {
      if (!item.is_object()) continue;
      auto key = item.find("key");
      std::string text = key == item.end() ? "" : KeyText(*key);
      if (out.contains(text)) {
        return absl::InvalidArgumentError(
            absl::StrCat("Map \"", input.name, "\" is given the key \"", text, "\" twice."));
      }
      Json mapped = nullptr;
      auto given = item.find("value");
      if (value_field != nullptr && given != item.end()) {
        absl::StatusOr<std::optional<Json>> json = Field(*value_field, *given);
        if (!json.ok()) return json.status();
        if (*json) mapped = **std::move(json);
      }
      out[text] = std::move(mapped);
    }
    return std::optional<Json>(std::move(out));
  }

  static std::string KeyText(const Json& key) {
    if (key.is_string()) return key.get<std::string>();
    if (key.is_null()) return "";
    return common::JsonText(key);
  }

  const Schema& schema_;
};

}  // namespace

absl::StatusOr<Json> RequestJson(const Schema& schema, const SchemaField& root_field,
                                 const std::vector<Argument>& arguments, const Json& variables) {
  RequestWriter writer(schema);
  Json out = Json::object();
  const Json none = Json::object();
  for (const InputValue& input : root_field.arguments) {
    std::optional<Json> given;
    for (const Argument& argument : arguments) {
      if (argument.name == input.name) given = LiteralOrVariable(argument.value, variables);
    }
    if (!given && input.default_value) {
      // Defaults are literals the schema wrote; coerce them like any input.
      JsonCoercer coercer(schema);
      Path path;
      given =
          coercer.Coerce(input.type, LiteralJson(DefaultLiteral(*input.default_value), none), path);
    }
    if (!given) continue;
    absl::StatusOr<std::optional<Json>> json = writer.Field(input, *given);
    if (!json.ok()) return json.status();
    if (*json) out[input.name] = **std::move(json);
  }
  return out;
}

absl::StatusOr<bool> DirectiveCondition(const Directive& skip_or_include, const Json& variables) {
  for (const Argument& argument : skip_or_include.arguments) {
    if (argument.name != "if") continue;
    std::optional<Json> value = LiteralOrVariable(argument.value, variables);
    if (value && value->is_boolean()) return value->get<bool>();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("Directive \"@", skip_or_include.name, "\" needs a Boolean \"if\" argument."));
}

}  // namespace protogate::graphql
