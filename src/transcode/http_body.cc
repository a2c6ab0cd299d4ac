#include "transcode/http_body.h"

#include <string>

#include "transcode/wire_format.h"

namespace protogate::transcode {

namespace {

// Field numbers of google.api.HttpBody.
constexpr int kContentType = 1;
constexpr int kData = 2;

}  // namespace

bool IsHttpBody(const google::protobuf::Descriptor* type) {
  return type != nullptr && type->full_name() == kHttpBodyType;
}

absl::StatusOr<RawBody> ParseHttpBody(absl::string_view wire) {
  RawBody body;
  bool typed = true;
  const bool parsed = wire::ForEachField(wire, [&](const wire::Field& field) {
    if (field.number != kContentType && field.number != kData) return;  // extensions
    if (field.type != wire::WireType::kLengthDelimited) {
      typed = false;
      return;
    }
    (field.number == kContentType ? body.content_type : body.data) = std::string(field.payload);
  });
  if (!parsed || !typed) {
    return absl::InternalError("the service's google.api.HttpBody is not valid protobuf");
  }
  return body;
}

void AppendHttpBody(absl::string_view content_type, absl::string_view data, std::string* out) {
  if (!content_type.empty()) wire::AppendLengthDelimited(kContentType, content_type, out);
  if (!data.empty()) wire::AppendLengthDelimited(kData, data, out);
}

}  // namespace protogate::transcode
