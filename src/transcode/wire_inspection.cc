#include "transcode/wire_inspection.h"

#include <cstdint>
#include <optional>
#include <vector>

#include "transcode/text_value.h"
#include "transcode/wire_format.h"

namespace protogate::transcode {
namespace {

namespace gpb = google::protobuf;
using wire::DeclaredWireType;
using wire::WireType;

// Deeper than protobuf's own parser default: let the parser decide.
constexpr int kMaxDepth = 100;

std::optional<uint64_t> ReadVarint(absl::string_view data, size_t* pos) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64 && *pos < data.size(); shift += 7) {
    const auto byte = static_cast<uint8_t>(data[(*pos)++]);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return result;
  }
  return std::nullopt;
}

bool IsPackedPayload(absl::string_view payload, WireType element) {
  switch (element) {
    case WireType::kFixed32:
      return payload.size() % 4 == 0;
    case WireType::kFixed64:
      return payload.size() % 8 == 0;
    case WireType::kVarint: {
      size_t pos = 0;
      while (pos < payload.size()) {
        if (!ReadVarint(payload, &pos).has_value()) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

// Fields are usually declared in number order from 1, making the lookup an
// index; otherwise the descriptor's own table.
const gpb::FieldDescriptor* FieldByNumber(const gpb::Descriptor& type, uint64_t number) {
  if (number >= 1 && number <= static_cast<uint64_t>(type.field_count())) {
    const gpb::FieldDescriptor* guess = type.field(static_cast<int>(number - 1));
    if (static_cast<uint64_t>(guess->number()) == number) return guess;
  }
  return type.FindFieldByNumber(static_cast<int>(number));
}

// Which singular fields and oneofs a message has shown so far.
class Seen {
 public:
  explicit Seen(const gpb::Descriptor& type) {
    if (type.field_count() > 64) fields_.resize(type.field_count());
    if (type.oneof_decl_count() > 64) oneofs_.resize(type.oneof_decl_count());
  }
  // False when already seen.
  bool FirstField(int index) { return First(index, &field_bits_, &fields_); }
  bool FirstOneof(int index) { return First(index, &oneof_bits_, &oneofs_); }

 private:
  static bool First(int index, uint64_t* bits, std::vector<bool>* many) {
    if (!many->empty()) {
      if ((*many)[index]) return false;
      (*many)[index] = true;
      return true;
    }
    const uint64_t bit = uint64_t{1} << index;
    if (*bits & bit) return false;
    *bits |= bit;
    return true;
  }
  uint64_t field_bits_ = 0;
  uint64_t oneof_bits_ = 0;
  std::vector<bool> fields_;
  std::vector<bool> oneofs_;
};

WireShape Worse(WireShape a, WireShape b) { return a > b ? a : b; }

WireShape Inspect(absl::string_view data, const gpb::Descriptor& type, int depth);

// One field occurrence whose tag has been read; `pos` is past the value on
// return.
WireShape InspectField(absl::string_view data, size_t* pos, const gpb::FieldDescriptor* field,
                       WireType wire_type, int depth) {
  if (wire_type == WireType::kStartGroup || wire_type == WireType::kEndGroup) {
    return WireShape::kNeedsNormalizing;
  }
  absl::string_view payload;
  switch (wire_type) {
    case WireType::kVarint:
      if (!ReadVarint(data, pos).has_value()) return WireShape::kMalformed;
      break;
    case WireType::kFixed64:
    case WireType::kFixed32: {
      const size_t size = wire_type == WireType::kFixed64 ? 8 : 4;
      if (data.size() - *pos < size) return WireShape::kMalformed;
      *pos += size;
      break;
    }
    case WireType::kLengthDelimited: {
      auto length = ReadVarint(data, pos);
      if (!length.has_value() || *length > data.size() - *pos) return WireShape::kMalformed;
      payload = data.substr(*pos, *length);
      *pos += *length;
      break;
    }
    default:
      return WireShape::kMalformed;
  }
  if (field == nullptr) return WireShape::kPrintable;  // unknown: the printer skips it

  const WireType declared = DeclaredWireType(*field);
  if (wire_type != declared) {
    if (wire_type == WireType::kLengthDelimited && field->is_packable()) {
      return IsPackedPayload(payload, declared) ? WireShape::kPrintable : WireShape::kMalformed;
    }
    return WireShape::kNeedsNormalizing;
  }
  if (field->type() == gpb::FieldDescriptor::TYPE_MESSAGE) {
    if (depth >= kMaxDepth) return WireShape::kNeedsNormalizing;
    return Inspect(payload, *field->message_type(), depth + 1);
  }
  if (field->type() == gpb::FieldDescriptor::TYPE_STRING &&
      field->file()->syntax() == gpb::FileDescriptor::SYNTAX_PROTO3 && !IsValidUtf8(payload)) {
    return WireShape::kMalformed;
  }
  return WireShape::kPrintable;
}

WireShape Inspect(absl::string_view data, const gpb::Descriptor& type, int depth) {
  WireShape shape = WireShape::kPrintable;
  Seen seen(type);
  uint64_t previous_tag = 0;
  size_t pos = 0;
  while (pos < data.size()) {
    auto tag = ReadVarint(data, &pos);
    if (!tag.has_value() || *tag > 0xffffffffu) return WireShape::kMalformed;
    const uint64_t number = *tag >> 3;
    const auto wire_type = static_cast<WireType>(*tag & 7);
    if (number == 0 || (*tag & 7) > 5) return WireShape::kMalformed;
    const gpb::FieldDescriptor* field = FieldByNumber(type, number);
    if (wire_type == WireType::kStartGroup || wire_type == WireType::kEndGroup) {
      // Groups are rare enough to leave them, and their nesting, to the parser.
      return WireShape::kNeedsNormalizing;
    }
    shape = Worse(shape, InspectField(data, &pos, field, wire_type, depth));
    if (shape == WireShape::kMalformed) return shape;
    if (field != nullptr) {
      // The printer renders a repeated field as one list only from a run of
      // identical tags (so packed chunks, or elements split by other fields,
      // become several keys); anything else seen twice prints twice.
      const bool continues_run =
          field->is_repeated() && *tag == previous_tag && wire_type == DeclaredWireType(*field);
      if (!seen.FirstField(field->index()) && !continues_run) {
        shape = Worse(shape, WireShape::kNeedsNormalizing);
      }
      const gpb::OneofDescriptor* oneof = field->containing_oneof();
      if (oneof != nullptr && !seen.FirstOneof(oneof->index())) {
        shape = Worse(shape, WireShape::kNeedsNormalizing);
      }
    }
    previous_tag = *tag;
  }
  return shape;
}

}  // namespace

WireShape InspectWire(absl::string_view message, const gpb::Descriptor& type) {
  return Inspect(message, type, 0);
}

}  // namespace protogate::transcode
