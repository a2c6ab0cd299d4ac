#pragma once

// Internal to transcode: a quick, allocation-free check of a serialized
// message against its descriptor, done before handing the bytes to
// protobuf's binary → JSON printer.
//
// The printer streams the wire as it finds it: it neither rejects truncated
// input nor merges repeated occurrences of a singular field (it prints the
// key twice). Parsing every response into a DynamicMessage would fix both
// but costs more than printing it, so this scan decides when that is needed.
//
// Pure; safe from any thread.

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace protogate::transcode {

enum class WireShape {
  // Well-formed, each singular field and oneof at most once, wire types as
  // declared: the printer renders it as a parser would see it.
  kPrintable,
  // Parses, but needs a parse and re-serialization first (fields repeated or
  // merged, wire types that a parser treats as unknown fields, groups, very
  // deep nesting).
  kNeedsNormalizing,
  // Cannot be a `type` (truncated, bad varints or tags, invalid UTF-8 in a
  // proto3 string).
  kMalformed,
};

WireShape InspectWire(absl::string_view message, const google::protobuf::Descriptor& type);

}  // namespace protogate::transcode
