#pragma once

// The demo services' descriptor set (built from proto/demo by the build) as
// raw bytes and as a TypeRegistry, loaded once per test binary.
//
// Header-only so that unit tests can use it without the e2e support library.

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "transcode/type_registry.h"

namespace protogate::test {

inline const std::string& DemoDescriptorSetBytes() {
  static const std::string bytes = [] {
    std::ifstream in(PROTOGATE_DEMO_DESCRIPTORS, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
  }();
  return bytes;
}

inline std::shared_ptr<const transcode::TypeRegistry> DemoRegistry() {
  static const std::shared_ptr<const transcode::TypeRegistry> registry = [] {
    auto loaded = transcode::TypeRegistry::FromDescriptorSet(DemoDescriptorSetBytes());
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return loaded.ok() ? *loaded : nullptr;
  }();
  return registry;
}

}  // namespace protogate::test
