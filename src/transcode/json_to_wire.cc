#include "transcode/json_to_wire.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/memory/memory.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/json_text.h"
#include "common/utf8.h"
#include "transcode/wire_format.h"

namespace protogate::transcode {
namespace {

namespace gpb = google::protobuf;
using gpb::FieldDescriptor;

enum class Kind : uint8_t {
  kInt32,
  kInt64,
  kUint32,
  kUint64,
  kSint32,
  kSint64,
  kFixed32,
  kFixed64,
  kSfixed32,
  kSfixed64,
  kFloat,
  kDouble,
  kBool,
  kString,
  kBytes,
  kEnum,
  kMessage,
  kMap,
};

// Message types with a JSON form that is not an object.
enum class Special : uint8_t { kNone, kTimestamp, kDuration, kFieldMask, kWrapper };

std::string Echo(absl::string_view value) { return common::Shortened(value); }

Special SpecialOf(const gpb::Descriptor& type) {
  const std::string& name = type.full_name();
  if (!absl::StartsWith(name, "google.protobuf.")) return Special::kNone;
  if (name == "google.protobuf.Timestamp") return Special::kTimestamp;
  if (name == "google.protobuf.Duration") return Special::kDuration;
  if (name == "google.protobuf.FieldMask") return Special::kFieldMask;
  static constexpr const char* kWrappers[] = {
      "google.protobuf.DoubleValue", "google.protobuf.FloatValue",  "google.protobuf.Int64Value",
      "google.protobuf.UInt64Value", "google.protobuf.Int32Value",  "google.protobuf.UInt32Value",
      "google.protobuf.BoolValue",   "google.protobuf.StringValue", "google.protobuf.BytesValue"};
  for (const char* wrapper : kWrappers) {
    if (name == wrapper) return Special::kWrapper;
  }
  return Special::kNone;
}

// Types whose JSON protobuf maps in ways this writer does not follow.
bool IsFallbackType(const gpb::Descriptor& type) {
  const std::string& name = type.full_name();
  return name == "google.protobuf.Any" || name == "google.protobuf.Struct" ||
         name == "google.protobuf.Value" || name == "google.protobuf.ListValue";
}

Kind KindOf(const FieldDescriptor& field) {
  switch (field.type()) {
    case FieldDescriptor::TYPE_INT32:
      return Kind::kInt32;
    case FieldDescriptor::TYPE_INT64:
      return Kind::kInt64;
    case FieldDescriptor::TYPE_UINT32:
      return Kind::kUint32;
    case FieldDescriptor::TYPE_UINT64:
      return Kind::kUint64;
    case FieldDescriptor::TYPE_SINT32:
      return Kind::kSint32;
    case FieldDescriptor::TYPE_SINT64:
      return Kind::kSint64;
    case FieldDescriptor::TYPE_FIXED32:
      return Kind::kFixed32;
    case FieldDescriptor::TYPE_FIXED64:
      return Kind::kFixed64;
    case FieldDescriptor::TYPE_SFIXED32:
      return Kind::kSfixed32;
    case FieldDescriptor::TYPE_SFIXED64:
      return Kind::kSfixed64;
    case FieldDescriptor::TYPE_FLOAT:
      return Kind::kFloat;
    case FieldDescriptor::TYPE_DOUBLE:
      return Kind::kDouble;
    case FieldDescriptor::TYPE_BOOL:
      return Kind::kBool;
    case FieldDescriptor::TYPE_STRING:
      return Kind::kString;
    case FieldDescriptor::TYPE_BYTES:
      return Kind::kBytes;
    case FieldDescriptor::TYPE_ENUM:
      return Kind::kEnum;
    default:
      return field.is_map() ? Kind::kMap : Kind::kMessage;
  }
}

wire::WireType WireTypeOf(Kind kind) {
  switch (kind) {
    case Kind::kFixed32:
    case Kind::kSfixed32:
    case Kind::kFloat:
      return wire::WireType::kFixed32;
    case Kind::kFixed64:
    case Kind::kSfixed64:
    case Kind::kDouble:
      return wire::WireType::kFixed64;
    case Kind::kString:
    case Kind::kBytes:
    case Kind::kMessage:
    case Kind::kMap:
      return wire::WireType::kLengthDelimited;
    default:
      return wire::WireType::kVarint;
  }
}

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kInt32:
      return "int32";
    case Kind::kInt64:
      return "int64";
    case Kind::kUint32:
      return "uint32";
    case Kind::kUint64:
      return "uint64";
    case Kind::kSint32:
      return "sint32";
    case Kind::kSint64:
      return "sint64";
    case Kind::kFixed32:
      return "fixed32";
    case Kind::kFixed64:
      return "fixed64";
    case Kind::kSfixed32:
      return "sfixed32";
    case Kind::kSfixed64:
      return "sfixed64";
    case Kind::kFloat:
      return "float";
    case Kind::kDouble:
      return "double";
    case Kind::kBool:
      return "bool";
    case Kind::kString:
      return "string";
    case Kind::kBytes:
      return "bytes";
    case Kind::kEnum:
      return "enum";
    case Kind::kMessage:
      return "message";
    case Kind::kMap:
      return "map";
  }
  return "value";
}

using EnumNames = absl::flat_hash_map<absl::string_view, int>;

}  // namespace

struct JsonToWire::FieldPlan {
  const FieldDescriptor* field = nullptr;
  Kind kind = Kind::kInt32;
  bool repeated = false;    // a list field (maps are not)
  bool packed = false;      // written as one length-delimited run
  bool null_value = false;  // google.protobuf.NullValue: JSON null is its value 0
  int oneof = -1;           // index among the message's oneofs (synthetic ones too)
  int message = -1;         // kMessage: the type; kMap: the entry type (index in messages_)
  const gpb::EnumDescriptor* enum_type = nullptr;
  std::shared_ptr<const EnumNames> enum_names;
  uint8_t tag_size = 0;  // one element's tag
  char tag[5] = {};
  uint8_t packed_tag_size = 0;  // the run's tag (wire type 2)
  char packed_tag[5] = {};
};

struct JsonToWire::MessagePlan {
  const gpb::Descriptor* type = nullptr;
  Special special = Special::kNone;
  std::vector<FieldPlan> fields;  // in descriptor order
  // Proto names and JSON names; a type where one string would name two
  // fields is not covered, so the lookup order does not matter.
  absl::flat_hash_map<absl::string_view, int> by_name;
};

