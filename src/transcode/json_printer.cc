#include "transcode/json_printer.h"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace protogate::transcode {

namespace gpb = google::protobuf;

enum class Kind : uint8_t {
  kDouble,
  kFloat,
  kInt64,     // varint, printed quoted
  kUint64,    // varint, quoted
  kSint64,    // zigzag, quoted
  kFixed64,   // quoted
  kSfixed64,  // quoted
  kInt32,
  kUint32,
  kSint32,
  kFixed32,
  kSfixed32,
  kBool,
  kEnum,
  kString,
  kBytes,
  kMessage,
  kTimestamp,
  // Opt-in (Coverage::kStructsAndWrappers):
  kWrapper,      // google.protobuf.*Value wrappers; `wrapped` is the value's kind
  kStruct,       // google.protobuf.Struct
  kStructValue,  // google.protobuf.Value
  kListValue,    // google.protobuf.ListValue
};

struct JsonPrinter::FieldPlan {
  int number = 0;
  Kind kind = Kind::kInt32;
  uint8_t wire_type = 0;  // what the declared type is sent as
  bool repeated = false;
  bool packable = false;
  bool map = false;
  std::string key;   // `"name":`
  int message = -1;  // plan of a message, map entry or Timestamp
  const gpb::EnumDescriptor* enum_type = nullptr;
  Kind wrapped = Kind::kInt32;  // kWrapper
};

struct JsonPrinter::MessagePlan {
  std::vector<FieldPlan> fields;
  std::vector<int> by_number;  // number → index + 1, for small numbers
  absl::flat_hash_map<int, int> by_large_number;

  const FieldPlan* Find(uint32_t number) const {
    if (number < by_number.size()) {
      const int index = by_number[number];
      return index == 0 ? nullptr : &fields[index - 1];
    }
    auto it = by_large_number.find(static_cast<int>(number));
    return it == by_large_number.end() ? nullptr : &fields[it->second];
  }
};

namespace {

constexpr char kTimestamp[] = "google.protobuf.Timestamp";
constexpr int64_t kTimestampMinSeconds = -62135596800;  // 0001-01-01T00:00:00Z
constexpr int64_t kTimestampMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z

bool IsUnsupportedWellKnown(absl::string_view name) {
  return absl::StartsWith(name, "google.protobuf.") && name != kTimestamp &&
         name != "google.protobuf.Empty";
}

// The kind a wrapper's value prints as; nullopt for other types.
std::optional<Kind> WrappedKind(absl::string_view name) {
  static const auto* const kWrappers =
      new absl::flat_hash_map<std::string, Kind>{{"google.protobuf.DoubleValue", Kind::kDouble},
                                                 {"google.protobuf.FloatValue", Kind::kFloat},
                                                 {"google.protobuf.Int64Value", Kind::kInt64},
                                                 {"google.protobuf.UInt64Value", Kind::kUint64},
                                                 {"google.protobuf.Int32Value", Kind::kInt32},
                                                 {"google.protobuf.UInt32Value", Kind::kUint32},
                                                 {"google.protobuf.BoolValue", Kind::kBool},
                                                 {"google.protobuf.StringValue", Kind::kString},
                                                 {"google.protobuf.BytesValue", Kind::kBytes}};
  auto it = kWrappers->find(name);
  if (it == kWrappers->end()) return std::nullopt;
  return it->second;
}

// google.protobuf.Struct, reached from Struct, Value or ListValue.
const gpb::Descriptor* StructOf(const gpb::Descriptor& type) {
  const std::string& name = type.full_name();
  if (name == "google.protobuf.Struct") return &type;
  const gpb::FieldDescriptor* next =
      type.FindFieldByNumber(name == "google.protobuf.Value" ? 5 : 1);
  if (next == nullptr || next->message_type() == nullptr) return nullptr;
  return name == "google.protobuf.Value" ? next->message_type() : StructOf(*next->message_type());
}

Kind KindOf(const gpb::FieldDescriptor& field) {
  switch (field.type()) {
    case gpb::FieldDescriptor::TYPE_DOUBLE:
      return Kind::kDouble;
    case gpb::FieldDescriptor::TYPE_FLOAT:
      return Kind::kFloat;
    case gpb::FieldDescriptor::TYPE_INT64:
      return Kind::kInt64;
    case gpb::FieldDescriptor::TYPE_UINT64:
      return Kind::kUint64;
    case gpb::FieldDescriptor::TYPE_SINT64:
      return Kind::kSint64;
    case gpb::FieldDescriptor::TYPE_FIXED64:
      return Kind::kFixed64;
    case gpb::FieldDescriptor::TYPE_SFIXED64:
      return Kind::kSfixed64;
    case gpb::FieldDescriptor::TYPE_INT32:
      return Kind::kInt32;
    case gpb::FieldDescriptor::TYPE_UINT32:
      return Kind::kUint32;
    case gpb::FieldDescriptor::TYPE_SINT32:
      return Kind::kSint32;
    case gpb::FieldDescriptor::TYPE_FIXED32:
      return Kind::kFixed32;
    case gpb::FieldDescriptor::TYPE_SFIXED32:
      return Kind::kSfixed32;
    case gpb::FieldDescriptor::TYPE_BOOL:
      return Kind::kBool;
    case gpb::FieldDescriptor::TYPE_ENUM:
      return Kind::kEnum;
    case gpb::FieldDescriptor::TYPE_STRING:
      return Kind::kString;
    case gpb::FieldDescriptor::TYPE_BYTES:
      return Kind::kBytes;
    default:
      return Kind::kMessage;  // message; groups are refused earlier
  }
}

uint8_t WireTypeOf(Kind kind) {
  switch (kind) {
    case Kind::kDouble:
    case Kind::kFixed64:
    case Kind::kSfixed64:
      return 1;
    case Kind::kFloat:
    case Kind::kFixed32:
    case Kind::kSfixed32:
      return 5;
    case Kind::kString:
    case Kind::kBytes:
    case Kind::kMessage:
    case Kind::kTimestamp:
    case Kind::kWrapper:
    case Kind::kStruct:
    case Kind::kStructValue:
    case Kind::kListValue:
      return 2;
    default:
      return 0;
  }
}

// Builds plans for a type graph; refuses what the printer does not cover.
class Planner {
 public:
  Planner(const JsonOutputOptions& options, bool structs_and_wrappers,
          std::vector<JsonPrinter::MessagePlan>* plans)
      : options_(options), structs_and_wrappers_(structs_and_wrappers), plans_(plans) {}

