#include "transcode/strict_json.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <forward_list>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/json_text.h"
#include "common/utf8.h"
#include "simdjson.h"

namespace protogate::transcode {
namespace {

namespace gpb = google::protobuf;

// Echoed keys are cut, so an error body stays small whatever the client sent.
constexpr size_t kMaxEchoedKey = 64;
// Up to this many keys an object's keys are compared one by one; beyond, a
// hash set keeps a huge object from costing quadratic time.
constexpr size_t kLinearKeys = 16;

enum StringByte : uint8_t { kPlain, kQuote, kBackslash, kControl, kNonAscii };

constexpr std::array<uint8_t, 256> MakeStringBytes() {
  std::array<uint8_t, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[c] = c < 0x20 ? kControl : c >= 0x80 ? kNonAscii : kPlain;
  }
  table['"'] = kQuote;
  table['\\'] = kBackslash;
  return table;
}
constexpr std::array<uint8_t, 256> kStringBytes = MakeStringBytes();

bool IsWhitespace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code unit of the four hex digits at `p`, or -1.
int Hex4(const char* p) {
  int value = 0;
  for (int i = 0; i < 4; ++i) {
    const int digit = HexValue(p[i]);
    if (digit < 0) return -1;
    value = value << 4 | digit;
  }
  return value;
}

bool IsHighSurrogate(int unit) { return unit >= 0xD800 && unit <= 0xDBFF; }
bool IsLowSurrogate(int unit) { return unit >= 0xDC00 && unit <= 0xDFFF; }

using common::AppendUtf8;
using common::Utf8SequenceLength;

// Decodes the contents of a string already checked by the scanner.
void Unescape(absl::string_view raw, std::string* out) {
  out->reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\') {
      out->push_back(raw[i]);
      continue;
    }
    const char escape = raw[++i];
    switch (escape) {
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'u': {
        uint32_t unit = static_cast<uint32_t>(Hex4(raw.data() + i + 1));
        i += 4;
        if (IsHighSurrogate(static_cast<int>(unit))) {
          const uint32_t low = static_cast<uint32_t>(Hex4(raw.data() + i + 3));
          unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
          i += 6;
        }
        AppendUtf8(unit, out);
        break;
      }
      default:
        out->push_back(escape);
        break;  // '"', '\\', '/'
    }
  }
}

std::string EchoKey(absl::string_view key) { return common::Shortened(key, kMaxEchoedKey); }

bool HasJsonFormOfItsOwn(const gpb::Descriptor& message) {
  return message.well_known_type() != gpb::Descriptor::WELLKNOWNTYPE_UNSPECIFIED;
}

class Scanner {
 public:
  Scanner(absl::string_view json, int max_depth)
      : json_(json),
        max_depth_(static_cast<size_t>(std::max(max_depth, 1))),
        utf8_valid_(simdjson::validate_utf8(json.data(), json.size())) {}

  absl::Status Run(const JsonBodyShape& top);

 private:
  // An array or object open at the current position.
  struct Frame {
    bool is_object;
    // Object: what its keys name (kMessage: fields, kMap: map keys, kAny:
    // keys). Array: kRepeated (elements of that field) or kAny.
    JsonBodyShape shape;
    size_t keys_begin;  // its keys are keys_[keys_begin..] (until key_set exists)
    std::unique_ptr<absl::flat_hash_set<absl::string_view>> key_set;
  };

  absl::Status Error(size_t at, absl::string_view reason) const {
    return absl::InvalidArgumentError(absl::StrCat("invalid JSON body at byte ", at, ": ", reason));
  }
  bool AtEnd() const { return pos_ >= json_.size(); }
  char Peek() const { return AtEnd() ? '\0' : json_[pos_]; }
  void SkipWhitespace() {
    while (!AtEnd() && IsWhitespace(json_[pos_])) ++pos_;
  }

  // The reason a value (or key, or separator) cannot start at pos_.
  absl::Status Unexpected(absl::string_view expected) const;
  absl::Status OpenContainer(const JsonBodyShape& shape);
  // After '{' or ',' in an object: a key and ':'; sets `value_shape`.
  absl::Status Member(JsonBodyShape* value_shape);
  absl::Status AddKey(Frame& frame, absl::string_view key, const gpb::FieldDescriptor* field,
                      size_t at);
  void CloseContainer();
  absl::Status Scalar();
  // From the opening quote; on return pos_ is past the closing one and
  // `contents` (when asked for) the raw text between them.
  absl::Status String(absl::string_view* contents, bool* escaped);
  absl::Status Escape();
  absl::Status Number();
  absl::Status Literal(absl::string_view word);

