#include "graphql/over_http.h"

#include "gtest/gtest.h"

namespace protogate::graphql {
namespace {

TEST(NegotiateTest, GraphqlResponseWhenListedElseJson) {
  EXPECT_EQ(*Negotiate(""), MediaType::kJson);
  EXPECT_EQ(*Negotiate("*/*"), MediaType::kJson);
  EXPECT_EQ(*Negotiate("application/json"), MediaType::kJson);
  EXPECT_EQ(*Negotiate("application/graphql-response+json, application/json;q=0.9"),
            MediaType::kGraphqlResponse);
  EXPECT_EQ(*Negotiate("application/graphql-response+json;q=0.5, application/json"),
            MediaType::kJson);
  EXPECT_EQ(*Negotiate("Application/GraphQL-Response+JSON"), MediaType::kGraphqlResponse);
  EXPECT_EQ(Negotiate("text/html").status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Negotiate("application/json;q=0").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(ReadPostTest, ReadsTheFourMembers) {
  auto request = ReadPost("application/json; charset=utf-8",
                          R"({"query":"{ a }","operationName":"Q","variables":{"x":1},
                              "extensions":{"k":true}})");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->query, "{ a }");
  EXPECT_EQ(request->operation_name, "Q");
  EXPECT_EQ(request->variables["x"], 1);
  EXPECT_EQ(request->extensions["k"], true);
  auto nulls =
      ReadPost("application/json", R"({"query":"{ a }","operationName":null,"variables":null})");
  ASSERT_TRUE(nulls.ok()) << nulls.status();
  EXPECT_TRUE(nulls->variables.is_object());
}

TEST(ReadPostTest, RefusesWhatIsNoGraphqlRequest) {
  EXPECT_EQ(ReadPost("text/plain", "{}").status().code(), absl::StatusCode::kUnimplemented);
  // No Content-Type header at all: the request's lookup answers a null view.
  EXPECT_EQ(ReadPost(absl::string_view(), R"({"query":"{a}"})").status().code(),
            absl::StatusCode::kUnimplemented);
  EXPECT_EQ(ReadPost("", R"({"query":"{a}"})").status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_TRUE(ReadPost("Application/JSON ; ; charset=UTF-8", R"({"query":"{a}"})").ok());
  EXPECT_EQ(ReadPost("application/json; charset=latin1", R"({"query":"{a}"})").status().code(),
            absl::StatusCode::kUnimplemented);
  for (const char* body :
       {"", "[]", R"({"query":1})", R"({"variables":{}})", R"({"query":"{a}","variables":[]})",
        R"({"query":"{a}","x":1})", R"({"query":"{a}","query":"{b}"})", "{\"query\":\"\xff\"}"}) {
    EXPECT_EQ(ReadPost("application/json", body).status().code(),
              absl::StatusCode::kInvalidArgument)
        << body;
  }
  std::string deep = "{\"query\":\"{a}\",\"variables\":{\"x\":";
  for (int i = 0; i < 100000; ++i) deep += "[";
  EXPECT_EQ(ReadPost("application/json", deep).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ReadPostTest, ATrustedDocumentIsNamedByItsSha256) {
  const std::string hex(64, 'a');
  auto by_id = ReadPost("application/json", R"({"documentId":"sha256:)" + hex + R"("})");
  ASSERT_TRUE(by_id.ok()) << by_id.status();
  EXPECT_EQ(by_id->document_id, hex);
  EXPECT_EQ(by_id->query, "");
  auto persisted =
      ReadPost("application/json",
               R"({"extensions":{"persistedQuery":{"version":1,"sha256Hash":")" + hex + R"("}}})");
  ASSERT_TRUE(persisted.ok()) << persisted.status();
  EXPECT_EQ(persisted->document_id, hex);
  for (const std::string& body :
       {R"({"documentId":")" + hex + R"("})", std::string(R"({"documentId":"sha256:ABC"})"),
        std::string(R"({"documentId":7})"),
        R"({"extensions":{"persistedQuery":{"sha256Hash":")" + std::string(63, 'a') + R"("}}})"}) {
    EXPECT_EQ(ReadPost("application/json", body).status().code(),
              absl::StatusCode::kInvalidArgument)
        << body;
  }
  auto get = ReadGet("documentId=sha256%3A" + hex);
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(get->document_id, hex);
}

TEST(ReadGetTest, DecodesParametersAndJsonVariables) {
  auto request = ReadGet("query=%7Ba%7D&operationName=Q&variables=%7B%22id%22%3A%221%22%7D");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->query, "{a}");
  EXPECT_EQ(request->operation_name, "Q");
  EXPECT_EQ(request->variables["id"], "1");
  EXPECT_FALSE(ReadGet("query=%7Ba%7D&variables=nope").ok());
  EXPECT_FALSE(ReadGet("query=a&query=b").ok());
  EXPECT_FALSE(ReadGet("").ok());
}

TEST(StatusForTest, FollowsTheDraft) {
  EXPECT_EQ(StatusFor(MediaType::kGraphqlResponse, Failure::kNone), 200);
  EXPECT_EQ(StatusFor(MediaType::kGraphqlResponse, Failure::kSyntax), 400);
  EXPECT_EQ(StatusFor(MediaType::kGraphqlResponse, Failure::kValidation), 422);
  EXPECT_EQ(StatusFor(MediaType::kJson, Failure::kSyntax), 200);
  EXPECT_EQ(StatusFor(MediaType::kJson, Failure::kValidation), 200);
}

}  // namespace
}  // namespace protogate::graphql
