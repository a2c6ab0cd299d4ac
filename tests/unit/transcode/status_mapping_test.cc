#include "transcode/status_mapping.h"

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/duration.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "support/demo_registry.h"

namespace protogate::transcode {
namespace {

using nlohmann::json;

using test::DemoRegistry;

TEST(StatusMappingTest, GrpcToHttpTable) {
  const std::pair<int, int> table[] = {
      {0, 200},  {1, 499},  {2, 500},  {3, 400},  {4, 504},  {5, 404},
      {6, 409},  {7, 403},  {8, 429},  {9, 400},  {10, 409}, {11, 400},
      {12, 501}, {13, 500}, {14, 503}, {15, 500}, {16, 401},
  };
  for (const auto& [grpc, http] : table) {
    EXPECT_EQ(HttpStatusFromGrpcCode(grpc), http) << "gRPC code " << grpc;
  }
}

TEST(StatusMappingTest, UndefinedGrpcCodesAre500) {
  for (int code : {-1, 17, 100, 1 << 30}) EXPECT_EQ(HttpStatusFromGrpcCode(code), 500) << code;
}

TEST(StatusMappingTest, HttpToGrpcTable) {
  const std::pair<int, int> table[] = {
      {200, 0}, {204, 0},  {400, 3},  {401, 16}, {403, 7},  {404, 5}, {405, 12},
      {408, 4}, {409, 10}, {412, 9},  {413, 8},  {416, 11}, {429, 8}, {431, 8},
      {499, 1}, {500, 13}, {501, 12}, {502, 14}, {503, 14}, {504, 4}, {411, 3},
      {415, 3}, {505, 13}, {100, 2},  {302, 2},  {0, 2},
  };
  for (const auto& [http, grpc] : table) {
    EXPECT_EQ(GrpcCodeFromHttpStatus(http), grpc) << "HTTP " << http;
  }
}

TEST(StatusMappingTest, GatewayErrorsRoundTrip) {
  // An error the gateway makes from an HTTP status maps back to that status.
  for (int http : {400, 401, 403, 404, 429, 499, 501, 503, 504}) {
    EXPECT_EQ(HttpStatusFromGrpcCode(GrpcCodeFromHttpStatus(http)), http) << http;
  }
}

TEST(StatusMappingTest, ErrorBodyExactForm) {
  EXPECT_EQ(ErrorBody(5, "no such user", "[]"),
            R"({"code":5,"message":"no such user","details":[]})");
  EXPECT_EQ(ErrorBody(5, "no such user"), R"({"code":5,"message":"no such user","details":[]})");
}

TEST(StatusMappingTest, ErrorBodyEscapes) {
  const std::string message = "bad \"x\"\\ \n\t\x01 </script> é";
  json body = json::parse(ErrorBody(3, message));
  EXPECT_EQ(body["code"], 3);
  EXPECT_EQ(body["message"], message);
  EXPECT_EQ(body["details"], json::array());
}

TEST(StatusMappingTest, ErrorBodyWithInvalidUtf8StaysValidJson) {
  const std::string body = ErrorBody(3, "value \"\xff\xfe\" rejected");
  EXPECT_TRUE(json::accept(body)) << body;
  EXPECT_NE(body.find("rejected"), std::string::npos);
}

TEST(StatusMappingTest, ErrorBodyKeepsDetails) {
  const std::string details = R"([{"@type":"type.googleapis.com/x.Y","a":1}])";
  EXPECT_EQ(ErrorBody(9, "m", details),
            R"({"code":9,"message":"m","details":[{"@type":"type.googleapis.com/x.Y","a":1}]})");
}

TEST(StatusMappingTest, ErrorBodyReplacesDetailsThatAreNotAJsonArray) {
  for (const char* details : {"", "{}", "[", "[1,", "x", "null", "[]]"}) {
    EXPECT_EQ(ErrorBody(2, "m", details), R"({"code":2,"message":"m","details":[]})") << details;
  }
}

std::string StatusBytes(const google::rpc::Status& status) { return status.SerializeAsString(); }

TEST(StatusMappingTest, BadRequestDetail) {
  google::rpc::Status status;
  status.set_code(3);
  status.set_message("bad");
  google::rpc::BadRequest bad_request;
  auto* violation = bad_request.add_field_violations();
  violation->set_field("user.email");
  violation->set_description("must contain @");
  status.add_details()->PackFrom(bad_request);
  EXPECT_EQ(json::parse(DetailsJsonFromStatusBytes(StatusBytes(status), DemoRegistry().get())),
            json::parse(R"([{"@type":"type.googleapis.com/google.rpc.BadRequest",
                             "fieldViolations":[{"field":"user.email",
                                                 "description":"must contain @"}]}])"));
  // Without a registry the gateway's own types still render.
  EXPECT_EQ(json::parse(DetailsJsonFromStatusBytes(StatusBytes(status), nullptr)),
            json::parse(R"([{"@type":"type.googleapis.com/google.rpc.BadRequest",
                             "fieldViolations":[{"field":"user.email",
                                                 "description":"must contain @"}]}])"));
}