  const absl::string_view json_;
  const size_t max_depth_;
  const bool utf8_valid_;
  size_t pos_ = 0;
  // Inline room for the usual body: no allocation at all.
  absl::InlinedVector<Frame, 8> frames_;
  absl::InlinedVector<absl::string_view, 32> keys_;  // of the open objects, innermost last
  std::forward_list<std::string> unescaped_keys_;    // stable storage for keys with escapes
};

absl::Status Scanner::Run(const JsonBodyShape& top) {
  JsonBodyShape shape = top;
  for (;;) {
    // A value is expected at pos_.
    SkipWhitespace();
    const char c = Peek();
    if (c == '{' || c == '[') {
      if (absl::Status s = OpenContainer(shape); !s.ok()) return s;
      SkipWhitespace();
      const Frame& frame = frames_.back();
      if (Peek() == (frame.is_object ? '}' : ']')) {
        ++pos_;
        CloseContainer();
      } else if (frame.is_object) {
        if (absl::Status s = Member(&shape); !s.ok()) return s;
        continue;
      } else {
        shape = frame.shape.kind() == JsonBodyShape::Kind::kRepeated
                    ? JsonBodyShape::Element(*frame.shape.field())
                    : JsonBodyShape::Any();
        continue;
      }
    } else if (absl::Status s = Scalar(); !s.ok()) {
      return s;
    }

    // A value has ended: close what it ends, up to the next value expected.
    for (;;) {
      SkipWhitespace();
      if (frames_.empty()) {
        if (!AtEnd()) {
          return Peek() == '/' ? Error(pos_, "comment")
                               : Error(pos_, "data after the top-level value");
        }
        return absl::OkStatus();
      }
      const Frame& frame = frames_.back();
      const char close = frame.is_object ? '}' : ']';
      const char next = Peek();
      if (next == close) {
        ++pos_;
        CloseContainer();
        continue;
      }
      if (next != ',') {
        return Unexpected(frame.is_object ? "',' or '}' after an object member"
                                          : "',' or ']' after an array element");
      }
      const size_t comma = pos_++;
      SkipWhitespace();
      if (Peek() == close) return Error(comma, "trailing comma");
      if (frame.is_object) {
        if (absl::Status s = Member(&shape); !s.ok()) return s;
      } else {
        shape = frame.shape.kind() == JsonBodyShape::Kind::kRepeated
                    ? JsonBodyShape::Element(*frame.shape.field())
                    : JsonBodyShape::Any();
      }
      break;
    }
  }
}

absl::Status Scanner::Unexpected(absl::string_view expected) const {
  if (AtEnd()) return Error(pos_, "unexpected end of input");
  const unsigned char c = static_cast<unsigned char>(json_[pos_]);
  if (c == '/') return Error(pos_, "comment");
  if (c == '\'') return Error(pos_, "single-quoted string");
  if (c >= 0x80) {
    if (Utf8SequenceLength(reinterpret_cast<const unsigned char*>(json_.data()) + pos_,
                           json_.size() - pos_) == 0) {
      return Error(pos_, "invalid UTF-8");
    }
    return Error(pos_, absl::StrFormat("expected %s, got byte 0x%02X", expected, c));
  }
  if (c < 0x20 || c == 0x7F) {
    return Error(pos_, absl::StrFormat("expected %s, got byte 0x%02X", expected, c));
  }
  return Error(pos_, absl::StrFormat("expected %s, got '%c'", expected, c));
}

absl::Status Scanner::OpenContainer(const JsonBodyShape& shape) {
  if (frames_.size() >= max_depth_) {
    return Error(pos_, absl::StrCat("nesting deeper than ", max_depth_));
  }
  const bool is_object = json_[pos_] == '{';
  const JsonBodyShape::Kind kind = shape.kind();
  const bool fits = is_object
                        ? kind == JsonBodyShape::Kind::kMessage || kind == JsonBodyShape::Kind::kMap
                        : kind == JsonBodyShape::Kind::kRepeated;
  frames_.push_back(Frame{.is_object = is_object,
                          .shape = fits ? shape : JsonBodyShape::Any(),
                          .keys_begin = keys_.size(),
                          .key_set = nullptr});
  ++pos_;
  return absl::OkStatus();
}

void Scanner::CloseContainer() {
  keys_.resize(frames_.back().keys_begin);
  frames_.pop_back();
}

