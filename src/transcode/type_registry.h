#pragma once

// The descriptors the gateway transcodes with: a DescriptorPool built from a
// serialized FileDescriptorSet (with imports), and a protobuf TypeResolver
// over it for the JSON utilities.
//
// Example:
//   ASSIGN_OR_RETURN(auto registry, TypeRegistry::FromDescriptorSet(bytes));
//   const auto* m = registry->FindMethod("demo.users.v1.UserService.GetUser");
//
// Immutable after creation; shared (shared_ptr<const>) by the snapshot and
// every request using it; safe from any thread.

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/type_resolver.h"

namespace protogate::transcode {

class TypeRegistry {
 public:
  // InvalidArgument when the bytes are not a FileDescriptorSet or a file
  // fails to build (the message names the file and the error).
  static absl::StatusOr<std::shared_ptr<const TypeRegistry>> FromDescriptorSet(
      absl::string_view serialized_file_descriptor_set);

  const google::protobuf::DescriptorPool& pool() const { return *pool_; }
  google::protobuf::util::TypeResolver* resolver() const { return resolver_.get(); }

  // Full names: "pkg.Service.Method", "pkg.Message". nullptr when unknown.
  const google::protobuf::MethodDescriptor* FindMethod(absl::string_view full_name) const;
  const google::protobuf::Descriptor* FindMessage(absl::string_view full_name) const;

  // "type.googleapis.com/pkg.Message"
  static std::string TypeUrl(const google::protobuf::Descriptor& message);

  // A prototype for DynamicMessage of `message` (thread-safe).
  const google::protobuf::Message* Prototype(const google::protobuf::Descriptor& message) const;

  TypeRegistry(const TypeRegistry&) = delete;
  TypeRegistry& operator=(const TypeRegistry&) = delete;
  ~TypeRegistry();

 private:
  TypeRegistry();
  std::unique_ptr<google::protobuf::DescriptorPool> pool_;
  std::unique_ptr<google::protobuf::util::TypeResolver> resolver_;
  std::unique_ptr<google::protobuf::DynamicMessageFactory> factory_;
  // Every message of the set, fetched once so Prototype() takes no lock.
  absl::flat_hash_map<const google::protobuf::Descriptor*, const google::protobuf::Message*>
      prototypes_;
};

}  // namespace protogate::transcode
