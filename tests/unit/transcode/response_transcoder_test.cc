#include "transcode/response_transcoder.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "support/demo_registry.h"

namespace protogate::transcode {
namespace {

namespace gpb = google::protobuf;
using nlohmann::json;

using test::DemoRegistry;

const gpb::Descriptor& Message(const std::string& name) {
  const gpb::Descriptor* descriptor = DemoRegistry()->FindMessage(name);
  EXPECT_NE(descriptor, nullptr) << name;
  return *descriptor;
}

// The binary form of `json_text` as message `type` (a response an upstream
// would send).
std::string Encode(const std::string& type, const std::string& json_text) {
  std::unique_ptr<gpb::Message> message(DemoRegistry()->Prototype(Message(type))->New());
  auto status = gpb::util::JsonStringToMessage(json_text, message.get());
  EXPECT_TRUE(status.ok()) << status.ToString();
  return message->SerializeAsString();
}

ResponseTranscoder Make(const std::string& type, absl::string_view response_body = "",
                        const JsonOutputOptions& options = {}) {
  auto transcoder =
      ResponseTranscoder::Create(DemoRegistry(), Message(type), response_body, options);
  EXPECT_TRUE(transcoder.ok()) << transcoder.status();
  return *std::move(transcoder);
}

std::string Transcoded(const ResponseTranscoder& transcoder, const std::string& binary) {
  auto json_text = transcoder.Transcode(binary);
  EXPECT_TRUE(json_text.ok()) << json_text.status();
  return json_text.ok() ? *json_text : "";
}

constexpr char kUser[] = R"({"userId":"42","email":"a@b","profile":{"displayName":"Ann",
    "region":"eu"},"roles":["ROLE_ADMIN","ROLE_SUPPORT"],"createTime":"2024-01-31T12:00:00Z",
    "totalSpentCents":"1234567890123","verified":true})";

TEST(ResponseTranscoderTest, WholeMessageCompactWithJsonNames) {
  EXPECT_EQ(Transcoded(Make("demo.users.v1.User"), Encode("demo.users.v1.User", kUser)),
            R"({"userId":"42","email":"a@b","profile":{"displayName":"Ann","region":"eu"},)"
            R"("roles":["ROLE_ADMIN","ROLE_SUPPORT"],"createTime":"2024-01-31T12:00:00Z",)"
            R"("totalSpentCents":"1234567890123","verified":true})");
}

TEST(ResponseTranscoderTest, ProtoFieldNames) {
  EXPECT_EQ(Transcoded(Make("demo.users.v1.User", "", {.use_proto_field_names = true}),
                       Encode("demo.users.v1.User", kUser)),
            R"({"user_id":"42","email":"a@b","profile":{"display_name":"Ann","region":"eu"},)"
            R"("roles":["ROLE_ADMIN","ROLE_SUPPORT"],"create_time":"2024-01-31T12:00:00Z",)"
            R"("total_spent_cents":"1234567890123","verified":true})");
}

TEST(ResponseTranscoderTest, EnumsAsInts) {
  EXPECT_EQ(Transcoded(Make("demo.users.v1.User", "", {.enums_as_ints = true}),
                       Encode("demo.users.v1.User", R"({"roles":["ROLE_ADMIN"]})")),
            R"({"roles":[2]})");
}

TEST(ResponseTranscoderTest, DefaultsOmittedUnlessAsked) {
  const std::string empty_user = Encode("demo.users.v1.User", "{}");
  EXPECT_EQ(Transcoded(Make("demo.users.v1.User"), empty_user), "{}");
  EXPECT_EQ(Transcoded(Make("demo.users.v1.User", "", {.emit_default_values = true}), empty_user),
            R"({"userId":"","email":"","roles":[],"totalSpentCents":"0","verified":false})");
  EXPECT_EQ(
      Transcoded(
          Make("demo.orders.v1.Order", "",
               {.use_proto_field_names = true, .emit_default_values = true, .enums_as_ints = true}),
          ""),
      R"({"order_id":"","user_id":"","items":[],"status":0,"total_cents":"0","note":"",)"
      R"("labels":{}})");
}

