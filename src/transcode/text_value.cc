#include "transcode/text_value.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"
#include "transcode/wire_format.h"

namespace protogate::transcode {
namespace {

namespace gpb = google::protobuf;
using wire::WireType;

// Seconds of 10000 years: the range of google.protobuf.Duration.
constexpr int64_t kMaxDurationSeconds = 315576000000;

// absl's number parsers skip surrounding whitespace; a parameter value
// with whitespace around it is not a number here.
bool HasNumberShape(absl::string_view text) {
  return !text.empty() && !absl::ascii_isspace(static_cast<unsigned char>(text.front())) &&
         !absl::ascii_isspace(static_cast<unsigned char>(text.back()));
}

template <typename T>
bool ParseInteger(absl::string_view text, T* value) {
  return HasNumberShape(text) && absl::SimpleAtoi(text, value);
}

bool ParseDouble(absl::string_view text, double* value) {
  if (text == "NaN") {
    *value = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (text == "Infinity" || text == "-Infinity") {
    *value = text[0] == '-' ? -std::numeric_limits<double>::infinity()
                            : std::numeric_limits<double>::infinity();
    return true;
  }
  // Only the spellings above may produce a non-finite value; "1e999" is out
  // of range rather than infinite.
  return HasNumberShape(text) && absl::SimpleAtod(text, value) && std::isfinite(*value);
}

bool ParseFloat(absl::string_view text, float* value) {
  double wide = 0;
  if (!ParseDouble(text, &wide)) return false;
  if (std::isfinite(wide) && std::fabs(wide) > std::numeric_limits<float>::max()) return false;
  *value = static_cast<float>(wide);
  return true;
}

bool ParseBool(absl::string_view text, bool* value) {
  if (text == "1" || absl::EqualsIgnoreCase(text, "true")) {
    *value = true;
    return true;
  }
  if (text == "0" || absl::EqualsIgnoreCase(text, "false")) {
    *value = false;
    return true;
  }
  return false;
}

bool ParseBase64(absl::string_view text, std::string* bytes) {
  if (absl::StrContains(text, '-') || absl::StrContains(text, '_')) {
    return absl::WebSafeBase64Unescape(text, bytes);
  }
  return absl::Base64Unescape(text, bytes);
}

bool ParseEnum(const gpb::EnumDescriptor& type, absl::string_view text, int32_t* number) {
  for (int i = 0; i < type.value_count(); ++i) {
    if (type.value(i)->name() == text) {
      *number = type.value(i)->number();
      return true;
    }
  }
  // proto3 enums are open: an unnamed number is kept, as the JSON mapping does.
  return ParseInteger(text, number);
}

// "-12.5s": an optional sign, seconds, up to nine fraction digits, "s".
bool AppendDurationPayload(absl::string_view text, std::string* payload) {
  if (!absl::ConsumeSuffix(&text, "s")) return false;
  const bool negative = absl::ConsumePrefix(&text, "-");
  absl::string_view whole = text;
  absl::string_view fraction;
  if (size_t dot = text.find('.'); dot != absl::string_view::npos) {
    whole = text.substr(0, dot);
    fraction = text.substr(dot + 1);
    if (fraction.empty() || fraction.size() > 9) return false;
  }
  auto all_digits = [](absl::string_view s) {
    for (char c : s) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    }
    return true;
  };
  if (whole.empty() || whole.size() > 12 || !all_digits(whole) || !all_digits(fraction)) {
    return false;
  }
  int64_t seconds = 0;
  int64_t nanos = 0;
  if (!absl::SimpleAtoi(whole, &seconds) || seconds > kMaxDurationSeconds) return false;
  if (!fraction.empty()) {
    if (!absl::SimpleAtoi(fraction, &nanos)) return false;
    for (size_t i = fraction.size(); i < 9; ++i) nanos *= 10;
  }
  if (negative) {
    seconds = -seconds;
    nanos = -nanos;
  }
  if (seconds != 0) {
    wire::AppendTag(1, WireType::kVarint, payload);
    wire::AppendVarint(static_cast<uint64_t>(seconds), payload);
  }
  if (nanos != 0) {
    wire::AppendTag(2, WireType::kVarint, payload);
    wire::AppendVarint(static_cast<uint64_t>(nanos), payload);
  }
  return true;
}

bool AppendTimestampPayload(absl::string_view text, std::string* payload) {
  gpb::Timestamp timestamp;
  if (!gpb::util::TimeUtil::FromString(std::string(text), &timestamp)) return false;
  return timestamp.AppendToString(payload);
}

// The JSON form of a FieldMask is lowerCamel paths joined by ','; snake_case
// paths are accepted as they are, since clients write them often.
bool AppendFieldMaskPayload(absl::string_view text, std::string* payload) {
  if (text.empty()) return true;
  std::string path;
  for (absl::string_view json_path : absl::StrSplit(text, ',')) {
    if (json_path.empty()) return false;
    path.clear();
    bool has_upper = false;
    bool has_underscore = false;
    for (char c : json_path) {
      if (absl::ascii_isupper(static_cast<unsigned char>(c))) {
        has_upper = true;
        path.push_back('_');
        path.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
      } else if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.') {
        path.push_back(c);
      } else if (c == '_') {
        has_underscore = true;
        path.push_back(c);
      } else {
        return false;
      }
    }
    if (has_upper && has_underscore) return false;
    wire::AppendLengthDelimited(1, path, payload);
  }
  return true;
}

absl::Status Expected(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("expected ", what));
}

