// libFuzzer target for the request-stream reader of client-streaming routes
// (JsonSequenceReader) and the transcoding of each message it hands out.
// Input: one byte of parameters (the object limit and how the body is cut
// into pieces), then the body. Checked:
// - the body read whole and read in pieces gives the same objects and the
//   same error;
// - each object is a `{...}` within the limit, found in the body in order;
// - the reader never holds more than one piece plus one object;
// - each object transcodes to a CreateOrderRequest or is refused, never a
//   crash.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "transcode/json_sequence.h"
#include "transcode/request_transcoder.h"
#include "transcode/type_registry.h"

namespace protogate::transcode {
namespace {

const RequestTranscoder& CreateOrder() {
  static const RequestTranscoder* const transcoder = [] {
    std::ifstream in(PROTOGATE_DEMO_DESCRIPTORS, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    auto registry = TypeRegistry::FromDescriptorSet(buffer.str());
    if (!registry.ok()) std::abort();
    const auto* message = (*registry)->FindMessage("demo.orders.v1.CreateOrderRequest");
    if (message == nullptr) std::abort();
    auto created = RequestTranscoder::Create(*registry, *message, "*", RequestOptions());
    if (!created.ok()) std::abort();
    return new RequestTranscoder(*std::move(created));
  }();
  return *transcoder;
}

struct Outcome {
  std::vector<std::string> objects;
  std::optional<std::string> error;
};

// Reads `body` cut every `piece` bytes (0: whole).
Outcome Read(absl::string_view body, size_t piece, size_t max_object) {
  JsonSequenceReader reader(max_object);
  Outcome out;
  size_t at = 0;
  do {
    const size_t size = piece == 0 ? body.size() : std::min(piece, body.size() - at);
    reader.Push(body.substr(at, size));
    at += size;
    if (reader.buffered_bytes() > size + max_object + 1) std::abort();
    while (true) {
      auto next = reader.Next();
      if (!next.ok()) {
        out.error = std::string(next.status().message());
        return out;
      }
      if (!next->has_value()) break;
      out.objects.push_back(**next);
    }
  } while (at < body.size());
  if (absl::Status end = reader.Finish(); !end.ok()) out.error = std::string(end.message());
  return out;
}

}  // namespace
}  // namespace protogate::transcode

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace protogate::transcode;
  if (size == 0) return 0;
  const uint8_t params = data[0];
  const absl::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t max_object = 8u << (params & 0x7);  // 8 B .. 1 KiB
  const size_t piece = 1 + (params >> 3);          // 1 .. 32 bytes
  const Outcome whole = Read(body, 0, max_object);
  const Outcome cut = Read(body, piece, max_object);
  if (whole.objects != cut.objects || whole.error != cut.error) std::abort();
  size_t from = 0;
  for (const std::string& object : whole.objects) {
    if (object.size() < 2 || object.front() != '{' || object.back() != '}') std::abort();
    if (object.size() > max_object) std::abort();
    const size_t found = body.find(object, from);
    if (found == absl::string_view::npos) std::abort();
    from = found + object.size();
    (void)CreateOrder().Transcode({.body = object});
  }
  return 0;
}
