#pragma once

// A typed value as calls produce and references read it, without printing or
// parsing anything: the answer of a gRPC call stays the wire bytes it came
// as, and a lookup scans those bytes for the field numbers of its path.
//
// A Value is one of
//   - absent: a reference that found nothing (proto3 JSON leaves the key out);
//   - a message: wire bytes plus their Descriptor (a call's output, or a
//     sub-message of one: a view into the same bytes, no copy);
//   - a field: the value(s) of one field read from the wire: a scalar or
//     enum element, a well-known type printed as JSON (Timestamp, wrappers,
//     Struct, ...), or a map (all its entries);
//   - a list of Values (a repeated field, a for_each result, a projection);
//   - a dynamic JSON value, for what has no descriptor: a request body,
//     $auth claims, path and query strings, literals, fallbacks.
// Copies are cheap: the bytes, the JSON and the list are shared, read-only.
//
// Lookup follows reference steps (reference.h) whose field steps carry their
// FieldDescriptor (set by WalkPath when the plan is built); a step without a
// descriptor, or a value whose type has none (Struct, a map), continues on
// its JSON form (value_printer.h). The same Value and Lookup serve GraphQL:
// a field selection compiles to PathSteps with descriptors, resolves against
// call outputs by field number, and prints in selection order with
// ValuePrinter; concurrent calls each give a Value.
//
// Example:
//   Value user = Value::Message(std::make_shared<const std::string>(bytes), *user_type);
//   Value region = Lookup(user, ref.steps);   // profile.region, by field numbers 3, 2
//   region.kind() -> Value::Kind::kField; region.wire() -> "EU"
//
// Immutable; safe to share between threads. The descriptors must outlive
// the values.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "aggregate/composite_spec.h"
#include "aggregate/reference.h"
#include "google/protobuf/descriptor.h"
#include "transcode/field_selection.h"
#include "transcode/type_registry.h"

namespace protogate::aggregate {

class Value {
 public:
  enum class Kind { kAbsent, kMessage, kField, kList, kJson };

  Value() = default;                // absent
  Value(std::nullopt_t) {}          // NOLINT: absent, as `std::optional<Json>` was
  Value(Json json);                 // NOLINT: a dynamic value
  Value(std::optional<Json> json);  // NOLINT: absent or dynamic

  // A whole message; `bytes` must hold wire that transcode::InspectWire finds printable (normalized
  // on arrival otherwise).
  static Value Message(std::shared_ptr<const std::string> bytes,
                       const google::protobuf::Descriptor& type);
  // A message or field inside the bytes `owner` keeps alive.
  static Value MessageView(std::shared_ptr<const void> owner, absl::string_view wire,
                           const google::protobuf::Descriptor& type);
  // One element of `field`: the encoded value without its tag (the varint's
  // bytes, 4 or 8 fixed bytes, or a length-delimited payload).
  static Value FieldView(std::shared_ptr<const void> owner, absl::string_view element,
                         const google::protobuf::FieldDescriptor& field);
  // A map field: each entry's payload.
  static Value MapView(std::shared_ptr<const void> owner, std::vector<absl::string_view> entries,
                       const google::protobuf::FieldDescriptor& field);
  static Value List(std::vector<Value> items);

  Kind kind() const { return kind_; }
  bool absent() const { return kind_ == Kind::kAbsent; }
  bool is_wire() const { return kind_ == Kind::kMessage || kind_ == Kind::kField; }

  const google::protobuf::Descriptor* message_type() const { return message_; }  // kMessage
  const google::protobuf::FieldDescriptor* field() const { return field_; }      // kField
  absl::string_view wire() const { return wire_; }             // kMessage; kField (not a map)
  const std::vector<absl::string_view>& map_entries() const;   // kField of a map
  const Json& json() const { return *json_; }                  // kJson
  const std::vector<Value>& items() const { return *items_; }  // kList
  const std::shared_ptr<const void>& owner() const { return owner_; }

 private:
  Kind kind_ = Kind::kAbsent;
  std::shared_ptr<const void> owner_;  // keeps `wire_` alive
  absl::string_view wire_;
  const google::protobuf::Descriptor* message_ = nullptr;
  const google::protobuf::FieldDescriptor* field_ = nullptr;
  std::shared_ptr<const std::vector<absl::string_view>> entries_;
  std::shared_ptr<const Json> json_;
  std::shared_ptr<const std::vector<Value>> items_;
};

// The value(s) of `field` in the message `message` (a kMessage Value): the
// last occurrence of a singular field, every element of a repeated one (a
// list; packed or not), absent when the wire does not hold it.
Value FieldOf(const Value& message, const google::protobuf::FieldDescriptor& field);

// FieldOf for several fields of one message, in one scan of its bytes: the
// values by index into `fields` (a null entry gives an absent value).
std::vector<Value> FieldsOf(const Value& message,
                            absl::Span<const google::protobuf::FieldDescriptor* const> fields);

// A call's output as a kMessage Value, checked once on arrival (as the
// single-route printer checks it) so that lookups and printing can trust
// it: normalized through protobuf when transcode::InspectWire asks for it;
// nullopt when the bytes are no `type`.
std::optional<Value> WireMessage(std::string bytes, const google::protobuf::Descriptor& type,
                                 const transcode::TypeRegistry& registry);

class ValuePrinter;

// What `selection` keeps of a message value (transcode/field_selection.h):
// its bytes filtered, each element of a list in turn, the members of a
// dynamic JSON object by the names `proto_names` prints (or either proto
// name form, for config-written fallbacks). Anything else is returned as it
// is.
Value Kept(const Value& value, const transcode::FieldSelection& selection, bool proto_names);

// Follows `steps` from `start`, as reference.h's Resolve does on JSON:
// "[*]" projects (nested projections flatten), "[N]" indexes, a step on the
// wrong kind of value finds nothing. A wire value whose remaining steps have
// no descriptors (inside a Struct, a map's key) goes on from its JSON form,
// which `printer` gives.
Value Lookup(const Value& start, absl::Span<const PathStep> steps, const ValuePrinter& printer);

}  // namespace protogate::aggregate
