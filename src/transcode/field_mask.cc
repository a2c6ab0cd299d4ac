#include "transcode/field_mask.h"

#include "transcode/wire_format.h"

namespace protogate::transcode {

bool IsFieldMask(const google::protobuf::FieldDescriptor& field) {
  return !field.is_repeated() && field.message_type() != nullptr &&
         field.message_type()->full_name() == "google.protobuf.FieldMask";
}

std::string FieldMaskField(int number, const std::vector<std::string>& paths) {
  std::string mask;
  for (const std::string& path : paths) wire::AppendLengthDelimited(1, path, &mask);
  std::string field;
  wire::AppendLengthDelimited(number, mask, &field);
  return field;
}

}  // namespace protogate::transcode
