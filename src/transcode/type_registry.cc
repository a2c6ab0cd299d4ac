#include "transcode/type_registry.h"

#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.pb.h"
#include "transcode/caching_type_resolver.h"

namespace protogate::transcode {
namespace {

namespace gpb = google::protobuf;

constexpr char kTypeUrlPrefix[] = "type.googleapis.com";

class CollectingErrors final : public gpb::DescriptorPool::ErrorCollector {
 public:
  void AddError(const std::string& filename, const std::string& element_name,
                const gpb::Message* /*descriptor*/, ErrorLocation /*location*/,
                const std::string& message) override {
    errors_.push_back(element_name.empty() || element_name == filename
                          ? message
                          : absl::StrCat(element_name, ": ", message));
  }
  std::string Summary() const { return absl::StrJoin(errors_, "; "); }

 private:
  std::vector<std::string> errors_;
};

// Builds the files of a set in dependency order, whatever order the set
// lists them in. A dependency missing from the set is taken from the
// protos compiled into the gateway (the well-known types, google.rpc), so a
// set made without --include_imports still loads when that is all it lacks.
class PoolBuilder {
 public:
  PoolBuilder(const gpb::FileDescriptorSet& set, gpb::DescriptorPool* pool) : pool_(pool) {
    for (const gpb::FileDescriptorProto& file : set.file()) by_name_.emplace(file.name(), &file);
  }

  absl::Status BuildAll(const gpb::FileDescriptorSet& set) {
    for (const gpb::FileDescriptorProto& file : set.file()) {
      auto built = Build(file.name());
      if (!built.ok()) return built.status();
    }
    return absl::OkStatus();
  }

  const std::vector<const gpb::FileDescriptor*>& files() const { return files_; }

 private:
  absl::StatusOr<const gpb::FileDescriptor*> Build(const std::string& name) {
    if (const gpb::FileDescriptor* done = pool_->FindFileByName(name)) return done;
    auto it = by_name_.find(name);
    gpb::FileDescriptorProto from_gateway;
    const gpb::FileDescriptorProto* proto = nullptr;
    if (it != by_name_.end()) {
      proto = it->second;
    } else if (const gpb::FileDescriptor* linked =
                   gpb::DescriptorPool::generated_pool()->FindFileByName(name)) {
      linked->CopyTo(&from_gateway);
      proto = &from_gateway;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("descriptor set: import \"", name, "\" is not in the set"));
    }
    if (!in_progress_.insert(name).second) {
      return absl::InvalidArgumentError(absl::StrCat("descriptor set: ", name, ": import cycle"));
    }
    for (const std::string& dependency : proto->dependency()) {
      auto built = Build(dependency);
      if (!built.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(built.status().message(), " (imported by ", name, ")"));
      }
    }
    CollectingErrors errors;
    const gpb::FileDescriptor* file = pool_->BuildFileCollectingErrors(*proto, &errors);
    if (file == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("descriptor set: ", name, ": ", errors.Summary()));
    }
    files_.push_back(file);
    return file;
  }

  gpb::DescriptorPool* pool_;
  absl::flat_hash_map<std::string, const gpb::FileDescriptorProto*> by_name_;
  absl::flat_hash_set<std::string> in_progress_;
  std::vector<const gpb::FileDescriptor*> files_;
};

void CollectMessages(const gpb::Descriptor& message, std::vector<const gpb::Descriptor*>* out) {
  out->push_back(&message);
  for (int i = 0; i < message.nested_type_count(); ++i) {
    CollectMessages(*message.nested_type(i), out);
  }
}

}  // namespace

TypeRegistry::TypeRegistry() = default;
TypeRegistry::~TypeRegistry() = default;

absl::StatusOr<std::shared_ptr<const TypeRegistry>> TypeRegistry::FromDescriptorSet(
    absl::string_view serialized_file_descriptor_set) {
  gpb::FileDescriptorSet set;
  if (!set.ParseFromArray(serialized_file_descriptor_set.data(),
                          static_cast<int>(serialized_file_descriptor_set.size()))) {
    return absl::InvalidArgumentError("descriptor set: not a serialized FileDescriptorSet");
  }
  // The constructor is private, hence no make_shared.
  std::shared_ptr<TypeRegistry> registry(new TypeRegistry());
  registry->pool_ = std::make_unique<gpb::DescriptorPool>();
  PoolBuilder builder(set, registry->pool_.get());
  if (absl::Status built = builder.BuildAll(set); !built.ok()) return built;

  registry->resolver_ =
      std::make_unique<CachingTypeResolver>(kTypeUrlPrefix, registry->pool_.get(), builder.files());
  registry->factory_ = std::make_unique<gpb::DynamicMessageFactory>(registry->pool_.get());
  std::vector<const gpb::Descriptor*> messages;
  for (const gpb::FileDescriptor* file : builder.files()) {
    for (int i = 0; i < file->message_type_count(); ++i) {
      CollectMessages(*file->message_type(i), &messages);
    }
  }
  for (const gpb::Descriptor* message : messages) {
    registry->prototypes_.emplace(message, registry->factory_->GetPrototype(message));
  }
  return std::shared_ptr<const TypeRegistry>(std::move(registry));
}

const gpb::MethodDescriptor* TypeRegistry::FindMethod(absl::string_view full_name) const {
  return pool_->FindMethodByName(std::string(full_name));
}

const gpb::Descriptor* TypeRegistry::FindMessage(absl::string_view full_name) const {
  return pool_->FindMessageTypeByName(std::string(full_name));
}

std::string TypeRegistry::TypeUrl(const gpb::Descriptor& message) {
  return absl::StrCat(kTypeUrlPrefix, "/", message.full_name());
}

const gpb::Message* TypeRegistry::Prototype(const gpb::Descriptor& message) const {
  auto it = prototypes_.find(&message);
  if (it != prototypes_.end()) return it->second;
  // Not one of ours (e.g. a descriptor of another pool): the factory locks
  // internally, so this stays thread-safe, just slower.
  return factory_->GetPrototype(&message);
}

}  // namespace protogate::transcode
