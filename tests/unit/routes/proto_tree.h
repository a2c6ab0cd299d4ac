#pragma once

// A throw-away folder of .proto files (and rule or config files) for the
// protogate-routes tests, plus a one-call run of the generator over it.
// The gateway's google/api protos are on the include path.

#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "routes/generator.h"

namespace protogate::routes::test {

class ProtoTree {
 public:
  ProtoTree() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = std::filesystem::temp_directory_path() /
            (std::string("routes_") + info->test_suite_name() + "_" + info->name() + "_" +
             std::to_string(::getpid()));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ / "protos");
  }
  ~ProtoTree() { std::filesystem::remove_all(root_); }

  // `relative` is under the tree's root ("protos/a/v1/a.proto", "rules.yaml").
  std::string Write(const std::string& relative, const std::string& contents) const {
    const auto path = root_ / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << contents;
    return path.string();
  }

  std::string Path(const std::string& relative) const { return (root_ / relative).string(); }

  // Options compiling protos/ with the gateway's protos on the path; outputs in out/.
  GenerateOptions Options() const {
    GenerateOptions options;
    options.compile.include_paths = {Path("protos"), std::string(PROTOGATE_SOURCE_DIR) + "/proto"};
    options.compile.proto_dirs = {Path("protos")};
    options.descriptor_set_path = Path("out/descriptor_set.pb");
    options.route_map_path = Path("out/route_map.json");
    options.openapi_path = Path("out/openapi.json");
    options.schema_path = Path("out/schema.graphql");
    return options;
  }

 private:
  std::filesystem::path root_;
};

// All diagnostics as one string, for EXPECT_THAT(..., HasSubstr(...)).
inline std::string Joined(const Diagnostics& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics) out += d.ToString() + "\n";
  return out;
}

// A small annotated service; `rpcs` goes inside `service Things { ... }`.
inline std::string ThingsProto(const std::string& rpcs) {
  return "syntax = \"proto3\";\n"
         "package things.v1;\n"
         "import \"google/api/annotations.proto\";\n"
         "import \"google/protobuf/timestamp.proto\";\n"
         "message Thing { string id = 1; string name = 2; repeated string tags = 3;\n"
         "  Inner inner = 4; google.protobuf.Timestamp at = 5; map<string, string> labels = 6; }\n"
         "message Inner { string code = 1; }\n"
         "// Things, managed.\n"
         "service Things {\n" +
         rpcs + "}\n";
}

}  // namespace protogate::routes::test
