#include "transcode/path_variable.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "transcode/text_value.h"

namespace protogate::transcode {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

std::string FieldNames(const Descriptor& message) {
  std::vector<std::string> names;
  for (int i = 0; i < message.field_count(); ++i) names.push_back(message.field(i)->name());
  return names.empty() ? "(it has no fields)" : absl::StrJoin(names, ", ");
}

}  // namespace

std::optional<PathVariableProblem> CheckPathVariable(const Descriptor& request_type,
                                                     const std::vector<std::string>& field_path) {
  const Descriptor* message = &request_type;
  const std::string joined = absl::StrJoin(field_path, ".");
  for (size_t i = 0; i < field_path.size(); ++i) {
    const FieldDescriptor* field = message->FindFieldByName(field_path[i]);
    if (field == nullptr) {
      return PathVariableProblem{absl::StrCat("variable {", joined, "}: ", message->full_name(),
                                              " has no field \"", field_path[i], "\""),
                                 absl::StrCat("name one of its fields: ", FieldNames(*message))};
    }
    const bool last = i + 1 == field_path.size();
    if (field->is_map() || field->is_repeated()) {
      return PathVariableProblem{
          absl::StrCat("variable {", joined, "}: \"", field->name(), "\" is ",
                       field->is_map() ? "a map" : "repeated"),
          "a path variable binds one singular field; set repeated fields with query parameters "
          "or the body"};
    }
    if (!last && field->type() != FieldDescriptor::TYPE_MESSAGE) {
      return PathVariableProblem{
          absl::StrCat("variable {", joined, "}: \"", field->name(),
                       "\" is not a message, so it has no field \"", field_path[i + 1], "\""),
          absl::StrCat("bind {", absl::StrJoin(field_path.begin(), field_path.begin() + i + 1, "."),
                       "} instead")};
    }
    if (last && !IsTextValued(*field)) {
      return PathVariableProblem{
          absl::StrCat("variable {", joined, "}: \"", field->name(), "\" is a message (",
                       field->message_type()->full_name(), ")"),
          absl::StrCat("bind one of its scalar fields, e.g. {", joined, ".",
                       field->message_type()->field_count() > 0
                           ? field->message_type()->field(0)->name()
                           : "field",
                       "} (Timestamp, Duration, FieldMask and wrappers may be bound directly)")};
    }
    if (!last) message = field->message_type();
  }
  if (field_path.empty()) {
    return PathVariableProblem{"variable {}: names no field", "name a field, e.g. {id}"};
  }
  return std::nullopt;
}

}  // namespace protogate::transcode