  int struct_plan() const { return struct_plan_; }

  // Index of the type's plan, or -1 when unsupported. With `renames` (over
  // `type`, or for a map entry type its values' renames) the type gets a plan
  // of its own, with the new member names.
  int Plan(const gpb::Descriptor& type, const FieldRenames* renames = nullptr) {
    const std::pair<const gpb::Descriptor*, const FieldRenames*> key(&type, renames);
    if (auto it = index_.find(key); it != index_.end()) return it->second;
    const int index = static_cast<int>(plans_->size());
    index_[key] = index;
    plans_->emplace_back();
    JsonPrinter::MessagePlan plan;
    int max_small = 0;
    for (int i = 0; i < type.field_count(); ++i) {
      const gpb::FieldDescriptor& field = *type.field(i);
      if (field.type() == gpb::FieldDescriptor::TYPE_GROUP) return -1;
      JsonPrinter::FieldPlan f;
      f.number = field.number();
      f.kind = KindOf(field);
      f.repeated = field.is_repeated();
      f.packable = field.is_packable();
      f.map = field.is_map();
      const bool map_entry = type.map_key() != nullptr;
      const std::string& name =
          MemberName(map_entry ? nullptr : renames, field, options_.use_proto_field_names);
      const FieldRenames* below = nullptr;  // renames within the field's message
      if (renames != nullptr && map_entry) {
        if (field.number() == 2) below = renames;
      } else if (const FieldRenames::Entry* entry =
                     renames != nullptr ? renames->Find(field.number()) : nullptr) {
        below = entry->sub.get();
      }
      for (char c : name) {
        // Identifiers never need escaping; anything else is left to protobuf.
        if (c == '"' || c == '\\' || c == '<' || c == '>' || c < 0x20 || c >= 0x7f) return -1;
      }
      f.key = absl::StrCat("\"", name, "\":");
      if (f.kind == Kind::kEnum) {
        f.enum_type = field.enum_type();
        if (IsUnsupportedWellKnown(f.enum_type->full_name())) return -1;  // NullValue
      }
      if (f.kind == Kind::kMessage && structs_and_wrappers_ && !PlanWellKnown(field, f)) {
        return -1;
      }
      if (f.kind == Kind::kMessage) {
        const gpb::Descriptor& child = *field.message_type();
        if (child.full_name() == kTimestamp) {
          f.kind = Kind::kTimestamp;
        } else if (IsUnsupportedWellKnown(child.full_name()) && !IsStructEntry(child)) {
          return -1;
        }
        f.message = Plan(child, below);  // a map's entry plan carries its values' renames
        if (f.message < 0) return -1;
      }
      f.wire_type = WireTypeOf(f.kind);
      if (f.number < 1024) max_small = std::max(max_small, f.number);
      plan.fields.push_back(std::move(f));
    }
    plan.by_number.assign(max_small + 1, 0);
    for (size_t i = 0; i < plan.fields.size(); ++i) {
      const int number = plan.fields[i].number;
      if (number <= max_small) {
        plan.by_number[number] = static_cast<int>(i) + 1;
      } else {
        plan.by_large_number[number] = static_cast<int>(i);
      }
    }
    (*plans_)[index] = std::move(plan);
    return index;
  }

 private:
  bool IsStructEntry(const gpb::Descriptor& type) const {
    return structs_and_wrappers_ && type.full_name() == "google.protobuf.Struct.FieldsEntry";
  }

