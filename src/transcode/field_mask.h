#pragma once

// google.protobuf.FieldMask as the gateway writes it into a request: what a
// read mask field is, and the bytes of one filled with proto paths. Shared by
// a route's `fields`, a composite's calls and GraphQL's joins.
//
// Example:
//   if (IsFieldMask(*field)) bytes.append(FieldMaskField(field->number(), {"email"}));
//
// Pure functions; safe from any thread.

#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"

namespace protogate::transcode {

// A singular google.protobuf.FieldMask field.
bool IsFieldMask(const google::protobuf::FieldDescriptor& field);

// The encoded field `number` holding a FieldMask of `paths` (repeated string
// paths = 1), ready to append to a message's bytes.
std::string FieldMaskField(int number, const std::vector<std::string>& paths);

}  // namespace protogate::transcode
