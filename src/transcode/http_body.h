#pragma once

// google.api.HttpBody: a message that carries an HTTP body as it is, in any
// content type, instead of JSON. A method that returns one answers with its
// `data` as the body and its `content_type` as Content-Type (a stream of
// them: each message's data is the next piece of one body); a request
// message that is one (body: "*"), or whose body field is one, gets the
// request's bytes and Content-Type. `extensions` are not carried over HTTP.
//
// Example:
//   if (IsHttpBody(method->output_type())) {
//     ASSIGN_OR_RETURN(RawBody raw, ParseHttpBody(response_bytes));
//   }
//
// Pure functions; safe from any thread.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace protogate::transcode {

inline constexpr absl::string_view kHttpBodyType = "google.api.HttpBody";

// True for google.api.HttpBody (null: false).
bool IsHttpBody(const google::protobuf::Descriptor* type);

struct RawBody {
  std::string content_type;
  std::string data;

  // What an answer's Content-Type says: content_type, or
  // application/octet-stream when it names none.
  std::string MediaType() const {
    return content_type.empty() ? "application/octet-stream" : content_type;
  }
};

// The content type and data of an HttpBody's wire bytes (later occurrences
// of a field win, as for any singular field). Internal when the bytes are
// not wire format or a field has the wrong wire type.
absl::StatusOr<RawBody> ParseHttpBody(absl::string_view wire);

// Appends the wire bytes of an HttpBody holding `content_type` and `data`.
void AppendHttpBody(absl::string_view content_type, absl::string_view data, std::string* out);

}  // namespace protogate::transcode