namespace {

void SetTag(int number, wire::WireType type, char* bytes, uint8_t* size) {
  std::string encoded;
  wire::AppendTag(number, type, &encoded);
  std::memcpy(bytes, encoded.data(), encoded.size());
  *size = static_cast<uint8_t>(encoded.size());
}

// ---- Conversions, as protobuf 3.21's converter makes them -------------------

// A JSON scalar as the parser saw it: integers that fit 64 bits stay exact
// (negative ones signed, others unsigned), every other number is a double.
struct Scalar {
  enum Type : uint8_t { kString, kBool, kInt, kUint, kDouble } type = kString;
  bool b = false;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  absl::string_view s;    // kString: decoded
  absl::string_view raw;  // the JSON text, for errors
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Decimal digits with an optional sign; no spaces at either end.
template <typename T>
bool StringToInt(absl::string_view s, T* out) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ') return false;
  size_t i = 0;
  bool negative = false;
  if (s[0] == '-' || s[0] == '+') {
    negative = s[0] == '-';
    ++i;
  }
  if (i == s.size()) return false;
  if (negative && !std::is_signed<T>::value) return false;
  T value = 0;
  constexpr T kMax = std::numeric_limits<T>::max();
  constexpr T kMin = std::numeric_limits<T>::min();
  for (; i < s.size(); ++i) {
    if (!IsDigit(s[i])) return false;
    const int digit = s[i] - '0';
    if (!negative) {
      if (value > (kMax - digit) / 10) return false;
      value = static_cast<T>(value * 10 + digit);
    } else {
      if (value < (kMin + digit) / 10) return false;
      value = static_cast<T>(value * 10 - digit);
    }
  }
  *out = value;
  return true;
}

// strtod's grammar (hex and "inf" included) with trailing whitespace allowed,
// as protobuf parses number strings; the text ends at a NUL, as C strings do.
bool StringToDoubleLoose(absl::string_view s, double* out) {
  std::string text(s);
  const char* begin = text.c_str();
  char* end = nullptr;
  *out = std::strtod(begin, &end);
  if (end != begin) {
    while (absl::ascii_isspace(static_cast<unsigned char>(*end))) ++end;
  }
  return *begin != '\0' && *end == '\0';
}

bool StringToDouble(absl::string_view s, double* out) {
  if (s == "Infinity") {
    *out = std::numeric_limits<double>::infinity();
    return true;
  }
  if (s == "-Infinity") {
    *out = -std::numeric_limits<double>::infinity();
    return true;
  }
  if (s == "NaN") {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (s.empty() || s.front() == ' ' || s.back() == ' ') return false;
  return StringToDoubleLoose(s, out) && std::isfinite(*out);
}

bool StringToFloat(absl::string_view s, float* out) {
  if (s == "Infinity") {
    *out = std::numeric_limits<float>::infinity();
    return true;
  }
  if (s == "-Infinity") {
    *out = -std::numeric_limits<float>::infinity();
    return true;
  }
  if (s == "NaN") {
    *out = std::numeric_limits<float>::quiet_NaN();
    return true;
  }
  if (s.empty() || s.front() == ' ' || s.back() == ' ') return false;
  double d;
  if (!StringToDoubleLoose(s, &d) || !std::isfinite(d)) return false;
  constexpr double kMax = std::numeric_limits<float>::max();
  if (d > kMax || d < -kMax) return false;
  *out = static_cast<float>(d);
  return true;
}

// A JSON number to float: doubles just beyond the largest float still round
// to it (protobuf halves them to convert without overflow).
bool DoubleToFloat(double d, float* out) {
  constexpr float kMax = std::numeric_limits<float>::max();
  if (std::isnan(d) || std::isinf(d) || (d <= kMax && d >= -kMax)) {
    *out = static_cast<float>(d);
    return true;
  }
  const double half = d * 0.5;
  if (half < kMax && half > -kMax) {
    const float half_float = static_cast<float>(half);
    if (half_float <= kMax * 0.5f && half_float >= -kMax * 0.5f) {
      *out = half_float + half_float;
      return true;
    }
  }
  return false;
}

bool StringToBool(absl::string_view s, bool* out) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ') return false;
  for (const char* word : {"true", "t", "yes", "y", "1"}) {
    if (absl::EqualsIgnoreCase(s, word)) {
      *out = true;
      return true;
    }
  }
  for (const char* word : {"false", "f", "no", "n", "0"}) {
    if (absl::EqualsIgnoreCase(s, word)) {
      *out = false;
      return true;
    }
  }
  return false;
}

// An integral double in [lo, hi] (hi exclusive when `hi_open`).
bool DoubleIsIntegerIn(double d, double lo, double hi, bool hi_open) {
  if (std::trunc(d) != d || d < lo) return false;
  return hi_open ? d < hi : d <= hi;
}

template <typename T>
bool ToInteger(const Scalar& v, T* out) {
  switch (v.type) {
    case Scalar::kString:
      return StringToInt<T>(v.s, out);
    case Scalar::kInt:
      if (v.i < static_cast<int64_t>(std::numeric_limits<T>::min())) return false;
      if (v.i > 0 && static_cast<uint64_t>(v.i) > std::numeric_limits<T>::max()) return false;
      *out = static_cast<T>(v.i);
      return true;
    case Scalar::kUint:
      if (v.u > static_cast<uint64_t>(std::numeric_limits<T>::max())) return false;
      *out = static_cast<T>(v.u);
      return true;
    case Scalar::kDouble: {
      bool ok;
      if constexpr (sizeof(T) == 8) {
        ok = std::is_signed<T>::value
                 ? DoubleIsIntegerIn(v.d, -9223372036854775808.0, 9223372036854775808.0, true)
                 : DoubleIsIntegerIn(v.d, 0, 18446744073709551616.0, true);
      } else {
        ok = DoubleIsIntegerIn(v.d, static_cast<double>(std::numeric_limits<T>::min()),
                               static_cast<double>(std::numeric_limits<T>::max()), false);
      }
      if (!ok) return false;
      *out = static_cast<T>(v.d);
      return true;
    }
    case Scalar::kBool:
      return false;
  }
  return false;
}

bool ToDouble(const Scalar& v, double* out) {
  switch (v.type) {
    case Scalar::kString:
      return StringToDouble(v.s, out);
    case Scalar::kInt:
      *out = static_cast<double>(v.i);
      return true;
    case Scalar::kUint:
      *out = static_cast<double>(v.u);
      return true;
    case Scalar::kDouble:
      *out = v.d;
      return true;
    case Scalar::kBool:
      return false;
  }
  return false;
}

bool ToFloat(const Scalar& v, float* out) {
  switch (v.type) {
    case Scalar::kString:
      return StringToFloat(v.s, out);
    case Scalar::kInt:
      *out = static_cast<float>(v.i);
      return true;
    case Scalar::kUint:
      *out = static_cast<float>(v.u);
      return true;
    case Scalar::kDouble:
      return DoubleToFloat(v.d, out);
    case Scalar::kBool:
      return false;
  }
  return false;
}

bool ToBool(const Scalar& v, bool* out) {
  if (v.type == Scalar::kBool) {
    *out = v.b;
    return true;
  }
  return v.type == Scalar::kString && StringToBool(v.s, out);
}

int Base64Digit(char c, bool web_safe) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == (web_safe ? '-' : '+')) return 62;
  if (c == (web_safe ? '_' : '/')) return 63;
  return -1;
}

