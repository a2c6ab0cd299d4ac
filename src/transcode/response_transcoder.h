#pragma once

// Turns a binary protobuf response into proto3 JSON, optionally selecting one
// field (google.api.http `response_body`).
//
// Example:
//   auto t = ResponseTranscoder::Create(registry, *method->output_type(), "", {});
//   auto json = t->Transcode(bytes);   // e.g. {"userId":"42","email":"a@b"}
//
// google.protobuf.Empty gives "{}". Immutable after Create; Transcode is
// safe from any thread.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "transcode/json_printer.h"  // JsonOutputOptions
#include "transcode/type_registry.h"

namespace protogate::transcode {

class ResponseTranscoder {
 public:
  // `response_body_field` is "" (whole message) or a top-level field name;
  // InvalidArgument when it names no field.
  static absl::StatusOr<ResponseTranscoder> Create(
      std::shared_ptr<const TypeRegistry> registry,
      const google::protobuf::Descriptor& response_type, absl::string_view response_body_field,
      const JsonOutputOptions& options);

  // Internal when the bytes do not parse as the response type.
  absl::StatusOr<std::string> Transcode(absl::string_view binary) const;

 private:
  struct Impl;
  explicit ResponseTranscoder(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

}  // namespace protogate::transcode