  // Gives a wrapper, Struct, Value or ListValue field its own kind; false
  // when the Struct it reaches does not plan.
  bool PlanWellKnown(const gpb::FieldDescriptor& field, JsonPrinter::FieldPlan& f) {
    const gpb::Descriptor& child = *field.message_type();
    const std::string& name = child.full_name();
    if (auto wrapped = WrappedKind(name)) {
      f.kind = Kind::kWrapper;
      f.wrapped = *wrapped;
      return true;
    }
    if (name == "google.protobuf.Value") {
      f.kind = Kind::kStructValue;
    } else if (name == "google.protobuf.ListValue") {
      f.kind = Kind::kListValue;
    } else if (name == "google.protobuf.Struct") {
      f.kind = Kind::kStruct;
    } else {
      return true;  // an ordinary message
    }
    const gpb::Descriptor* type = StructOf(child);
    if (type == nullptr) return false;
    if (struct_plan_ < 0) {
      struct_plan_ = static_cast<int>(plans_->size());  // reserved before recursing
      const int planned = Plan(*type);
      if (planned < 0) return false;
      struct_plan_ = planned;
    }
    return true;
  }

  const JsonOutputOptions& options_;
  const bool structs_and_wrappers_;
  int struct_plan_ = -1;
  std::vector<JsonPrinter::MessagePlan>* plans_;
  absl::flat_hash_map<std::pair<const gpb::Descriptor*, const FieldRenames*>, int> index_;
};

// A bounded read position. Every read checks the bound; a failed read makes
// the whole print decline.
struct Cursor {
  const uint8_t* p;
  const uint8_t* end;

  bool AtEnd() const { return p == end; }

  bool Varint(uint64_t* value) {
    uint64_t result = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (p == end) return false;
      const uint8_t byte = *p++;
      if (shift == 63 && byte > 1) return false;
      result |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) {
        *value = result;
        return true;
      }
    }
    return false;
  }
  bool Fixed32(uint32_t* value) {
    if (end - p < 4) return false;
    std::memcpy(value, p, 4);  // little-endian hosts only, as protobuf's fast path
    p += 4;
    return true;
  }
  bool Fixed64(uint64_t* value) {
    if (end - p < 8) return false;
    std::memcpy(value, p, 8);
    p += 8;
    return true;
  }
  // A length-delimited payload.
  bool Bytes(absl::string_view* payload) {
    uint64_t length = 0;
    if (!Varint(&length) || length > static_cast<uint64_t>(end - p)) return false;
    *payload = absl::string_view(reinterpret_cast<const char*>(p), length);
    p += length;
    return true;
  }
  // 0 at the end; false on a malformed or zero tag (protobuf would stop
  // there silently, which is not worth imitating).
  bool Tag(uint32_t* tag) {
    if (p == end) {
      *tag = 0;
      return true;
    }
    uint64_t value = 0;
    if (!Varint(&value) || value > UINT32_MAX || (value >> 3) == 0) return false;
    *tag = static_cast<uint32_t>(value);
    return true;
  }
  bool Skip(uint32_t tag) {
    uint64_t ignored64;
    uint32_t ignored32;
    absl::string_view ignored;
    switch (tag & 7) {
      case 0:
        return Varint(&ignored64);
      case 1:
        return Fixed64(&ignored64);
      case 2:
        return Bytes(&ignored);
      case 5:
        return Fixed32(&ignored32);
      default:
        return false;  // groups, invalid wire types
    }
  }
};

Cursor CursorOver(absl::string_view bytes) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  return Cursor{p, p + bytes.size()};
}

// protobuf's JSON string escaping, for strings that are UTF-8 as its reader
// decodes them (which accepts overlong forms); false otherwise.
constexpr char kHex[] = "0123456789abcdef";

void AppendU(uint32_t unit, std::string* out) {
  char buf[6] = {'\\',
                 'u',
                 kHex[(unit >> 12) & 0xf],
                 kHex[(unit >> 8) & 0xf],
                 kHex[(unit >> 4) & 0xf],
                 kHex[unit & 0xf]};
  out->append(buf, 6);
}

// True (and appends the escape) when protobuf escapes this code point.
bool AppendEscape(uint32_t cp, std::string* out) {
  if (cp < 0xa0) {
    switch (cp) {
      case '\b':
        out->append("\\b");
        return true;
      case '\t':
        out->append("\\t");
        return true;
      case '\n':
        out->append("\\n");
        return true;
      case '\f':
        out->append("\\f");
        return true;
      case '\r':
        out->append("\\r");
        return true;
      case '"':
        out->append("\\\"");
        return true;
      case '\\':
        out->append("\\\\");
        return true;
      case '<':
      case '>':
        AppendU(cp, out);
        return true;
      default:
        if (cp < 0x20 || cp >= 0x7f) {
          AppendU(cp, out);
          return true;
        }
        return false;
    }
  }
  if (cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb) || cp == 0x00ad || cp == 0x06dd ||
      cp == 0x070f || cp == 0x17b4 || cp == 0x17b5 || (cp >= 0x0600 && cp <= 0x0603) ||
      (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
      (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x206a && cp <= 0x206f)) {
    AppendU(cp, out);
    return true;
  }
  if (cp == 0xe0001 || (cp >= 0x1d173 && cp <= 0x1d17a) || (cp >= 0xe0020 && cp <= 0xe007f)) {
    const uint32_t v = cp - 0x10000;
    AppendU(0xd800 + (v >> 10), out);
    AppendU(0xdc00 + (v & 0x3ff), out);
    return true;
  }
  return false;
}