absl::Status Scanner::Member(JsonBodyShape* value_shape) {
  // Whitespace before the key is already skipped.
  if (Peek() != '"') return Unexpected("a double-quoted object key");
  const size_t key_at = pos_;
  absl::string_view raw;
  bool escaped = false;
  if (absl::Status s = String(&raw, &escaped); !s.ok()) return s;
  absl::string_view key = raw;
  if (escaped) {
    std::string& unescaped = unescaped_keys_.emplace_front();
    Unescape(raw, &unescaped);
    key = unescaped;
  }
  SkipWhitespace();
  if (Peek() != ':') return Unexpected("':' after the object key");
  ++pos_;

  Frame& frame = frames_.back();
  const gpb::FieldDescriptor* field = nullptr;
  switch (frame.shape.kind()) {
    case JsonBodyShape::Kind::kMessage:
      field = FindJsonField(*frame.shape.message(), key);
      *value_shape = field != nullptr ? JsonBodyShape::FieldValue(*field) : JsonBodyShape::Any();
      break;
    case JsonBodyShape::Kind::kMap:
      *value_shape = JsonBodyShape::Element(*frame.shape.field());
      break;
    default:
      *value_shape = JsonBodyShape::Any();
      break;
  }
  return AddKey(frame, key, field, key_at);
}

absl::Status Scanner::AddKey(Frame& frame, absl::string_view key, const gpb::FieldDescriptor* field,
                             size_t at) {
  // A field is known by its proto name whichever name the client used; an
  // unknown key cannot equal a proto name (it would have named the field).
  const absl::string_view canonical = field != nullptr ? absl::string_view(field->name()) : key;
  bool repeated = false;
  if (frame.key_set != nullptr) {
    repeated = !frame.key_set->insert(canonical).second;
  } else {
    repeated = std::find(keys_.begin() + static_cast<std::ptrdiff_t>(frame.keys_begin), keys_.end(),
                         canonical) != keys_.end();
    if (!repeated) {
      keys_.push_back(canonical);
      if (keys_.size() - frame.keys_begin > kLinearKeys) {
        frame.key_set = std::make_unique<absl::flat_hash_set<absl::string_view>>(
            keys_.begin() + static_cast<std::ptrdiff_t>(frame.keys_begin), keys_.end());
      }
    }
  }
  if (!repeated) return absl::OkStatus();
  const std::string echoed = EchoKey(canonical);
  if (field != nullptr) return Error(at, absl::StrCat("field \"", echoed, "\" given twice"));
  if (frame.shape.kind() == JsonBodyShape::Kind::kMap) {
    return Error(at, absl::StrCat("map key \"", echoed, "\" given twice"));
  }
  return Error(at, absl::StrCat("key \"", echoed, "\" given twice"));
}

absl::Status Scanner::Scalar() {
  switch (Peek()) {
    case '"':
      return String(nullptr, nullptr);
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
      return Number();
    case 't':
      return Literal("true");
    case 'f':
      return Literal("false");
    case 'n':
      return Literal("null");
    case 'N':
      if (json_.substr(pos_, 3) == "NaN") return Error(pos_, "NaN literal");
      break;
    case 'I':
      if (json_.substr(pos_, 8) == "Infinity") return Error(pos_, "Infinity literal");
      break;
    default:
      break;
  }
  return Unexpected("a value");
}

absl::Status Scanner::String(absl::string_view* contents, bool* escaped) {
  const size_t open = pos_++;
  const unsigned char* bytes = reinterpret_cast<const unsigned char*>(json_.data());
  const size_t size = json_.size();
  // Non-ASCII bytes need no look when the whole body is valid UTF-8.
  const uint8_t last_plain = utf8_valid_ ? kNonAscii : kPlain;
  bool any_escape = false;
  for (;;) {
    size_t i = pos_;
    // The bulk of a string: bytes that need no look.
    while (i < size && (kStringBytes[bytes[i]] == kPlain || kStringBytes[bytes[i]] == last_plain)) {
      ++i;
    }
    pos_ = i;
    if (i >= size) return Error(size, "unterminated string");
    switch (kStringBytes[bytes[i]]) {
      case kQuote:
        if (contents != nullptr) *contents = json_.substr(open + 1, i - open - 1);
        if (escaped != nullptr) *escaped = any_escape;
        pos_ = i + 1;
        return absl::OkStatus();
      case kBackslash:
        any_escape = true;
        if (absl::Status s = Escape(); !s.ok()) return s;
        break;
      case kControl:
        return Error(i, absl::StrFormat("unescaped control character U+%04X in string", bytes[i]));
      default:  // kNonAscii, the body not known to be valid UTF-8
        if (size_t length = Utf8SequenceLength(bytes + i, size - i); length > 0) {
          pos_ = i + length;
        } else {
          return Error(i, "invalid UTF-8");
        }
        break;
    }
  }
}

