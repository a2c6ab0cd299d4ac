// libFuzzer target: the JSON-to-wire writer against protobuf's own JSON
// parser (util::JsonToBinaryStream). Input: one selector byte (the message
// type, from the all-shapes test schema and the demo protos, and whether
// unknown fields are ignored), then a JSON document. Documents the strict
// check refuses are skipped, as the gateway refuses them before either
// converter runs. The invariant: both accept or both refuse, and accepted
// documents give bytes that parse to the same message (the writer's two
// documented refusals aside; see tests/support/json_to_wire_check.h).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "support/json_shapes.h"
#include "support/json_to_wire_check.h"
#include "transcode/strict_json.h"

namespace protogate::transcode {
namespace {

namespace gpb = google::protobuf;

struct Case {
  std::shared_ptr<const TypeRegistry> registry;
  const gpb::Descriptor* type;
};

std::vector<Case> Load() {
  std::ifstream in(PROTOGATE_DEMO_DESCRIPTORS, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto demo = TypeRegistry::FromDescriptorSet(buffer.str());
  if (!demo.ok()) std::abort();
  std::vector<Case> cases;
  auto shapes = test::ShapesRegistry();
  for (const char* name : {"protogate.test.Typed", "protogate.test.Inner"}) {
    cases.push_back({shapes, shapes->FindMessage(name)});
  }
  for (const char* name :
       {"demo.orders.v1.CreateOrderRequest", "demo.users.v1.CreateUserRequest",
        "demo.catalog.v1.Scalars", "demo.catalog.v1.Nested", "demo.catalog.v1.WellKnown"}) {
    const gpb::Descriptor* type = (*demo)->FindMessage(name);
    if (type != nullptr && JsonToWire::ForMessage(*type, {}) != nullptr) {
      cases.push_back({*demo, type});
    }
  }
  for (const Case& c : cases) {
    if (c.type == nullptr) std::abort();
  }
  return cases;
}

}  // namespace
}  // namespace protogate::transcode

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace protogate::transcode;
  static const std::vector<Case>* const cases = new std::vector<Case>(Load());
  if (size < 1) return 0;
  const Case& c = (*cases)[(data[0] >> 1) % cases->size()];
  const bool ignore_unknown = (data[0] & 1) != 0;
  const std::string json(reinterpret_cast<const char*>(data + 1), size - 1);
  if (!CheckStrictJson(json, JsonBodyShape::Message(*c.type), 64).ok()) return 0;
  const std::string mismatch =
      protogate::test::CompareJsonToWire(*c.registry, *c.type, json, ignore_unknown);
  if (!mismatch.empty()) {
    std::fprintf(stderr, "type %s ignore_unknown %d\njson: %s\n%s\n", c.type->full_name().c_str(),
                 ignore_unknown, json.c_str(), mismatch.c_str());
    std::abort();
  }
  return 0;
}