bool AppendJsonString(absl::string_view text, std::string* out) {
  out->push_back('"');
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  const auto* end = p + text.size();
  const uint8_t* run = p;  // start of bytes copied unchanged
  while (p < end) {
    const uint8_t lead = *p;
    if (lead >= 0x20 && lead < 0x7f && lead != '"' && lead != '\\' && lead != '<' && lead != '>') {
      ++p;
      continue;
    }
    uint32_t cp = lead;
    int length = 1;
    if (lead >= 0x80) {
      if (lead <= 0xbf || lead >= 0xf8) return false;
      int more = lead <= 0xdf ? 1 : lead <= 0xef ? 2 : 3;
      cp = lead & (more == 1 ? 0x1f : more == 2 ? 0x0f : 0x07);
      if (end - p <= more) return false;
      for (int i = 1; i <= more; ++i) {
        const uint8_t next = p[i];
        if (next < 0x80 || next > 0xbf) return false;
        cp = (cp << 6) | (next & 0x3f);
      }
      if ((cp & 0xfffff800) == 0xd800 || cp > 0x10ffff) return false;
      length = more + 1;
    }
    if (cp < 0xa0 || lead >= 0x80) {
      out->append(reinterpret_cast<const char*>(run), p - run);
      if (!AppendEscape(cp, out)) {
        out->append(reinterpret_cast<const char*>(p), length);
      }
      p += length;
      run = p;
      continue;
    }
    p += length;
  }
  out->append(reinterpret_cast<const char*>(run), p - run);
  out->push_back('"');
  return true;
}

// protobuf's SimpleDtoa / SimpleFtoa: %.15g (%.6g), widened to %.17g (%.9g)
// when that does not read back as the same value. Not shortest round-trip.
void AppendDouble(double value, std::string* out) {
  if (std::isnan(value)) {
    out->append("\"NaN\"");
    return;
  }
  if (std::isinf(value)) {
    out->append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    return;
  }
  char buf[40];
  int n = std::snprintf(buf, sizeof(buf), "%.15g", value);
  if (std::strtod(buf, nullptr) != value) n = std::snprintf(buf, sizeof(buf), "%.17g", value);
  out->append(buf, n);
}

void AppendFloat(float value, std::string* out) {
  if (std::isnan(value)) {
    out->append("\"NaN\"");
    return;
  }
  if (std::isinf(value)) {
    out->append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    return;
  }
  char buf[40];
  int n = std::snprintf(buf, sizeof(buf), "%.6g", static_cast<double>(value));
  // Like protobuf's safe_strtof, a subnormal read back (ERANGE) counts as a
  // miss.
  errno = 0;
  const float back = std::strtof(buf, nullptr);
  if (back != value || errno != 0) {
    n = std::snprintf(buf, sizeof(buf), "%.9g", static_cast<double>(value));
  }
  out->append(buf, n);
}

// Writes `value` as exactly `width` decimal digits at `p` (value fits).
void PutDigits(uint32_t value, int width, char* p) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits, as protobuf prints
// google.protobuf.Timestamp. The seconds are in range (years 1 to 9999).
void AppendTimestamp(int64_t seconds, int32_t nanos, std::string* out) {
  int64_t days = seconds / 86400;
  int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  // Days since 1970-01-01 to a civil date (proleptic Gregorian), by 400-year eras.
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const auto day = static_cast<uint32_t>(doy - (153 * mp + 2) / 5 + 1);
  const auto month = static_cast<uint32_t>(mp < 10 ? mp + 3 : mp - 9);
  const auto year = static_cast<uint32_t>(yoe + era * 400 + (month <= 2 ? 1 : 0));
  char buf[40] = "\"0000-00-00T00:00:00";
  PutDigits(year, 4, buf + 1);
  PutDigits(month, 2, buf + 6);
  PutDigits(day, 2, buf + 9);
  PutDigits(static_cast<uint32_t>(rest / 3600), 2, buf + 12);
  PutDigits(static_cast<uint32_t>(rest / 60 % 60), 2, buf + 15);
  PutDigits(static_cast<uint32_t>(rest % 60), 2, buf + 18);
  size_t n = 20;
  if (nanos != 0) {
    buf[n++] = '.';
    if (nanos % 1000000 == 0) {
      PutDigits(static_cast<uint32_t>(nanos / 1000000), 3, buf + n);
      n += 3;
    } else if (nanos % 1000 == 0) {
      PutDigits(static_cast<uint32_t>(nanos / 1000), 6, buf + n);
      n += 6;
    } else {
      PutDigits(static_cast<uint32_t>(nanos), 9, buf + n);
      n += 9;
    }
  }
  buf[n++] = 'Z';
  buf[n++] = '"';
  out->append(buf, n);
}

