#include "transcode/wire_format.h"

#include <optional>
#include <utility>

namespace protogate::transcode::wire {
namespace {

constexpr int kMaxFieldNumber = (1 << 29) - 1;
// Groups nest; bound the recursion so hostile bytes cannot exhaust the stack.
constexpr int kMaxGroupDepth = 64;

class Reader {
 public:
  explicit Reader(absl::string_view data) : data_(data) {}

  bool done() const { return pos_ == data_.size(); }
  size_t pos() const { return pos_; }

  std::optional<uint64_t> Varint() {
    uint64_t result = 0;
    for (int shift = 0; shift < 64 && pos_ < data_.size(); shift += 7) {
      const auto byte = static_cast<uint8_t>(data_[pos_++]);
      result |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return result;
    }
    return std::nullopt;
  }

  bool Skip(uint64_t n) {
    if (n > data_.size() - pos_) return false;
    pos_ += n;
    return true;
  }

  absl::string_view Slice(size_t from, size_t to) const { return data_.substr(from, to - from); }

  // Reads one field after its tag; for a group, through its end tag.
  bool SkipValue(int number, WireType type, int depth) {
    switch (type) {
      case WireType::kVarint:
        return Varint().has_value();
      case WireType::kFixed64:
        return Skip(8);
      case WireType::kFixed32:
        return Skip(4);
      case WireType::kLengthDelimited: {
        auto length = Varint();
        return length.has_value() && Skip(*length);
      }
      case WireType::kStartGroup:
        return SkipGroup(number, depth + 1);
      case WireType::kEndGroup:
        return false;
    }
    return false;
  }

  std::optional<std::pair<int, WireType>> Tag() {
    auto tag = Varint();
    if (!tag.has_value() || *tag > 0xffffffffu) return std::nullopt;
    const auto number = static_cast<int64_t>(*tag >> 3);
    const auto type = static_cast<int>(*tag & 7);
    if (number == 0 || number > kMaxFieldNumber || type > 5) return std::nullopt;
    return std::make_pair(static_cast<int>(number), static_cast<WireType>(type));
  }

 private:
  bool SkipGroup(int number, int depth) {
    if (depth > kMaxGroupDepth) return false;
    while (!done()) {
      auto tag = Tag();
      if (!tag.has_value()) return false;
      if (tag->second == WireType::kEndGroup) return tag->first == number;
      if (!SkipValue(tag->first, tag->second, depth)) return false;
    }
    return false;
  }

  absl::string_view data_;
  size_t pos_ = 0;
};

}  // namespace

size_t VarintSize(uint64_t value) {
  size_t size = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++size;
  }
  return size;
}

void AppendVarint(uint64_t value, std::string* out) {
  char buffer[10];
  size_t n = 0;
  while (value >= 0x80) {
    buffer[n++] = static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  buffer[n++] = static_cast<char>(value);
  out->append(buffer, n);
}

size_t TagSize(int field_number) { return VarintSize(static_cast<uint64_t>(field_number) << 3); }

void AppendTag(int field_number, WireType type, std::string* out) {
  AppendVarint((static_cast<uint64_t>(field_number) << 3) | static_cast<uint64_t>(type), out);
}

void AppendFixed32(uint32_t value, std::string* out) {
  char buffer[4];
  for (int i = 0; i < 4; ++i) buffer[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  out->append(buffer, 4);
}

void AppendFixed64(uint64_t value, std::string* out) {
  char buffer[8];
  for (int i = 0; i < 8; ++i) buffer[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  out->append(buffer, 8);
}

void AppendLengthDelimited(int field_number, absl::string_view payload, std::string* out) {
  AppendTag(field_number, WireType::kLengthDelimited, out);
  AppendVarint(payload.size(), out);
  out->append(payload.data(), payload.size());
}

bool ForEachField(absl::string_view message, absl::FunctionRef<void(const Field&)> visit) {
  Reader reader(message);
  while (!reader.done()) {
    const size_t start = reader.pos();
    auto tag = reader.Tag();
    if (!tag.has_value()) return false;
    Field field;
    field.number = tag->first;
    field.type = tag->second;
    size_t payload_start = 0;
    if (field.type == WireType::kLengthDelimited) {
      auto length = reader.Varint();
      payload_start = reader.pos();
      if (!length.has_value() || !reader.Skip(*length)) return false;
    } else if (!reader.SkipValue(field.number, field.type, 0)) {
      return false;
    }
    field.raw = reader.Slice(start, reader.pos());
    if (field.type == WireType::kLengthDelimited) {
      field.payload = reader.Slice(payload_start, reader.pos());
    }
    visit(field);
  }
  return true;
}

}  // namespace protogate::transcode::wire
