// End to end: an internal service verifies the identity the gateway stamps
// (x-protogate-identity) with the gateway's JWKS, and answers GET /v1/me
// (demo.users.v1.UserService.WhoAmI) with it. The real gateway, the real demo
// services and the demo auth service, over loopback; plus the verifier the
// demo services share, driven directly with an injected clock.

#include <grpcpp/grpcpp.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "auth/jwks.h"
#include "auth/jwt.h"
#include "auth/openssl_ptr.h"
#include "auth/token_stamper.h"
#include "demo/users/v1/users.grpc.pb.h"
#include "demo_auth/demo_auth_server.h"
#include "demo_services/identity_verifier.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "support/gateway_under_test.h"
#include "support/temp_dir.h"

namespace protogate::test {
namespace {

using demo::users::v1::WhoAmIRequest;
using demo::users::v1::WhoAmIResponse;
using demo_services::IdentityVerifier;
using demo_services::VerifiedIdentity;
using nlohmann::json;

constexpr char kUsers[] = "demo.users.v1.UserService";

// A path no earlier test run left a file at.
std::string FreshPath(const std::string& name) {
  const std::string path = (ProcessTempDir("identity_e2e") / name).string();
  std::filesystem::remove(path);
  return path;
}

// Replaces `path` the way the gateway does (write aside, rename), so that a
// reader never sees half a file.
void ReplaceFile(const std::string& path, const std::string& contents) {
  const std::string temporary = path + ".tmp";
  std::ofstream(temporary, std::ios::binary | std::ios::trunc) << contents;
  std::filesystem::rename(temporary, path);
}

// A token shaped like the gateway's, signed with a key the gateway never had.
std::string ForgedToken(const std::string& kid, const std::string& subject,
                        const std::string& audience = kUsers) {
  auth::PkeyPtr key = auth::AdoptPkey(EVP_EC_gen("P-256"));
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  json claims = {{"iss", "protogate"}, {"sub", subject},  {"client_id", "evil"}, {"scope", "admin"},
                 {"aud", audience},    {"jti", "forged"}, {"iat", now},          {"exp", now + 60}};
  return *auth::SignJwt({{"alg", "ES256"}, {"typ", "JWT"}, {"kid", kid}}, claims,
                        auth::JwsAlgorithm::kEs256, key.get());
}

// The kid of the only key of a JWKS text.
std::string KidOf(const std::string& jwks_json) {
  auto keys = auth::KeySet::Parse(jwks_json);
  return keys.ok() && keys->keys().size() == 1 ? keys->keys()[0].kid : "";
}

// The gateway with the demo auth service (demo-token-alice, demo-token-bob)
// and the shipped demo's /v1/me policy; it writes its JWKS to a file that the
// demo services read, as in tools/demo.
class WhoAmITest : public ::testing::Test {
 protected:
  WhoAmITest()
      : started_(auth_server_.Start()),
        jwks_file_(FreshPath(absl::StrCat(
            ::testing::UnitTest::GetInstance()->current_test_info()->name(), "-jwks.json"))),
        gw_([this](config::GatewayConfig& config) {
          config.auth.enabled = true;
          config.auth.default_policy = "deny";
          config.auth.has_external = true;
          config.auth.external.address = auth_server_.address();
          config.auth.stamping.jwks_out = jwks_file_;
          config.auth.policies = {{.selector = "demo.users.v1.UserService.WhoAmI"},
                                  {.selector = "demo.catalog.v1.CatalogService.*"}};
          // Even when an operator forwards it by name, a client's copy is dropped.
          config.forward_headers.push_back("x-protogate-identity");
        }) {
    gw_.backend().SetGatewayJwksFile(jwks_file_);
  }

  HttpResponse Me(TestHeaders headers) {
    return gw_.Call({.target = "/v1/me", .headers = std::move(headers)});
  }

  std::string GatewayJwks() {
    return gw_.Call({.target = "/.well-known/protogate/jwks.json"}).body;
  }

