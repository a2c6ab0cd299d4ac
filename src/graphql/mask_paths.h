#pragma once

// The proto paths a GraphQL selection reads of a message, for the read mask
// a call's request carries (selection pushdown): a field of a message with
// sub-selections goes down into it, a join field adds the parent's fields
// its requests read, every other selected field is one path. Each path once,
// in the order first selected.
//
// Example (a root field's request, written as proto3 JSON):
//   MaskPaths paths(schema, collector, MaskPaths::Names::kJson);
//   paths.Add(*user_type, collector.SubFields(selected), "");
//   request["readMask"] = paths.Text();          // "email,profile.region"
// A join's request is wire: Names::kProto gives "profile.region" for the
// FieldMask's `paths`.
//
// One selection at a time; not shared between threads.

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "graphql/field_collection.h"
#include "graphql/schema.h"

namespace protogate::graphql {

// The object type a field's (possibly list or non-null) type names; null for
// scalars, enums and unknown names.
const SchemaType* ObjectType(const Schema& schema, const TypeRef& type);

class MaskPaths {
 public:
  enum class Names { kJson, kProto };  // lowerCamel (FieldMask's JSON form), or proto names
  MaskPaths(const Schema& schema, const FieldCollector& collector, Names names)
      : schema_(schema), collector_(collector), names_(names) {}

  // What `fields` (selected on `type`) read, each path after `prefix`.
  void Add(const SchemaType& type, const std::vector<CollectedField>& fields,
           const std::string& prefix);
  // Only what `scope` (a field of `type`'s message) holds, relative to it.
  void AddScoped(const SchemaType& type, const std::vector<CollectedField>& fields,
                 const google::protobuf::FieldDescriptor& scope);
  // One path, written in proto names (converted for Names::kJson).
  void AddProtoPath(const std::string& dotted);

  const std::vector<std::string>& paths() const { return paths_; }
  std::string Text() const;  // joined by ','
  bool empty() const { return paths_.empty(); }

 private:
  std::string Named(const std::string& dotted) const;
  void Claim(std::string path);

  const Schema& schema_;
  const FieldCollector& collector_;
  const Names names_;
  std::vector<std::string> paths_;
  absl::flat_hash_set<std::string> seen_;
};

}  // namespace protogate::graphql
