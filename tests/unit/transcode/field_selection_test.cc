#include "transcode/field_selection.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "support/demo_registry.h"
#include "transcode/response_transcoder.h"

namespace protogate::transcode {
namespace {

namespace gpb = google::protobuf;
using test::DemoRegistry;
using ::testing::ElementsAre;

const gpb::Descriptor& Type(const std::string& name) {
  const gpb::Descriptor* descriptor = DemoRegistry()->FindMessage(name);
  EXPECT_NE(descriptor, nullptr) << name;
  return *descriptor;
}

std::vector<std::string> Paths(absl::string_view text, const std::string& type) {
  auto selection = ParseFieldSelection(text, Type(type));
  EXPECT_TRUE(selection.ok()) << text << ": " << selection.status();
  return selection.ok() ? ProtoPaths(**selection) : std::vector<std::string>{};
}

std::string Error(absl::string_view text, const std::string& type) {
  auto selection = ParseFieldSelection(text, Type(type));
  EXPECT_FALSE(selection.ok()) << text;
  EXPECT_EQ(selection.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(selection.status().message());
}

std::string Encode(const std::string& type, const std::string& json_text) {
  std::unique_ptr<gpb::Message> message(DemoRegistry()->Prototype(Type(type))->New());
  auto status = gpb::util::JsonStringToMessage(json_text, message.get());
  EXPECT_TRUE(status.ok()) << status.ToString();
  return message->SerializeAsString();
}

// The JSON of `json_text` (as `type`) trimmed to `fields`, printed by the
// response transcoder with `options`.
std::string Selected(const std::string& type, const std::string& json_text,
                     absl::string_view fields, const JsonOutputOptions& options = {}) {
  auto selection = ParseFieldSelection(fields, Type(type));
  EXPECT_TRUE(selection.ok()) << selection.status();
  auto transcoder = ResponseTranscoder::Create(DemoRegistry(), Type(type), "", options);
  EXPECT_TRUE(transcoder.ok()) << transcoder.status();
  auto json = transcoder->Transcode(Encode(type, json_text), selection->get());
  EXPECT_TRUE(json.ok()) << json.status();
  return json.ok() ? *json : "";
}

constexpr char kUser[] = "demo.users.v1.User";
constexpr char kEcho[] = "demo.catalog.v1.EchoRequest";
constexpr char kUserJson[] =
    R"({"userId":"7","email":"a@b","profile":{"displayName":"Ann","region":"eu",)"
    R"("avatarUrl":"x"},"roles":["ROLE_ADMIN"],"totalSpentCents":"12","verified":true})";

TEST(FieldSelectionTest, PathsInEitherNameAndEachSyntax) {
  EXPECT_THAT(Paths("email,profile.region", kUser), ElementsAre("email", "profile.region"));
  EXPECT_THAT(Paths("userId, profile/displayName", kUser),
              ElementsAre("user_id", "profile.display_name"));
  EXPECT_THAT(Paths("profile(region,avatar_url)", kUser),
              ElementsAre("profile.region", "profile.avatar_url"));
  // Field order, not the order asked; a repeat is one path.
  EXPECT_THAT(Paths("verified,email,email", kUser), ElementsAre("email", "verified"));
}

TEST(FieldSelectionTest, WholeFieldWinsOverItsSubFields) {
  EXPECT_THAT(Paths("profile.region,profile", kUser), ElementsAre("profile"));
  EXPECT_THAT(Paths("profile,profile(region)", kUser), ElementsAre("profile"));
}

TEST(FieldSelectionTest, RepeatedAndMapFields) {
  const std::string list = "demo.users.v1.ListUsersResponse";
  EXPECT_THAT(Paths("users.email", list), ElementsAre("users.email"));
  EXPECT_THAT(Paths("users.*.email,nextPageToken", list),
              ElementsAre("users.email", "next_page_token"));
  EXPECT_THAT(Paths("users(userId,profile(region))", list),
              ElementsAre("users.user_id", "users.profile.region"));
  EXPECT_THAT(Paths("message_map.*.name", kEcho), ElementsAre("message_map"));
  EXPECT_THAT(Paths("stringMap,intMap.*", kEcho), ElementsAre("string_map", "int_map"));
}

TEST(FieldSelectionTest, ErrorsNameThePath) {
  EXPECT_EQ(Error("profile.nme", kUser), "fields: no field \"nme\" at \"profile.nme\"");
  EXPECT_EQ(Error("email.x", kUser), "fields: \"email\" has no sub-fields at \"email.x\"");
  EXPECT_EQ(Error("createTime.seconds", kUser),
            "fields: \"create_time\" has no sub-fields at \"createTime.seconds\"");
  EXPECT_EQ(Error("profile.*", kUser),
            "fields: \"*\" follows no repeated or map field at \"profile.*\"");
  EXPECT_EQ(Error("message_map.name", kEcho),
            "fields: map values are selected with \"*\" at \"message_map.name\"");
  EXPECT_EQ(Error("email(x)", kUser), "fields: \"email\" has no sub-fields at \"email(\"");
  EXPECT_EQ(Error("email,,verified", kUser), "fields: unexpected \",\" at offset 6");
  EXPECT_EQ(Error("profile(region", kUser), "fields: unexpected end");
  EXPECT_EQ(Error("email)", kUser), "fields: unexpected \")\" at offset 5");
  EXPECT_EQ(Error("", kUser), "fields: unexpected end");
}

TEST(FieldSelectionTest, HostileTextIsBounded) {
  EXPECT_EQ(Error(std::string(kMaxFieldSelectionText + 1, 'a'), kUser),
            "fields: longer than 8192 bytes");
  std::string deep = "nested";
  for (int i = 0; i < 40; ++i) deep += ".child";
  deep.replace(0, 6, "nested.inner");
  EXPECT_EQ(Error(deep, kEcho), "fields: path deeper than 32 fields");
  std::string parens = "nested(inner";
  for (int i = 0; i < 40; ++i) parens += "(child";
  EXPECT_EQ(Error(parens, kEcho), "fields: path deeper than 32 fields");
}

TEST(FieldSelectionTest, TrimsTheAnswer) {
  EXPECT_EQ(Selected(kUser, kUserJson, "email,profile(region)"),
            R"({"email":"a@b","profile":{"region":"eu"}})");
  EXPECT_EQ(Selected(kUser, kUserJson, "roles,verified"),
            R"({"roles":["ROLE_ADMIN"],"verified":true})");
  EXPECT_EQ(Selected("demo.users.v1.ListUsersResponse",
                     R"({"users":[{"userId":"1","email":"a@b"},{"userId":"2"}],)"
                     R"("nextPageToken":"3"})",
                     "users.email"),
            R"({"users":[{"email":"a@b"},{}]})");
  EXPECT_EQ(Selected(kEcho, R"({"messageMap":{"a":{"name":"x","level":2}},"stringMap":{"k":"v"}})",
                     "message_map.*.level"),
            R"({"messageMap":{"a":{"level":2}}})");
}

TEST(FieldSelectionTest, TrimsWithDefaultsShown) {
  const JsonOutputOptions defaults{.emit_default_values = true};
  EXPECT_EQ(Selected(kUser, R"({"email":"a@b","profile":{"displayName":"Ann"}})",
                     "email,profile.region", defaults),
            R"({"email":"a@b","profile":{"region":""}})");
  EXPECT_EQ(Selected(kUser, R"({})", "verified", defaults), R"({"verified":false})");
}

// Over the whole answer only the selected bytes are checked: a corrupt
// field the client did not ask for does not fail its answer; one it asked
// for does.
TEST(FieldSelectionTest, OnlyTheSelectedBytesAreChecked) {
  // email "a@b", then profile (3) holding bytes that are no Profile.
  const std::string wire = std::string(
      "\x12\x03"
      "a@b"
      "\x1a\x02\x0a\x09",
      9);
  auto transcoder = ResponseTranscoder::Create(DemoRegistry(), Type(kUser), "", {});
  ASSERT_TRUE(transcoder.ok());
  auto email = ParseFieldSelection("email", Type(kUser));
  ASSERT_TRUE(email.ok());
  auto json = transcoder->Transcode(wire, email->get());
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(*json, R"({"email":"a@b"})");
  auto profile = ParseFieldSelection("profile.region", Type(kUser));
  ASSERT_TRUE(profile.ok());
  EXPECT_FALSE(transcoder->Transcode(wire, profile->get()).ok());
  EXPECT_FALSE(transcoder->Transcode(wire).ok());
}

TEST(FieldSelectionTest, FilterWireRefusesMalformedBytes) {
  auto selection = ParseFieldSelection("email", Type(kUser));
  ASSERT_TRUE(selection.ok());
  std::string out;
  EXPECT_FALSE(FilterWire(**selection,
                          std::string("\x12\x05"
                                      "ab",
                                      4),
                          &out));
}

}  // namespace
}  // namespace protogate::transcode