  demo_auth::DemoAuthServer auth_server_;
  absl::Status started_;
  std::string jwks_file_;
  GatewayUnderTest gw_;
};

TEST_F(WhoAmITest, ServiceVerifiesTheStampAndReturnsTheCaller) {
  ASSERT_TRUE(started_.ok()) << started_;
  HttpResponse response = Me({{"Authorization", "Bearer demo-token-alice"}});
  ASSERT_EQ(response.status, 200) << response.body;
  json body = GatewayUnderTest::Json(response);
  EXPECT_EQ(body["subject"], "alice") << body;
  EXPECT_EQ(body["clientId"], "demo-web");
  EXPECT_EQ(body["scopes"],
            json::array({"users:read", "users:write", "orders:read", "orders:write"}));
  EXPECT_EQ(body["audience"], kUsers);
  EXPECT_EQ(body["issuer"], "protogate");
  EXPECT_EQ(body["verified"], true);
  EXPECT_FALSE(body.contains("reason")) << body;
  ASSERT_FALSE(response.Header("X-Request-Id").empty());
  EXPECT_EQ(body["requestId"], std::string(response.Header("X-Request-Id")));

  // Each request carries its own stamp: another caller, another request id.
  HttpResponse bob = Me({{"Authorization", "Bearer demo-token-bob"}});
  ASSERT_EQ(bob.status, 200) << bob.body;
  json bob_body = GatewayUnderTest::Json(bob);
  EXPECT_EQ(bob_body["subject"], "bob");
  EXPECT_EQ(bob_body["scopes"], json::array({"users:read"}));
  EXPECT_NE(bob_body["requestId"], body["requestId"]);
}

TEST_F(WhoAmITest, ClientsIdentityHeadersNeverReachTheService) {
  ASSERT_TRUE(started_.ok()) << started_;
  // Even a forgery that names the gateway's own kid.
  const std::string forged = ForgedToken(KidOf(GatewayJwks()), "root");
  HttpResponse response = Me({{"Authorization", "Bearer demo-token-bob"},
                              {"X-Protogate-Identity", forged},
                              {"Grpc-Metadata-X-Protogate-Identity", forged},
                              {"Grpc-Metadata-X-Protogate-Subject", "root"}});
  ASSERT_EQ(response.status, 200) << response.body;
  json body = GatewayUnderTest::Json(response);
  EXPECT_EQ(body["subject"], "bob") << body;
  EXPECT_EQ(body["verified"], true);
  EXPECT_EQ(body["requestId"], std::string(response.Header("X-Request-Id")));

  // Without a credential the forgery gets no further than the gateway.
  gw_.backend().ResetStats();
  HttpResponse anonymous =
      Me({{"X-Protogate-Identity", forged}, {"Grpc-Metadata-X-Protogate-Identity", forged}});
  EXPECT_EQ(anonymous.status, 401) << anonymous.body;
  EXPECT_EQ(gw_.backend().stats(DemoService::kUsers).total_calls, 0);
}

// Straight to the users service over gRPC, past the gateway.
class DirectCall {
 public:
  explicit DirectCall(const std::string& address)
      : stub_(demo::users::v1::UserService::NewStub(
            grpc::CreateChannel(address, grpc::InsecureChannelCredentials()))) {}

  grpc::Status WhoAmI(const std::string& token, WhoAmIResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    if (!token.empty()) context.AddMetadata("x-protogate-identity", token);
    return stub_->WhoAmI(&context, WhoAmIRequest(), response);
  }

