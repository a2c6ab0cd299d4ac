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
#include "transcode/field_renames.h"
#include "transcode/field_selection.h"
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

  // The same transcoder with some members of the answer renamed (renames
  // over selectable_type(); a client profile's view). InvalidArgument when
  // the renames are over another type.
  absl::StatusOr<ResponseTranscoder> Renamed(std::shared_ptr<const FieldRenames> renames) const;

  // Internal when the bytes do not parse as the response type. With
  // `selection` (over selectable_type()), only the selected fields print,
  // and over the whole response only they are checked: a field it drops
  // cannot fail the answer (a malformed sub-message, a string that is not
  // UTF-8), though bytes that are not wire format at all still do.
  absl::StatusOr<std::string> Transcode(absl::string_view binary,
                                        const FieldSelection* selection = nullptr) const;

  // The message type a client's `fields` selects from: the response type,
  // or the response_body field's; null when response_body is a scalar,
  // repeated or map field (such an answer cannot be narrowed).
  const google::protobuf::Descriptor* selectable_type() const;
  // The response_body field (null: the whole message): read masks name the
  // selected paths below it.
  const google::protobuf::FieldDescriptor* body_field() const;

 private:
  struct Impl;
  explicit ResponseTranscoder(std::shared_ptr<const Impl> impl);
  static absl::StatusOr<ResponseTranscoder> Build(std::shared_ptr<const TypeRegistry> registry,
                                                  const google::protobuf::Descriptor& response_type,
                                                  absl::string_view response_body_field,
                                                  const JsonOutputOptions& options,
                                                  std::shared_ptr<const FieldRenames> renames);
  std::shared_ptr<const Impl> impl_;
};

}  // namespace protogate::transcode
