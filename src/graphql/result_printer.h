#pragma once

// Writes the answer of a call as GraphQL asks for it (GraphQL spec, October
// 2021, §6.4): only the selected fields, keyed by response key in selection
// order, straight from the wire bytes the service sent (aggregate::Value),
// leaves printed as the schema maps them (schema.h): 64-bit integers as
// strings, enums by name, Timestamp and the other well-known types in their
// proto3 JSON forms (aggregate::ValuePrinter), maps as lists of {key, value}
// objects. A field the message does not hold prints its proto3 default when
// it is non-null (it has no presence), else null. A join field prints the
// answer of its call (JoinCalls), or null and its call's error.
//
// A leaf that cannot be represented (a NaN Float, an enum number the schema
// does not know) is a field error at its path; a non-null field that ends
// up null makes its parent null, up to the nearest nullable field (§6.4.4).
//
// Example:
//   ResultPrinter printer(*schema, values, collector, &joins, &errors);
//   std::vector<PathElement> path = {"getUser"};
//   printer.Object(*schema->FindType("User"), user_value, fields, path, &out);
//   // out: {"name":"Ada","region":"EU"}
//
// One printer per response, on one thread; the schema, value printer and
// collector outlive it.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "aggregate/value.h"
#include "aggregate/value_printer.h"
#include "graphql/error.h"
#include "graphql/field_collection.h"
#include "graphql/join_calls.h"
#include "graphql/schema.h"

namespace protogate::graphql {

class ResultPrinter {
 public:
  // `joins` holds the answers of the join fields (none: they print null).
  ResultPrinter(const Schema& schema, const aggregate::ValuePrinter& values,
                const FieldCollector& collector, const JoinCalls* joins, std::vector<Error>* errors)
      : schema_(schema), values_(values), collector_(collector), joins_(joins), errors_(*errors) {}

  // Appends `{...}`: `message` (a kMessage Value of `type`'s message)
  // selected by `fields`. False when a non-null field under it was null:
  // nothing is appended then, and the caller writes null (or propagates).
  bool Object(const SchemaType& type, const aggregate::Value& message,
              const std::vector<CollectedField>& fields, std::vector<PathElement>& path,
              std::string* out);

  // Appends the value of a field of GraphQL type `type` whose answer is
  // `value` (absent, a message, a field's value, a list). False as above.
  bool Field(const SchemaField& field, const TypeRef& type, const aggregate::Value& value,
             const CollectedField& selected, std::vector<PathElement>& path, std::string* out);

 private:
  bool Named(const SchemaField& field, const std::string& type_name, const aggregate::Value& value,
             const CollectedField& selected, std::vector<PathElement>& path, std::string* out);
  bool List(const SchemaField& field, const TypeRef& item_type, const aggregate::Value& value,
            const CollectedField& selected, std::vector<PathElement>& path, std::string* out);
  bool Leaf(const SchemaField& field, const SchemaType& type, const aggregate::Value& value,
            const CollectedField& selected, const std::vector<PathElement>& path, std::string* out);
  void Default(const SchemaField& field, std::string* out) const;
  bool JoinField(const SchemaField& field, const aggregate::Value& parent,
                 const CollectedField& selected, std::vector<PathElement>& path, std::string* out);
  void FieldError(std::string message, const CollectedField& selected,
                  const std::vector<PathElement>& path);

  // An object's selected fields with their schema fields (null for
  // __typename and what validation keeps out), resolved once per response:
  // every element of a list shares them.
  struct Selected {
    std::vector<CollectedField> fields;
    std::vector<const SchemaField*> schema_fields;  // by index into `fields`
    // The message field each selected field reads (null: none, or a join),
    // all read in one scan of the message.
    std::vector<const google::protobuf::FieldDescriptor*> wire_fields;
  };
  Selected Resolve(const SchemaType& type, std::vector<CollectedField> fields) const;
  const Selected& SubSelection(const SchemaType& type, const CollectedField& selected);
  bool PrintObject(const SchemaType& type, const aggregate::Value& message,
                   const Selected& selection, std::vector<PathElement>& path, std::string* out);
  const SchemaType* TypeNamed(const std::string& name);

  const Schema& schema_;
  const aggregate::ValuePrinter& values_;
  const FieldCollector& collector_;
  const JoinCalls* joins_;
  std::vector<Error>& errors_;
  absl::flat_hash_map<std::pair<const SchemaType*, std::vector<const Selection*>>,
                      std::unique_ptr<const Selected>>
      sub_selections_;
  absl::flat_hash_map<const std::string*, const SchemaType*> types_;  // by a TypeRef's name
};

}  // namespace protogate::graphql
