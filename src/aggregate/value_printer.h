#pragma once

// Writes Values (value.h) as JSON text, the way the gateway prints a single
// route's response: a wire message or field goes through transcode::
// JsonPrinter straight from its bytes (protobuf's converter when the fast
// printer declines the type or the bytes), honouring every JsonOutputOptions
// setting; a dynamic value is dumped with common::JsonText; a list prints its
// items. Nothing is parsed on the way.
//
// ToJson is the slow way out, for the few places that need a JSON tree (a
// path that goes on inside a Struct, `$drop`, a value converted into a
// request field by protobuf's JSON parser): it prints and parses.
//
// GraphQL would print a selection the same way: Print for a leaf or a whole
// message, PrintMembers when a fragment spreads a message into its parent.
//
// Example:
//   auto printer = std::make_shared<ValuePrinter>(registry, options);
//   printer->Prepare(*user_type);        // at load, before it is shared
//   std::string out;
//   printer->Print(Lookup(user, steps, *printer), &out);   // "\"EU\""
//
// Prepare before sharing; afterwards every method is const and safe from
// any thread. The registry and its descriptors must outlive the printer.

#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "aggregate/value.h"
#include "transcode/json_printer.h"
#include "transcode/type_registry.h"

namespace protogate::aggregate {

class ValuePrinter {
 public:
  // `registry` may be null when only dynamic values are printed.
  ValuePrinter(std::shared_ptr<const transcode::TypeRegistry> registry,
               transcode::JsonOutputOptions options);

  // Makes the fast printers for `type` and every message type it reaches.
  void Prepare(const google::protobuf::Descriptor& type);

  const transcode::JsonOutputOptions& options() const { return options_; }
  // Null when the printer prints dynamic values only.
  const std::shared_ptr<const transcode::TypeRegistry>& registry() const { return registry_; }

  // Appends the JSON text of `value`. False (nothing appended) when it is
  // absent or its bytes do not print.
  bool Print(const Value& value, std::string* out) const;

  // Appends the members of an object value (a message, or a JSON object)
  // without the braces, each preceded by a comma when `*first` is false;
  // clears `*first` when it appends one. False when the value is no object.
  bool PrintMembers(const Value& value, std::string* out, bool* first) const;

  // The JSON tree of `value`; nullopt when absent or it does not print.
  std::optional<Json> ToJson(const Value& value) const;

 private:
  bool PrintMessage(const google::protobuf::Descriptor& type, absl::string_view wire,
                    std::string* out) const;
  bool PrintField(const Value& value, std::string* out) const;
  const transcode::JsonPrinter* Fast(const google::protobuf::Descriptor& type) const;

  std::shared_ptr<const transcode::TypeRegistry> registry_;
  transcode::JsonOutputOptions options_;
  // nullptr values: the fast printer declines that type.
  absl::flat_hash_map<const google::protobuf::Descriptor*,
                      std::unique_ptr<const transcode::JsonPrinter>>
      printers_;
};

}  // namespace protogate::aggregate
