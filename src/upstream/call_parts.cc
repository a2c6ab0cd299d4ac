#include "upstream/call_parts.h"

#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace protogate::upstream {
namespace {

// Up to this size a request is copied into gRPC's slice (small ones inline,
// with no allocation) rather than handed over with a release callback, which
// costs two allocations of its own.
constexpr size_t kCopyRequestBytes = 256;

bool IsValidKey(absl::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool IsValidAsciiValue(absl::string_view value) {
  for (char c : value) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// Keys gRPC owns itself; passing them would corrupt the call.
bool IsReservedKey(absl::string_view key) {
  return absl::StartsWith(key, "grpc-") || absl::StartsWith(key, ":") || key == "content-type" ||
         key == "te" || key == "user-agent" || key == "host";
}

}  // namespace

void AddMetadata(grpc::ClientContext& context, const Metadata& metadata) {
  for (const auto& [key, value] : metadata) {
    if (!IsValidKey(key) || IsReservedKey(key)) continue;
    if (absl::EndsWith(key, "-bin")) {
      context.AddMetadata(key, value);
    } else if (IsValidAsciiValue(value)) {
      context.AddMetadata(key, value);
    }
  }
}

Metadata CopyMetadata(const std::multimap<grpc::string_ref, grpc::string_ref>& from) {
  Metadata out;
  out.reserve(from.size());
  for (const auto& [key, value] : from) {
    absl::string_view k(key.data(), key.size());
    if (IsReservedKey(k)) continue;
    out.emplace_back(std::string(k), std::string(value.data(), value.size()));
  }
  return out;
}

std::string Flatten(const grpc::ByteBuffer& buffer) {
  grpc::Slice single;
  if (buffer.TrySingleSlice(&single).ok()) {  // the usual small answer: no slice list
    return std::string(reinterpret_cast<const char*>(single.begin()), single.size());
  }
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  out.reserve(buffer.Length());
  for (const grpc::Slice& slice : slices) {
    out.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return out;
}

grpc::ByteBuffer ToByteBuffer(std::string message) {
  if (message.size() <= kCopyRequestBytes) {
    grpc::Slice slice(message.data(), message.size());
    return grpc::ByteBuffer(&slice, 1);
  }
  auto* owned = new std::string(std::move(message));
  grpc::Slice slice(
      owned->data(), owned->size(), [](void* p) { delete static_cast<std::string*>(p); }, owned);
  return grpc::ByteBuffer(&slice, 1);
}

}  // namespace protogate::upstream