// Base64 in one alphabet, canonical: padding absent or exact, no
// whitespace, unused trailing bits zero (what protobuf's strict decoding
// comes to: a decode that re-encodes to the input).
bool DecodeBase64(absl::string_view s, bool web_safe, std::string* out) {
  size_t body = s.size();
  while (body > 0 && s[body - 1] == '=') --body;
  const size_t padding = s.size() - body;
  const size_t rest = body % 4;
  if (rest == 1) return false;
  if (padding != 0 && !(rest == 2 && padding == 2) && !(rest == 3 && padding == 1)) return false;
  out->clear();
  out->reserve(body / 4 * 3 + 2);
  uint32_t bits = 0;
  int count = 0;
  for (size_t i = 0; i < body; ++i) {
    const int digit = Base64Digit(s[i], web_safe);
    if (digit < 0) return false;
    bits = (bits << 6) | static_cast<uint32_t>(digit);
    if (++count == 4) {
      out->push_back(static_cast<char>(bits >> 16));
      out->push_back(static_cast<char>(bits >> 8));
      out->push_back(static_cast<char>(bits));
      bits = 0;
      count = 0;
    }
  }
  if (count == 2) {
    if ((bits & 0xF) != 0) return false;
    out->push_back(static_cast<char>(bits >> 4));
  } else if (count == 3) {
    if ((bits & 0x3) != 0) return false;
    out->push_back(static_cast<char>(bits >> 10));
    out->push_back(static_cast<char>(bits >> 2));
  }
  return true;
}

bool ToBytes(absl::string_view s, std::string* out) {
  return DecodeBase64(s, true, out) || DecodeBase64(s, false, out);
}

// ---- Well-known types in their string forms ---------------------------------

// Reads 1 to `width` digits (C-string semantics: the text ends at a NUL).
const char* ReadTimeInt(const char* p, int width, int lo, int hi, int* out) {
  if (!IsDigit(*p)) return nullptr;
  int value = 0;
  for (int i = 0; i < width && IsDigit(*p); ++i, ++p) value = value * 10 + (*p - '0');
  if (value < lo || value > hi) return nullptr;
  *out = value;
  return p;
}

int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// RFC 3339 as protobuf reads it: fields of up to their width in digits, any
// number of fraction digits (nine kept), "Z" or an offset.
bool ParseTimestamp(absl::string_view value, int64_t* seconds, int32_t* nanos) {
  const std::string text(value);
  const char* p = text.c_str();
  int year, month, day, hour, minute, second;
  if ((p = ReadTimeInt(p, 4, 1, 9999, &year)) == nullptr || *p++ != '-') return false;
  if ((p = ReadTimeInt(p, 2, 1, 12, &month)) == nullptr || *p++ != '-') return false;
  if ((p = ReadTimeInt(p, 2, 1, 31, &day)) == nullptr || *p++ != 'T') return false;
  if ((p = ReadTimeInt(p, 2, 0, 23, &hour)) == nullptr || *p++ != ':') return false;
  if ((p = ReadTimeInt(p, 2, 0, 59, &minute)) == nullptr || *p++ != ':') return false;
  if ((p = ReadTimeInt(p, 2, 0, 59, &second)) == nullptr) return false;
  static constexpr int kDays[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (day > kDays[month] + (month == 2 && IsLeap(year) ? 1 : 0)) return false;
  *seconds = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  *nanos = 0;
  if (*p == '.') {
    ++p;
    if (!IsDigit(*p)) return false;
    int value = 0;
    int digits = 0;
    for (; IsDigit(*p); ++p, ++digits) {
      if (digits < 9) value = value * 10 + (*p - '0');
    }
    for (; digits < 9; ++digits) value *= 10;
    *nanos = value;
  }
  if (*p == 'Z') {
    ++p;
  } else if (*p == '+' || *p == '-') {
    const bool ahead = *p++ == '+';
    int offset_hours, offset_minutes;
    if ((p = ReadTimeInt(p, 2, 0, 23, &offset_hours)) == nullptr || *p++ != ':') return false;
    if ((p = ReadTimeInt(p, 2, 0, 59, &offset_minutes)) == nullptr) return false;
    const int64_t offset = (offset_hours * 60 + offset_minutes) * 60;
    *seconds += ahead ? -offset : offset;
  } else {
    return false;
  }
  return *p == '\0';
}

constexpr int64_t kMaxDurationSeconds = 315576000000;

bool ParseDuration(absl::string_view value, int64_t* seconds, int32_t* nanos) {
  if (!absl::ConsumeSuffix(&value, "s")) return false;
  const bool negative = absl::ConsumePrefix(&value, "-");
  absl::string_view whole = value;
  absl::string_view fraction;
  if (size_t dot = value.rfind('.'); dot != absl::string_view::npos) {
    whole = value.substr(0, dot);
    fraction = value.substr(dot + 1);
  }
  // Seconds as protobuf's unsigned parse takes them: spaces around and a
  // '+' are allowed.
  while (!whole.empty() && whole.front() == ' ') whole.remove_prefix(1);
  while (!whole.empty() && whole.back() == ' ') whole.remove_suffix(1);
  uint64_t magnitude;
  if (!StringToInt<uint64_t>(whole, &magnitude)) return false;
  int leading_zeros = 0;
  while (absl::ConsumePrefix(&fraction, "0")) ++leading_zeros;
  int32_t digits_value = 0;
  if (!fraction.empty()) {
    for (char c : fraction) {
      if (!IsDigit(c)) return false;
    }
    if (!StringToInt<int32_t>(fraction, &digits_value)) return false;
  }
  if (digits_value > 1000000000) return false;
  int32_t value_nanos = 0;
  if (digits_value > 0) {
    const size_t scale = leading_zeros + fraction.size();
    if (scale > 9) return false;
    int32_t factor = 1;
    for (size_t i = scale; i < 9; ++i) factor *= 10;
    value_nanos = digits_value * factor;
  }
  // The sign applies in 64-bit unsigned arithmetic, as protobuf's does.
  const uint64_t sign = negative ? ~uint64_t{0} : 1;
  *seconds = static_cast<int64_t>(sign * magnitude);
  *nanos = negative ? -value_nanos : value_nanos;
  return *seconds <= kMaxDurationSeconds && *seconds >= -kMaxDurationSeconds &&
         *nanos < 1000000000 && *nanos > -1000000000;
}

std::string ToSnakeCase(absl::string_view input) {
  std::string result;
  result.reserve(input.size() * 2);
  bool after_non_underscore = false;
  bool after_non_capital = false;
  for (size_t i = 0; i < input.size(); ++i) {
    const char c = input[i];
    if (absl::ascii_isupper(static_cast<unsigned char>(c))) {
      const bool next_is_lower =
          i + 1 < input.size() && absl::ascii_islower(static_cast<unsigned char>(input[i + 1]));
      if (after_non_underscore && (after_non_capital || next_is_lower)) result.push_back('_');
      result.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
      after_non_underscore = true;
      after_non_capital = false;
    } else {
      result.push_back(c);
      after_non_underscore = c != '_';
      after_non_capital = true;
    }
  }
  return result;
}

// One path of a FieldMask's JSON form to its proto form: segments between
// '.', '(', ')' and quotes are snake-cased; quoted map keys are kept.
std::string FieldMaskPathToProto(absl::string_view path) {
  std::string result;
  result.reserve(path.size() * 2);
  bool quoted = false;
  bool escaping = false;
  size_t segment_start = 0;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (quoted) {
      if (i == path.size()) break;
      result.push_back(path[i]);
      if (escaping) {
        escaping = false;
      } else if (path[i] == '\\') {
        escaping = true;
      } else if (path[i] == '"') {
        segment_start = i + 1;
        quoted = false;
      }
      continue;
    }
    const bool at_end = i == path.size();
    if (at_end || path[i] == '.' || path[i] == '(' || path[i] == ')' || path[i] == '"') {
      result += ToSnakeCase(path.substr(segment_start, i - segment_start));
      if (!at_end) result.push_back(path[i]);
      segment_start = i + 1;
    }
    if (!at_end && path[i] == '"') quoted = true;
  }
  return result;
}