absl::Status AppendMessageFromText(const gpb::FieldDescriptor& field, absl::string_view text,
                                   std::string* out) {
  const gpb::Descriptor& type = *field.message_type();
  std::string payload;
  switch (type.well_known_type()) {
    case gpb::Descriptor::WELLKNOWNTYPE_TIMESTAMP:
      if (!AppendTimestampPayload(text, &payload)) {
        return Expected("an RFC 3339 timestamp such as \"2024-01-31T12:00:00Z\"");
      }
      break;
    case gpb::Descriptor::WELLKNOWNTYPE_DURATION:
      if (!AppendDurationPayload(text, &payload)) {
        return Expected("a duration in seconds such as \"1.5s\"");
      }
      break;
    case gpb::Descriptor::WELLKNOWNTYPE_FIELDMASK:
      if (!AppendFieldMaskPayload(text, &payload)) {
        return Expected("a comma-separated list of field paths");
      }
      break;
    case gpb::Descriptor::WELLKNOWNTYPE_DOUBLEVALUE:
    case gpb::Descriptor::WELLKNOWNTYPE_FLOATVALUE:
    case gpb::Descriptor::WELLKNOWNTYPE_INT64VALUE:
    case gpb::Descriptor::WELLKNOWNTYPE_UINT64VALUE:
    case gpb::Descriptor::WELLKNOWNTYPE_INT32VALUE:
    case gpb::Descriptor::WELLKNOWNTYPE_UINT32VALUE:
    case gpb::Descriptor::WELLKNOWNTYPE_STRINGVALUE:
    case gpb::Descriptor::WELLKNOWNTYPE_BYTESVALUE:
    case gpb::Descriptor::WELLKNOWNTYPE_BOOLVALUE:
      if (absl::Status inner = AppendFieldFromText(*type.field(0), text, &payload); !inner.ok()) {
        return inner;
      }
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("a ", type.full_name(), " message cannot be given as text"));
  }
  wire::AppendLengthDelimited(field.number(), payload, out);
  return absl::OkStatus();
}

}  // namespace

bool IsTextValued(const gpb::FieldDescriptor& field) {
  if (field.is_map()) return false;
  if (field.type() == gpb::FieldDescriptor::TYPE_GROUP) return false;
  if (field.type() != gpb::FieldDescriptor::TYPE_MESSAGE) return true;
  switch (field.message_type()->well_known_type()) {
    case gpb::Descriptor::WELLKNOWNTYPE_TIMESTAMP:
    case gpb::Descriptor::WELLKNOWNTYPE_DURATION:
    case gpb::Descriptor::WELLKNOWNTYPE_FIELDMASK:
    case gpb::Descriptor::WELLKNOWNTYPE_DOUBLEVALUE:
    case gpb::Descriptor::WELLKNOWNTYPE_FLOATVALUE:
    case gpb::Descriptor::WELLKNOWNTYPE_INT64VALUE:
    case gpb::Descriptor::WELLKNOWNTYPE_UINT64VALUE:
    case gpb::Descriptor::WELLKNOWNTYPE_INT32VALUE:
    case gpb::Descriptor::WELLKNOWNTYPE_UINT32VALUE:
    case gpb::Descriptor::WELLKNOWNTYPE_STRINGVALUE:
    case gpb::Descriptor::WELLKNOWNTYPE_BYTESVALUE:
    case gpb::Descriptor::WELLKNOWNTYPE_BOOLVALUE:
      return true;
    default:
      return false;
  }
}

