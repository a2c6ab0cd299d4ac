#pragma once

// Writes a call's request straight to protobuf wire bytes from its compiled
// template (composite_plan.h) and the request's values (value.h), field by
// field, in template order:
//   - a value that is already wire of the target field's type (a string, an
//     enum, a message of the same type, a list of them, a map of the same key
//     and value types) is copied under the target's tag, never printed;
//   - a path or query string into a string field is written as it is;
//   - a nested object into a message field is written in place;
//   - a literal's bytes were written once, when the plan was built
//     (PrepareRequestLiterals);
//   - anything else (a conversion: 42 into a string, "true" into a bool, a
//     value into a Struct, a dynamic object) is that one field converted
//     from its JSON form by protobuf's parser, as a whole request was.
// Concatenated fields are one message on the wire, so the result parses to
// what converting the whole JSON request gave.
//
// Example:
//   std::string bytes;
//   RETURN_IF_ERROR(WriteRequest(call.request, *call.request_message, sources,
//                                plan.registry(), &bytes));
//
// Pure; safe from any thread.

#include <string>

#include "absl/status/status.h"
#include "aggregate/composite_plan.h"
#include "aggregate/evaluation.h"
#include "google/protobuf/descriptor.h"
#include "transcode/type_registry.h"

namespace protogate::aggregate {

// Writes the bytes of every literal field of the request template `tmpl`
// (an object of `type`'s fields) into the template. An error names the
// field, as converting the request at run time would.
absl::Status PrepareRequestLiterals(ValueTemplate& tmpl, const google::protobuf::Descriptor& type,
                                    const transcode::TypeRegistry& registry);

// Appends the request message of `type` that `tmpl` describes. Errors are
// InvalidArgument: a value the target field does not take.
absl::Status WriteRequest(const ValueTemplate& tmpl, const google::protobuf::Descriptor& type,
                          const Sources& sources, const transcode::TypeRegistry& registry,
                          std::string* out);

}  // namespace protogate::aggregate