std::string JoinPathSegment(absl::string_view prefix, absl::string_view segment) {
  if (prefix.empty()) return std::string(segment);
  if (segment.empty()) return std::string(prefix);
  if (absl::StartsWith(segment, "[\"")) return absl::StrCat(prefix, segment);
  return absl::StrCat(prefix, ".", segment);
}

// The compact FieldMask form: comma-separated paths, "a(b,c)" for "a.b,a.c",
// map keys as ["key"].
bool ParseFieldMask(absl::string_view paths, std::vector<std::string>* out) {
  std::vector<std::string> prefixes;
  const size_t length = paths.size();
  size_t previous = 0;
  bool in_map_key = false;
  bool escaping = false;
  for (size_t i = 0; i <= length; ++i) {
    if (i != length) {
      const char c = paths[i];
      if (in_map_key) {
        if (escaping) {
          escaping = false;
          continue;
        }
        if (c == '\\') {
          escaping = true;
          continue;
        }
        if (c != '"') continue;
        if (i + 1 >= length || paths[i + 1] != ']') return false;
        in_map_key = false;
        ++i;
        if (i + 1 < length && paths[i + 1] != '.' && paths[i + 1] != ',' && paths[i + 1] != ')' &&
            paths[i + 1] != '(') {
          return false;
        }
        escaping = false;
        continue;
      }
      if (c == '[') {
        if (i + 1 >= length || paths[i + 1] != '"') return false;
        in_map_key = true;
        ++i;
        continue;
      }
      if (c != ',' && c != ')' && c != '(') continue;
    }
    const absl::string_view segment = paths.substr(previous, i - previous);
    const std::string prefix = prefixes.empty() ? std::string() : prefixes.back();
    if (i < length && paths[i] == '(') {
      prefixes.push_back(JoinPathSegment(prefix, segment));
    } else if (!segment.empty()) {
      out->push_back(FieldMaskPathToProto(JoinPathSegment(prefix, segment)));
    }
    if (i < length && paths[i] == ')') {
      if (prefixes.empty()) return false;
      prefixes.pop_back();
    }
    previous = i + 1;
  }
  return !in_map_key && prefixes.empty();
}

// Where a value sits, for error messages; built on the stack as the writer
// descends and read only when something fails.
struct Path {
  const Path* parent = nullptr;
  const FieldDescriptor* field = nullptr;  // a field of a message
  int64_t index = -1;                      // an element of a list
  absl::string_view map_key;               // an entry of a map (as written)
  bool is_map_key = false;
};

std::string PathString(const Path* path) {
  std::vector<const Path*> nodes;
  for (; path != nullptr; path = path->parent) nodes.push_back(path);
  std::string out;
  for (size_t i = nodes.size(); i-- > 0;) {
    const Path& node = *nodes[i];
    if (node.field != nullptr) {
      if (!out.empty()) out.push_back('.');
      out += node.field->name();
    } else if (node.index >= 0) {
      absl::StrAppend(&out, "[", node.index, "]");
    } else if (node.is_map_key) {
      absl::StrAppend(&out, "[\"", Echo(node.map_key), "\"]");
    }
  }
  return out;
}

}  // namespace

// ---- The writer -------------------------------------------------------------

namespace {

using FieldPlan = JsonToWire::FieldPlan;
using MessagePlan = JsonToWire::MessagePlan;

class Writer {
 public:
  Writer(const std::vector<MessagePlan>& messages, bool ignore_unknown, absl::string_view json,
         std::string* out)
      : messages_(messages),
        ignore_unknown_(ignore_unknown),
        p_(json.data()),
        end_(json.data() + json.size()),
        out_(out) {}

  absl::Status WriteRoot() {
    SkipSpace();
    const MessagePlan& root = messages_[0];
    if (Peek() == '{') {
      if (!WriteMessage(0, 1, nullptr)) return std::move(error_);
      return absl::OkStatus();
    }
    if (root.special != Special::kNone && Peek() != '[') {
      if (Peek() == 'n') return absl::OkStatus();
      Scalar value;
      if (!ReadScalar(&value, nullptr) || !WriteSpecial(root, value, nullptr)) {
        return std::move(error_);
      }
      return absl::OkStatus();
    }
    Fail(nullptr, absl::StrCat("expected an object for ", root.type->full_name(), ", got ",
                               Peek() == '[' ? "an array" : "a scalar"));
    return std::move(error_);
  }