TEST(ResponseTranscoderTest, EmptyGivesAnEmptyObject) {
  const gpb::MethodDescriptor* method =
      DemoRegistry()->FindMethod("demo.users.v1.UserService.DeleteUser");
  ASSERT_NE(method, nullptr);
  auto transcoder = ResponseTranscoder::Create(DemoRegistry(), *method->output_type(), "", {});
  ASSERT_TRUE(transcoder.ok());
  EXPECT_EQ(Transcoded(*transcoder, ""), "{}");
  auto with_defaults = ResponseTranscoder::Create(DemoRegistry(), *method->output_type(), "",
                                                  {.emit_default_values = true});
  ASSERT_TRUE(with_defaults.ok());
  EXPECT_EQ(Transcoded(*with_defaults, ""), "{}");
}

TEST(ResponseTranscoderTest, WellKnownTypes) {
  const std::string request = R"({"wellKnown":{
      "timestamp":"2024-01-31T12:00:00.500Z","duration":"-1.250s","fieldMask":"a.bC,d",
      "structValue":{"a":[1,"x",null,true]},"value":null,"listValue":[{}],
      "any":{"@type":"type.googleapis.com/demo.users.v1.Profile","region":"eu"},
      "int32Wrapper":0,"boolWrapper":false,"bytesWrapper":"aGk=","doubleWrapper":"NaN"}})";
  json printed = json::parse(Transcoded(
      Make("demo.catalog.v1.EchoResponse"),
      Encode("demo.catalog.v1.EchoResponse", absl::StrCat(R"({"request":)", request, "}"))));
  EXPECT_EQ(printed, json::parse(absl::StrCat(R"({"request":)", request, "}")));
}

TEST(ResponseTranscoderTest, UnknownFieldsAreDropped) {
  std::string binary = Encode("demo.users.v1.User", R"({"email":"a@b"})");
  binary += std::string("\xf8\x07\x01", 3);  // field 127, varint 1
  EXPECT_EQ(Transcoded(Make("demo.users.v1.User"), binary), R"({"email":"a@b"})");
}

TEST(ResponseTranscoderTest, BytesThatDoNotParseAreInternal) {
  ResponseTranscoder transcoder = Make("demo.users.v1.User");
  for (const std::string& bad :
       {std::string("\x0a\x05"
                    "ab",
                    4),
        std::string("\xff\xff"), std::string("\x0a", 1), std::string("\x08\x80", 2)}) {
    auto result = transcoder.Transcode(bad);
    ASSERT_FALSE(result.ok()) << absl::CHexEscape(bad) << " -> " << *result;
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInternal);
    EXPECT_NE(result.status().message().find("demo.users.v1.User"), std::string::npos);
  }
}

TEST(ResponseTranscoderTest, CreateRejectsAnUnknownResponseBodyField) {
  auto transcoder =
      ResponseTranscoder::Create(DemoRegistry(), Message("demo.users.v1.User"), "nope", {});
  ASSERT_FALSE(transcoder.ok());
  EXPECT_EQ(transcoder.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(transcoder.status().message(),
            "response_body field \"nope\" names no field of demo.users.v1.User");
}

// --- response_body --------------------------------------------------------

TEST(ResponseTranscoderTest, MessageResponseBody) {
  // GetUserProfile: response_body "profile"
  ResponseTranscoder transcoder = Make("demo.users.v1.User", "profile");
  EXPECT_EQ(Transcoded(transcoder, Encode("demo.users.v1.User", kUser)),
            R"({"displayName":"Ann","region":"eu"})");
  EXPECT_EQ(Transcoded(transcoder, Encode("demo.users.v1.User", R"({"email":"a@b"})")), "{}");
  EXPECT_EQ(Transcoded(Make("demo.users.v1.User", "profile", {.use_proto_field_names = true}),
                       Encode("demo.users.v1.User", kUser)),
            R"({"display_name":"Ann","region":"eu"})");
}

TEST(ResponseTranscoderTest, MessageResponseBodyMergesOccurrences) {
  // Two occurrences of `profile` on the wire merge, as a parser would.
  const std::string binary = Encode("demo.users.v1.User", R"({"profile":{"displayName":"A"}})") +
                             Encode("demo.users.v1.User", R"({"profile":{"region":"eu"}})") +
                             Encode("demo.users.v1.User", R"({"profile":{"displayName":"B"}})");
  EXPECT_EQ(Transcoded(Make("demo.users.v1.User", "profile"), binary),
            R"({"displayName":"B","region":"eu"})");
}

TEST(ResponseTranscoderTest, MessageResponseBodyByJsonName) {
  EXPECT_EQ(
      Transcoded(Make("demo.users.v1.User", "createTime"), Encode("demo.users.v1.User", kUser)),
      R"("2024-01-31T12:00:00Z")");
}

TEST(ResponseTranscoderTest, MessageResponseBodyBadBytes) {
  auto result = Make("demo.users.v1.User", "profile")
                    .Transcode(std::string("\x1a\x05"
                                           "ab",
                                           4));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInternal);
  // `profile` (field 3) sent as a varint: a parser keeps it as an unknown
  // field, so the profile is absent.
  EXPECT_EQ(Transcoded(Make("demo.users.v1.User", "profile"), std::string("\x18\x01", 2)), "{}");
}

