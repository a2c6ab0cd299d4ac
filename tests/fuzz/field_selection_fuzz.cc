// libFuzzer target: a client's `fields` text (ParseFieldSelection) and the
// wire trimming it drives (FilterWire), over every message type of the demo
// protos. Input: one selector byte (the type), the fields text up to the
// first NUL, then wire bytes. Invariants: nothing crashes; an accepted
// selection's proto paths parse again to the same paths; trimmed bytes
// trimmed again stay the same.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "fuzz/demo_types.h"
#include "transcode/field_selection.h"

namespace protogate::transcode {
namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace
}  // namespace protogate::transcode

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace protogate::transcode;
  if (size == 0) return 0;
  const protogate::fuzz::DemoTypes& state = protogate::fuzz::LoadDemoTypes();
  const google::protobuf::Descriptor& type = *state.types[data[0] % state.types.size()];
  const absl::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const size_t nul = rest.find('\0');
  const absl::string_view text = rest.substr(0, nul);
  const absl::string_view wire =
      nul == absl::string_view::npos ? absl::string_view() : rest.substr(nul + 1);

  auto selection = ParseFieldSelection(text, type);
  if (!selection.ok()) return 0;
  const std::vector<std::string> paths = ProtoPaths(**selection);
  Check(!paths.empty());
  // Map paths stand for the whole map, so the round trip is exact.
  auto again = ParseFieldSelection(absl::StrJoin(paths, ","), type);
  Check(again.ok());
  Check(ProtoPaths(**again) == paths);

  std::string trimmed;
  if (FilterWire(**selection, wire, &trimmed)) {
    std::string twice;
    Check(FilterWire(**selection, trimmed, &twice));
    Check(twice == trimmed);
  }
  return 0;
}