 private:
  std::unique_ptr<demo::users::v1::UserService::Stub> stub_;
};

// The WhoAmIResponse detail of a refusal.
WhoAmIResponse RefusalDetail(const grpc::Status& status) {
  google::rpc::Status details;
  WhoAmIResponse detail;
  if (!details.ParseFromString(status.error_details()) || details.details_size() != 1 ||
      !details.details(0).UnpackTo(&detail)) {
    ADD_FAILURE() << "no WhoAmIResponse detail in " << status.error_message();
  }
  return detail;
}

TEST_F(WhoAmITest, DirectCallsWithoutTheGatewaysTokenAreUnauthenticated) {
  ASSERT_TRUE(started_.ok()) << started_;
  // The in-memory JWKS the gateway serves works as well as its file.
  const std::string jwks = GatewayJwks();
  ASSERT_TRUE(gw_.backend().SetGatewayJwks(jwks).ok());
  DirectCall call(gw_.backend().users_address());
  WhoAmIResponse response;

  grpc::Status none = call.WhoAmI("", &response);
  EXPECT_EQ(none.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(absl::StartsWith(none.error_message(), "identity not verified: no identity token"))
      << none.error_message();
  WhoAmIResponse detail = RefusalDetail(none);
  EXPECT_FALSE(detail.verified());
  EXPECT_EQ(detail.audience(), kUsers);
  EXPECT_TRUE(absl::StartsWith(detail.reason(), "no identity token")) << detail.reason();

  grpc::Status same_kid = call.WhoAmI(ForgedToken(KidOf(jwks), "root"), &response);
  EXPECT_EQ(same_kid.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(same_kid.error_message(), "identity not verified: identity token: signature mismatch");
  EXPECT_EQ(RefusalDetail(same_kid).reason(), "identity token: signature mismatch");

  grpc::Status other_kid = call.WhoAmI(ForgedToken("my-own-key", "root"), &response);
  EXPECT_EQ(other_kid.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(
      absl::StrContains(other_kid.error_message(), "not the gateway's (kid \"my-own-key\")"))
      << other_kid.error_message();

  grpc::Status garbage = call.WhoAmI("not-a-jwt", &response);
  EXPECT_EQ(garbage.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(absl::StrContains(garbage.error_message(), "malformed")) << garbage.error_message();
}

TEST_F(WhoAmITest, AGenuineStampForAnotherServiceIsRefused) {
  ASSERT_TRUE(started_.ok()) << started_;
  // The catalog's Echo shows the stamp the gateway made for the catalog service.
  HttpResponse echo = gw_.Call({.method = "POST",
                                .target = "/v1/echo",
                                .headers = {{"Authorization", "Bearer demo-token-alice"}},
                                .body = "{}"});
  ASSERT_EQ(echo.status, 200) << echo.body;
  const std::string stamp = GatewayUnderTest::Json(echo)["metadata"]["x-protogate-identity"];

  WhoAmIResponse response;
  grpc::Status replayed = DirectCall(gw_.backend().users_address()).WhoAmI(stamp, &response);
  EXPECT_EQ(replayed.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(replayed.error_message(),
            "identity not verified: identity token: wrong audience "
            "\"demo.catalog.v1.CatalogService\" (this is demo.users.v1.UserService)");
}

TEST(WhoAmIWithoutAuthTest, ServiceItselfRefusesAnUnstampedCall) {
  // Auth off: every route is public and the gateway vouches for no one, so the
  // service has nothing to verify and says so; the gateway renders its answer.
  GatewayUnderTest gw;
  HttpResponse response =
      gw.Call({.target = "/v1/me",
               .headers = {{"Grpc-Metadata-X-Protogate-Identity", ForgedToken("k", "root")}}});
  EXPECT_EQ(response.status, 401) << response.body;
  json body = GatewayUnderTest::Json(response);
  EXPECT_EQ(body["code"], 16);
  EXPECT_TRUE(absl::StartsWith(body["message"].get<std::string>(),
                               "identity not verified: no identity token"))
      << body;
  ASSERT_EQ(body["details"].size(), 1u) << body;
  EXPECT_EQ(body["details"][0]["@type"], "type.googleapis.com/demo.users.v1.WhoAmIResponse");
  EXPECT_FALSE(body["details"][0].value("verified", false));  // false is a default: absent
  EXPECT_TRUE(absl::StartsWith(body["details"][0].value("reason", ""), "no identity token"));
  EXPECT_EQ(body["details"][0]["audience"], kUsers);
}

// The verifier alone: key sources, reloads and claim checks, with the real
// stamper as the gateway and an injected clock.
class IdentityVerifierTest : public ::testing::Test {
 protected:
  IdentityVerifierTest() : verifier_([this] { return now_; }) {}

  std::unique_ptr<auth::TokenStamper> NewGateway() {
    auto stamper = auth::TokenStamper::Create({}, nullptr, [this] { return now_; });
    EXPECT_TRUE(stamper.ok()) << stamper.status();
    return stamper.ok() ? *std::move(stamper) : nullptr;
  }

  std::string Stamp(const auth::TokenStamper& gateway, const std::string& audience = kUsers) {
    auth::Identity identity{.subject = "alice", .client_id = "web", .scopes = {"a", "b"}};
    return *gateway.Mint(identity, audience);
  }

  absl::Time now_ = absl::FromUnixSeconds(1'800'000'000);
  IdentityVerifier verifier_;
};

TEST_F(IdentityVerifierTest, ReadsTheJwksFileOnceItAppearsAndAgainWhenItChanges) {
  const std::string path = FreshPath("verifier-jwks.json");
  verifier_.SetJwksFile(path);
  auto gateway = NewGateway();
  const std::string token = Stamp(*gateway);

  absl::StatusOr<VerifiedIdentity> early = verifier_.VerifyToken(token, kUsers);
  EXPECT_EQ(early.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(absl::StrContains(early.status().message(), "does not exist")) << early.status();

  ReplaceFile(path, gateway->jwks_json());
  absl::StatusOr<VerifiedIdentity> who = verifier_.VerifyToken(token, kUsers);
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->subject, "alice");
  EXPECT_EQ(who->client_id, "web");
  EXPECT_EQ(who->scopes, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(who->audience, kUsers);
  EXPECT_EQ(who->issuer, "protogate");
  EXPECT_EQ(who->token_id.size(), 32u);

  // A restarted gateway with a new generated key rewrites the file.
  auto restarted = NewGateway();
  ReplaceFile(path, restarted->jwks_json());
  EXPECT_TRUE(verifier_.VerifyToken(Stamp(*restarted), kUsers).ok());
  EXPECT_EQ(verifier_.VerifyToken(token, kUsers).status().code(),
            absl::StatusCode::kUnauthenticated);

  // A broken file keeps the keys last read.
  ReplaceFile(path, "{\"keys\":");
  EXPECT_TRUE(verifier_.VerifyToken(Stamp(*restarted), kUsers).ok());
}

TEST_F(IdentityVerifierTest, ChecksExpiryIssuerAudienceAndAlgorithm) {
  auto gateway = NewGateway();
  ASSERT_TRUE(verifier_.SetJwks(gateway->jwks_json()).ok());
  const std::string token = Stamp(*gateway);
  EXPECT_TRUE(verifier_.VerifyToken(token, kUsers).ok());

  EXPECT_EQ(verifier_.VerifyToken(token, "demo.orders.v1.OrderService").status().message(),
            "identity token: wrong audience \"demo.users.v1.UserService\" "
            "(this is demo.orders.v1.OrderService)");

  now_ += absl::Minutes(2);  // the stamp lives 60s, skew 5s
  EXPECT_EQ(verifier_.VerifyToken(token, kUsers).status().message(), "identity token: expired");

  auth::PkeyPtr key = auth::AdoptPkey(EVP_EC_gen("P-256"));
  const std::string kid = *auth::EcKeyThumbprint(key.get());
  ASSERT_TRUE(
      verifier_.SetJwks(absl::StrCat("{\"keys\":[", *auth::PublicJwkOfEcKey(key.get(), kid), "]}"))
          .ok());
  const int64_t now = absl::ToUnixSeconds(now_);
  json claims = {{"iss", "someone-else"}, {"aud", kUsers}, {"sub", "x"}, {"exp", now + 60}};
  EXPECT_EQ(verifier_
                .VerifyToken(*auth::SignJwt({{"alg", "ES256"}, {"kid", kid}}, claims,
                                            auth::JwsAlgorithm::kEs256, key.get()),
                             kUsers)
                .status()
                .message(),
            "identity token: wrong issuer");
  claims["iss"] = "protogate";
  absl::StatusOr<std::string> hmac = auth::SignJwt({{"alg", "HS256"}, {"kid", kid}}, claims,
                                                   auth::JwsAlgorithm::kHs256, nullptr, "secret");
  ASSERT_TRUE(hmac.ok()) << hmac.status();
  EXPECT_EQ(verifier_.VerifyToken(*hmac, kUsers).status().message(),
            "identity token: alg HS256 is not the gateway's (ES256)");
}

TEST_F(IdentityVerifierTest, WithoutKeysEveryTokenIsRefused) {
  auto gateway = NewGateway();
  absl::StatusOr<VerifiedIdentity> who = verifier_.VerifyToken(Stamp(*gateway), kUsers);
  EXPECT_EQ(who.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(absl::StrContains(who.status().message(), "--gateway-jwks")) << who.status();
  EXPECT_EQ(verifier_.SetJwks("{\"keys\":[]}").code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace protogate::test