// --- Wire forms a parser accepts but a plain printer would misrender --------

TEST(ResponseTranscoderTest, RepeatedSingularFieldLastWins) {
  const std::string binary = Encode("demo.users.v1.User", R"({"userId":"a","verified":true})") +
                             Encode("demo.users.v1.User", R"({"userId":"b"})");
  EXPECT_EQ(Transcoded(Make("demo.users.v1.User"), binary), R"({"userId":"b","verified":true})");
}

TEST(ResponseTranscoderTest, NestedMessagesMerge) {
  const std::string binary =
      Encode("demo.users.v1.User", R"({"profile":{"displayName":"A","region":"eu"}})") +
      Encode("demo.users.v1.User", R"({"profile":{"displayName":"B"},"roles":["ROLE_ADMIN"]})") +
      Encode("demo.users.v1.User", R"({"roles":["ROLE_SUPPORT"]})");
  EXPECT_EQ(Transcoded(Make("demo.users.v1.User"), binary),
            R"({"profile":{"displayName":"B","region":"eu"},)"
            R"("roles":["ROLE_ADMIN","ROLE_SUPPORT"]})");
}

TEST(ResponseTranscoderTest, OneofLastMemberWins) {
  const std::string binary = Encode("demo.catalog.v1.EchoRequest", R"({"choiceText":"t"})") +
                             Encode("demo.catalog.v1.EchoRequest", R"({"choiceNumber":3})");
  EXPECT_EQ(Transcoded(Make("demo.catalog.v1.EchoRequest"), binary), R"({"choiceNumber":3})");
}

TEST(ResponseTranscoderTest, PackedAndUnpackedRepeated) {
  // roles (field 4) packed [1, 2], then unpacked 3.
  const std::string binary("\x22\x02\x01\x02\x20\x03", 6);
  EXPECT_EQ(Transcoded(Make("demo.users.v1.User"), binary),
            R"({"roles":["ROLE_CUSTOMER","ROLE_ADMIN","ROLE_SUPPORT"]})");
  // A packed payload that is not a run of varints.
  auto result = Make("demo.users.v1.User").Transcode(std::string("\x22\x01\x80", 3));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInternal);
}

TEST(ResponseTranscoderTest, WrongWireTypeIsDropped) {
  // email (field 2, a string) sent as a varint, then user_id properly.
  const std::string binary("\x10\x05\x0a\x01x", 5);
  EXPECT_EQ(Transcoded(Make("demo.users.v1.User"), binary), R"({"userId":"x"})");
}

TEST(ResponseTranscoderTest, InvalidUtf8InAStringIsInternal) {
  auto result = Make("demo.users.v1.User").Transcode(std::string("\x0a\x02\xc3\x28", 4));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInternal);
}

TEST(ResponseTranscoderTest, BytesMayHoldAnything) {
  // Asset.content (field 2) is bytes.
  EXPECT_EQ(Transcoded(Make("demo.catalog.v1.Asset"), std::string("\x12\x02\xc3\x28", 4)),
            R"({"content":"wyg="})");
}