  absl::Status WriteRootField(int field) {
    SkipSpace();
    const MessagePlan& root = messages_[0];
    const FieldPlan& plan = root.fields[field];
    uint64_t oneofs = 0;
    // The value sits in a message object of its own, as if the body were
    // {"<field>": <value>}: one object deep already.
    if (!WriteFieldValue(plan, &oneofs, 1, nullptr)) return std::move(error_);
    return absl::OkStatus();
  }

 private:
  char Peek() const { return p_ < end_ ? *p_ : '\0'; }

  void SkipSpace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool Fail(const Path* path, absl::string_view reason) {
    std::string where = PathString(path);
    error_ = absl::InvalidArgumentError(
        where.empty() ? absl::StrCat("invalid JSON body: ", reason)
                      : absl::StrCat("invalid JSON body: ", where, ": ", reason));
    return false;
  }

  bool InvalidValue(const Path* path, const Scalar& value, absl::string_view type,
                    absl::string_view why = {}) {
    return Fail(path, absl::StrCat("invalid value ", Echo(value.raw), " for ", type,
                                   why.empty() ? "" : ": ", why));
  }

  // p_ at '"'. `decoded` points into the input when the string has no
  // escapes, else into `scratch`.
  void ReadString(absl::string_view* decoded, absl::string_view* raw, std::string* scratch) {
    const char* begin = ++p_;
    const char* q = begin;
    while (q < end_ && *q != '"' && *q != '\\') ++q;
    if (q < end_ && *q == '"') {
      *decoded = absl::string_view(begin, q - begin);
      p_ = q + 1;
      *raw = absl::string_view(begin - 1, p_ - begin + 1);
      return;
    }
    scratch->assign(begin, q - begin);
    while (q < end_ && *q != '"') {
      if (*q != '\\') {
        scratch->push_back(*q++);
        continue;
      }
      ++q;
      const char e = *q++;
      switch (e) {
        case 'b':
          scratch->push_back('\b');
          break;
        case 'f':
          scratch->push_back('\f');
          break;
        case 'n':
          scratch->push_back('\n');
          break;
        case 'r':
          scratch->push_back('\r');
          break;
        case 't':
          scratch->push_back('\t');
          break;
        case 'u': {
          uint32_t code = ReadHex4(q);
          q += 4;
          // The strict check let only whole surrogate pairs through.
          if (code >= 0xD800 && code <= 0xDBFF && q + 6 <= end_ && q[0] == '\\' && q[1] == 'u') {
            const uint32_t low = ReadHex4(q + 2);
            q += 6;
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          }
          common::AppendUtf8(code, scratch);
          break;
        }
        default:  // '"', '\\', '/'
          scratch->push_back(e);
      }
    }
    p_ = q + 1;
    *decoded = *scratch;
    *raw = absl::string_view(begin - 1, p_ - begin + 1);
  }

  static uint32_t ReadHex4(const char* q) {
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = q[i];
      value <<= 4;
      if (c >= '0' && c <= '9') value |= c - '0';
      if (c >= 'a' && c <= 'f') value |= c - 'a' + 10;
      if (c >= 'A' && c <= 'F') value |= c - 'A' + 10;
    }
    return value;
  }

  // p_ at a number. Integers that fit 64 bits stay integers; the rest are
  // doubles, and protobuf's parser refuses the ones beyond double's range
  // wherever they are.
  bool ReadNumber(Scalar* value, const Path* path) {
    const char* begin = p_;
    bool floating = false;
    while (p_ < end_) {
      const char c = *p_;
      if (IsDigit(c) || c == '-' || c == '+') {
        ++p_;
      } else if (c == '.' || c == 'e' || c == 'E') {
        floating = true;
        ++p_;
      } else {
        break;
      }
    }
    const absl::string_view text(begin, p_ - begin);
    value->raw = text;
    if (!floating) {
      if (text[0] == '-') {
        if (StringToInt<int64_t>(text, &value->i)) {
          value->type = Scalar::kInt;
          return true;
        }
      } else if (StringToInt<uint64_t>(text, &value->u)) {
        value->type = Scalar::kUint;
        return true;
      }
    }
    value->type = Scalar::kDouble;
    const std::string copy(text);
    value->d = std::strtod(copy.c_str(), nullptr);
    if (!std::isfinite(value->d)) {
      return Fail(path, absl::StrCat("number ", Echo(text), " is out of the range of double"));
    }
    return true;
  }

  // p_ at a string, number, true or false.
  bool ReadScalar(Scalar* value, const Path* path) {
    switch (Peek()) {
      case '"':
        value->type = Scalar::kString;
        ReadString(&value->s, &value->raw, &scratch_);
        return true;
      case 't':
        value->type = Scalar::kBool;
        value->b = true;
        value->raw = absl::string_view(p_, 4);
        p_ += 4;
        return true;
      case 'f':
        value->type = Scalar::kBool;
        value->b = false;
        value->raw = absl::string_view(p_, 5);
        p_ += 5;
        return true;
      default:
        return ReadNumber(value, path);
    }
  }

  // Skips one value of a field that names nothing, as protobuf's parser
  // still reads it: objects count towards the depth limit and numbers must
  // fit a double.
  bool SkipValue(int depth, const Path* path) {
    int open = 0;
    int objects = 0;
    do {
      SkipSpace();
      switch (Peek()) {
        case '{':
          if (depth + ++objects > JsonToWire::kMaxObjectDepth) return TooDeep(path);
          ++open;
          ++p_;
          break;
        case '[':
          ++open;
          ++p_;
          break;
        case '}':
          --objects;
          --open;
          ++p_;
          break;
        case ']':
          --open;
          ++p_;
          break;
        case ',':
        case ':':
          ++p_;
          break;
        case '"': {
          ++p_;
          while (p_ < end_ && *p_ != '"') p_ += *p_ == '\\' ? 2 : 1;
          ++p_;
          break;
        }
        case 't':
        case 'n':
          p_ += 4;
          break;
        case 'f':
          p_ += 5;
          break;
        default: {
          Scalar number;
          if (!ReadNumber(&number, path)) return false;
        }
      }
    } while (open > 0 && p_ < end_);
    return true;
  }

  bool TooDeep(const Path* path) {
    return Fail(path, absl::StrCat("objects nested deeper than ", JsonToWire::kMaxObjectDepth));
  }

  void AppendTag(const FieldPlan& f) { out_->append(f.tag, f.tag_size); }