class Printer {
 public:
  Printer(const std::vector<JsonPrinter::MessagePlan>& plans, bool enums_as_ints, int struct_plan,
          std::string* out)
      : plans_(plans), enums_as_ints_(enums_as_ints), struct_plan_(struct_plan), out_(*out) {}

  using FieldPlan = JsonPrinter::FieldPlan;

  bool Message(const JsonPrinter::MessagePlan& plan, Cursor in, int depth);
  bool Value(const FieldPlan& field, Cursor& in, int depth);

 private:
  bool Timestamp(const JsonPrinter::MessagePlan& plan, Cursor in);
  bool Wrapper(Kind wrapped, Cursor in);
  bool Struct(Cursor in, int depth);
  bool StructValue(Cursor in, int depth);
  bool ListValue(Cursor in, int depth);
  bool Map(const FieldPlan& field, Cursor& in, uint32_t list_tag, uint32_t* next_tag, int depth);
  bool KeyText(const FieldPlan& key, Cursor& in, std::string* text);

  const std::vector<JsonPrinter::MessagePlan>& plans_;
  const bool enums_as_ints_;
  const int struct_plan_;
  std::string& out_;
};

// The field plan for `tag` if its wire type is the declared one (or packed
// for a packable field), as protobuf's reader checks; nullptr otherwise.
const JsonPrinter::FieldPlan* FindAndVerify(const JsonPrinter::MessagePlan& plan, uint32_t tag) {
  const JsonPrinter::FieldPlan* field = plan.Find(tag >> 3);
  if (field == nullptr) return nullptr;
  const uint8_t wire_type = tag & 7;
  if (wire_type != field->wire_type && !(field->packable && wire_type == 2)) return nullptr;
  return field;
}

bool Printer::Message(const JsonPrinter::MessagePlan& plan, Cursor in, int depth) {
  if (depth > JsonPrinter::kMaxDepth) return false;
  out_.push_back('{');
  bool first = true;
  uint32_t tag = 0;
  if (!in.Tag(&tag)) return false;
  uint32_t last_tag = tag + 1;
  const FieldPlan* field = nullptr;
  while (tag != 0) {
    if (tag != last_tag) {
      last_tag = tag;
      field = FindAndVerify(plan, tag);
    }
    if (field == nullptr) {
      if (!in.Skip(tag) || !in.Tag(&tag)) return false;
      continue;
    }
    if (!first) out_.push_back(',');
    first = false;
    out_.append(field->key);
    if (field->map) {
      out_.push_back('{');
      if (!Map(*field, in, tag, &tag, depth)) return false;
      out_.push_back('}');
    } else if (field->repeated) {
      out_.push_back('[');
      const uint32_t list_tag = tag;
      if (field->packable && (tag & 7) == 2) {
        absl::string_view payload;
        if (!in.Bytes(&payload)) return false;
        Cursor packed = CursorOver(payload);
        bool first_element = true;
        while (!packed.AtEnd()) {
          if (!first_element) out_.push_back(',');
          first_element = false;
          if (!Value(*field, packed, depth)) return false;
        }
        if (!in.Tag(&tag)) return false;
      } else {
        bool first_element = true;
        do {
          if (!first_element) out_.push_back(',');
          first_element = false;
          if (!Value(*field, in, depth) || !in.Tag(&tag)) return false;
        } while (tag == list_tag);
      }
      out_.push_back(']');
    } else {
      if (!Value(*field, in, depth) || !in.Tag(&tag)) return false;
    }
  }
  out_.push_back('}');
  return true;
}