TEST(ResponseTranscoderTest, VeryDeepNestingIsRefused) {
  // Nested.Inner.child, 200 levels: beyond the parser's recursion limit.
  std::string inner;
  for (int i = 0; i < 200; ++i) inner = std::string("\x1a") + static_cast<char>(0) + inner;
  std::string binary;
  for (int i = 0; i < 200; ++i) {
    std::string wrapped = "\x1a";
    std::string length;
    size_t size = binary.size();
    do {
      length.push_back(static_cast<char>((size & 0x7f) | (size >= 0x80 ? 0x80 : 0)));
      size >>= 7;
    } while (size != 0);
    binary = wrapped + length + binary;
  }
  auto result = Make("demo.catalog.v1.Nested.Inner").Transcode(binary);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInternal);
}

TEST(ResponseTranscoderTest, RepeatedResponseBody) {
  ResponseTranscoder transcoder = Make("demo.orders.v1.ListOrdersResponse", "orders");
  EXPECT_EQ(
      Transcoded(transcoder, Encode("demo.orders.v1.ListOrdersResponse",
                                    R"({"orders":[{"orderId":"o1","status":"ORDER_STATUS_PLACED"},
                                            {"orderId":"o2","labels":{"k":"v"}}],
                                  "totalSize":2})")),
      R"([{"orderId":"o1","status":"ORDER_STATUS_PLACED"},)"
      R"({"orderId":"o2","labels":{"k":"v"}}])");
  EXPECT_EQ(
      Transcoded(transcoder, Encode("demo.orders.v1.ListOrdersResponse", R"({"totalSize":2})")),
      "[]");
}

// With defaults shown, every other field prints beside the response_body
// field; the body is still only that field's value, valid JSON on its own.
TEST(ResponseTranscoderTest, ResponseBodyWithDefaultValuesShown) {
  const std::string binary =
      Encode("demo.orders.v1.ListOrdersResponse", R"({"orders":[{"orderId":"o1"}]})");
  const std::string orders = Transcoded(
      Make("demo.orders.v1.ListOrdersResponse", "orders", {.emit_default_values = true}), binary);
  EXPECT_FALSE(json::parse(orders, nullptr, false).is_discarded()) << orders;
  ASSERT_TRUE(json::parse(orders, nullptr, false).is_array()) << orders;
  EXPECT_EQ(json::parse(orders)[0]["orderId"], "o1");
  EXPECT_EQ(Transcoded(Make("demo.orders.v1.ListOrdersResponse", "total_size",
                            {.emit_default_values = true}),
                       binary),
            "0");
  EXPECT_EQ(
      Transcoded(Make("demo.orders.v1.ListOrdersResponse", "orders", {.emit_default_values = true}),
                 ""),
      "[]");
  // Brackets and quotes inside strings do not end the value; a field printed
  // after the body field (query) is not part of it.
  const std::string products = Transcoded(
      Make("demo.catalog.v1.SearchProductsResponse", "products", {.emit_default_values = true}),
      Encode("demo.catalog.v1.SearchProductsResponse",
             R"({"products":[{"title":"a\"]},"}],"query":{}})"));
  json parsed = json::parse(products, nullptr, false);
  ASSERT_TRUE(parsed.is_array()) << products;
  EXPECT_EQ(parsed[0]["title"], "a\"]},");
}

TEST(ResponseTranscoderTest, ScalarResponseBody) {
  const std::string binary =
      Encode("demo.orders.v1.ListOrdersResponse", R"({"orders":[{"orderId":"o1"}],"totalSize":7})");
  EXPECT_EQ(Transcoded(Make("demo.orders.v1.ListOrdersResponse", "total_size"), binary), "7");
  EXPECT_EQ(Transcoded(Make("demo.orders.v1.ListOrdersResponse", "totalSize",
                            {.use_proto_field_names = true}),
                       binary),
            "7");
  // At its default the field is not on the wire; the body is still its value.
  EXPECT_EQ(Transcoded(Make("demo.orders.v1.ListOrdersResponse", "total_size"), ""), "0");
  EXPECT_EQ(Transcoded(Make("demo.users.v1.ListUsersResponse", "next_page_token"), ""), R"("")");
  EXPECT_EQ(Transcoded(Make("demo.orders.v1.Order", "status"), ""),
            R"("ORDER_STATUS_UNSPECIFIED")");
  EXPECT_EQ(Transcoded(Make("demo.orders.v1.Order", "status", {.enums_as_ints = true}),
                       Encode("demo.orders.v1.Order", R"({"status":"ORDER_STATUS_SHIPPED"})")),
            "2");
  EXPECT_EQ(Transcoded(Make("demo.orders.v1.Order", "note"),
                       Encode("demo.orders.v1.Order", R"({"note":"say \"hi\"\n"})")),
            R"("say \"hi\"\n")");
}

