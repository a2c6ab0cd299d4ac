#pragma once

// For fuzz targets: the demo descriptor set as a TypeRegistry, and every
// message type it declares (nested ones too, map entries left out), loaded
// once per process. Aborts when the set cannot be read.

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "google/protobuf/descriptor.pb.h"
#include "transcode/type_registry.h"

namespace protogate::fuzz {

struct DemoTypes {
  std::shared_ptr<const transcode::TypeRegistry> registry;
  std::vector<const google::protobuf::Descriptor*> types;
};

inline void AddTypes(const google::protobuf::Descriptor& type,
                     std::vector<const google::protobuf::Descriptor*>* out) {
  if (type.options().map_entry()) return;
  out->push_back(&type);
  for (int i = 0; i < type.nested_type_count(); ++i) AddTypes(*type.nested_type(i), out);
}

inline const DemoTypes& LoadDemoTypes() {
  static const DemoTypes* const loaded = [] {
    std::ifstream in(PROTOGATE_DEMO_DESCRIPTORS, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    auto registry = transcode::TypeRegistry::FromDescriptorSet(buffer.str());
    if (!registry.ok()) std::abort();
    auto* demo = new DemoTypes{.registry = *registry, .types = {}};
    google::protobuf::FileDescriptorSet set;
    if (!set.ParseFromString(buffer.str())) std::abort();
    for (const auto& file_proto : set.file()) {
      const google::protobuf::FileDescriptor* file =
          demo->registry->pool().FindFileByName(file_proto.name());
      if (file == nullptr) std::abort();
      for (int i = 0; i < file->message_type_count(); ++i) {
        AddTypes(*file->message_type(i), &demo->types);
      }
    }
    if (demo->types.empty()) std::abort();
    return demo;
  }();
  return *loaded;
}

}  // namespace protogate::fuzz
