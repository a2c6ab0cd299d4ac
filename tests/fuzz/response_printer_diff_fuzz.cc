// libFuzzer target: the fast JSON printer against protobuf's own printer
// (util::BinaryToJsonStream) over every message type of the demo protos.
// Input: one selector byte (type and options), then wire bytes. The bytes are
// printed as they are and, when they parse, re-serialized canonically.
// The invariant: whenever the fast printer accepts bytes, protobuf succeeds
// on them too and prints exactly the same text. (Declining is allowed: the
// gateway then uses protobuf.) A second printer of each type renames every
// member it can (a client profile's renames): whatever it prints must be the
// plain printer's JSON with the members renamed (RenameMembers, the path the
// gateway takes when protobuf prints).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "fuzz/demo_types.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/json_util.h"
#include "transcode/field_renames.h"
#include "transcode/json_printer.h"
#include "transcode/type_registry.h"

namespace protogate::transcode {
namespace {

namespace gpb = google::protobuf;

struct Case {
  const gpb::Descriptor* type;
  std::string url;
  JsonOutputOptions options;
  std::unique_ptr<const JsonPrinter> printer;
  std::shared_ptr<const FieldRenames> renames;  // null when none could be made
  std::unique_ptr<const JsonPrinter> renamed;   // printing under `renames`
};

// A rename of every field reachable within three levels ("userId" →
// "userIdR"), into messages and map values, not into well-known types.
void AddRenames(const gpb::Descriptor& type, const std::string& prefix, int depth,
                std::vector<FieldRename>* renames) {
  for (int i = 0; i < type.field_count(); ++i) {
    const gpb::FieldDescriptor& field = *type.field(i);
    const std::string path = absl::StrCat(prefix, field.name());
    renames->push_back({path, absl::StrCat(field.json_name(), "R")});
    if (depth >= 3 || field.type() != gpb::FieldDescriptor::TYPE_MESSAGE) continue;
    const gpb::Descriptor* sub = field.message_type();
    std::string below = path + ".";
    if (field.is_map()) {
      const gpb::FieldDescriptor* value = sub->map_value();
      if (value->type() != gpb::FieldDescriptor::TYPE_MESSAGE) continue;
      sub = value->message_type();
      below = path + ".*.";
    }
    if (absl::StartsWith(sub->full_name(), "google.protobuf.")) continue;
    AddRenames(*sub, below, depth + 1, renames);
  }
}

struct State {
  std::shared_ptr<const TypeRegistry> registry;
  gpb::DynamicMessageFactory factory;
  std::vector<Case> cases;
};

const State& Load() {
  static State* const state = [] {
    const fuzz::DemoTypes& demo = fuzz::LoadDemoTypes();
    auto* s = new State();
    s->registry = demo.registry;
    for (const gpb::Descriptor* type : demo.types) {
      for (int o = 0; o < 4; ++o) {
        JsonOutputOptions options{.use_proto_field_names = (o & 1) != 0,
                                  .emit_default_values = false,
                                  .enums_as_ints = (o & 2) != 0};
        auto printer = JsonPrinter::Create(*type, options);
        if (printer == nullptr) continue;
        Case c{type, TypeRegistry::TypeUrl(*type), options, std::move(printer), nullptr, nullptr};
        std::vector<FieldRename> renames;
        AddRenames(*type, "", 0, &renames);
        if (auto parsed = ParseFieldRenames(renames, *type); parsed.ok()) {
          c.renames = *parsed;
          c.renamed =
              JsonPrinter::Create(*type, options, JsonPrinter::Coverage::kCommon, c.renames.get());
        }
        s->cases.push_back(std::move(c));
      }
    }
    if (s->cases.empty()) std::abort();
    return s;
  }();
  return *state;
}

void Compare(const State& state, const Case& c, const std::string& bytes) {
  std::string fast;
  if (!c.printer->Print(bytes, &fast)) return;
  gpb::util::JsonPrintOptions options;
  options.preserve_proto_field_names = c.options.use_proto_field_names;
  options.always_print_enums_as_ints = c.options.enums_as_ints;
  std::string reference;
  gpb::util::Status status;
  {
    gpb::io::ArrayInputStream in(bytes.data(), static_cast<int>(bytes.size()));
    gpb::io::StringOutputStream out(&reference);
    status = gpb::util::BinaryToJsonStream(state.registry->resolver(), c.url, &in, &out, options);
  }
  if (!status.ok() || reference != fast) {
    std::fprintf(stderr, "type %s options %d%d\nprotobuf (%s): %s\nfast:     %s\n",
                 c.type->full_name().c_str(), c.options.use_proto_field_names,
                 c.options.enums_as_ints, status.ToString().c_str(), reference.c_str(),
                 fast.c_str());
    std::abort();
  }
}

// The renamed printer writes what the plain one does, renamed.
void CompareRenamed(const Case& c, const std::string& bytes) {
  if (c.renamed == nullptr) return;
  std::string renamed;
  if (!c.renamed->Print(bytes, &renamed)) return;
  std::string plain;
  if (!c.printer->Print(bytes, &plain)) std::abort();  // the same plans, other names
  // Strings protobuf prints as they are may hold bytes nlohmann refuses as
  // UTF-8; the gateway then answers 500 on the renaming path, as on pruning.
  nlohmann::ordered_json expected = nlohmann::ordered_json::parse(plain, nullptr, false);
  if (expected.is_discarded()) return;
  RenameMembers(*c.renames, c.options.use_proto_field_names, expected);
  if (nlohmann::ordered_json::parse(renamed, nullptr, false) != expected) {
    std::fprintf(stderr, "type %s renamed: %s\nplain: %s\n", c.type->full_name().c_str(),
                 renamed.c_str(), plain.c_str());
    std::abort();
  }
}

}  // namespace
}  // namespace protogate::transcode

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace protogate::transcode;
  if (size < 1) return 0;
  const State& state = Load();
  const Case& c = state.cases[data[0] % state.cases.size()];
  const std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  Compare(state, c, bytes);
  CompareRenamed(c, bytes);
  std::unique_ptr<google::protobuf::Message> message(
      const_cast<State&>(state).factory.GetPrototype(c.type)->New());
  if (message->ParseFromString(bytes)) {
    message->DiscardUnknownFields();
    Compare(state, c, message->SerializeAsString());
  }
  return 0;
}
