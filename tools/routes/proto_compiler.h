#pragma once

// Compiles a folder of .proto files in-process with libprotoc's Importer (no
// protoc binary), and writes the FileDescriptorSet the gateway loads.
//
// Example:
//   ASSIGN_OR_RETURN(auto compiled, CompileProtos({.include_paths = {"proto"},
//                                                  .proto_dirs = {"proto/demo"}}));
//   compiled->pool().FindServiceByName("demo.users.v1.UserService");
//
// Every .proto under each of `proto_dirs` (recursively) is a target; its name
// is its path relative to the include path that holds it ("demo/users/v1/
// users.proto"), as protoc would name it. `/usr/include` (the well-known
// types of Debian's libprotobuf-dev) is searched after the given paths.
// Errors come back as Diagnostics "disk/path.proto:line:col: message".
//
// A CompiledProtos owns its source tree, importer and pool; descriptors stay
// valid as long as it lives. Not thread-safe (the Importer is not).

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/compiler/importer.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "routes/diagnostic.h"

namespace protogate::routes {

inline constexpr char kSystemIncludePath[] = "/usr/include";

struct CompileOptions {
  std::vector<std::string> include_paths;  // searched in order, then kSystemIncludePath
  std::vector<std::string> proto_dirs;     // folders whose .proto files are compiled
};

class CompiledProtos {
 public:
  ~CompiledProtos();

  const google::protobuf::DescriptorPool& pool() const;
  // Target files (sorted by name), not their imports.
  const std::vector<const google::protobuf::FileDescriptor*>& files() const { return files_; }

  // Targets and their transitive imports, each after its imports (as protoc
  // --include_imports writes them), with source info and json names.
  google::protobuf::FileDescriptorSet ToFileDescriptorSet() const;

 private:
  friend absl::StatusOr<std::unique_ptr<CompiledProtos>> CompileProtosOrDiagnose(
      const CompileOptions& options, Diagnostics& diagnostics);
  struct Parts;
  CompiledProtos();
  std::unique_ptr<Parts> parts_;
  std::vector<const google::protobuf::FileDescriptor*> files_;
};

// Fails (InvalidArgument) when any file does not compile; every problem is
// appended to `diagnostics` with its file:line:col and a hint where one helps.
absl::StatusOr<std::unique_ptr<CompiledProtos>> CompileProtosOrDiagnose(
    const CompileOptions& options, Diagnostics& diagnostics);

// Serializes with deterministic map ordering, so equal sets give equal bytes.
std::string SerializeDeterministically(const google::protobuf::Message& message);

}  // namespace protogate::routes
