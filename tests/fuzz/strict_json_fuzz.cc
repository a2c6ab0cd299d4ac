// Differential libFuzzer target for CheckStrictJson. Input: one JSON
// document. nlohmann::json's strict parser is the reference:
// - what the strict check accepts, nlohmann accepts;
// - what nlohmann accepts, the strict check accepts, unless it refuses a
//   repeated key or nesting beyond the limit (nlohmann allows both);
//   except where nlohmann is no reference: numbers beyond a double's range,
//   NUL bytes;
// - a refusal names a byte within the document;
// - checked against a message (EchoRequest, which has maps, Struct, nested
//   and repeated messages), the result only differs from the schemaless one
//   by refusing more (a field given under its two names): what the
//   schemaless check refuses it refuses too, syntax faults with the same
//   message unless a field given twice comes first.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "transcode/strict_json.h"
#include "transcode/type_registry.h"

namespace protogate::transcode {
namespace {

constexpr int kMaxDepth = 200;
constexpr absl::string_view kPrefix = "invalid JSON body at byte ";

const google::protobuf::Descriptor& Echo() {
  static const google::protobuf::Descriptor* const echo = [] {
    std::ifstream in(PROTOGATE_DEMO_DESCRIPTORS, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    auto registry = TypeRegistry::FromDescriptorSet(buffer.str());
    if (!registry.ok()) std::abort();
    // Kept for the process: the descriptor lives in it.
    static auto* const kept = new std::shared_ptr<const TypeRegistry>(*registry);
    const auto* message = (*kept)->FindMessage("demo.catalog.v1.EchoRequest");
    if (message == nullptr) std::abort();
    return message;
  }();
  return *echo;
}

// nlohmann's verdict, by its SAX parser (which builds nothing).
struct Reference : nlohmann::json_sax<nlohmann::json> {
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    error_id = e.id;
    return false;
  }
  int error_id = 0;  // 0: accepted
};

// nlohmann refuses numbers beyond a double's range (406), which RFC 8259
// allows, and stops reading at a NUL byte, accepting what came before:
// there its refusal (or acceptance) says nothing.
constexpr int kNumberOverflow = 406;

bool IsSchemaRefusal(absl::string_view message) {
  return absl::StrContains(message, "given twice") ||
         absl::StrContains(message, "nesting deeper than");
}

// The offset in a refusal, which must lie within the document (the end
// included, for what is cut short).
void CheckOffset(absl::string_view message, size_t size) {
  if (!absl::ConsumePrefix(&message, kPrefix)) __builtin_trap();
  const size_t colon = message.find(':');
  size_t offset = 0;
  if (colon == absl::string_view::npos || !absl::SimpleAtoi(message.substr(0, colon), &offset)) {
    __builtin_trap();
  }
  if (offset > size) __builtin_trap();
}

}  // namespace
}  // namespace protogate::transcode

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace protogate::transcode;
  const absl::string_view json(reinterpret_cast<const char*>(data), size);

  const absl::Status plain = CheckStrictJson(json, JsonBodyShape::Any(), kMaxDepth);
  Reference reference;
  nlohmann::json::sax_parse(json.begin(), json.end(), &reference);
  const bool reference_accepts = reference.error_id == 0;
  const bool reference_judges = reference.error_id != kNumberOverflow;
  const bool reference_reads_all = json.find('\0') == absl::string_view::npos;
  if (plain.ok() && !reference_accepts && reference_judges) __builtin_trap();
  if (!plain.ok()) {
    if (plain.code() != absl::StatusCode::kInvalidArgument) __builtin_trap();
    CheckOffset(plain.message(), size);
    if (reference_accepts && reference_reads_all && !IsSchemaRefusal(plain.message())) {
      __builtin_trap();
    }
  }

  const absl::Status typed = CheckStrictJson(json, JsonBodyShape::Message(Echo()), kMaxDepth);
  if (!typed.ok()) CheckOffset(typed.message(), size);
  if (!plain.ok()) {
    if (typed.ok()) __builtin_trap();
    // The same syntax fault, unless a field given twice comes before it.
    if (!IsSchemaRefusal(plain.message()) && typed.message() != plain.message() &&
        !IsSchemaRefusal(typed.message())) {
      __builtin_trap();
    }
  }
  return 0;
}