TEST(ResponseTranscoderTest, MapResponseBody) {
  ResponseTranscoder transcoder = Make("demo.orders.v1.Order", "labels");
  EXPECT_EQ(Transcoded(transcoder,
                       Encode("demo.orders.v1.Order", R"({"orderId":"o","labels":{"a":"1"}})")),
            R"({"a":"1"})");
  EXPECT_EQ(Transcoded(transcoder, ""), "{}");
}

TEST(ResponseTranscoderTest, OneofMemberResponseBody) {
  ResponseTranscoder transcoder = Make("demo.catalog.v1.EchoRequest", "choice_number");
  EXPECT_EQ(Transcoded(transcoder, Encode("demo.catalog.v1.EchoRequest", R"({"choiceNumber":0})")),
            "0");
  // Not shown even with defaults on: absent is null.
  EXPECT_EQ(Transcoded(transcoder, ""), "null");
}

TEST(ResponseTranscoderTest, ResponseBodyWithAnUnusualJsonName) {
  gpb::FileDescriptorSet set;
  gpb::FileDescriptorProto* file = set.add_file();
  file->set_name("odd.proto");
  file->set_package("odd");
  file->set_syntax("proto3");
  gpb::DescriptorProto* message = file->add_message_type();
  message->set_name("M");
  gpb::FieldDescriptorProto* field = message->add_field();
  field->set_name("tags");
  field->set_number(1);
  field->set_label(gpb::FieldDescriptorProto::LABEL_REPEATED);
  field->set_type(gpb::FieldDescriptorProto::TYPE_STRING);
  field->set_json_name("a\"b<c>");
  auto registry = TypeRegistry::FromDescriptorSet(set.SerializeAsString());
  ASSERT_TRUE(registry.ok()) << registry.status();
  auto transcoder =
      ResponseTranscoder::Create(*registry, *(*registry)->FindMessage("odd.M"), "tags", {});
  ASSERT_TRUE(transcoder.ok()) << transcoder.status();
  EXPECT_EQ(Transcoded(*transcoder, "\x0a\x01x\x0a\x01y"), R"(["x","y"])");
  EXPECT_EQ(Transcoded(*transcoder, ""), "[]");
}

TEST(ResponseTranscoderTest, HundredOrders) {
  json orders = json::array();
  for (int i = 0; i < 100; ++i) {
    orders.push_back(
        {{"orderId", absl::StrCat("o-", i)},
         {"userId", "u-1"},
         {"items", {{{"productId", "p-1"}, {"quantity", 2}, {"unitPriceCents", "1999"}}}},
         {"status", "ORDER_STATUS_SHIPPED"},
         {"totalCents", "3998"},
         {"createTime", "2024-01-31T12:00:00Z"},
         {"shippingAddress", {{"city", "Oslo"}, {"country", "NO"}}},
         {"labels", {{"channel", "web"}}}});
  }
  json response = {{"orders", orders}, {"totalSize", 100}};
  const std::string binary = Encode("demo.orders.v1.ListOrdersResponse", response.dump());
  EXPECT_EQ(json::parse(Transcoded(Make("demo.orders.v1.ListOrdersResponse"), binary)), response);
}

TEST(ResponseTranscoderTest, SafeFromManyThreads) {
  ResponseTranscoder transcoder = Make("demo.users.v1.User");
  const std::string binary = Encode("demo.users.v1.User", kUser);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        auto result = transcoder.Transcode(binary);
        ASSERT_TRUE(result.ok());
        ASSERT_NE(result->find("\"userId\":\"42\""), std::string::npos);
      }
    });
  }
  for (auto& thread : threads) thread.join();
}

}  // namespace
}  // namespace protogate::transcode
