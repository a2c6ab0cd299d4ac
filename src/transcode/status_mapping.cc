#include "transcode/status_mapping.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/json_text.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/type_resolver_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "nlohmann/json.hpp"
#include "transcode/wire_format.h"
#include "transcode/wire_inspection.h"

namespace protogate::transcode {
namespace {

namespace gpb = google::protobuf;

constexpr char kTypeUrlPrefix[] = "type.googleapis.com";

// Resolves from the registry first, then from the protos compiled into the
// gateway (google.rpc error details, the well-known types).
class ChainedTypeResolver final : public gpb::util::TypeResolver {
 public:
  explicit ChainedTypeResolver(gpb::util::TypeResolver* first) : first_(first) {}

  gpb::util::Status ResolveMessageType(const std::string& type_url, gpb::Type* type) override {
    if (first_ != nullptr && first_->ResolveMessageType(type_url, type).ok()) {
      return gpb::util::Status();
    }
    return Linked()->ResolveMessageType(type_url, type);
  }
  gpb::util::Status ResolveEnumType(const std::string& type_url, gpb::Enum* type) override {
    if (first_ != nullptr && first_->ResolveEnumType(type_url, type).ok()) {
      return gpb::util::Status();
    }
    return Linked()->ResolveEnumType(type_url, type);
  }

 private:
  static gpb::util::TypeResolver* Linked() {
    // The generated pool knows google.rpc.* only once their files are
    // linked in and registered; touching the types guarantees both.
    static gpb::util::TypeResolver* const resolver = [] {
      google::rpc::Status::descriptor();
      google::rpc::BadRequest::descriptor();
      return gpb::util::NewTypeResolverForDescriptorPool(kTypeUrlPrefix,
                                                         gpb::DescriptorPool::generated_pool());
    }();
    return resolver;
  }

