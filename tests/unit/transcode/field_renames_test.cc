#include "transcode/field_renames.h"

#include <memory>
#include <string>
#include <vector>

#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "support/demo_registry.h"
#include "transcode/field_selection.h"
#include "transcode/response_transcoder.h"

namespace protogate::transcode {
namespace {

namespace gpb = google::protobuf;
using test::DemoRegistry;

constexpr char kUser[] = "demo.users.v1.User";
constexpr char kList[] = "demo.users.v1.ListUsersResponse";
constexpr char kEcho[] = "demo.catalog.v1.EchoRequest";  // reaches Any: protobuf prints it
constexpr char kUserJson[] =
    R"({"userId":"7","email":"a@b","profile":{"displayName":"Ann","region":"eu"},"verified":true})";

const gpb::Descriptor& Type(const std::string& name) {
  const gpb::Descriptor* descriptor = DemoRegistry()->FindMessage(name);
  EXPECT_NE(descriptor, nullptr) << name;
  return *descriptor;
}

std::shared_ptr<const FieldRenames> Renames(const std::vector<FieldRename>& renames,
                                            const std::string& type) {
  auto parsed = ParseFieldRenames(renames, Type(type));
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *parsed : nullptr;
}

std::string Error(const std::vector<FieldRename>& renames, const std::string& type) {
  auto parsed = ParseFieldRenames(renames, Type(type));
  EXPECT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(parsed.status().message());
}

std::string Encode(const std::string& type, const std::string& json_text) {
  std::unique_ptr<gpb::Message> message(DemoRegistry()->Prototype(Type(type))->New());
  auto status = gpb::util::JsonStringToMessage(json_text, message.get());
  EXPECT_TRUE(status.ok()) << status.ToString();
  return message->SerializeAsString();
}

// `json_text` (as `type`) printed by a transcoder renamed by `renames`,
// trimmed to `fields` when given.
std::string Printed(const std::string& type, const std::vector<FieldRename>& renames,
                    const std::string& json_text, const JsonOutputOptions& options = {},
                    absl::string_view fields = "") {
  auto plain = ResponseTranscoder::Create(DemoRegistry(), Type(type), "", options);
  EXPECT_TRUE(plain.ok()) << plain.status();
  auto renamed = plain->Renamed(Renames(renames, type));
  EXPECT_TRUE(renamed.ok()) << renamed.status();
  std::shared_ptr<const FieldSelection> selection;
  if (!fields.empty()) {
    auto parsed = ParseFieldSelection(fields, Type(type));
    EXPECT_TRUE(parsed.ok()) << parsed.status();
    if (parsed.ok()) selection = *parsed;
  }
  auto json = renamed->Transcode(Encode(type, json_text), selection.get());
  EXPECT_TRUE(json.ok()) << json.status();
  return json.ok() ? *json : "";
}

TEST(FieldRenamesTest, RenamesMembersWhereTheyAre) {
  EXPECT_EQ(Printed(kUser, {{"user_id", "id"}, {"profile.displayName", "name"}}, kUserJson),
            R"({"id":"7","email":"a@b","profile":{"name":"Ann","region":"eu"},"verified":true})");
  // A message field and a field inside it, both renamed.
  EXPECT_EQ(Printed(kUser, {{"profile", "about"}, {"profile.region", "area"}}, kUserJson),
            R"({"userId":"7","email":"a@b","about":{"displayName":"Ann","area":"eu"},)"
            R"("verified":true})");
}

TEST(FieldRenamesTest, RenamesInRepeatedElementsAndMapValues) {
  EXPECT_EQ(Printed(kList, {{"users.*.user_id", "id"}, {"next_page_token", "more"}},
                    R"({"users":[{"userId":"1"},{"userId":"2","email":"e"}],"nextPageToken":"t"})"),
            R"({"users":[{"id":"1"},{"id":"2","email":"e"}],"more":"t"})");
  // EchoRequest reaches google.protobuf.Any: protobuf prints, then the
  // members are renamed.
  EXPECT_EQ(Printed(kEcho, {{"message_map.*.level", "depth"}, {"string_map", "labels"}},
                    R"({"stringMap":{"k":"v"},"messageMap":{"a":{"name":"x","level":2}}})"),
            R"({"labels":{"k":"v"},"messageMap":{"a":{"name":"x","depth":2}}})");
}

TEST(FieldRenamesTest, RenamesWithProtoNamesAndDefaultsShown) {
  const JsonOutputOptions proto_names{.use_proto_field_names = true};
  EXPECT_EQ(Printed(kUser, {{"userId", "id"}}, R"({"userId":"7","email":"a@b"})", proto_names),
            R"({"id":"7","email":"a@b"})");
  // Defaults shown: protobuf prints, the selection prunes, then the renames.
  const JsonOutputOptions defaults{.emit_default_values = true};
  EXPECT_EQ(Printed(kUser, {{"email", "mail"}}, R"({"email":"a@b"})", defaults, "email,verified"),
            R"({"mail":"a@b","verified":false})");
}

TEST(FieldRenamesTest, FieldsAreAskedForByTheirNewNames) {
  auto renames = Renames({{"user_id", "id"}, {"profile.display_name", "name"}}, kUser);
  auto asked = ParseFieldSelection("id,profile(name)", Type(kUser), renames.get());
  ASSERT_TRUE(asked.ok()) << asked.status();
  EXPECT_EQ(ProtoPaths(**asked), (std::vector<std::string>{"user_id", "profile.display_name"}));
  // The old names are not the client's.
  for (const char* old_name : {"userId", "user_id", "profile.displayName"}) {
    auto refused = ParseFieldSelection(old_name, Type(kUser), renames.get());
    EXPECT_FALSE(refused.ok()) << old_name;
  }
  EXPECT_TRUE(ParseFieldSelection("email,profile.region", Type(kUser), renames.get()).ok());
  // Narrowing names a field outside the view by the client's name for it.
  auto view = ParseFieldSelection("email", Type(kUser));
  ASSERT_TRUE(view.ok());
  auto narrowed = NarrowSelection(**asked, **view, renames.get());
  EXPECT_EQ(narrowed.status().message(), "fields: no field \"id\" at \"id\"");
}

TEST(FieldRenamesTest, LoadErrorsNameTheRename) {
  EXPECT_EQ(Error({{"usr_id", "id"}}, kUser),
            "rename usr_id: fields: no field \"usr_id\" at \"usr_id\"");
  EXPECT_EQ(Error({{"profile(region,avatar_url)", "x"}}, kUser),
            "rename profile(region,avatar_url): names more than one field");
  EXPECT_EQ(Error({{"email", "mail"}, {"email", "post"}}, kUser),
            "rename email: the field is renamed twice");
  EXPECT_EQ(Error({{"email", "user-mail"}}, kUser),
            "rename email: \"user-mail\" is not a member name (letters, digits, _)");
  // Another member already answers to the name, by JSON or proto name.
  EXPECT_EQ(Error({{"email", "userId"}}, kUser),
            "rename email: \"userId\" is already the name of demo.users.v1.User.user_id in the "
            "same object");
  EXPECT_EQ(Error({{"email", "user_id"}}, kUser),
            "rename email: \"user_id\" is already the name of demo.users.v1.User.user_id in the "
            "same object");
  EXPECT_NE(Error({{"email", "id"}, {"user_id", "id"}}, kUser).find("\"id\" is already the name"),
            std::string::npos);
  // Two fields trading names is fine: each name is the other's no more.
  EXPECT_NE(Renames({{"email", "verified"}, {"verified", "email"}}, kUser), nullptr);
}

TEST(FieldRenamesTest, ListsItsPathsForTheRouteMap) {
  auto renames = Renames({{"profile.displayName", "name"}, {"userId", "id"}}, kUser);
  ASSERT_NE(renames, nullptr);
  std::vector<std::string> listed;
  for (const FieldRename& rename : RenamePaths(*renames)) {
    listed.push_back(rename.path + "=" + rename.name);
  }
  EXPECT_EQ(listed, (std::vector<std::string>{"user_id=id", "profile.display_name=name"}));
}

}  // namespace
}  // namespace protogate::transcode
