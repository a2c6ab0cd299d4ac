#pragma once

// Compiles the request templates that name values by reference (reference.h)
// into ValueTemplates (composite_plan.h) that WriteRequest (request_writer.h)
// turns into wire bytes: composite calls and GraphQL join fields share it.
// Each template key is a field of the request message (its proto or JSON
// name); literals and references are checked against the field they fill
// (type mismatches, a list where one value goes, unknown fields) before any
// request runs. What a reference may name depends on where the template is,
// so the caller compiles references (`ReferenceCompiler`).
//
// Example:
//   ReferenceCompiler refs = [&](const Json& value, const std::string& where) { ... };
//   ASSIGN_OR_RETURN(ValueTemplate tmpl,
//                    CompileRequestTemplate({{"user_id", "$parent.user_id"}}, *request, refs,
//                                           "request"));
//
// Pure; safe from any thread.

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "aggregate/composite_plan.h"

namespace protogate::aggregate {

// Binds the reference `value` (a string starting with '$') found at `where`
// ("request.user.id") to its source; InvalidArgument naming `where`.
using ReferenceCompiler =
    std::function<absl::StatusOr<SourceRef>(const Json& value, const std::string& where)>;

// The field `name` of `message`, by proto name or JSON name; nullptr if none.
const google::protobuf::FieldDescriptor* FindField(const google::protobuf::Descriptor& message,
                                                   absl::string_view name);

// `request` (a mapping) as a template of the message `type`.
absl::StatusOr<ValueTemplate> CompileRequestTemplate(const Json& request,
                                                     const google::protobuf::Descriptor& type,
                                                     const ReferenceCompiler& references,
                                                     const std::string& where);

// A value without a schema (a map value, a Struct, a response shape):
// references anywhere, no type checks.
absl::StatusOr<ValueTemplate> CompileFreeTemplate(const Json& value,
                                                  const ReferenceCompiler& references,
                                                  const std::string& where);

}  // namespace protogate::aggregate