// One value of `field` (an element, for a repeated field) at `in`.
bool Printer::Value(const FieldPlan& field, Cursor& in, int depth) {
  uint64_t v64 = 0;
  uint32_t v32 = 0;
  absl::string_view bytes;
  switch (field.kind) {
    case Kind::kDouble: {
      if (!in.Fixed64(&v64)) return false;
      double d;
      std::memcpy(&d, &v64, 8);
      AppendDouble(d, &out_);
      return true;
    }
    case Kind::kFloat: {
      if (!in.Fixed32(&v32)) return false;
      float f;
      std::memcpy(&f, &v32, 4);
      AppendFloat(f, &out_);
      return true;
    }
    case Kind::kInt64:
      if (!in.Varint(&v64)) return false;
      absl::StrAppend(&out_, "\"", static_cast<int64_t>(v64), "\"");
      return true;
    case Kind::kUint64:
      if (!in.Varint(&v64)) return false;
      absl::StrAppend(&out_, "\"", v64, "\"");
      return true;
    case Kind::kSint64:
      if (!in.Varint(&v64)) return false;
      absl::StrAppend(&out_, "\"", static_cast<int64_t>((v64 >> 1) ^ (~(v64 & 1) + 1)), "\"");
      return true;
    case Kind::kFixed64:
      if (!in.Fixed64(&v64)) return false;
      absl::StrAppend(&out_, "\"", v64, "\"");
      return true;
    case Kind::kSfixed64:
      if (!in.Fixed64(&v64)) return false;
      absl::StrAppend(&out_, "\"", static_cast<int64_t>(v64), "\"");
      return true;
    case Kind::kInt32:
      if (!in.Varint(&v64)) return false;
      absl::StrAppend(&out_, static_cast<int32_t>(static_cast<uint32_t>(v64)));
      return true;
    case Kind::kUint32:
      if (!in.Varint(&v64)) return false;
      absl::StrAppend(&out_, static_cast<uint32_t>(v64));
      return true;
    case Kind::kSint32: {
      if (!in.Varint(&v64)) return false;
      const auto u = static_cast<uint32_t>(v64);
      absl::StrAppend(&out_, static_cast<int32_t>((u >> 1) ^ (~(u & 1) + 1)));
      return true;
    }
    case Kind::kFixed32:
      if (!in.Fixed32(&v32)) return false;
      absl::StrAppend(&out_, v32);
      return true;
    case Kind::kSfixed32:
      if (!in.Fixed32(&v32)) return false;
      absl::StrAppend(&out_, static_cast<int32_t>(v32));
      return true;
    case Kind::kBool:
      if (!in.Varint(&v64)) return false;
      out_.append(v64 != 0 ? "true" : "false");
      return true;
    case Kind::kEnum: {
      if (!in.Varint(&v64)) return false;
      const auto number = static_cast<int32_t>(static_cast<uint32_t>(v64));
      const gpb::EnumValueDescriptor* value =
          enums_as_ints_ ? nullptr : field.enum_type->FindValueByNumber(number);
      if (value == nullptr) {
        absl::StrAppend(&out_, number);
      } else {
        out_.push_back('"');
        out_.append(value->name());
        out_.push_back('"');
      }
      return true;
    }
    case Kind::kString:
      return in.Bytes(&bytes) && AppendJsonString(bytes, &out_);
    case Kind::kBytes:
      if (!in.Bytes(&bytes)) return false;
      out_.push_back('"');
      out_.append(absl::Base64Escape(bytes));
      out_.push_back('"');
      return true;
    case Kind::kMessage:
      return in.Bytes(&bytes) && Message(plans_[field.message], CursorOver(bytes), depth + 1);
    case Kind::kTimestamp:
      return in.Bytes(&bytes) && Timestamp(plans_[field.message], CursorOver(bytes));
    case Kind::kWrapper:
      return in.Bytes(&bytes) && Wrapper(field.wrapped, CursorOver(bytes));
    case Kind::kStruct:
      return in.Bytes(&bytes) && Struct(CursorOver(bytes), depth + 1);
    case Kind::kStructValue:
      return in.Bytes(&bytes) && StructValue(CursorOver(bytes), depth + 1);
    case Kind::kListValue:
      return in.Bytes(&bytes) && ListValue(CursorOver(bytes), depth + 1);
  }
  return false;
}

// protobuf reads a wrapper's first field as its value and expects nothing
// after it; anything but that exact shape (or an empty wrapper, printed as
// the default) is declined.
bool Printer::Wrapper(Kind wrapped, Cursor in) {
  uint32_t tag = 0;
  if (!in.Tag(&tag)) return false;
  if (tag == 0) {
    switch (wrapped) {
      case Kind::kInt64:
      case Kind::kUint64:
        out_.append("\"0\"");
        return true;
      case Kind::kBool:
        out_.append("false");
        return true;
      case Kind::kString:
      case Kind::kBytes:
        out_.append("\"\"");
        return true;
      default:
        out_.append("0");
        return true;
    }
  }
  FieldPlan value;
  value.kind = wrapped;
  value.wire_type = WireTypeOf(wrapped);
  if (tag != (1u << 3 | value.wire_type)) return false;
  return Value(value, in, 0) && in.AtEnd();
}

// The entries of its one map field as an object; unknown fields skipped. A
// second run of entries is declined (protobuf writes it into the same object).
bool Printer::Struct(Cursor in, int depth) {
  if (depth > JsonPrinter::kMaxDepth || struct_plan_ < 0) return false;
  const JsonPrinter::MessagePlan& plan = plans_[struct_plan_];
  out_.push_back('{');
  uint32_t tag = 0;
  if (!in.Tag(&tag)) return false;
  bool seen = false;
  while (tag != 0) {
    const FieldPlan* field = FindAndVerify(plan, tag);
    if (field == nullptr || !field->map) {
      if (!in.Skip(tag) || !in.Tag(&tag)) return false;
      continue;
    }
    if (seen) return false;
    seen = true;
    if (!Map(*field, in, tag, &tag, depth)) return false;
  }
  out_.push_back('}');
  return true;
}