  // A length prefix written as one byte and widened when the payload is
  // longer, so a message is written once, in place.
  size_t BeginLength() {
    out_->push_back('\0');
    return out_->size();
  }

  void EndLength(size_t start) {
    const size_t length = out_->size() - start;
    if (length < 0x80) {
      (*out_)[start - 1] = static_cast<char>(length);
      return;
    }
    std::string prefix;
    wire::AppendVarint(length, &prefix);
    out_->insert(start, prefix.size() - 1, '\0');
    std::memcpy(&(*out_)[start - 1], prefix.data(), prefix.size());
  }

  bool TakeOneof(const FieldPlan& f, uint64_t* oneofs, const Path* path) {
    if (f.oneof < 0) return true;
    const uint64_t bit = uint64_t{1} << f.oneof;
    if ((*oneofs & bit) != 0) {
      return Fail(path, absl::StrCat("another field of oneof \"",
                                     f.field->containing_oneof()->name(), "\" is already set"));
    }
    *oneofs |= bit;
    return true;
  }

  // p_ at '{' of a `messages_[index]` object `depth` objects deep.
  bool WriteMessage(int index, int depth, const Path* path) {
    if (depth > JsonToWire::kMaxObjectDepth) return TooDeep(path);
    const MessagePlan& m = messages_[index];
    uint64_t oneofs = 0;
    ++p_;
    while (true) {
      SkipSpace();
      const char c = Peek();
      if (c == '}' || c == '\0') {
        ++p_;
        return true;
      }
      if (c == ',') {
        ++p_;
        continue;
      }
      absl::string_view key, raw_key;
      ReadString(&key, &raw_key, &key_scratch_);
      SkipSpace();
      ++p_;  // ':'
      SkipSpace();
      if (key.empty()) return Fail(path, "empty field name");
      auto it = m.by_name.find(key);
      if (it == m.by_name.end()) {
        if (!ignore_unknown_) {
          return Fail(path,
                      absl::StrCat("unknown field ", Echo(raw_key), " in ", m.type->full_name()));
        }
        if (!SkipValue(depth, path)) return false;
        continue;
      }
      if (!WriteFieldValue(m.fields[it->second], &oneofs, depth, path)) return false;
    }
  }

  // p_ at the value of field `f` of a message object `depth` deep.
  bool WriteFieldValue(const FieldPlan& f, uint64_t* oneofs, int depth, const Path* parent) {
    const Path here{parent, f.field, -1, {}, false};
    switch (Peek()) {
      case 'n':
        p_ += 4;
        // null is the default, except for NullValue whose only value it is.
        if (!f.null_value || f.kind == Kind::kMap) return true;
        if (!TakeOneof(f, oneofs, &here)) return false;
        AppendTag(f);
        out_->push_back('\0');
        return true;
      case '[':
        if (f.kind == Kind::kMap) return Fail(&here, "a map takes an object, not an array");
        if (!f.repeated) return Fail(&here, "an array for a field that is not repeated");
        return WriteList(f, depth, &here);
      case '{': {
        if (f.kind == Kind::kMap) return WriteMap(f, depth + 1, &here);
        if (f.kind != Kind::kMessage) {
          return Fail(&here, absl::StrCat("an object for a field of type ", TypeName(f)));
        }
        if (!TakeOneof(f, oneofs, &here)) return false;
        AppendTag(f);
        const size_t start = BeginLength();
        if (!WriteMessage(f.message, depth + 1, &here)) return false;
        EndLength(start);
        return true;
      }
      default: {
        Scalar value;
        if (!ReadScalar(&value, &here)) return false;
        if (f.kind == Kind::kMap) return InvalidValue(&here, value, "a map");
        if (!TakeOneof(f, oneofs, &here)) return false;
        return WriteOne(f, value, /*tagged=*/true, &here);
      }
    }
  }

  // A scalar JSON value as one element of `f` (a message field takes it
  // only when its type has a string form).
  bool WriteOne(const FieldPlan& f, const Scalar& value, bool tagged, const Path* path) {
    if (f.kind != Kind::kMessage) return WriteScalar(f, value, tagged, path);
    const MessagePlan& m = messages_[f.message];
    if (m.special == Special::kNone) return InvalidValue(path, value, m.type->full_name());
    AppendTag(f);
    const size_t start = BeginLength();
    if (!WriteSpecial(m, value, path)) return false;
    EndLength(start);
    return true;
  }

  // p_ at '['. Nested arrays flatten into the same field, as protobuf's
  // converter reads them.
  bool WriteList(const FieldPlan& f, int depth, const Path* path) {
    size_t field_start = out_->size();
    size_t run_start = 0;
    if (f.packed) {
      out_->append(f.packed_tag, f.packed_tag_size);
      run_start = BeginLength();
    }
    ++p_;
    int open = 1;
    int64_t index = 0;
    while (open > 0) {
      SkipSpace();
      const char c = Peek();
      if (c == ']' || c == '\0') {
        ++p_;
        --open;
        continue;
      }
      if (c == ',') {
        ++p_;
        continue;
      }
      if (c == '[') {
        ++p_;
        ++open;
        continue;
      }
      const Path element{path, nullptr, index++, {}, false};
      if (c == 'n') {
        p_ += 4;
        if (f.null_value) {
          if (!f.packed) AppendTag(f);
          out_->push_back('\0');
        }
        continue;
      }
      if (c == '{') {
        if (f.kind != Kind::kMessage) {
          return Fail(&element, absl::StrCat("an object in a list of ", TypeName(f)));
        }
        AppendTag(f);
        const size_t start = BeginLength();
        if (!WriteMessage(f.message, depth + 1, &element)) return false;
        EndLength(start);
        continue;
      }
      Scalar value;
      if (!ReadScalar(&value, &element)) return false;
      if (!WriteOne(f, value, !f.packed, &element)) return false;
    }
    if (f.packed) {
      if (out_->size() == run_start) {
        out_->resize(field_start);
      } else {
        EndLength(run_start);
      }
    }
    return true;
  }

