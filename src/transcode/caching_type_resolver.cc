#include "transcode/caching_type_resolver.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/type_resolver_util.h"

namespace protogate::transcode {

namespace gpb = google::protobuf;

CachingTypeResolver::CachingTypeResolver(const std::string& url_prefix,
                                         const gpb::DescriptorPool* pool,
                                         const std::vector<const gpb::FileDescriptor*>& files)
    : url_prefix_(url_prefix),
      pool_resolver_(gpb::util::NewTypeResolverForDescriptorPool(url_prefix, pool)) {
  for (const gpb::FileDescriptor* file : files) {
    for (int i = 0; i < file->message_type_count(); ++i) AddMessage(*file->message_type(i));
    for (int i = 0; i < file->enum_type_count(); ++i) AddEnum(*file->enum_type(i));
  }
}

void CachingTypeResolver::AddMessage(const gpb::Descriptor& message) {
  std::string url = absl::StrCat(url_prefix_, "/", message.full_name());
  gpb::Type type;
  // A type the pool resolver cannot convert is simply left to it at request
  // time, where the failure is reported with the request.
  if (pool_resolver_->ResolveMessageType(url, &type).ok()) {
    types_.emplace(std::move(url), std::move(type));
  }
  for (int i = 0; i < message.nested_type_count(); ++i) AddMessage(*message.nested_type(i));
  for (int i = 0; i < message.enum_type_count(); ++i) AddEnum(*message.enum_type(i));
}

void CachingTypeResolver::AddEnum(const gpb::EnumDescriptor& enum_type) {
  std::string url = absl::StrCat(url_prefix_, "/", enum_type.full_name());
  gpb::Enum converted;
  if (pool_resolver_->ResolveEnumType(url, &converted).ok()) {
    enums_.emplace(std::move(url), std::move(converted));
  }
}

gpb::util::Status CachingTypeResolver::ResolveMessageType(const std::string& type_url,
                                                          gpb::Type* type) {
  auto it = types_.find(type_url);
  if (it == types_.end()) return pool_resolver_->ResolveMessageType(type_url, type);
  *type = it->second;
  return gpb::util::Status();
}

gpb::util::Status CachingTypeResolver::ResolveEnumType(const std::string& type_url,
                                                       gpb::Enum* enum_type) {
  auto it = enums_.find(type_url);
  if (it == enums_.end()) return pool_resolver_->ResolveEnumType(type_url, enum_type);
  *enum_type = it->second;
  return gpb::util::Status();
}

}  // namespace protogate::transcode