// The one kind it holds; none, more than one, or only unknown fields is
// declined (protobuf prints nothing, several, or leaves the member out).
bool Printer::StructValue(Cursor in, int depth) {
  if (depth > JsonPrinter::kMaxDepth) return false;
  uint32_t tag = 0;
  if (!in.Tag(&tag) || tag == 0) return false;
  int known = 0;
  while (tag != 0) {
    const uint32_t number = tag >> 3;
    const uint32_t type = tag & 7;
    const bool declared = number == 1 || number == 4   ? type == 0
                          : number == 2                ? type == 1
                          : number >= 3 && number <= 6 ? type == 2
                                                       : false;
    if (!declared) {
      if (!in.Skip(tag) || !in.Tag(&tag)) return false;
      continue;
    }
    if (++known > 1) return false;
    uint64_t v64 = 0;
    absl::string_view bytes;
    bool ok = false;
    switch (number) {
      case 1:  // null_value
        ok = in.Varint(&v64);
        if (ok) out_.append("null");
        break;
      case 2: {  // number_value
        ok = in.Fixed64(&v64);
        double d;
        std::memcpy(&d, &v64, 8);
        if (ok) AppendDouble(d, &out_);
        break;
      }
      case 3:  // string_value
        ok = in.Bytes(&bytes) && AppendJsonString(bytes, &out_);
        break;
      case 4:  // bool_value
        ok = in.Varint(&v64);
        if (ok) out_.append(v64 != 0 ? "true" : "false");
        break;
      case 5:  // struct_value
        ok = in.Bytes(&bytes) && Struct(CursorOver(bytes), depth + 1);
        break;
      default:  // 6, list_value
        ok = in.Bytes(&bytes) && ListValue(CursorOver(bytes), depth + 1);
        break;
    }
    if (!ok || !in.Tag(&tag)) return false;
  }
  return known == 1;
}

// Its one repeated Value field as a list; anything else on the wire is
// declined.
bool Printer::ListValue(Cursor in, int depth) {
  if (depth > JsonPrinter::kMaxDepth) return false;
  constexpr uint32_t kValuesTag = 1u << 3 | 2;
  out_.push_back('[');
  uint32_t tag = 0;
  if (!in.Tag(&tag)) return false;
  bool first = true;
  while (tag == kValuesTag) {
    absl::string_view bytes;
    if (!first) out_.push_back(',');
    first = false;
    if (!in.Bytes(&bytes) || !StructValue(CursorOver(bytes), depth + 1) || !in.Tag(&tag)) {
      return false;
    }
  }
  if (tag != 0) return false;
  out_.push_back(']');
  return true;
}

// google.protobuf.Timestamp: the last seconds (1) and nanos (2) on the wire.
bool Printer::Timestamp(const JsonPrinter::MessagePlan& plan, Cursor in) {
  int64_t seconds = 0;
  int32_t nanos = 0;
  uint32_t tag = 0;
  for (;;) {
    if (!in.Tag(&tag)) return false;
    if (tag == 0) break;
    const FieldPlan* field = FindAndVerify(plan, tag);
    uint64_t value = 0;
    if (field == nullptr || (field->number != 1 && field->number != 2)) {
      if (!in.Skip(tag)) return false;
      continue;
    }
    if (!in.Varint(&value)) return false;
    if (field->number == 1) {
      seconds = static_cast<int64_t>(value);
    } else {
      nanos = static_cast<int32_t>(static_cast<uint32_t>(value));
    }
  }
  // Out of range is protobuf's error to report.
  if (seconds < kTimestampMinSeconds || seconds > kTimestampMaxSeconds) return false;
  if (nanos < 0 || nanos >= 1000000000) return false;
  AppendTimestamp(seconds, nanos, &out_);
  return true;
}