absl::Status AppendFieldFromText(const gpb::FieldDescriptor& field, absl::string_view text,
                                 std::string* out) {
  const int number = field.number();
  switch (field.type()) {
    case gpb::FieldDescriptor::TYPE_DOUBLE: {
      double v = 0;
      if (!ParseDouble(text, &v)) return Expected("double");
      wire::AppendTag(number, WireType::kFixed64, out);
      wire::AppendFixed64(std::bit_cast<uint64_t>(v), out);
      return absl::OkStatus();
    }
    case gpb::FieldDescriptor::TYPE_FLOAT: {
      float v = 0;
      if (!ParseFloat(text, &v)) return Expected("float");
      wire::AppendTag(number, WireType::kFixed32, out);
      wire::AppendFixed32(std::bit_cast<uint32_t>(v), out);
      return absl::OkStatus();
    }
    case gpb::FieldDescriptor::TYPE_INT64:
    case gpb::FieldDescriptor::TYPE_SFIXED64:
    case gpb::FieldDescriptor::TYPE_SINT64: {
      int64_t v = 0;
      if (!ParseInteger(text, &v)) return Expected(field.type_name());
      if (field.type() == gpb::FieldDescriptor::TYPE_SFIXED64) {
        wire::AppendTag(number, WireType::kFixed64, out);
        wire::AppendFixed64(static_cast<uint64_t>(v), out);
      } else {
        wire::AppendTag(number, WireType::kVarint, out);
        wire::AppendVarint(field.type() == gpb::FieldDescriptor::TYPE_SINT64
                               ? wire::ZigZag64(v)
                               : static_cast<uint64_t>(v),
                           out);
      }
      return absl::OkStatus();
    }
    case gpb::FieldDescriptor::TYPE_UINT64:
    case gpb::FieldDescriptor::TYPE_FIXED64: {
      uint64_t v = 0;
      if (!ParseInteger(text, &v)) return Expected(field.type_name());
      if (field.type() == gpb::FieldDescriptor::TYPE_FIXED64) {
        wire::AppendTag(number, WireType::kFixed64, out);
        wire::AppendFixed64(v, out);
      } else {
        wire::AppendTag(number, WireType::kVarint, out);
        wire::AppendVarint(v, out);
      }
      return absl::OkStatus();
    }
    case gpb::FieldDescriptor::TYPE_INT32:
    case gpb::FieldDescriptor::TYPE_SFIXED32:
    case gpb::FieldDescriptor::TYPE_SINT32: {
      int32_t v = 0;
      if (!ParseInteger(text, &v)) return Expected(field.type_name());
      if (field.type() == gpb::FieldDescriptor::TYPE_SFIXED32) {
        wire::AppendTag(number, WireType::kFixed32, out);
        wire::AppendFixed32(static_cast<uint32_t>(v), out);
      } else {
        wire::AppendTag(number, WireType::kVarint, out);
        // int32 is sign-extended to 64 bits on the wire.
        wire::AppendVarint(field.type() == gpb::FieldDescriptor::TYPE_SINT32
                               ? wire::ZigZag32(v)
                               : static_cast<uint64_t>(static_cast<int64_t>(v)),
                           out);
      }
      return absl::OkStatus();
    }
    case gpb::FieldDescriptor::TYPE_UINT32:
    case gpb::FieldDescriptor::TYPE_FIXED32: {
      uint32_t v = 0;
      if (!ParseInteger(text, &v)) return Expected(field.type_name());
      if (field.type() == gpb::FieldDescriptor::TYPE_FIXED32) {
        wire::AppendTag(number, WireType::kFixed32, out);
        wire::AppendFixed32(v, out);
      } else {
        wire::AppendTag(number, WireType::kVarint, out);
        wire::AppendVarint(v, out);
      }
      return absl::OkStatus();
    }
    case gpb::FieldDescriptor::TYPE_BOOL: {
      bool v = false;
      if (!ParseBool(text, &v)) return Expected("bool (true or false)");
      wire::AppendTag(number, WireType::kVarint, out);
      wire::AppendVarint(v ? 1 : 0, out);
      return absl::OkStatus();
    }
    case gpb::FieldDescriptor::TYPE_ENUM: {
      int32_t v = 0;
      if (!ParseEnum(*field.enum_type(), text, &v)) {
        return Expected(absl::StrCat("a ", field.enum_type()->full_name(), " name or number"));
      }
      wire::AppendTag(number, WireType::kVarint, out);
      wire::AppendVarint(static_cast<uint64_t>(static_cast<int64_t>(v)), out);
      return absl::OkStatus();
    }
    case gpb::FieldDescriptor::TYPE_STRING:
      if (!IsValidUtf8(text)) return Expected("valid UTF-8 text");
      wire::AppendLengthDelimited(number, text, out);
      return absl::OkStatus();
    case gpb::FieldDescriptor::TYPE_BYTES: {
      std::string bytes;
      if (!ParseBase64(text, &bytes)) return Expected("base64 bytes");
      wire::AppendLengthDelimited(number, bytes, out);
      return absl::OkStatus();
    }
    case gpb::FieldDescriptor::TYPE_MESSAGE:
      return AppendMessageFromText(field, text, out);
    case gpb::FieldDescriptor::TYPE_GROUP:
      break;
  }
  return absl::InvalidArgumentError("a group cannot be given as text");
}

bool IsValidUtf8(absl::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const unsigned char* end = p + text.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int length = 0;
    uint32_t code_point = 0;
    if ((c & 0xe0) == 0xc0) {
      length = 2;
      code_point = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      length = 3;
      code_point = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      length = 4;
      code_point = c & 0x07;
    } else {
      return false;
    }
    if (end - p < length) return false;
    for (int i = 1; i < length; ++i) {
      if ((p[i] & 0xc0) != 0x80) return false;
      code_point = (code_point << 6) | (p[i] & 0x3f);
    }
    static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kMinForLength[length] || code_point > 0x10ffff ||
        (code_point >= 0xd800 && code_point <= 0xdfff)) {
      return false;
    }
    p += length;
  }
  return true;
}

}  // namespace protogate::transcode