absl::Status Scanner::Escape() {
  const size_t at = pos_;  // the backslash
  if (at + 1 >= json_.size()) return Error(json_.size(), "unterminated string");
  const char escape = json_[at + 1];
  switch (escape) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
      pos_ += 2;
      return absl::OkStatus();
    case 'u':
      break;
    default: {
      const unsigned char c = static_cast<unsigned char>(escape);
      if (c < 0x20 || c >= 0x7F) {
        return Error(at, absl::StrFormat("invalid escape: backslash before byte 0x%02X", c));
      }
      return Error(at, absl::StrFormat("invalid escape \\%c", escape));
    }
  }
  const int unit = at + 6 <= json_.size() ? Hex4(json_.data() + at + 2) : -1;
  if (unit < 0) return Error(at, "invalid \\u escape: expected 4 hex digits");
  const absl::string_view text = json_.substr(at, 6);
  if (IsLowSurrogate(unit)) return Error(at, absl::StrCat("lone low surrogate ", text));
  if (!IsHighSurrogate(unit)) {
    pos_ = at + 6;
    return absl::OkStatus();
  }
  const bool paired = at + 12 <= json_.size() && json_[at + 6] == '\\' && json_[at + 7] == 'u' &&
                      IsLowSurrogate(Hex4(json_.data() + at + 8));
  if (!paired) return Error(at, absl::StrCat("lone high surrogate ", text));
  pos_ = at + 12;
  return absl::OkStatus();
}

absl::Status Scanner::Number() {
  if (Peek() == '-') {
    ++pos_;
    if (Peek() == 'I' && json_.substr(pos_, 8) == "Infinity") {
      return Error(pos_ - 1, "Infinity literal");
    }
  }
  if (Peek() == '0') {
    ++pos_;
    if (IsDigit(Peek())) return Error(pos_ - 1, "leading zero in number");
  } else if (IsDigit(Peek())) {
    while (IsDigit(Peek())) ++pos_;
  } else {
    return Error(pos_, "invalid number: expected a digit");
  }
  if (Peek() == '.') {
    ++pos_;
    if (!IsDigit(Peek())) return Error(pos_, "invalid number: expected a digit after '.'");
    while (IsDigit(Peek())) ++pos_;
  }
  if (Peek() == 'e' || Peek() == 'E') {
    ++pos_;
    if (Peek() == '+' || Peek() == '-') ++pos_;
    if (!IsDigit(Peek())) return Error(pos_, "invalid number: expected a digit in the exponent");
    while (IsDigit(Peek())) ++pos_;
  }
  return absl::OkStatus();
}

absl::Status Scanner::Literal(absl::string_view word) {
  if (json_.substr(pos_, word.size()) != word) {
    return Error(pos_, "invalid literal (expected true, false or null)");
  }
  pos_ += word.size();
  return absl::OkStatus();
}

}  // namespace

JsonBodyShape JsonBodyShape::Message(const gpb::Descriptor& message) {
  if (HasJsonFormOfItsOwn(message)) return Any();
  return JsonBodyShape(Kind::kMessage, &message, nullptr);
}

JsonBodyShape JsonBodyShape::FieldValue(const gpb::FieldDescriptor& field) {
  if (field.is_map()) return JsonBodyShape(Kind::kMap, nullptr, &field);
  if (field.is_repeated()) return JsonBodyShape(Kind::kRepeated, nullptr, &field);
  return Element(field);
}

JsonBodyShape JsonBodyShape::Element(const gpb::FieldDescriptor& field) {
  if (field.is_map()) return Element(*field.message_type()->map_value());
  if (field.type() != gpb::FieldDescriptor::TYPE_MESSAGE) return Any();
  return Message(*field.message_type());
}

const gpb::FieldDescriptor* FindJsonField(const gpb::Descriptor& message, absl::string_view key) {
  // A linear scan beats a hash lookup here: no std::string has to be built
  // for the key, and request messages have few fields.
  const gpb::FieldDescriptor* by_json_name = nullptr;
  for (int i = 0; i < message.field_count(); ++i) {
    const gpb::FieldDescriptor* field = message.field(i);
    if (field->name() == key) return field;
    if (by_json_name == nullptr && field->json_name() == key) by_json_name = field;
  }
  return by_json_name;
}

absl::Status CheckStrictJson(absl::string_view json, const JsonBodyShape& shape, int max_depth) {
  return Scanner(json, max_depth).Run(shape);
}

}  // namespace protogate::transcode