// A map key as protobuf names the JSON member.
bool Printer::KeyText(const FieldPlan& key, Cursor& in, std::string* text) {
  uint64_t v64 = 0;
  uint32_t v32 = 0;
  absl::string_view bytes;
  text->clear();
  switch (key.kind) {
    case Kind::kString:
      if (!in.Bytes(&bytes)) return false;
      text->assign(bytes.data(), bytes.size());
      return true;
    case Kind::kBool:
      if (!in.Varint(&v64)) return false;
      *text = v64 != 0 ? "true" : "false";
      return true;
    case Kind::kInt32:
      if (!in.Varint(&v64)) return false;
      absl::StrAppend(text, static_cast<int32_t>(static_cast<uint32_t>(v64)));
      return true;
    case Kind::kUint32:
      if (!in.Varint(&v64)) return false;
      absl::StrAppend(text, static_cast<uint32_t>(v64));
      return true;
    case Kind::kSint32: {
      if (!in.Varint(&v64)) return false;
      const auto u = static_cast<uint32_t>(v64);
      absl::StrAppend(text, static_cast<int32_t>((u >> 1) ^ (~(u & 1) + 1)));
      return true;
    }
    case Kind::kInt64:
      if (!in.Varint(&v64)) return false;
      absl::StrAppend(text, static_cast<int64_t>(v64));
      return true;
    case Kind::kUint64:
      if (!in.Varint(&v64)) return false;
      absl::StrAppend(text, v64);
      return true;
    case Kind::kSint64:
      if (!in.Varint(&v64)) return false;
      absl::StrAppend(text, static_cast<int64_t>((v64 >> 1) ^ (~(v64 & 1) + 1)));
      return true;
    case Kind::kFixed32:
      if (!in.Fixed32(&v32)) return false;
      absl::StrAppend(text, v32);
      return true;
    case Kind::kSfixed32:
      if (!in.Fixed32(&v32)) return false;
      absl::StrAppend(text, static_cast<int32_t>(v32));
      return true;
    case Kind::kFixed64:
      if (!in.Fixed64(&v64)) return false;
      absl::StrAppend(text, v64);
      return true;
    case Kind::kSfixed64:
      if (!in.Fixed64(&v64)) return false;
      absl::StrAppend(text, static_cast<int64_t>(v64));
      return true;
    default:
      return false;
  }
}

// Consecutive entries of a map field (protobuf renders each run of them as
// one object). An entry without a value prints nothing; a value before its
// key gets the key's default.
bool Printer::Map(const FieldPlan& field, Cursor& in, uint32_t list_tag, uint32_t* next_tag,
                  int depth) {
  const JsonPrinter::MessagePlan& entry = plans_[field.message];
  const FieldPlan* key_field = entry.Find(1);
  const FieldPlan* value_field = entry.Find(2);
  if (key_field == nullptr || value_field == nullptr) return false;
  bool first = true;
  std::string key;
  uint32_t tag = list_tag;
  do {
    // A map field's tag always has the length-delimited wire type here.
    absl::string_view payload;
    if (!in.Bytes(&payload)) return false;
    Cursor entry_in = CursorOver(payload);
    key.clear();
    uint32_t entry_tag = 0;
    for (;;) {
      if (!entry_in.Tag(&entry_tag)) return false;
      if (entry_tag == 0) break;
      const FieldPlan* f = FindAndVerify(entry, entry_tag);
      if (f == nullptr) {
        if (!entry_in.Skip(entry_tag)) return false;
        continue;
      }
      if (f->number == 1) {
        if (!KeyText(*f, entry_in, &key)) return false;
        continue;
      }
      if (key.empty() && key_field->kind != Kind::kString) {
        key = key_field->kind == Kind::kBool ? "false" : "0";
      }
      if (!first) out_.push_back(',');
      first = false;
      if (!AppendJsonString(key, &out_)) return false;
      out_.push_back(':');
      if (!Value(*f, entry_in, depth + 1)) return false;
    }
    if (!in.Tag(&tag)) return false;
  } while (tag == list_tag);
  *next_tag = tag;
  return true;
}

}  // namespace

JsonPrinter::~JsonPrinter() = default;

std::unique_ptr<const JsonPrinter> JsonPrinter::Create(const gpb::Descriptor& type,
                                                       const JsonOutputOptions& options) {
  return Create(type, options, Coverage::kCommon);
}

std::unique_ptr<const JsonPrinter> JsonPrinter::Create(const gpb::Descriptor& type,
                                                       const JsonOutputOptions& options,
                                                       Coverage coverage,
                                                       const FieldRenames* renames) {
  if (options.emit_default_values) return nullptr;
  if (absl::StartsWith(type.full_name(), "google.protobuf.")) return nullptr;
  auto printer = std::unique_ptr<JsonPrinter>(new JsonPrinter());
  printer->enums_as_ints_ = options.enums_as_ints;
  Planner planner(options, coverage == Coverage::kStructsAndWrappers, &printer->messages_);
  if (planner.Plan(type, renames) != 0) return nullptr;
  printer->struct_plan_ = planner.struct_plan();
  return printer;
}

bool JsonPrinter::Print(absl::string_view wire, std::string* out) const {
  const size_t size = out->size();
  Printer printer(messages_, enums_as_ints_, struct_plan_, out);
  if (printer.Message(messages_[0], CursorOver(wire), 0)) return true;
  out->resize(size);
  return false;
}

bool JsonPrinter::PrintField(int number, absl::string_view element, std::string* out) const {
  const FieldPlan* field = number > 0 ? messages_[0].Find(static_cast<uint32_t>(number)) : nullptr;
  if (field == nullptr || field->map) return false;
  const size_t size = out->size();
  Printer printer(messages_, enums_as_ints_, struct_plan_, out);
  Cursor in = CursorOver(element);
  if (printer.Value(*field, in, 0) && in.AtEnd()) return true;
  out->resize(size);
  return false;
}

}  // namespace protogate::transcode
