#pragma once

// Internal to transcode: a TypeResolver over a DescriptorPool that converts
// every message and enum of the given files once, at construction, and then
// answers by copying the stored google.protobuf.Type / Enum.
//
// protobuf's JSON utilities resolve each type they meet afresh on every call
// (no cache outlives one conversion), and converting a Descriptor into a Type
// is far more work than copying the result, so this keeps the per-request
// cost of JsonToBinaryString / BinaryToJsonString down. Types not converted
// up front are delegated to a plain pool resolver.
//
// Immutable after construction; the Resolve* methods are safe from any thread.

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/type.pb.h"
#include "google/protobuf/util/type_resolver.h"

namespace protogate::transcode {

class CachingTypeResolver final : public google::protobuf::util::TypeResolver {
 public:
  // `pool` must outlive the resolver. Every message and enum declared in
  // `files` (nested ones included) is converted now.
  CachingTypeResolver(const std::string& url_prefix, const google::protobuf::DescriptorPool* pool,
                      const std::vector<const google::protobuf::FileDescriptor*>& files);

  google::protobuf::util::Status ResolveMessageType(const std::string& type_url,
                                                    google::protobuf::Type* type) override;
  google::protobuf::util::Status ResolveEnumType(const std::string& type_url,
                                                 google::protobuf::Enum* enum_type) override;

 private:
  void AddMessage(const google::protobuf::Descriptor& message);
  void AddEnum(const google::protobuf::EnumDescriptor& enum_type);

  std::string url_prefix_;
  std::unique_ptr<google::protobuf::util::TypeResolver> pool_resolver_;
  absl::flat_hash_map<std::string, google::protobuf::Type> types_;
  absl::flat_hash_map<std::string, google::protobuf::Enum> enums_;
};

}  // namespace protogate::transcode
