// A client's `fields` (query parameter or X-Fields header) end to end: the
// answer is trimmed, the selection reaches the users service as its
// read_mask and as x-protogate-field-mask metadata (the service records
// both and echoes the mask as x-demo-read-mask), bad paths are a 400.

#include <string>

#include "gtest/gtest.h"
#include "support/gateway_under_test.h"

namespace protogate::test {
namespace {

using nlohmann::json;

class PartialResponseTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { gateway_ = new GatewayUnderTest(); }
  static void TearDownTestSuite() {
    delete gateway_;
    gateway_ = nullptr;
  }
  static demo_services::ReceivedMask LastMask() {
    return gateway_->backend().server().users().controls().last_mask();
  }
  static GatewayUnderTest* gateway_;
};
GatewayUnderTest* PartialResponseTest::gateway_ = nullptr;

TEST_F(PartialResponseTest, FieldsParameterTrimsAndPushesTheMaskDown) {
  HttpResponse response =
      gateway_->Call({.target = "/v1/users/1?fields=email,profile(displayName)"});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(GatewayUnderTest::Json(response),
            json::parse(R"({"email":"ada@example.com","profile":{"displayName":"Ada Lovelace"}})"));
  EXPECT_EQ(response.Header("Grpc-Metadata-x-demo-read-mask"), "email,profile.display_name");
  const demo_services::ReceivedMask mask = LastMask();
  EXPECT_EQ(mask.read_mask, "email,profile.display_name");
  EXPECT_TRUE(mask.metadata_present);
  EXPECT_EQ(mask.metadata, "email,profile.display_name");
}

TEST_F(PartialResponseTest, HeaderSelectsOnListsAndResponseBodies) {
  HttpResponse list = gateway_->Call(
      {.target = "/v1/users?page_size=2", .headers = {{"X-Fields", "users.*.userId"}}});
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(GatewayUnderTest::Json(list),
            json::parse(R"({"users":[{"userId":"1"},{"userId":"2"}]})"));
  EXPECT_EQ(LastMask().read_mask, "users.user_id");

  // response_body "profile": paths are the profile's, the mask the User's.
  HttpResponse profile = gateway_->Call({.target = "/v1/users/1/profile?fields=region"});
  ASSERT_EQ(profile.status, 200) << profile.body;
  EXPECT_EQ(GatewayUnderTest::Json(profile), json::parse(R"({"region":"eu"})"));
  EXPECT_EQ(LastMask().read_mask, "profile.region");
}

TEST_F(PartialResponseTest, MetadataOnlyWhereTheMethodHasNoMask) {
  // The catalog's Echo has no read_mask: the service still learns the
  // selection from the metadata, and the gateway trims the answer.
  HttpResponse response =
      gateway_->Call({.method = "POST",
                      .target = "/v1/echo?fields=request.stringMap,metadata",
                      .headers = {{"Content-Type", "application/json"},
                                  {"Grpc-Metadata-x-protogate-field-mask", "forged"}},
                      .body = R"({"stringMap":{"k":"v"},"nested":{"inner":{"name":"n"}}})"});
  ASSERT_EQ(response.status, 200) << response.body;
  json body = GatewayUnderTest::Json(response);
  EXPECT_EQ(body["request"], json::parse(R"({"stringMap":{"k":"v"}})"));
  EXPECT_EQ(body["metadata"]["x-protogate-field-mask"], "request.string_map,metadata");
  EXPECT_EQ(body.size(), 2u) << body;
}

TEST_F(PartialResponseTest, ClientMaskGivesWayAndForgedMetadataIsDropped) {
  HttpResponse response =
      gateway_->Call({.target = "/v1/users/2?read_mask=totalSpentCents&fields=email",
                      .headers = {{"Grpc-Metadata-x-protogate-field-mask", "total_spent_cents"}}});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(GatewayUnderTest::Json(response), json::parse(R"({"email":"hopper@example.com"})"));
  EXPECT_EQ(LastMask().read_mask, "email");
  EXPECT_EQ(LastMask().metadata, "email");

  // Without `fields`, the client's own read_mask passes, and no metadata.
  HttpResponse own = gateway_->Call(
      {.target = "/v1/users/2?read_mask=email", .headers = {{"X-Protogate-Field-Mask", "forged"}}});
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(LastMask().read_mask, "email");
  EXPECT_FALSE(LastMask().metadata_present);
}

TEST_F(PartialResponseTest, BadSelectionsAre400NamingThePath) {
  const struct {
    std::string target;
    std::string message;
  } cases[] = {
      {"/v1/users/1?fields=profile.nme", "fields: no field \"nme\" at \"profile.nme\""},
      {"/v1/users/1?fields=profile(", "fields: unexpected end"},
      {"/v1/users/1?fields=createTime.seconds",
       "fields: \"create_time\" has no sub-fields at \"createTime.seconds\""},
  };
  for (const auto& c : cases) {
    HttpResponse response = gateway_->Call({.target = c.target});
    EXPECT_EQ(response.status, 400) << c.target;
    json body = GatewayUnderTest::Json(response);
    EXPECT_EQ(body["code"], 3) << c.target;
    EXPECT_EQ(body["message"], c.message) << c.target;
  }
  HttpResponse both =
      gateway_->Call({.target = "/v1/users/1?fields=email", .headers = {{"X-Fields", "email"}}});
  EXPECT_EQ(both.status, 400) << both.body;
  EXPECT_EQ(LastMask().read_mask.find("nme"), std::string::npos);
}

TEST_F(PartialResponseTest, EmptyFieldsMeansEverything) {
  HttpResponse response = gateway_->Call({.target = "/v1/users/1?fields="});
  ASSERT_EQ(response.status, 200) << response.body;
  json body = GatewayUnderTest::Json(response);
  EXPECT_TRUE(body.contains("email"));
  EXPECT_TRUE(body.contains("profile"));
  EXPECT_EQ(LastMask().read_mask, "");
  EXPECT_FALSE(LastMask().metadata_present);
}

}  // namespace
}  // namespace protogate::test