TEST(StatusMappingTest, SeveralDetailKinds) {
  google::rpc::Status status;
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(2);
  status.add_details()->PackFrom(retry);
  google::rpc::ErrorInfo info;
  info.set_reason("QUOTA");
  info.set_domain("protogate.dev");
  (*info.mutable_metadata())["limit"] = "10";
  status.add_details()->PackFrom(info);
  google::protobuf::Duration duration;
  duration.set_seconds(1);
  status.add_details()->PackFrom(duration);
  EXPECT_EQ(json::parse(DetailsJsonFromStatusBytes(StatusBytes(status), DemoRegistry().get())),
            json::parse(R"([
              {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"2s"},
              {"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"QUOTA",
               "domain":"protogate.dev","metadata":{"limit":"10"}},
              {"@type":"type.googleapis.com/google.protobuf.Duration","value":"1s"}])"));
}

TEST(StatusMappingTest, DetailOfARegistryType) {
  google::rpc::Status status;
  google::protobuf::Any* any = status.add_details();
  any->set_type_url("type.googleapis.com/demo.users.v1.Profile");
  any->set_value(
      std::string("\x0a\x03"
                  "Ann\x12\x02"
                  "eu",
                  9));  // display_name, region
  EXPECT_EQ(json::parse(DetailsJsonFromStatusBytes(StatusBytes(status), DemoRegistry().get())),
            json::parse(R"([{"@type":"type.googleapis.com/demo.users.v1.Profile",
                             "displayName":"Ann","region":"eu"}])"));
  // Unknown without the registry.
  EXPECT_EQ(json::parse(DetailsJsonFromStatusBytes(StatusBytes(status), nullptr)),
            json::parse(R"([{"@type":"type.googleapis.com/demo.users.v1.Profile",
                             "value":"CgNBbm4SAmV1"}])"));
}

TEST(StatusMappingTest, UnknownDetailIsBase64) {
  google::rpc::Status status;
  google::protobuf::Any* any = status.add_details();
  any->set_type_url("type.googleapis.com/acme.Secret");
  any->set_value(std::string("\x00\xff\x10", 3));
  google::rpc::BadRequest bad_request;
  bad_request.add_field_violations()->set_field("x");
  status.add_details()->PackFrom(bad_request);
  EXPECT_EQ(json::parse(DetailsJsonFromStatusBytes(StatusBytes(status), DemoRegistry().get())),
            json::parse(absl::StrCat(R"([{"@type":"type.googleapis.com/acme.Secret","value":")",
                                     absl::Base64Escape(std::string("\x00\xff\x10", 3)), R"("},)",
                                     R"({"@type":"type.googleapis.com/google.rpc.BadRequest",)",
                                     R"("fieldViolations":[{"field":"x"}]}])")));
}

TEST(StatusMappingTest, DetailWithAnotherUrlPrefixIsTreatedAsUnknown) {
  google::rpc::Status status;
  google::protobuf::Any* any = status.add_details();
  any->set_type_url("example.com/google.rpc.BadRequest");
  any->set_value(std::string("\x0a\x00", 2));
  EXPECT_EQ(json::parse(DetailsJsonFromStatusBytes(StatusBytes(status), DemoRegistry().get())),
            json::parse(R"([{"@type":"example.com/google.rpc.BadRequest","value":"CgA="}])"));
}