  gpb::util::TypeResolver* first_;
};

struct Detail {
  absl::string_view type_url;
  absl::string_view value;
};

std::string UnknownDetailJson(const Detail& detail) {
  nlohmann::json object = {{"@type", std::string(detail.type_url)},
                           {"value", absl::Base64Escape(detail.value)}};
  return common::JsonText(object);
}

// The message type a detail names, from the registry first, then from the
// protos compiled into the gateway; its prototype in `prototype`.
const gpb::Descriptor* FindDetailType(absl::string_view type_url, const TypeRegistry* registry,
                                      const gpb::Message** prototype) {
  absl::string_view name = type_url;
  if (!absl::ConsumePrefix(&name, kTypeUrlPrefix) || !absl::ConsumePrefix(&name, "/")) {
    return nullptr;
  }
  if (registry != nullptr) {
    if (const gpb::Descriptor* type = registry->FindMessage(name)) {
      *prototype = registry->Prototype(*type);
      return type;
    }
  }
  const gpb::Descriptor* type =
      gpb::DescriptorPool::generated_pool()->FindMessageTypeByName(std::string(name));
  if (type == nullptr) return nullptr;
  *prototype = gpb::MessageFactory::generated_factory()->GetPrototype(type);
  return type;
}

// The Any printed by protobuf itself, so well-known types nested in it get
// their {"@type", "value"} form right. The printer does not check the bytes
// it streams, so they are inspected (and, when needed, parsed and written
// back canonically) first.
std::string DetailJson(const Detail& detail, const TypeRegistry* registry,
                       gpb::util::TypeResolver* resolver) {
  static const std::string kAnyUrl = absl::StrCat(kTypeUrlPrefix, "/google.protobuf.Any");
  const gpb::Message* prototype = nullptr;
  const gpb::Descriptor* type = FindDetailType(detail.type_url, registry, &prototype);
  if (type == nullptr || prototype == nullptr) return UnknownDetailJson(detail);
  std::string canonical_value;
  absl::string_view value = detail.value;
  switch (InspectWire(value, *type)) {
    case WireShape::kPrintable:
      break;
    case WireShape::kNeedsNormalizing: {
      std::unique_ptr<gpb::Message> message(prototype->New());
      if (!message->ParseFromArray(value.data(), static_cast<int>(value.size()))) {
        return UnknownDetailJson(detail);
      }
      message->DiscardUnknownFields();
      canonical_value = message->SerializeAsString();
      value = canonical_value;
      break;
    }
    case WireShape::kMalformed:
      return UnknownDetailJson(detail);
  }
  std::string any;
  wire::AppendLengthDelimited(1, detail.type_url, &any);
  wire::AppendLengthDelimited(2, value, &any);
  std::string json;
  auto status =
      gpb::util::BinaryToJsonString(resolver, kAnyUrl, any, &json, gpb::util::JsonPrintOptions());
  if (!status.ok()) return UnknownDetailJson(detail);
  return json;
}

// google.rpc.Status.details (field 3) read straight off the wire: parsing
// the generated Status would drop every detail (and log) when the message
// text is not valid UTF-8.
std::optional<std::vector<Detail>> ReadDetails(absl::string_view status_bytes) {
  std::vector<Detail> details;
  bool well_formed = true;
  const bool status_ok = wire::ForEachField(status_bytes, [&](const wire::Field& field) {
    if (field.number != 3) return;
    if (field.type != wire::WireType::kLengthDelimited) {
      well_formed = false;
      return;
    }
    Detail detail;
    well_formed &= wire::ForEachField(field.payload, [&](const wire::Field& any_field) {
      if (any_field.type != wire::WireType::kLengthDelimited) return;
      if (any_field.number == 1) detail.type_url = any_field.payload;
      if (any_field.number == 2) detail.value = any_field.payload;
    });
    details.push_back(detail);
  });
  if (!status_ok || !well_formed) return std::nullopt;
  return details;
}

}  // namespace

int HttpStatusFromGrpcCode(int grpc_code) {
  switch (grpc_code) {
    case 0:  // OK
      return 200;
    case 1:  // CANCELLED
      return 499;
    case 3:   // INVALID_ARGUMENT
    case 9:   // FAILED_PRECONDITION
    case 11:  // OUT_OF_RANGE
      return 400;
    case 4:  // DEADLINE_EXCEEDED
      return 504;
    case 5:  // NOT_FOUND
      return 404;
    case 6:   // ALREADY_EXISTS
    case 10:  // ABORTED
      return 409;
    case 7:  // PERMISSION_DENIED
      return 403;
    case 8:  // RESOURCE_EXHAUSTED
      return 429;
    case 12:  // UNIMPLEMENTED
      return 501;
    case 14:  // UNAVAILABLE
      return 503;
    case 16:  // UNAUTHENTICATED
      return 401;
    default:  // UNKNOWN, INTERNAL, DATA_LOSS and codes gRPC does not define
      return 500;
  }
}

int GrpcCodeFromHttpStatus(int http_status) {
  switch (http_status) {
    case 400:
      return 3;  // INVALID_ARGUMENT
    case 401:
      return 16;  // UNAUTHENTICATED
    case 403:
      return 7;  // PERMISSION_DENIED
    case 404:
      return 5;  // NOT_FOUND
    case 405:
    case 501:
      return 12;  // UNIMPLEMENTED
    case 408:
    case 504:
      return 4;  // DEADLINE_EXCEEDED
    case 409:
      return 10;  // ABORTED
    case 412:
      return 9;  // FAILED_PRECONDITION
    case 416:
      return 11;  // OUT_OF_RANGE
    case 413:
    case 429:
    case 431:
      return 8;  // RESOURCE_EXHAUSTED
    case 499:
      return 1;  // CANCELLED
    case 502:
    case 503:
      return 14;  // UNAVAILABLE
    default:
      break;
  }
  if (http_status >= 200 && http_status < 300) return 0;
  if (http_status >= 400 && http_status < 500) return 3;   // the client's fault
  if (http_status >= 500 && http_status < 600) return 13;  // INTERNAL
  return 2;                                                // UNKNOWN
}

std::string ErrorBody(int grpc_code, absl::string_view message, absl::string_view details_json) {
  // The message may carry anything a client sent: JsonQuoted keeps the body
  // valid JSON (and exception-free) even for invalid UTF-8.
  const std::string quoted = common::JsonQuoted(message);
  nlohmann::json details = nlohmann::json::parse(details_json, nullptr, false);
  const bool details_ok = !details.is_discarded() && details.is_array();
  return absl::StrCat("{\"code\":", grpc_code, ",\"message\":", quoted,
                      ",\"details\":", details_ok ? details_json : "[]", "}");
}

std::string DetailsJsonFromStatusBytes(absl::string_view status_bytes,
                                       const TypeRegistry* registry) {
  std::optional<std::vector<Detail>> details = ReadDetails(status_bytes);
  if (!details.has_value()) return "[]";
  ChainedTypeResolver resolver(registry == nullptr ? nullptr : registry->resolver());
  std::string json = "[";
  for (size_t i = 0; i < details->size(); ++i) {
    if (i > 0) json.push_back(',');
    json.append(DetailJson((*details)[i], registry, &resolver));
  }
  json.push_back(']');
  return json;
}

}  // namespace protogate::transcode