  // p_ at '{' of a map object `depth` deep.
  bool WriteMap(const FieldPlan& f, int depth, const Path* path) {
    if (depth > JsonToWire::kMaxObjectDepth) return TooDeep(path);
    const MessagePlan& entry = messages_[f.message];
    const FieldPlan& key_plan = entry.fields[0];
    const FieldPlan& value_plan = entry.fields[1];
    ++p_;
    while (true) {
      SkipSpace();
      const char c = Peek();
      if (c == '}' || c == '\0') {
        ++p_;
        return true;
      }
      if (c == ',') {
        ++p_;
        continue;
      }
      Scalar key;
      key.type = Scalar::kString;
      ReadString(&key.s, &key.raw, &key_scratch_);
      SkipSpace();
      ++p_;  // ':'
      SkipSpace();
      const Path here{path, nullptr, -1, key.raw.substr(1, key.raw.size() - 2), true};
      AppendTag(f);
      const size_t start = BeginLength();
      if (!WriteScalar(key_plan, key, true, &here)) return false;
      switch (Peek()) {
        case 'n':
          p_ += 4;
          // An entry with its key alone (the value is the default); a
          // well-known type's value is written, empty, as protobuf does.
          if (value_plan.null_value) {
            AppendTag(value_plan);
            out_->push_back('\0');
          } else if (value_plan.kind == Kind::kMessage &&
                     messages_[value_plan.message].special != Special::kNone) {
            AppendTag(value_plan);
            out_->push_back('\0');
          }
          break;
        case '[':
          return Fail(&here, "a map value cannot be an array");
        case '{': {
          if (value_plan.kind != Kind::kMessage) {
            // protobuf writes bytes that do not parse for this; refused.
            return Fail(&here,
                        absl::StrCat("an object for a map value of type ", TypeName(value_plan)));
          }
          AppendTag(value_plan);
          const size_t value_start = BeginLength();
          if (!WriteMessage(value_plan.message, depth + 1, &here)) return false;
          EndLength(value_start);
          break;
        }
        default: {
          Scalar value;
          if (!ReadScalar(&value, &here)) return false;
          if (!WriteOne(value_plan, value, true, &here)) return false;
        }
      }
      EndLength(start);
    }
  }

  std::string TypeName(const FieldPlan& f) const {
    if (f.kind == Kind::kEnum) return f.enum_type->full_name();
    if (f.kind == Kind::kMessage) return messages_[f.message].type->full_name();
    return KindName(f.kind);
  }

  // A scalar field's value; with `tagged` false, the bare value of a packed
  // run.
  bool WriteScalar(const FieldPlan& f, const Scalar& value, bool tagged, const Path* path) {
    auto invalid = [&] { return InvalidValue(path, value, TypeName(f)); };
    switch (f.kind) {
      case Kind::kInt32:
      case Kind::kSint32:
      case Kind::kSfixed32: {
        int32_t v;
        if (!ToInteger(value, &v)) return invalid();
        if (tagged) AppendTag(f);
        if (f.kind == Kind::kInt32) {
          wire::AppendVarint(static_cast<uint64_t>(static_cast<int64_t>(v)), out_);
        } else if (f.kind == Kind::kSint32) {
          wire::AppendVarint(wire::ZigZag32(v), out_);
        } else {
          wire::AppendFixed32(static_cast<uint32_t>(v), out_);
        }
        return true;
      }
      case Kind::kInt64:
      case Kind::kSint64:
      case Kind::kSfixed64: {
        int64_t v;
        if (!ToInteger(value, &v)) return invalid();
        if (tagged) AppendTag(f);
        if (f.kind == Kind::kInt64) {
          wire::AppendVarint(static_cast<uint64_t>(v), out_);
        } else if (f.kind == Kind::kSint64) {
          wire::AppendVarint(wire::ZigZag64(v), out_);
        } else {
          wire::AppendFixed64(static_cast<uint64_t>(v), out_);
        }
        return true;
      }
      case Kind::kUint32:
      case Kind::kFixed32: {
        uint32_t v;
        if (!ToInteger(value, &v)) return invalid();
        if (tagged) AppendTag(f);
        if (f.kind == Kind::kUint32) {
          wire::AppendVarint(v, out_);
        } else {
          wire::AppendFixed32(v, out_);
        }
        return true;
      }
      case Kind::kUint64:
      case Kind::kFixed64: {
        uint64_t v;
        if (!ToInteger(value, &v)) return invalid();
        if (tagged) AppendTag(f);
        if (f.kind == Kind::kUint64) {
          wire::AppendVarint(v, out_);
        } else {
          wire::AppendFixed64(v, out_);
        }
        return true;
      }
      case Kind::kFloat: {
        float v;
        if (!ToFloat(value, &v)) return invalid();
        if (tagged) AppendTag(f);
        uint32_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        wire::AppendFixed32(bits, out_);
        return true;
      }
      case Kind::kDouble: {
        double v;
        if (!ToDouble(value, &v)) return invalid();
        if (tagged) AppendTag(f);
        uint64_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        wire::AppendFixed64(bits, out_);
        return true;
      }
      case Kind::kBool: {
        bool v;
        if (!ToBool(value, &v)) return invalid();
        if (tagged) AppendTag(f);
        out_->push_back(v ? '\1' : '\0');
        return true;
      }
      case Kind::kString:
        if (value.type != Scalar::kString) return invalid();
        AppendTag(f);
        wire::AppendVarint(value.s.size(), out_);
        out_->append(value.s.data(), value.s.size());
        return true;
      case Kind::kBytes:
        if (value.type != Scalar::kString || !ToBytes(value.s, &bytes_)) {
          return InvalidValue(path, value, "bytes", "expected base64");
        }
        AppendTag(f);
        wire::AppendVarint(bytes_.size(), out_);
        out_->append(bytes_);
        return true;
      case Kind::kEnum:
        return WriteEnum(f, value, tagged, path);
      case Kind::kMessage:
      case Kind::kMap:
        return invalid();
    }
    return invalid();
  }

  bool WriteEnum(const FieldPlan& f, const Scalar& value, bool tagged, const Path* path) {
    int32_t number;
    if (value.type == Scalar::kString) {
      auto it = f.enum_names->find(value.s);
      if (it != f.enum_names->end()) {
        number = it->second;
      } else if (!StringToInt<int32_t>(value.s, &number) ||
                 f.enum_type->FindValueByNumber(number) == nullptr) {
        // Dropped like an unknown field when those are ignored.
        if (ignore_unknown_) return true;
        return InvalidValue(path, value, f.enum_type->full_name());
      }
    } else if (!ToInteger(value, &number)) {
      return InvalidValue(path, value, f.enum_type->full_name());
    }
    if (tagged) AppendTag(f);
    wire::AppendVarint(static_cast<uint64_t>(static_cast<int64_t>(number)), out_);
    return true;
  }