TEST(StatusMappingTest, KnownTypeWithCorruptValueIsBase64) {
  google::rpc::Status status;
  google::protobuf::Any* any = status.add_details();
  any->set_type_url("type.googleapis.com/google.rpc.BadRequest");
  any->set_value(
      "\x0a\x05"
      "ab");
  json details = json::parse(DetailsJsonFromStatusBytes(StatusBytes(status), nullptr));
  ASSERT_EQ(details.size(), 1u);
  EXPECT_EQ(details[0]["@type"], "type.googleapis.com/google.rpc.BadRequest");
  EXPECT_EQ(details[0]["value"], absl::Base64Escape("\x0a\x05"
                                                    "ab"));
}

TEST(StatusMappingTest, DetailNestingAnUnknownAny) {
  google::rpc::Status status;
  google::protobuf::Any inner;
  inner.set_type_url("type.googleapis.com/acme.Secret");
  inner.set_value("x");
  status.add_details()->PackFrom(inner);
  json details = json::parse(DetailsJsonFromStatusBytes(StatusBytes(status), nullptr));
  ASSERT_EQ(details.size(), 1u);
  EXPECT_EQ(details[0]["@type"], "type.googleapis.com/google.protobuf.Any");
  EXPECT_TRUE(details[0]["value"].is_string());
}

TEST(StatusMappingTest, DetailsSurviveAMessageThatIsNotUtf8) {
  google::rpc::Status status;
  google::rpc::BadRequest bad_request;
  bad_request.add_field_violations()->set_field("x");
  status.add_details()->PackFrom(bad_request);
  // message (field 2) "\xff", then the details.
  const std::string bytes = std::string("\x12\x01\xff", 3) + StatusBytes(status);
  EXPECT_EQ(json::parse(DetailsJsonFromStatusBytes(bytes, nullptr)),
            json::parse(R"([{"@type":"type.googleapis.com/google.rpc.BadRequest",
                             "fieldViolations":[{"field":"x"}]}])"));
}

TEST(StatusMappingTest, DetailWithInvalidUtf8IsBase64) {
  google::rpc::Status status;
  google::protobuf::Any* any = status.add_details();
  any->set_type_url("type.googleapis.com/google.rpc.ErrorInfo");
  any->set_value(std::string("\x0a\x01\xff", 3));  // reason: "\xff"
  json details = json::parse(DetailsJsonFromStatusBytes(StatusBytes(status), nullptr));
  ASSERT_EQ(details.size(), 1u);
  EXPECT_EQ(details[0]["value"], "CgH/");
}

TEST(StatusMappingTest, DetailNeedingAMergeIsMerged) {
  google::rpc::Status status;
  google::protobuf::Any* any = status.add_details();
  any->set_type_url("type.googleapis.com/google.rpc.ErrorInfo");
  any->set_value(
      "\x0a\x01"
      "a"
      "\x0a\x01"
      "b");  // reason twice: the last wins
  EXPECT_EQ(json::parse(DetailsJsonFromStatusBytes(StatusBytes(status), nullptr)),
            json::parse(R"([{"@type":"type.googleapis.com/google.rpc.ErrorInfo",
                             "reason":"b"}])"));
}

TEST(StatusMappingTest, NoDetails) {
  google::rpc::Status status;
  status.set_code(5);
  EXPECT_EQ(DetailsJsonFromStatusBytes(StatusBytes(status), DemoRegistry().get()), "[]");
  EXPECT_EQ(DetailsJsonFromStatusBytes("", nullptr), "[]");
}

TEST(StatusMappingTest, UndecodableStatusGivesEmptyDetails) {
  EXPECT_EQ(DetailsJsonFromStatusBytes("\xff\xff\xff", DemoRegistry().get()), "[]");
  EXPECT_EQ(DetailsJsonFromStatusBytes(std::string("\x1a\x05"
                                                   "ab",
                                                   4),
                                       nullptr),
            "[]");
}

TEST(StatusMappingTest, DetailsFeedTheErrorBody) {
  google::rpc::Status status;
  google::rpc::BadRequest bad_request;
  bad_request.add_field_violations()->set_field("user.email");
  status.add_details()->PackFrom(bad_request);
  const std::string body =
      ErrorBody(3, "bad", DetailsJsonFromStatusBytes(StatusBytes(status), DemoRegistry().get()));
  EXPECT_EQ(json::parse(body), json::parse(R"({"code":3,"message":"bad","details":[
                {"@type":"type.googleapis.com/google.rpc.BadRequest",
                 "fieldViolations":[{"field":"user.email"}]}]})"));
}

}  // namespace
}  // namespace protogate::transcode