  // The fields of a well-known type from its string (or, for a wrapper,
  // scalar) form.
  bool WriteSpecial(const MessagePlan& m, const Scalar& value, const Path* path) {
    const std::string& type = m.type->full_name();
    switch (m.special) {
      case Special::kWrapper:
        return WriteScalar(m.fields[0], value, true, path);
      case Special::kTimestamp: {
        int64_t seconds;
        int32_t nanos;
        if (value.type != Scalar::kString || !ParseTimestamp(value.s, &seconds, &nanos)) {
          return InvalidValue(path, value, type,
                              "expected an RFC 3339 timestamp such as \"2024-01-31T12:00:00Z\"");
        }
        WriteSecondsAndNanos(seconds, nanos);
        return true;
      }
      case Special::kDuration: {
        int64_t seconds;
        int32_t nanos;
        if (value.type != Scalar::kString || !ParseDuration(value.s, &seconds, &nanos)) {
          return InvalidValue(path, value, type,
                              "expected seconds with up to 9 decimals and an \"s\", within "
                              "10000 years");
        }
        WriteSecondsAndNanos(seconds, nanos);
        return true;
      }
      case Special::kFieldMask: {
        paths_.clear();
        if (value.type != Scalar::kString || !ParseFieldMask(value.s, &paths_)) {
          return InvalidValue(path, value, type, "expected comma-separated field paths");
        }
        for (const std::string& p : paths_) {
          wire::AppendTag(1, wire::WireType::kLengthDelimited, out_);
          wire::AppendVarint(p.size(), out_);
          out_->append(p);
        }
        return true;
      }
      case Special::kNone:
        break;
    }
    return InvalidValue(path, value, type);
  }

  void WriteSecondsAndNanos(int64_t seconds, int32_t nanos) {
    if (seconds != 0) {
      wire::AppendTag(1, wire::WireType::kVarint, out_);
      wire::AppendVarint(static_cast<uint64_t>(seconds), out_);
    }
    if (nanos != 0) {
      wire::AppendTag(2, wire::WireType::kVarint, out_);
      wire::AppendVarint(static_cast<uint64_t>(static_cast<int64_t>(nanos)), out_);
    }
  }

  const std::vector<MessagePlan>& messages_;
  const bool ignore_unknown_;
  const char* p_;
  const char* const end_;
  std::string* const out_;
  std::string scratch_;      // decoded string values
  std::string key_scratch_;  // decoded keys
  std::string bytes_;        // decoded base64
  std::vector<std::string> paths_;
  absl::Status error_;
};

// Whether one string would name two fields: protobuf then resolves by an
// order of its own, which this writer does not follow.
bool NamesCollide(const gpb::Descriptor& type) {
  absl::flat_hash_map<absl::string_view, const FieldDescriptor*> seen;
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor* field = type.field(i);
    for (absl::string_view name :
         {absl::string_view(field->name()), absl::string_view(field->json_name())}) {
      auto [it, inserted] = seen.emplace(name, field);
      if (!inserted && it->second != field) return true;
    }
  }
  return false;
}

}  // namespace

JsonToWire::~JsonToWire() = default;

std::unique_ptr<JsonToWire> JsonToWire::Plan(const gpb::Descriptor& type,
                                             const JsonToWireOptions& options) {
  auto plan = absl::WrapUnique(new JsonToWire());
  plan->ignore_unknown_fields_ = options.ignore_unknown_fields;
  absl::flat_hash_map<const gpb::Descriptor*, int> index{{&type, 0}};
  absl::flat_hash_map<const gpb::EnumDescriptor*, std::shared_ptr<const EnumNames>> enums;
  std::vector<const gpb::Descriptor*> queue{&type};
  for (size_t i = 0; i < queue.size(); ++i) {
    const gpb::Descriptor& d = *queue[i];
    if (d.file()->syntax() != gpb::FileDescriptor::SYNTAX_PROTO3 || IsFallbackType(d) ||
        d.oneof_decl_count() > 64 || d.extension_range_count() > 0 || NamesCollide(d)) {
      return nullptr;
    }
    MessagePlan m;
    m.type = &d;
    m.special = SpecialOf(d);
    m.fields.resize(d.field_count());
    for (int j = 0; j < d.field_count(); ++j) {
      const FieldDescriptor& fd = *d.field(j);
      if (fd.type() == FieldDescriptor::TYPE_GROUP) return nullptr;
      FieldPlan& f = m.fields[j];
      f.field = &fd;
      f.kind = KindOf(fd);
      f.repeated = fd.is_repeated() && !fd.is_map();
      f.packed = f.repeated && fd.is_packed();
      if (fd.containing_oneof() != nullptr) f.oneof = fd.containing_oneof()->index();
      SetTag(fd.number(), WireTypeOf(f.kind), f.tag, &f.tag_size);
      SetTag(fd.number(), wire::WireType::kLengthDelimited, f.packed_tag, &f.packed_tag_size);
      if (f.kind == Kind::kEnum) {
        f.enum_type = fd.enum_type();
        f.null_value = f.enum_type->full_name() == "google.protobuf.NullValue";
        auto& names = enums[f.enum_type];
        if (names == nullptr) {
          auto table = std::make_shared<EnumNames>();
          for (int k = 0; k < f.enum_type->value_count(); ++k) {
            const gpb::EnumValueDescriptor* value = f.enum_type->value(k);
            table->emplace(value->name(), value->number());
          }
          names = std::move(table);
        }
        f.enum_names = names;
      }
      if (f.kind == Kind::kMessage || f.kind == Kind::kMap) {
        const gpb::Descriptor* sub = fd.message_type();
        auto [it, inserted] = index.emplace(sub, static_cast<int>(queue.size()));
        if (inserted) queue.push_back(sub);
        f.message = it->second;
      }
      m.by_name.emplace(fd.name(), j);
      m.by_name.emplace(fd.json_name(), j);
    }
    plan->messages_.push_back(std::move(m));
  }
  return plan;
}

std::unique_ptr<const JsonToWire> JsonToWire::ForMessage(const gpb::Descriptor& type,
                                                         const JsonToWireOptions& options) {
  return Plan(type, options);
}

std::unique_ptr<const JsonToWire> JsonToWire::ForField(const gpb::FieldDescriptor& field,
                                                       const JsonToWireOptions& options) {
  if (field.containing_type() == nullptr || field.is_extension()) return nullptr;
  std::unique_ptr<JsonToWire> plan = Plan(*field.containing_type(), options);
  if (plan == nullptr) return nullptr;
  plan->root_field_ = field.index();
  return plan;
}

absl::Status JsonToWire::Append(absl::string_view json, std::string* out) const {
  Writer writer(messages_, ignore_unknown_fields_, json, out);
  return root_field_ >= 0 ? writer.WriteRootField(root_field_) : writer.WriteRoot();
}

}  // namespace protogate::transcode
